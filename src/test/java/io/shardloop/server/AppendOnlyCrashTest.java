package io.shardloop.server;

import io.shardloop.kv.Slots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The logs keep their promises through kill -9: a server in a child process (two shards) is killed
 * with SIGKILL at a random moment while clients write (SETs, INCRs, MULTI blocks on one shard and
 * over both), then started again on the same files. Under appendfsync always every write it
 * acknowledged is there; under everysec every write acknowledged more than two seconds before the
 * kill is; under both no transaction is half there, on one shard or over two.
 */
class AppendOnlyCrashTest {
    private static final int WRITERS = 4;
    /** How long before the kill an acknowledged write must be on disk under everysec (Redis: up to two seconds are lost). */
    private static final long EVERYSEC_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedWriteThroughSigkill() throws Exception {
        int port = freePort();
        // What each writer had acknowledged: its last SET index, its counter, its transaction numbers.
        ConcurrentHashMap<String, Long> acknowledged = new ConcurrentHashMap<>();
        for (int round = 0; round < 3; round++) {
            Process server = startChild(port, "always");
            try {
                awaitServing(port);
                check(port, acknowledged, true);
                runUntilKilled(server, port, acknowledged, null, ThreadLocalRandom.current().nextInt(300, 900));
            } finally {
                server.destroyForcibly();
            }
        }
        Process server = startChild(port, "always");
        try {
            awaitServing(port);
            check(port, acknowledged, true);
            assertTrue(total(acknowledged, ":set") >= 20, "the writers got acknowledgements between the kills: " + acknowledged);
            assertTrue(total(acknowledged, ":cross") >= 5, "transactions over both shards ran: " + acknowledged);
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldKeepWritesOlderThanTwoSecondsAndNoHalfTransactionThroughSigkillUnderEverysec() throws Exception {
        int port = freePort();
        ConcurrentHashMap<String, Long> acknowledged = new ConcurrentHashMap<>();
        long durable = 0;
        for (int round = 0; round < 2; round++) {
            Process server = startChild(port, "everysec");
            try {
                awaitServing(port);
                check(port, acknowledged, false);
                List<Queue<long[]>> setTimes = new ArrayList<>();
                long[] atStart = new long[WRITERS];
                for (int id = 0; id < WRITERS; id++) {
                    setTimes.add(new ConcurrentLinkedQueue<>());
                    atStart[id] = acknowledged.getOrDefault("w" + id + ":set", 0L);
                }
                long killedAt = runUntilKilled(server, port, acknowledged, setTimes, 3_000);
                // what must be there: each writer's SETs acknowledged before the window
                for (int id = 0; id < WRITERS; id++) {
                    long set = atStart[id];
                    for (long[] ack : setTimes.get(id)) {
                        if (ack[0] < killedAt - EVERYSEC_WINDOW_NANOS) {
                            set = Math.max(set, ack[1]);
                        }
                    }
                    durable += set - atStart[id];
                    acknowledged.put("w" + id + ":set", set);
                }
            } finally {
                server.destroyForcibly();
            }
        }
        Process server = startChild(port, "everysec");
        try {
            awaitServing(port);
            check(port, acknowledged, false);
            assertTrue(durable >= 20, "writes older than the window were checked: " + durable);
            assertTrue(total(acknowledged, ":cross") >= 5, "transactions over both shards ran: " + acknowledged);
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Starts the writers, kills the server after {@code millis} with SIGKILL (nothing is flushed on
     * the way out), waits for the writers to stop; returns when it was killed ({@link System#nanoTime}).
     */
    private static long runUntilKilled(Process server, int port, ConcurrentHashMap<String, Long> acknowledged,
                                       List<Queue<long[]>> setTimes, long millis) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int id = w;
            Queue<long[]> times = setTimes == null ? null : setTimes.get(w);
            writers.add(Thread.ofPlatform().start(() -> write(port, id, acknowledged, times, stop)));
        }
        Thread.sleep(millis);
        long killedAt = System.nanoTime();
        server.destroyForcibly();
        assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        stop.set(true);
        for (Thread t : writers) {
            t.join(10_000);
        }
        return killedAt;
    }

    private static long total(ConcurrentHashMap<String, Long> acknowledged, String what) {
        long n = 0;
        for (int id = 0; id < WRITERS; id++) {
            n += acknowledged.getOrDefault("w" + id + what, 0L);
        }
        return n;
    }

    /** A key named {@code prefix} with a hash tag that shard {@code shard} of two owns. */
    private static String keyOn(int shard, String prefix) {
        for (int i = 0; ; i++) {
            String k = "{" + prefix + i + "}" + prefix;
            byte[] b = k.getBytes(StandardCharsets.US_ASCII);
            if (Slots.ownerOf(b, 0, b.length, 2) == shard) {
                return k;
            }
        }
    }

    /**
     * One writer: SETs of its numbered keys, INCRs of its counter, MULTI blocks of two keys of one
     * shard, and of one key on each shard; stops at the first error (the kill). With
     * {@code setTimes}, each acknowledged SET goes there with when it was acknowledged.
     */
    private static void write(int port, int id, ConcurrentHashMap<String, Long> acknowledged, Queue<long[]> setTimes,
                              AtomicBoolean stop) {
        String w = "w" + id;
        long set = acknowledged.getOrDefault(w + ":set", 0L);
        long tx = acknowledged.getOrDefault(w + ":tx", 0L);
        long cross = acknowledged.getOrDefault(w + ":cross", 0L);
        String x = keyOn(0, w + "x");
        String y = keyOn(1, w + "y");
        try (Jedis j = new Jedis("127.0.0.1", port, 5_000)) {
            while (!stop.get()) {
                set++;
                j.set(w + ":key:" + set, Long.toString(set));
                acknowledged.put(w + ":set", set);
                if (setTimes != null) {
                    setTimes.add(new long[] {System.nanoTime(), set});
                }
                long counter = j.incr(w + ":counter");
                acknowledged.put(w + ":counter", counter);
                tx++;
                Transaction t = j.multi(); // one shard (one hash tag): one record of the log
                t.set("{" + w + "}:a", Long.toString(tx));
                t.set("{" + w + "}:b", Long.toString(tx));
                t.exec();
                acknowledged.put(w + ":tx", tx);
                cross++;
                Transaction c = j.multi(); // two shards: a tagged part on each
                c.set(x, Long.toString(cross));
                c.set(y, Long.toString(cross));
                c.exec();
                acknowledged.put(w + ":cross", cross);
            }
        } catch (RuntimeException killed) {
            // the server was killed: what was acknowledged before is recorded
        }
    }

    /**
     * Checks the restarted server against what was acknowledged: with {@code exact} (always) every
     * acknowledged write, else (everysec) the SETs in {@code acknowledged}, which the caller set to
     * those acknowledged before the window; both: no transaction half there. Then records what is
     * there, for the writers to go on from.
     */
    private static void check(int port, ConcurrentHashMap<String, Long> acknowledged, boolean exact) {
        try (Jedis j = new Jedis("127.0.0.1", port, 5_000)) {
            for (int id = 0; id < WRITERS; id++) {
                String w = "w" + id;
                Long set = acknowledged.get(w + ":set");
                if (set != null) {
                    for (long i = 1; i <= set; i++) {
                        assertEquals(Long.toString(i), j.get(w + ":key:" + i), w + " set " + i + " was acknowledged");
                    }
                }
                Long counter = acknowledged.get(w + ":counter");
                if (counter != null) {
                    long now = Long.parseLong(j.get(w + ":counter"));
                    assertTrue(!exact || now == counter || now == counter + 1, w + ": counter " + now + ", acknowledged " + counter);
                    acknowledged.put(w + ":counter", now);
                }
                checkTransaction(j, acknowledged, w + ":tx", "{" + w + "}:a", "{" + w + "}:b", exact);
                checkTransaction(j, acknowledged, w + ":cross", keyOn(0, w + "x"), keyOn(1, w + "y"), exact);
                // a SET sent but not acknowledged (or, under everysec, acknowledged in the window) may
                // be there: the next round goes on after it
                long next = acknowledged.getOrDefault(w + ":set", 0L) + 1;
                while (j.get(w + ":key:" + next) != null) {
                    acknowledged.put(w + ":set", next);
                    next++;
                    if (exact) {
                        break;
                    }
                }
            }
        }
    }

    /** A transaction that wrote its number into keys {@code a} and {@code b}: both are there with it, or neither. */
    private static void checkTransaction(Jedis j, ConcurrentHashMap<String, Long> acknowledged, String name,
                                         String a, String b, boolean exact) {
        String there = j.get(a);
        assertEquals(there, j.get(b), name + ": a transaction is there whole or not at all");
        Long tx = acknowledged.get(name);
        if (tx == null) {
            return;
        }
        if (exact) {
            assertNotNull(there, name + " " + tx + " was acknowledged");
            long n = Long.parseLong(there);
            assertTrue(n == tx || n == tx + 1, name + ": transaction " + n + ", acknowledged " + tx);
        }
        acknowledged.put(name, there == null ? 0 : Long.parseLong(there));
    }

    private Process startChild(int port, String fsync) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--sun-misc") || arg.startsWith("--enable-native")
                    || arg.equals("-ea")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.shardloop.cli.Main", "serve",
                "--protocol", "resp", "--resp-port", Integer.toString(port), "--shards", "2", "--no-pin",
                "--appendonly", "yes", "--appendfsync", fsync, "--dir", dir.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
    }

    private static void awaitServing(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Jedis j = new Jedis("127.0.0.1", port, 1_000)) {
                if ("PONG".equals(j.ping())) {
                    return;
                }
            } catch (RuntimeException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the child server did not start on port " + port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
