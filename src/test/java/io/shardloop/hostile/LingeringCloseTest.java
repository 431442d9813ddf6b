package io.shardloop.hostile;

import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ServerModel;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.RespConfig;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.net.NetStats;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection the server closes while its client is still sending: the client reads the last
 * reply whole and then the end of input, never a reset (RFC 9112, section 9.6), and a client that
 * goes on sending is closed at the linger timeout.
 */
class LingeringCloseTest {
    /** More than the loopback receive buffer takes at once: some of it is still unread when the server closes. */
    private static final int FOLLOWING_BYTES = 4 << 20;

    @Test
    void shouldDeliverQuitsReplyWholeToAClientStillSending() throws Exception {
        try (HostileServer server = HostileServer.start(HostileServer.config().build())) {
            quitWithMuchMoreFollowing(server.respPort());
        }
    }

    @Test
    void shouldDeliverQuitsReplyWholeOnAThreadPerConnectionServerToo() throws Exception {
        ThreadedConfig config = ThreadedConfig.defaults(ServerModel.VIRTUAL, "127.0.0.1", 0);
        try (ThreadedServer server = ThreadedServer.start(config,
                new BlockingRespProtocol(config, StateMode.CONCURRENT, RespConfig.defaults()))) {
            quitWithMuchMoreFollowing(server.port());
        }
    }

    private static void quitWithMuchMoreFollowing(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            pipeline.writeBytes(RespClient.encode("QUIT"));
            byte[] set = RespClient.encode("SET", "after-quit", "1");
            while (pipeline.size() < FOLLOWING_BYTES) {
                pipeline.writeBytes(set);
            }
            // Without the linger this write fails: the server's close with unread input resets it.
            socket.getOutputStream().write(pipeline.toByteArray());
            InputStream in = socket.getInputStream();
            assertEquals("+OK\r\n", readLine(in));
            assertEquals(-1, in.read(), "the end of input after QUIT's reply");
        }
        try (RespClient check = new RespClient(port)) {
            assertEquals(null, check.call("GET", "after-quit"), "nothing after QUIT ran");
        }
    }

    @Test
    void shouldDeliverARefusalWholeToAClientStillSendingItsBody() throws Exception {
        try (HostileServer server = HostileServer.start(HostileServer.config().build());
             Socket socket = new Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /kv/big HTTP/1.1\r\nHost: h\r\nContent-Length: " + FOLLOWING_BYTES + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Void> body = CompletableFuture.runAsync(() -> {
                try {
                    out.write(new byte[FOLLOWING_BYTES]); // over the body limit: refused with 413
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 413 "), response);
            assertTrue(response.toLowerCase().contains("connection: close"), response);
            body.get(10, TimeUnit.SECONDS); // the whole body was taken (and dropped), none of it reset
        }
    }

    @Test
    void shouldCloseAClientThatGoesOnSendingAtTheLingerTimeout() throws Exception {
        ConnectionLimits limits = ConnectionLimits.defaults().withLingerNanos(Duration.ofMillis(300).toNanos());
        try (HostileServer server = HostileServer.start(HostileServer.config().limits(limits).build());
             Socket socket = new Socket("127.0.0.1", server.respPort());
             RespClient other = new RespClient(server.respPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(RespClient.encode("QUIT"));
            InputStream in = socket.getInputStream();
            assertEquals("+OK\r\n", readLine(in));
            assertEquals(-1, in.read(), "the server's FIN");
            long closedBefore = server.net(NetStats.CLOSED);
            byte[] noise = RespClient.encode("SET", "noise", "x".repeat(4000));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            assertThrows(IOException.class, () -> {
                while (System.nanoTime() < deadline) {
                    out.write(noise); // dropped while the server lingers, then reset once it has closed
                    Thread.sleep(5);
                }
            }, "a client that never closes is not held past the linger timeout");
            assertTrue(server.net(NetStats.CLOSED) > closedBefore);
            assertEquals("+PONG", other.call("PING"), "the other client is served throughout");
            assertEquals(null, other.call("GET", "noise"), "nothing sent while lingering ran");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            line.append((char) b);
            if (b == '\n') {
                break;
            }
        }
        return line.toString();
    }
}
