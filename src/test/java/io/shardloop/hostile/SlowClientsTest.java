package io.shardloop.hostile;

import io.shardloop.http.HttpConfig;
import io.shardloop.http.HttpStats;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.net.NetStats;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients too slow to be served: one that sends its header a byte a second, and one that pipelines
 * thousands of requests for a large value and never reads a reply. Each is closed by its limit,
 * the server's memory for it stays bounded, and a good client on the same server notices nothing.
 */
class SlowClientsTest {
    private static final long HIGH_WATER = 256 * 1024;
    private static final long HARD_LIMIT = 2L << 20;

    @Test
    void shouldCloseASlowlorisByTheHeaderTimeout() throws Exception {
        HttpConfig http = HttpConfig.defaults(null).withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(1500));
        try (HostileServer server = HostileServer.start(HostileServer.config().build(), http, null);
             HttpClient good = new HttpClient(server.httpPort());
             Socket slow = new Socket("127.0.0.1", server.httpPort())) {
            OutputStream out = slow.getOutputStream();
            byte[] request = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < request.length - 2 && !closed; i++) {
                try {
                    out.write(request[i]);
                    out.flush();
                } catch (IOException reset) {
                    closed = true;
                    break;
                }
                assertEquals(200, good.get("/plaintext").status(), "the good client while the slow one trickles");
                closed = sleepOrClosed(slow, 1000);
            }
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(closed, "the slowloris was never closed");
            assertTrue(waited >= 1400 && waited < 4_000, "closed after " + waited + " ms, header timeout 1500 ms");
            assertEquals(1, sumHttp(server, HttpStats.HEADER_TIMEOUT_CLOSES));
            assertEquals(200, good.get("/plaintext").status());
        }
    }

    @Test
    void shouldCloseAPipelinerThatNeverReadsAndBoundItsMemory() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(64 * 1024, HIGH_WATER, 64 * 1024, HARD_LIMIT, 1 << 20,
                1_000_000_000L, 0);
        try (HostileServer server = HostileServer.start(HostileServer.config().limits(limits).build());
             RespClient good = new RespClient(server.respPort())) {
            String big = "v".repeat(64 * 1024);
            assertEquals("+OK", good.call("SET", "big", big));
            byte[] get = RespClient.encode("GET", "big");
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (int i = 0; i < 5000; i++) {
                pipeline.writeBytes(get); // 5000 x 64 KiB = 312 MiB of replies asked for
            }
            Socket hog = new Socket();
            hog.setReceiveBufferSize(4096);
            hog.connect(new InetSocketAddress("127.0.0.1", server.respPort()));
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    hog.getOutputStream().write(pipeline.toByteArray());
                } catch (IOException closedByServer) {
                    // The server closed it: what the test waits for.
                }
            });
            long start = System.nanoTime();
            long closes = 0;
            while (System.nanoTime() - start < 10_000_000_000L) {
                assertEquals(big.length(), good.call("GET", "big").length(), "the good client while the hog waits");
                closes = server.net(NetStats.WRITE_STALL_CLOSES) + server.net(NetStats.OUTPUT_LIMIT_CLOSES);
                if (closes > 0) {
                    break;
                }
                Thread.sleep(50);
            }
            long peak = server.net(NetStats.PEAK_OUTBOUND_BYTES);
            System.out.printf("non-reader: closed after %d ms, peak unsent bytes %d (high water %d, hard limit %d)%n",
                    (System.nanoTime() - start) / 1_000_000, peak, HIGH_WATER, HARD_LIMIT);
            assertEquals(1, closes, "the non-reading client was not closed by its output limits");
            // The limit is checked as replies are appended: the append that crosses it closes the
            // connection, so the peak may pass it by the replies of that one append (a few, when
            // answers from another shard arrive together).
            assertTrue(peak <= HARD_LIMIT + 4 * (big.length() + 16), "unsent bytes reached " + peak);
            writer.join(5_000);
            hog.close();
            assertEquals("+OK", good.call("SET", "after", "1"));
            server.awaitOpenConnections(1, Duration.ofSeconds(5));
        }
    }

    private static boolean sleepOrClosed(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static long sumHttp(HostileServer server, int counter) {
        return server.http.counter(0, counter) + server.http.counter(1, counter);
    }
}
