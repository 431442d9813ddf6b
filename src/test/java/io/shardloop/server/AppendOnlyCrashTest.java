package io.shardloop.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * appendfsync always keeps its promise through kill -9: a server in a child process is killed with
 * SIGKILL at a random moment while clients write (SETs, INCRs, MULTI blocks), then started again
 * on the same files; every write it acknowledged is there, and no transaction is half there.
 */
class AppendOnlyCrashTest {
    private static final int WRITERS = 4;

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedWriteThroughSigkill() throws Exception {
        int port = freePort();
        // What each writer had acknowledged: its last SET index, its counter, its transaction number.
        ConcurrentHashMap<String, Long> acknowledged = new ConcurrentHashMap<>();
        for (int round = 0; round < 3; round++) {
            Process server = startChild(port);
            try {
                awaitServing(port);
                check(port, acknowledged);
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int id = w;
                    writers.add(Thread.ofPlatform().start(() -> write(port, id, acknowledged, stop)));
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(300, 900));
                server.destroyForcibly(); // SIGKILL: nothing is flushed on the way out
                assertTrue(server.waitFor(10, TimeUnit.SECONDS));
                stop.set(true);
                for (Thread t : writers) {
                    t.join(10_000);
                }
            } finally {
                server.destroyForcibly();
            }
        }
        Process server = startChild(port);
        try {
            awaitServing(port);
            check(port, acknowledged);
            long sets = 0;
            for (int id = 0; id < WRITERS; id++) {
                sets += acknowledged.getOrDefault("w" + id + ":set", 0L);
            }
            assertTrue(sets >= 20, "the writers got acknowledgements between the kills: " + acknowledged);
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** One writer: SETs of its numbered keys, INCRs of its counter, MULTI blocks of two keys; stops at the first error (the kill). */
    private static void write(int port, int id, ConcurrentHashMap<String, Long> acknowledged, AtomicBoolean stop) {
        String w = "w" + id;
        long set = acknowledged.getOrDefault(w + ":set", 0L);
        long tx = acknowledged.getOrDefault(w + ":tx", 0L);
        try (Jedis j = new Jedis("127.0.0.1", port, 5_000)) {
            while (!stop.get()) {
                set++;
                j.set(w + ":key:" + set, Long.toString(set));
                acknowledged.put(w + ":set", set);
                long counter = j.incr(w + ":counter");
                acknowledged.put(w + ":counter", counter);
                tx++;
                Transaction t = j.multi(); // one shard (one hash tag): one record of the log
                t.set("{" + w + "}:a", Long.toString(tx));
                t.set("{" + w + "}:b", Long.toString(tx));
                t.exec();
                acknowledged.put(w + ":tx", tx);
            }
        } catch (RuntimeException killed) {
            // the server was killed: what was acknowledged before is recorded
        }
    }

    private static void check(int port, ConcurrentHashMap<String, Long> acknowledged) {
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
                    assertTrue(now == counter || now == counter + 1, w + ": counter " + now + ", acknowledged " + counter);
                    acknowledged.put(w + ":counter", now);
                }
                String a = j.get("{" + w + "}:a");
                assertEquals(a, j.get("{" + w + "}:b"), w + ": a transaction is there whole or not at all");
                Long tx = acknowledged.get(w + ":tx");
                if (tx != null) {
                    assertNotNull(a);
                    long there = Long.parseLong(a);
                    assertTrue(there == tx || there == tx + 1, w + ": transaction " + there + ", acknowledged " + tx);
                    acknowledged.put(w + ":tx", there);
                }
                // a SET sent but not acknowledged may be there: the next round goes on after it
                long next = acknowledged.getOrDefault(w + ":set", 0L) + 1;
                if (j.get(w + ":key:" + next) != null) {
                    acknowledged.put(w + ":set", next);
                }
            }
        }
    }

    private Process startChild(int port) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--sun-misc") || arg.startsWith("--enable-native")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.shardloop.cli.Main", "serve",
                "--protocol", "resp", "--resp-port", Integer.toString(port), "--shards", "2", "--no-pin",
                "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
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
