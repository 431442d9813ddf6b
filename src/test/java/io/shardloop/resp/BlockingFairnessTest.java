package io.shardloop.resp;

import io.shardloop.kv.Slots;
import io.shardloop.testing.Await;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocked clients are served right after the command that pushed, before any other client's
 * command, as Redis serves them: a pop that another client sends once the push is answered finds
 * nothing while a client waits, and each element goes to the oldest waiter, once. Run on
 * redis-server (what states the rule), on the loops in every state mode over 1, 2 and 4 shards
 * (waiters, the key, the pusher and the competitor on different shards where there are several),
 * and on the thread-per-connection models.
 */
class BlockingFairnessTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final int ROUNDS = 20;
    private static FrontEnds fronts;
    private static final Map<String, Integer> ports = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
        ports.put("redis-server", fronts.redisPort());
        ports.putAll(fronts.ports());
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.close();
    }

    /** The loops' shard count in a front's name ("loops sharded on 4 shard(s)"); 1 for the others. */
    private static int shards(String front) {
        if (!front.startsWith("loops")) {
            return 1;
        }
        String[] words = front.split(" ");
        return Integer.parseInt(words[words.length - 2]);
    }

    /** A key whose owner is that shard (of {@code shards}; the shard taken modulo their count). */
    private static String keyOn(int shards, int shard, String prefix) {
        for (int i = 0; ; i++) {
            String k = prefix + i;
            byte[] b = k.getBytes(StandardCharsets.US_ASCII);
            if (Slots.ownerOf(b, 0, b.length, shards) == shard % shards) {
                return k;
            }
        }
    }

    private static RawResp connect(int port) throws IOException {
        return new RawResp(port, (int) BOUND.toMillis());
    }

    /** A connection on that shard (modulo the count) of a loop front: its CLIENT ID says where. */
    private static RawResp connectOn(String front, int port, int shard) throws IOException {
        int shards = shards(front);
        if (shards == 1) {
            return connect(port);
        }
        List<RawResp> others = new ArrayList<>();
        try {
            for (int i = 0; i < 256; i++) {
                RawResp c = connect(port);
                if (Long.parseLong(c.call("CLIENT", "ID").substring(1)) >>> 48 == shard % shards) {
                    return c;
                }
                others.add(c);
            }
            throw new AssertionError("no connection landed on shard " + shard % shards);
        } finally {
            for (RawResp c : others) {
                c.close();
            }
        }
    }

    private static void awaitBlocked(String front, RawResp admin, long n) {
        Await.until(front + ": " + n + " blocked clients", BOUND, () -> {
            try {
                admin.send("INFO", "clients");
                for (String line : admin.value().split("\r\n")) {
                    if (line.startsWith("blocked_clients:")) {
                        return Long.parseLong(line.substring("blocked_clients:".length())) == n;
                    }
                }
                throw new AssertionError("no blocked_clients");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void aPopRightAfterThePushFindsNothingWhileClientsOfOtherShardsWaitAndTheyAreServedInOrder() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            int n = shards(front);
            String key = keyOn(n, 2, "fair");
            try (RawResp admin = connect(port); RawResp a = connectOn(front, port, 0);
                 RawResp b = connectOn(front, port, 1); RawResp c = connectOn(front, port, 0);
                 RawResp pusher = connectOn(front, port, 3); RawResp competitor = connectOn(front, port, 1)) {
                admin.call("DEL", key);
                for (int round = 0; round < ROUNDS; round++) {
                    String where = front + ", round " + round;
                    a.send("BLPOP", key, "0");
                    awaitBlocked(front, admin, 1);
                    b.send("BRPOP", key, "0");
                    awaitBlocked(front, admin, 2);
                    c.send("BLPOP", key, "0");
                    awaitBlocked(front, admin, 3);
                    assertEquals(":1", pusher.call("RPUSH", key, "x" + round), where);
                    assertEquals("$-1", competitor.call("LPOP", key), where + ": the oldest waiter has it");
                    assertEquals("[" + key + ", x" + round + "]", a.value(), where);
                    assertEquals(":2", pusher.call("RPUSH", key, "y" + round, "z" + round), where);
                    assertEquals("$-1", competitor.call("LPOP", key), where + ": both waiters have theirs");
                    assertEquals("[" + key + ", z" + round + "]", b.value(), where + ": BRPOP takes the tail");
                    assertEquals("[" + key + ", y" + round + "]", c.value(), where);
                    awaitBlocked(front, admin, 0);
                    assertEquals(":0", admin.call("EXISTS", key), where + ": every element went once");
                }
            }
        }
    }

    @Test
    void aBlockedMoveTakesThePushedElementBeforeAPopRightAfterThePush() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            int n = shards(front);
            String source = keyOn(n, 1, "fairsrc");
            String destination = keyOn(n, 2, "fairdst");
            try (RawResp admin = connect(port); RawResp mover = connectOn(front, port, 0);
                 RawResp pusher = connectOn(front, port, 3); RawResp competitor = connectOn(front, port, 2)) {
                admin.call("DEL", source, destination);
                for (int round = 0; round < ROUNDS; round++) {
                    String where = front + ", round " + round;
                    mover.send("BLMOVE", source, destination, "RIGHT", "LEFT", "0");
                    awaitBlocked(front, admin, 1);
                    assertEquals(":1", pusher.call("LPUSH", source, "m" + round), where);
                    assertEquals("$-1", competitor.call("RPOP", source), where + ": the waiter has it");
                    assertEquals("m" + round, mover.value(), where);
                    awaitBlocked(front, admin, 0);
                    assertEquals(":" + (round + 1), admin.call("LLEN", destination), where + ": moved once");
                }
                assertEquals(":0", admin.call("EXISTS", source), front);
                admin.call("DEL", destination);
            }
        }
    }

    @Test
    void aPushInsideATransactionServesTheWaiterAfterTheTransactionBeforeTheNextCommand() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            int n = shards(front);
            String key = keyOn(n, 1, "fairtx");
            try (RawResp admin = connect(port); RawResp waiter = connectOn(front, port, 0);
                 RawResp pusher = connectOn(front, port, 2)) {
                admin.call("DEL", key);
                waiter.send("BLPOP", key, "0");
                awaitBlocked(front, admin, 1);
                pusher.call("MULTI");
                pusher.call("RPUSH", key, "a", "b");
                pusher.call("LPOP", key);
                assertEquals("*2 [:2, $1 a]", pusher.call("EXEC"), front + ": the transaction's own pop comes first");
                assertEquals("$-1", pusher.call("LPOP", key), front + ": the waiter was served right after it");
                assertEquals("[" + key + ", b]", waiter.value(), front);
                awaitBlocked(front, admin, 0);
            }
        }
    }

    /**
     * Waiters over keys of several shards with short timeouts (so answers meet waits that have just
     * ended, and are given back), pushers and competing pops all at once: every element is taken
     * exactly once, by a waiter or a pop, or is still in its list at the end.
     */
    @Test
    void underTimeoutsAndCompetingPopsEveryElementIsTakenOnceOrStaysInItsList() throws Exception {
        int waiters = 6;
        int pushers = 3;
        int poppers = 2;
        int perPusher = 150;
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            int n = shards(front);
            String[] keys = {keyOn(n, 0, "race0-"), keyOn(n, 1, "race1-"), keyOn(n, 2, "race2-"), keyOn(n, 3, "race3-")};
            ExecutorService pool = Executors.newFixedThreadPool(waiters + pushers + poppers);
            try (RawResp admin = connect(port)) {
                admin.call(with("DEL", keys));
                Set<String> taken = ConcurrentHashMap.newKeySet();
                AtomicInteger duplicates = new AtomicInteger();
                AtomicBoolean pushing = new AtomicBoolean(true);
                List<Future<?>> takers = new ArrayList<>();
                for (int w = 0; w < waiters; w++) {
                    takers.add(pool.submit(() -> {
                        try (RawResp c = connect(port)) {
                            while (pushing.get()) {
                                c.send(with("BLPOP", keys, "0.01"));
                                record(front, c.value(), taken, duplicates);
                            }
                        }
                        return null;
                    }));
                }
                for (int p = 0; p < poppers; p++) {
                    takers.add(pool.submit(() -> {
                        try (RawResp c = connect(port)) {
                            for (int i = 0; pushing.get(); i++) {
                                c.send("LPOP", keys[i % keys.length]);
                                String v = c.value();
                                if (v != null) {
                                    assertTrue(v.matches("\\d+-\\d+"), front + ": LPOP answered " + v);
                                    if (!taken.add(v)) {
                                        duplicates.incrementAndGet();
                                    }
                                }
                            }
                        }
                        return null;
                    }));
                }
                List<Future<?>> pushes = new ArrayList<>();
                for (int p = 0; p < pushers; p++) {
                    int pusher = p;
                    pushes.add(pool.submit(() -> {
                        try (RawResp c = connect(port)) {
                            for (int i = 0; i < perPusher; i++) {
                                c.call(i % 2 == 0 ? "RPUSH" : "LPUSH", keys[(i + pusher) % keys.length], pusher + "-" + i);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> x : pushes) {
                    x.get(60, TimeUnit.SECONDS);
                }
                pushing.set(false);
                for (Future<?> x : takers) {
                    x.get(60, TimeUnit.SECONDS);
                }
                awaitBlocked(front, admin, 0);
                int left = 0;
                Set<String> leftValues = new java.util.HashSet<>();
                for (String k : keys) {
                    admin.send("LRANGE", k, "0", "-1");
                    String range = admin.value();
                    for (String v : range.substring(1, range.length() - 1).split(", ")) {
                        if (!v.isEmpty()) {
                            left++;
                            if (!leftValues.add(v)) {
                                duplicates.incrementAndGet();
                            }
                            if (taken.contains(v)) {
                                duplicates.incrementAndGet();
                            }
                        }
                    }
                }
                assertEquals(0, duplicates.get(), front + ": an element taken twice, or twice in the lists");
                assertEquals(pushers * perPusher, taken.size() + left, front + ": an element lost");
                assertTrue(taken.size() > 0, front);
                admin.call(with("DEL", keys));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void record(String front, String reply, Set<String> taken, AtomicInteger duplicates) {
        if (reply == null || reply.equals("[]")) {
            return;
        }
        assertTrue(reply.startsWith("[race"), front + ": BLPOP answered " + reply);
        String value = reply.substring(reply.indexOf(", ") + 2, reply.length() - 1);
        if (!taken.add(value)) {
            duplicates.incrementAndGet();
        }
    }

    private static String[] with(String name, String[] keys, String... after) {
        String[] all = new String[1 + keys.length + after.length];
        all[0] = name;
        System.arraycopy(keys, 0, all, 1, keys.length);
        System.arraycopy(after, 0, all, 1 + keys.length, after.length);
        return all;
    }
}
