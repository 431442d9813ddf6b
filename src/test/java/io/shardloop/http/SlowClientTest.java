package io.shardloop.http;

import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.ShardGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowClientTest {
    private static HttpProtocol http;
    private static ShardGroup group;
    private static int port;

    @BeforeAll
    static void start() throws IOException {
        http = new HttpProtocol(HttpConfig.defaults(null).withTimeouts(Duration.ofMillis(800), Duration.ofMillis(400))
                .withBodyTimeout(Duration.ofMillis(600), 1000));
        group = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(), List.of(Endpoint.of("127.0.0.1", 0, http)));
        port = group.port(0);
    }

    @AfterAll
    static void stop() {
        group.close();
    }

    private static long sum(int counter) {
        return http.counter(0, counter) + http.counter(1, counter);
    }

    @Test
    void shouldCloseAKeepAliveConnectionThatStaysIdle() throws Exception {
        long before = sum(HttpStats.KEEP_ALIVE_CLOSES);
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals(200, raw.read().status());
            long start = System.nanoTime();
            assertTrue(raw.closedByServer());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 500, "closed after " + waited + " ms, before the keep-alive timeout");
        }
        assertEquals(before + 1, sum(HttpStats.KEEP_ALIVE_CLOSES));
    }

    @Test
    void shouldKeepAConnectionThatKeepsSendingRequests() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            for (int i = 0; i < 6; i++) {
                raw.send("GET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
                assertEquals(200, raw.read().status(), "request " + i);
                Thread.sleep(250); // 1.5 s in all, each gap well under the timeout
            }
        }
    }

    @Test
    void shouldCloseAClientThatSendsItsHeadersTooSlowly() throws Exception {
        long before = sum(HttpStats.HEADER_TIMEOUT_CLOSES);
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /plaintext HTTP/1.1\r\n");
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                Thread.sleep(100);
                try {
                    raw.send("X-Slow: " + i + "\r\n"); // a byte now and then keeps the idle timer away, not this one
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed || raw.closedByServer());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited < 3000, "the header timer did not fire: " + waited + " ms");
        }
        assertEquals(before + 1, sum(HttpStats.HEADER_TIMEOUT_CLOSES));
    }

    @Test
    void shouldCloseAClientThatTricklesItsBody() throws Exception {
        long before = sum(HttpStats.BODY_TIMEOUT_CLOSES);
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("PUT /plaintext HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n");
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 60 && !closed; i++) {
                Thread.sleep(100);
                try {
                    raw.send("x"); // ten bytes a second: each keeps the idle timer away, none buys time
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed || raw.closedByServer());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited < 4000, "the body deadline did not close the connection: " + waited + " ms");
        }
        assertEquals(before + 1, sum(HttpStats.BODY_TIMEOUT_CLOSES));
    }

    @Test
    void shouldGiveASteadyBodyTheTimeItsSizeEarns() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            int size = 3000; // 0.6 s plus 3 s earned at 1000 bytes a second; sent in about 1.5 s
            raw.send("PUT /plaintext HTTP/1.1\r\nHost: h\r\nContent-Length: " + size + "\r\n\r\n");
            for (int i = 0; i < 15; i++) {
                Thread.sleep(100);
                raw.send("y".repeat(size / 15));
            }
            assertEquals(405, raw.read().status(), "the whole body arrived and the request was answered");
        }
    }
}
