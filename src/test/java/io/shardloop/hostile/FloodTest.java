package io.shardloop.hostile;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many connections at once: abrupt resets mid-request leak nothing; past the connection limit, excess are refused. */
class FloodTest {
    private static final int FLOOD = 1200;

    @Test
    void shouldReturnToItsStartingDescriptorsAfterAThousandResetsMidRequest() throws Exception {
        try (HostileServer server = HostileServer.start(HostileServer.config().build());
             RespClient good = new RespClient(server.respPort())) {
            assertEquals("+OK", good.call("SET", "kept", "yes"));
            long fdsBefore = HostileServer.openFileDescriptors();
            ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
            List<Thread> openers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                openers.add(Thread.ofPlatform().start(() -> {
                    for (int i = id; i < FLOOD; i += 8) {
                        boolean resp = i % 2 == 0;
                        try {
                            Socket s = new Socket("127.0.0.1", resp ? server.respPort() : server.httpPort());
                            s.setSoLinger(true, 0);
                            s.getOutputStream().write((resp ? "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nhalf"
                                    : "POST /plaintext HTTP/1.1\r\nHost: h\r\nContent-Le").getBytes(StandardCharsets.US_ASCII));
                            sockets.add(s);
                        } catch (IOException e) {
                            throw new AssertionError("could not connect", e);
                        }
                    }
                }));
            }
            for (Thread t : openers) {
                t.join(30_000);
            }
            assertEquals(FLOOD, sockets.size());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (server.group.openConnections() < FLOOD + 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(FLOOD + 1, server.group.openConnections(), "every connection accepted and held");
            for (Socket s : sockets) {
                s.close(); // SO_LINGER 0: a reset, mid-request
            }
            server.awaitOpenConnections(1, Duration.ofSeconds(10));
            // A channel closed while registered gives its descriptor back when its selector next
            // deregisters it: a turn or two later.
            long fdsAfter = HostileServer.openFileDescriptors();
            for (long end = System.nanoTime() + 5_000_000_000L; fdsAfter > fdsBefore + 5 && System.nanoTime() < end; ) {
                server.assertLoopsAlive();
                Thread.sleep(50);
                fdsAfter = HostileServer.openFileDescriptors();
            }
            System.out.printf("flood: %d connections reset mid-request; descriptors %d before, %d after%n",
                    FLOOD, fdsBefore, fdsAfter);
            assertTrue(fdsAfter <= fdsBefore + 5, "descriptors leaked: " + fdsBefore + " -> " + fdsAfter);
            assertEquals("yes", good.call("GET", "kept"));
            server.assertLoopsAlive();
        }
    }

    @Test
    void shouldRefuseConnectionsPastTheLimitAndServeTheRest() throws Exception {
        int limit = 40;
        int extra = 25;
        try (HostileServer server = HostileServer.start(HostileServer.config().maxConnections(limit).build())) {
            List<RespClient> admitted = new ArrayList<>();
            for (int i = 0; i < limit; i++) {
                admitted.add(new RespClient(server.respPort()));
            }
            for (RespClient c : admitted) {
                assertEquals("+PONG", c.call("PING")); // each one is held by the server
            }
            List<Socket> excess = new ArrayList<>();
            for (int i = 0; i < extra; i++) {
                excess.add(new Socket("127.0.0.1", i % 2 == 0 ? server.respPort() : server.httpPort()));
            }
            int closedByServer = 0;
            for (Socket s : excess) {
                s.setSoTimeout(5_000);
                try {
                    if (s.getInputStream().read() < 0) {
                        closedByServer++;
                    }
                } catch (SocketTimeoutException stillOpen) {
                    // Not refused: counted as a failure below.
                } catch (IOException reset) {
                    closedByServer++;
                }
                s.close();
            }
            assertEquals(extra, closedByServer, "every connection past the limit is closed at once");
            assertEquals(extra, server.refused());
            for (RespClient c : admitted) {
                assertEquals("+PONG", c.call("PING"));
            }
            for (RespClient c : admitted) {
                c.close();
            }
            server.awaitOpenConnections(0, Duration.ofSeconds(5));
            try (RespClient again = new RespClient(server.respPort())) {
                assertEquals("+PONG", again.call("PING"), "room again once the others left");
            }
        }
    }
}
