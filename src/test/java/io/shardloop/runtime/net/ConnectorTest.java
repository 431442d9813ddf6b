package io.shardloop.runtime.net;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.TestTransports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

@Timeout(20)
class ConnectorTest {
    private final LoopIo io;
    private final EventLoop loop;
    private final Thread thread;
    private final Owner owner;

    ConnectorTest() throws IOException {
        io = TestTransports.openLoop();
        loop = new EventLoop("connector-test", io, 0);
        owner = new Owner(loop);
        thread = new Thread(loop, "connector-test");
        thread.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        loop.stop();
        thread.join(5_000);
    }

    /** The client side for the tests: owns the buffers, like a shard. */
    private record Owner(EventLoop loop, BufferPool bufferPool, ByteBuffer[] iov,
                         SingleWriterCounters netStats) implements ConnectionOwner {
        Owner(EventLoop loop) {
            this(loop, new BufferPool(1024, 4), new ByteBuffer[8], NetStats.newCounters());
        }

        @Override
        public void onClosed(Connection connection) {
        }
    }

    private CompletableFuture<Object> connect(InetSocketAddress address, ConnectionHandler.Factory handlers) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        loop.execute(() -> Connector.connect(owner, io, address, 1, ConnectionLimits.defaults(), handlers, 1_000_000_000L,
                new Connector.Listener() {
                    @Override
                    public void onConnected(Connection connection) {
                        outcome.complete(connection);
                    }

                    @Override
                    public void onConnectFailed(IOException cause) {
                        outcome.complete(cause);
                    }
                }));
        return outcome;
    }

    @Test
    void shouldOpenAConnectionFromTheLoopAndRunItsHandler() throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Object> outcome = connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
                    c -> new ConnectionHandler() {
                        @Override
                        public void onRead(ByteBuffer in) {
                            byte[] bytes = new byte[in.remaining()];
                            in.get(bytes);
                            received.complete(bytes);
                        }

                        @Override
                        public void onInputClosed() {
                            c.close(null);
                        }
                    });
            try (Socket peer = server.accept()) {
                Connection connection = (Connection) outcome.get(5, TimeUnit.SECONDS);
                loop.execute(() -> {
                    connection.outbound().writeAscii("ping");
                    connection.flushSoon();
                });
                InputStream in = peer.getInputStream();
                assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), in.readNBytes(4));
                OutputStream out = peer.getOutputStream();
                out.write("pong".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertArrayEquals("pong".getBytes(StandardCharsets.US_ASCII), received.get(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void shouldReportARefusedConnect() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Object outcome = connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), c -> null).get(5, TimeUnit.SECONDS);
        assertInstanceOf(ConnectException.class, outcome);
    }
}
