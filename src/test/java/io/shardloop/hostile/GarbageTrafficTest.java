package io.shardloop.hostile;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated and random traffic over real sockets, on both protocols, for a bounded time, while
 * well-behaved clients keep working: none of them sees a wrong answer, no loop dies, no turn
 * stalls, and every key the good clients wrote reads back intact.
 */
class GarbageTrafficTest {
    private static final long RUN_NANOS = 8_000_000_000L;
    private static final String[] REAL = {"SET", "GET", "INCR", "DEL", "MSET", "MGET", "LPUSH", "LRANGE", "HSET",
        "HGETALL", "SADD", "SMEMBERS", "EXPIRE", "TTL", "EXISTS", "APPEND", "GETRANGE", "SCAN", "KEYS", "DBSIZE",
        "PING", "ECHO", "INFO", "CLIENT", "HELLO", "COMMAND", "CONFIG", "AUTH", "SELECT", "TYPE", "RENAME"};

    @Test
    void shouldKeepServingGoodClientsWhileOthersSendGarbage() throws Exception {
        try (HostileServer server = HostileServer.start(HostileServer.config().build())) {
            long stallsBefore = server.stalls();
            long deadline = System.nanoTime() + RUN_NANOS;
            Map<String, String> written = new ConcurrentHashMap<>();
            AtomicReference<Throwable> goodFailure = new AtomicReference<>();
            AtomicLong goodCalls = new AtomicLong();
            AtomicLong garbageBytes = new AtomicLong();
            AtomicLong garbageConnections = new AtomicLong();
            AtomicLong errorsSeen = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int g = 0; g < 4; g++) {
                int id = g;
                threads.add(Thread.ofPlatform().name("good-" + g).start(() -> {
                    try {
                        goodClient(server, id, deadline, written, goodCalls);
                    } catch (Throwable e) {
                        goodFailure.compareAndSet(null, e);
                    }
                }));
            }
            for (int b = 0; b < 3; b++) {
                long seed = new SplittableRandom().nextLong();
                threads.add(Thread.ofPlatform().name("garbage-" + b).start(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    while (System.nanoTime() < deadline) {
                        try {
                            garbageConnection(server, r, garbageBytes, errorsSeen);
                            garbageConnections.incrementAndGet();
                        } catch (IOException expected) {
                            garbageConnections.incrementAndGet(); // reset by the server: fine
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(RUN_NANOS / 1_000_000 + 20_000);
            }
            assertNull(goodFailure.get(), () -> "a good client failed: " + goodFailure.get());
            System.out.printf("garbage: %d connections, %d bytes, %d error replies; good: %d calls, %d keys%n",
                    garbageConnections.get(), garbageBytes.get(), errorsSeen.get(), goodCalls.get(), written.size());
            assertTrue(goodCalls.get() > 100, "the good clients made too little progress: " + goodCalls.get());
            assertTrue(garbageConnections.get() > 100, "too little garbage was sent: " + garbageConnections.get());

            server.assertLoopsAlive();
            assertEquals(stallsBefore, server.stalls(), "a loop stalled");
            try (RespClient check = new RespClient(server.respPort())) {
                for (Map.Entry<String, String> e : written.entrySet()) {
                    assertEquals(e.getValue(), check.call("GET", e.getKey()), "key " + e.getKey());
                }
            }
        }
    }

    /** SET, GET back, INCR a counter, over RESP; GET /plaintext over HTTP; every answer checked. */
    private static void goodClient(HostileServer server, int id, long deadline, Map<String, String> written,
                                   AtomicLong calls) throws IOException {
        try (RespClient resp = new RespClient(server.respPort()); HttpClient http = new HttpClient(server.httpPort())) {
            long n = 0;
            while (System.nanoTime() < deadline) {
                String key = "good:" + id + ":" + (n % 500);
                String value = "v" + n + "-" + "x".repeat((int) (n % 40));
                assertEquals("+OK", resp.call("SET", key, value));
                assertEquals(value, resp.call("GET", key));
                written.put(key, value);
                assertEquals(":" + (n + 1), resp.call("INCR", "good:counter:" + id));
                HttpClient.Response r = http.get("/plaintext");
                assertEquals(200, r.status());
                assertEquals("Hello, World!", r.body());
                calls.addAndGet(4);
                n++;
            }
        }
    }

    /** One connection of mutated or random bytes to either protocol, then read what comes back for a moment. */
    private static void garbageConnection(HostileServer server, SplittableRandom r, AtomicLong bytes,
                                          AtomicLong errors) throws IOException {
        boolean resp = r.nextBoolean();
        byte[] wire;
        int kind = r.nextInt(10);
        if (kind == 0) {
            wire = Fuzz.bytes(r, 4096);
        } else if (resp) {
            wire = Mutation.applyAll(RespParserFuzzTest.encode(realCommands(r)), Mutation.some(r));
        } else {
            wire = Mutation.applyAll(HttpParserFuzzTest.encode(HttpParserFuzzTest.requests(r)), Mutation.some(r));
        }
        try (Socket s = new Socket("127.0.0.1", resp ? server.respPort() : server.httpPort())) {
            s.setSoTimeout(50);
            if (r.nextInt(4) == 0) {
                s.setSoLinger(true, 0); // leave with a reset
            }
            int at = 0;
            for (Integer piece : Fuzz.splits(r)) {
                int n = Math.min(piece * 16, wire.length - at);
                if (n <= 0) {
                    break;
                }
                s.getOutputStream().write(wire, at, n);
                at += n;
            }
            if (at < wire.length) {
                s.getOutputStream().write(wire, at, wire.length - at);
            }
            bytes.addAndGet(wire.length);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                    if (text.contains("-ERR") || text.contains("HTTP/1.1 4") || text.contains("HTTP/1.1 5")) {
                        errors.incrementAndGet();
                    }
                }
            } catch (SocketTimeoutException waiting) {
                // The server waits for the rest of a frame: leave it waiting.
            }
        }
    }

    /** Commands the server knows, on keys of their own (never the good clients'), with random arguments. */
    private static List<List<String>> realCommands(SplittableRandom r) {
        List<List<String>> commands = new ArrayList<>();
        for (int c = 1 + r.nextInt(6); c > 0; c--) {
            List<String> args = new ArrayList<>();
            args.add(REAL[r.nextInt(REAL.length)]);
            for (int a = r.nextInt(5); a > 0; a--) {
                args.add(r.nextInt(3) == 0 ? String.valueOf(r.nextInt(1000) - 10)
                        : "junk:" + Fuzz.word(r, 1, 12, "abcdefghijklmnopqrstuvwxyz0123456789"));
            }
            commands.add(args);
        }
        return commands;
    }
}
