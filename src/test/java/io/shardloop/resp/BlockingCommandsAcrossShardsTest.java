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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that wait: on the loops over 4 shards in every state mode (waiters, pushers and keys on
 * different shards) and on the thread-per-connection models. A waiter is woken by a push from any
 * shard, from a MULTI or from a script; waiters on a key are served in the order they blocked;
 * every element goes to exactly one waiter; timeouts fire; CLIENT UNBLOCK; a waiter that leaves
 * takes nothing with it; BLMOVE to a key of another shard; BLPOP over keys of several shards.
 */
class BlockingCommandsAcrossShardsTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final int SHARDS = 4;
    private static FrontEnds fronts;
    private static Map<String, Integer> ports;

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
        ports = new java.util.LinkedHashMap<>();
        fronts.ports().forEach((name, port) -> {
            if (name.contains(SHARDS + " shard") || !name.startsWith("loops")) {
                ports.put(name, port);
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.close();
    }

    private static boolean loops(String front) {
        return front.startsWith("loops");
    }

    /** A key whose owner is that shard (on the loops over 4 shards). */
    private static String keyOn(int shard, String prefix) {
        for (int i = 0; ; i++) {
            String k = prefix + i;
            byte[] b = k.getBytes(StandardCharsets.US_ASCII);
            if (Slots.ownerOf(b, 0, b.length, SHARDS) == shard) {
                return k;
            }
        }
    }

    private static String[] del(String[] keys) {
        return with("DEL", keys);
    }

    private static String[] exists(String[] keys) {
        return with("EXISTS", keys);
    }

    private static String[] with(String name, String[] keys) {
        String[] all = new String[keys.length + 1];
        all[0] = name;
        System.arraycopy(keys, 0, all, 1, keys.length);
        return all;
    }

    private static RawResp connect(int port) throws IOException {
        return new RawResp(port, (int) BOUND.toMillis());
    }

    /** A connection on that shard of a loop front (the kernel spreads them): its CLIENT ID says where. */
    private static RawResp connectOn(String front, int port, int shard) throws IOException {
        if (!loops(front)) {
            return connect(port);
        }
        List<RawResp> others = new ArrayList<>();
        try {
            for (int i = 0; i < 256; i++) {
                RawResp c = connect(port);
                if (Long.parseLong(c.call("CLIENT", "ID").substring(1)) >>> 48 == shard) {
                    return c;
                }
                others.add(c);
            }
            throw new AssertionError("no connection landed on shard " + shard);
        } finally {
            for (RawResp c : others) {
                c.close();
            }
        }
    }

    private static long blocked(RawResp admin) throws IOException {
        admin.send("INFO", "clients");
        String info = admin.value();
        for (String line : info.split("\r\n")) {
            if (line.startsWith("blocked_clients:")) {
                return Long.parseLong(line.substring("blocked_clients:".length()));
            }
        }
        throw new AssertionError("no blocked_clients in " + info);
    }

    private static void awaitBlocked(String front, RawResp admin, long n) {
        Await.until(front + ": " + n + " blocked clients", BOUND, () -> {
            try {
                return blocked(admin) == n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void waitersOnAKeyAreServedInTheOrderTheyBlockedByPushesFromAnotherShard() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            String key = keyOn(2, "fifo");
            try (RawResp admin = connect(port); RawResp a = connectOn(front, port, 1);
                 RawResp b = connectOn(front, port, 1); RawResp c = connectOn(front, port, 1);
                 RawResp pusher = connectOn(front, port, 3)) {
                admin.call("DEL", key);
                a.send("BLPOP", key, "0");
                awaitBlocked(front, admin, 1);
                b.send("BLPOP", key, "0");
                awaitBlocked(front, admin, 2);
                c.send("BLPOP", key, "0");
                awaitBlocked(front, admin, 3);
                assertEquals(":3", pusher.call("RPUSH", key, "1", "2", "3"), front);
                assertEquals("[" + key + ", 1]", a.value(), front);
                assertEquals("[" + key + ", 2]", b.value(), front);
                assertEquals("[" + key + ", 3]", c.value(), front);
                awaitBlocked(front, admin, 0);
                assertEquals(":0", admin.call("EXISTS", key), front);
            }
        }
    }

    @Test
    void aWaitIsOnItsDatabasesKeyAndAPushToTheSameNameElsewhereLeavesItWaiting() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            String key = keyOn(2, "perdb");
            try (RawResp admin = connect(port); RawResp waiter = connectOn(front, port, 1);
                 RawResp pusher = connectOn(front, port, 3)) {
                for (String db : new String[] {"0", "9"}) {
                    admin.call("SELECT", db);
                    admin.call("DEL", key);
                }
                admin.call("SELECT", "0");
                assertEquals("+OK", waiter.call("SELECT", "9"), front);
                waiter.send("BLPOP", key, "0");
                awaitBlocked(front, admin, 1);
                assertEquals(":1", pusher.call("RPUSH", key, "in-db-0"), front);
                assertEquals(":1", pusher.call("LLEN", key), front + ": the push to db 0 is not the waiter's");
                assertEquals(1, blocked(admin), front);
                assertEquals("+OK", pusher.call("SELECT", "9"), front);
                assertEquals(":1", pusher.call("RPUSH", key, "in-db-9"), front);
                assertEquals("[" + key + ", in-db-9]", waiter.value(), front);
                awaitBlocked(front, admin, 0);
                assertEquals(":0", pusher.call("EXISTS", key), front);
                assertEquals(":1", admin.call("DEL", key), front);
            }
        }
    }

    @Test
    void aBlockedMoveToADestinationOfAnotherTypeIsAnsweredWrongtypeAndLeavesTheElement() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            String source = keyOn(2, "movesrc");
            String destination = keyOn(3, "movedst");
            try (RawResp admin = connect(port); RawResp waiter = connectOn(front, port, 1)) {
                admin.call("DEL", source, destination);
                admin.call("SET", destination, "nolist");
                waiter.send("BRPOPLPUSH", source, destination, "0");
                awaitBlocked(front, admin, 1);
                assertEquals(":1", admin.call("RPUSH", source, "foo"), front);
                assertTrue(waiter.value().startsWith("-WRONGTYPE"), front);
                awaitBlocked(front, admin, 0);
                admin.send("LRANGE", source, "0", "-1");
                assertEquals("[foo]", admin.value(), front + ": the element stays in the source");
                admin.call("DEL", source, destination);
            }
        }
    }

    @Test
    void swapdbServesAClientBlockedOnAKeyTheOtherDatabaseHolds() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            String key = keyOn(2, "swapped");
            try (RawResp admin = connect(port); RawResp waiter = connectOn(front, port, 1)) {
                for (String db : new String[] {"1", "9"}) {
                    admin.call("SELECT", db);
                    admin.call("DEL", key);
                }
                admin.call("SELECT", "1");
                admin.call("RPUSH", key, "hello");
                assertEquals("+OK", waiter.call("SELECT", "9"), front);
                waiter.send("BRPOP", key, "0");
                awaitBlocked(front, admin, 1);
                assertEquals("+OK", admin.call("SWAPDB", "1", "9"), front);
                assertEquals("[" + key + ", hello]", waiter.value(), front);
                awaitBlocked(front, admin, 0);
                admin.call("SELECT", "0");
            }
        }
    }

    @Test
    void everyPushedElementGoesToExactlyOneWaiter() throws Exception {
        int waiters = 8;
        int pushers = 4;
        int perPusher = 200;
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            String[] keys = {keyOn(0, "many"), keyOn(1, "many"), keyOn(2, "many"), keyOn(3, "many")};
            ExecutorService pool = Executors.newFixedThreadPool(waiters + pushers);
            try (RawResp admin = connect(port)) {
                admin.call(del(keys));
                Set<String> got = ConcurrentHashMap.newKeySet();
                AtomicInteger duplicates = new AtomicInteger();
                AtomicInteger received = new AtomicInteger();
                int total = pushers * perPusher;
                List<Future<?>> all = new ArrayList<>();
                for (int w = 0; w < waiters; w++) {
                    all.add(pool.submit(() -> {
                        try (RawResp c = connect(port)) {
                            while (received.get() < total) {
                                String[] cmd = {"BLPOP", keys[0], keys[1], keys[2], keys[3], "0.2"};
                                c.send(cmd);
                                String reply = c.value();
                                if (reply == null || reply.equals("[]")) {
                                    continue;
                                }
                                String value = reply.substring(reply.indexOf(", ") + 2, reply.length() - 1);
                                if (!got.add(value)) {
                                    duplicates.incrementAndGet();
                                }
                                received.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (int p = 0; p < pushers; p++) {
                    int pusher = p;
                    all.add(pool.submit(() -> {
                        try (RawResp c = connect(port)) {
                            for (int i = 0; i < perPusher; i++) {
                                String k = keys[(i + pusher) % keys.length];
                                c.call(i % 2 == 0 ? "RPUSH" : "LPUSH", k, pusher + "-" + i);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> x : all) {
                    x.get(60, TimeUnit.SECONDS);
                }
                assertEquals(0, duplicates.get(), front);
                assertEquals(total, got.size(), front);
                assertEquals(":0", admin.call(exists(keys)), front);
                awaitBlocked(front, admin, 0);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aTimeoutAnswersANullArrayAndTheNextCommandOfThePipelineRunsAfter() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            try (RawResp c = connect(f.getValue())) {
                c.send("BLPOP", keyOn(3, "nothing"), "0.05");
                c.send("BZPOPMIN", keyOn(1, "nothing"), keyOn(2, "nothing"), "0.05");
                c.send("PING");
                assertEquals("*-1", c.read(), f.getKey());
                assertEquals("*-1", c.read(), f.getKey());
                assertEquals("+PONG", c.read(), f.getKey());
            }
        }
    }

    @Test
    void clientUnblockEndsAWaitAsATimeoutOrAnError() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            String key = keyOn(2, "unblock");
            try (RawResp admin = connectOn(front, port, 0); RawResp waiter = connectOn(front, port, 3)) {
                String id = waiter.call("CLIENT", "ID").substring(1);
                waiter.send("BLPOP", key, "0");
                awaitBlocked(front, admin, 1);
                assertEquals(":1", admin.call("CLIENT", "UNBLOCK", id), front);
                assertEquals("*-1", waiter.read(), front);
                assertEquals(":0", admin.call("CLIENT", "UNBLOCK", id), front);
                waiter.send("BZPOPMAX", key + "z", "0");
                awaitBlocked(front, admin, 1);
                assertEquals(":1", admin.call("CLIENT", "UNBLOCK", id, "ERROR"), front);
                assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK", waiter.read(), front);
                assertEquals("+PONG", waiter.call("PING"), front);
                awaitBlocked(front, admin, 0);
            }
        }
    }

    @Test
    void aWaiterThatDisconnectsTakesNothingWithIt() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            if (!loops(front)) {
                continue; // a connection thread notices its peer gone only when it reads or writes again
            }
            int port = f.getValue();
            String key = keyOn(1, "leaver");
            try (RawResp admin = connectOn(front, port, 2)) {
                admin.call("DEL", key);
                RawResp leaver = connectOn(front, port, 3);
                leaver.send("BLPOP", key, "0");
                awaitBlocked(front, admin, 1);
                leaver.close();
                awaitBlocked(front, admin, 0);
                assertEquals(":1", admin.call("RPUSH", key, "kept"), front);
                try (RawResp next = connectOn(front, port, 0)) {
                    next.send("BLPOP", key, "1");
                    assertEquals("[" + key + ", kept]", next.value(), front);
                }
            }
        }
    }

    @Test
    void blmoveWaitsOnItsSourceAndMovesToADestinationOnAnotherShard() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            String source = keyOn(1, "src");
            String destination = keyOn(2, "dst");
            try (RawResp admin = connectOn(front, port, 0); RawResp waiter = connectOn(front, port, 3)) {
                admin.call("DEL", source, destination);
                waiter.send("BLMOVE", source, destination, "LEFT", "RIGHT", "0");
                awaitBlocked(front, admin, 1);
                admin.call("RPUSH", source, "v");
                assertEquals("$1 v", waiter.read(), front);
                assertEquals("*1 [$1 v]", admin.call("LRANGE", destination, "0", "-1"), front);
                waiter.send("BRPOPLPUSH", source, destination, "0");
                awaitBlocked(front, admin, 1);
                admin.call("LPUSH", source, "w");
                assertEquals("$1 w", waiter.read(), front);
                assertEquals("*2 [$1 w, $1 v]", admin.call("LRANGE", destination, "0", "-1"), front);
                assertEquals(":0", admin.call("EXISTS", source), front);
            }
        }
    }

    @Test
    void oneWaitOverKeysOfSeveralShardsIsServedByAPushToAnyOfThem() throws Exception {
        for (Map.Entry<String, Integer> f : ports.entrySet()) {
            String front = f.getKey();
            int port = f.getValue();
            String k1 = keyOn(1, "multi");
            String k2 = keyOn(2, "multi");
            String k3 = keyOn(3, "multi");
            try (RawResp admin = connectOn(front, port, 0); RawResp waiter = connectOn(front, port, 1)) {
                admin.call("DEL", k1, k2, k3);
                waiter.send("BLPOP", k1, k2, k3, "0");
                awaitBlocked(front, admin, 1);
                admin.call("RPUSH", k3, "x");
                assertEquals("*2 [$" + k3.length() + " " + k3 + ", $1 x]", waiter.read(), front);
                waiter.send("BLMPOP", "0", "3", k1, k2, k3, "RIGHT", "COUNT", "5");
                awaitBlocked(front, admin, 1);
                admin.call("MULTI");
                admin.call("RPUSH", k2, "a", "b");
                admin.call("RPUSH", k2, "c");
                admin.call("EXEC");
                assertEquals("*2 [$" + k2.length() + " " + k2 + ", *3 [$1 c, $1 b, $1 a]]", waiter.read(), front);
                waiter.send("BZMPOP", "0", "2", k1 + "z", k3 + "z", "MIN");
                awaitBlocked(front, admin, 1);
                admin.call("EVAL", "return redis.call('zadd', KEYS[1], 2, 'm')", "1", k3 + "z");
                assertEquals("*2 [$" + (k3.length() + 1) + " " + k3 + "z, *1 [*2 [$1 m, $1 2]]]", waiter.read(), front);
                awaitBlocked(front, admin, 0);
            }
        }
    }
}
