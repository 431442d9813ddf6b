package io.shardloop.server;

import io.shardloop.persist.AofLayout;
import io.shardloop.persist.FaultyFiles;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CONFIG SET appendonly yes on a server that started without a log: while clients write (plain
 * commands and transactions over two shards), every shard's log starts at one instant with the
 * snapshot of its first base; once the bases are written a restart with appendonly yes reads back
 * everything acknowledged, before the switch and after it, and no transaction by halves. Turned
 * off and on again, the same holds.
 */
class AppendOnlySwitchTest {
    private static final int SHARDS = 2;
    private static final int WRITERS = 4;

    @TempDir
    Path dir;

    private static Server start(PersistenceConfig persistence) throws IOException {
        return Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP)
                .runtime(RuntimeConfig.builder(SHARDS).pin(false).build()).persistence(persistence).build());
    }

    /**
     * One client per writer, each writing a counter to a key of shard 0 and one of shard 1 in one
     * transaction (MSET, or MULTI/EXEC) until stopped, keeping its last acknowledged value.
     */
    private static final class Writers {
        final String[] first = new String[WRITERS];
        final String[] second = new String[WRITERS];
        final long[] acknowledged = new long[WRITERS];
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();

        Writers(Server server) {
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                first[w] = DiskFixtures.keyOn(0, SHARDS, "a" + w + ":");
                second[w] = DiskFixtures.keyOn(1, SHARDS, "b" + w + ":");
                threads.add(Thread.ofPlatform().start(() -> {
                    try (RawResp c = new RawResp(server.port(ServedProtocol.RESP))) {
                        for (long n = 1; !stop.get(); n++) {
                            String v = Long.toString(n);
                            if (n % 2 == 0) {
                                assertEquals("+OK", c.call("MSET", first[id], v, second[id], v));
                            } else {
                                assertEquals("+OK", c.call("MULTI"));
                                assertEquals("+QUEUED", c.call("SET", first[id], v));
                                assertEquals("+QUEUED", c.call("SET", second[id], v));
                                assertEquals("*2 [+OK, +OK]", c.call("EXEC"));
                            }
                            acknowledged[id] = n;
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
        }

        /** Stops them and waits for them; none of them failed. */
        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertNull(failure.get());
        }

        /** Each writer's two keys hold the same counter, at least the last one acknowledged. */
        void assertReadBack(Jedis j) {
            for (int w = 0; w < WRITERS; w++) {
                long a = Long.parseLong(j.get(first[w]));
                long b = Long.parseLong(j.get(second[w]));
                assertEquals(a, b, "writer " + w + ": a transaction read back by halves");
                assertTrue(a >= acknowledged[w], "writer " + w + ": " + acknowledged[w] + " acknowledged, " + a + " read back");
            }
        }
    }

    @Test
    void shouldTurnTheLogOnWhileServingAndReadBackEveryAcknowledgedWriteFromIt() throws Exception {
        PersistenceConfig off = PersistenceConfig.defaults().withDir(dir);
        Writers writers;
        try (Server server = start(off); Jedis j = DiskFixtures.client(server)) {
            for (int i = 0; i < 5_000; i++) {
                j.set("before:" + i, "v" + i);
            }
            assertEquals("0", DiskFixtures.info(j).get("aof_enabled"));
            writers = new Writers(server);
            try {
                Thread.sleep(200);
                assertEquals("OK", j.configSet("appendonly", "yes"));
                assertEquals("yes", j.configGet("appendonly").get("appendonly"));
                assertEquals("1", DiskFixtures.info(j).get("aof_enabled"));
                DiskFixtures.awaitField(j, "aof_rewrite_in_progress", "0");
                Thread.sleep(200); // writes after the bases too
            } finally {
                writers.stop();
            }
            assertEquals("ok", DiskFixtures.info(j).get("aof_last_bgrewrite_status"));
            j.set("after", "the switch");
        }
        Path appendDir = dir.resolve("appendonlydir");
        for (int k = 0; k < SHARDS; k++) {
            String manifest = Files.readString(appendDir.resolve(AofLayout.manifestName(k, SHARDS)));
            assertTrue(manifest.contains("type b") && manifest.contains("type i"), manifest);
        }
        try (var files = Files.list(appendDir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith("temp-")), "no temporary file left");
        }
        try (Server server = start(off.withAppendOnly(true)); Jedis j = DiskFixtures.client(server)) {
            assertEquals("v4999", j.get("before:4999"));
            assertEquals("the switch", j.get("after"));
            writers.assertReadBack(j);
        }
    }

    /**
     * A first base that fails leaves the log on but named by no manifest; BGREWRITEAOF writes it
     * again on a new temporary file, and then a restart reads back what came before and after.
     */
    @Test
    void shouldWriteTheFirstBaseAgainWhenItFailed() throws Exception {
        FaultyFiles disk = new FaultyFiles();
        PersistenceConfig off = PersistenceConfig.defaults().withDir(dir).withFiles(disk);
        try (Server server = start(off); Jedis j = DiskFixtures.client(server)) {
            j.set("before", "1");
            disk.failingOnly("temp-rewriteaof"); // the bases' snapshots
            assertEquals("OK", j.configSet("appendonly", "yes"));
            DiskFixtures.awaitField(j, "aof_rewrite_in_progress", "0");
            assertEquals("err", DiskFixtures.info(j).get("aof_last_bgrewrite_status"));
            j.set("between", "2");
            disk.failing(false);
            assertEquals("Background append only file rewriting started", j.bgrewriteaof());
            DiskFixtures.awaitField(j, "aof_rewrite_in_progress", "0");
            assertEquals("ok", DiskFixtures.info(j).get("aof_last_bgrewrite_status"));
            j.set("after", "3");
        }
        try (var files = Files.list(dir.resolve("appendonlydir"))) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith("temp-")), "no temporary file left");
        }
        try (Server server = start(off.withAppendOnly(true)); Jedis j = DiskFixtures.client(server)) {
            assertEquals(List.of("1", "2", "3"), j.mget("before", "between", "after"));
        }
    }

    /**
     * CONFIG SET appendonly no, then yes again, while clients write transactions over two shards
     * under appendfsync always: turned off, the writes are acknowledged without waiting for the disk
     * and the logs' files stay; turned on again, the logs start over with new bases (their
     * settlement numbering its rounds apart from the one before), and a restart reads back every
     * acknowledged write, no transaction by halves.
     */
    @Test
    void shouldTurnTheLogOffAndOnAgainWhileServing() throws Exception {
        PersistenceConfig on = PersistenceConfig.defaults().withDir(dir).withAppendOnly(true)
                .withFsync(io.shardloop.persist.AppendLog.Fsync.ALWAYS);
        Writers writers;
        try (Server server = start(on); Jedis j = DiskFixtures.client(server)) {
            writers = new Writers(server);
            try {
                Thread.sleep(200);
                assertEquals("OK", j.configSet("appendonly", "no"));
                assertEquals("no", j.configGet("appendonly").get("appendonly"));
                DiskFixtures.awaitField(j, "aof_enabled", "0");
                Thread.sleep(200);
                assertEquals("ERR the append-only log is off (appendonly no): there is no log to rewrite",
                        org.junit.jupiter.api.Assertions.assertThrows(redis.clients.jedis.exceptions.JedisDataException.class,
                                j::bgrewriteaof).getMessage());
                assertEquals("OK", j.configSet("appendonly", "yes"));
                DiskFixtures.awaitField(j, "aof_rewrite_in_progress", "0");
                Thread.sleep(300); // transactions settled by the new logs' settlement
            } finally {
                writers.stop();
            }
            assertEquals("ok", DiskFixtures.info(j).get("aof_last_bgrewrite_status"));
        }
        try (Server server = start(on); Jedis j = DiskFixtures.client(server)) {
            writers.assertReadBack(j);
        }
    }
}
