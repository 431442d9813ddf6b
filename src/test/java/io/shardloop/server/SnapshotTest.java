package io.shardloop.server;

import io.shardloop.persist.AppendLog;
import io.shardloop.persist.FaultyFiles;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.persist.SavePoints;
import io.shardloop.runtime.shard.RuntimeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.shardloop.server.DiskFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots without a fork: BGREWRITEAOF compacts each shard's log into an RDB base while writes go
 * on, losing none of them; the automatic trigger does the same past its growth; BGSAVE and SAVE
 * write one dump.rdb of every shard, read back at start, also over another shard count.
 */
class SnapshotTest {
    @TempDir
    Path dir;

    private static Server start(int shards, PersistenceConfig persistence) throws IOException {
        return Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP)
                .runtime(RuntimeConfig.builder(shards).pin(false).build()).persistence(persistence).build());
    }

    private PersistenceConfig aof() {
        return PersistenceConfig.defaults().withAppendOnly(true).withFsync(AppendLog.Fsync.EVERYSEC).withDir(dir);
    }

    /** Every key with its type's DUMP, over databases 0 and 1. */
    private static Map<String, String> contents(Jedis j) {
        Map<String, String> out = new TreeMap<>();
        for (int db = 0; db < 2; db++) {
            j.select(db);
            for (String k : j.keys("*")) {
                out.put(db + ":" + k, java.util.Arrays.toString(j.dump(k)) + (j.pttl(k) > 0 ? " timed" : ""));
            }
        }
        j.select(0);
        return out;
    }

    private static void fill(Jedis j, int n) {
        for (int i = 0; i < n; i++) {
            j.set("k" + i, "v" + i);
        }
        j.rpush("list", "a", "b", "c");
        j.hset("hash", Map.of("f", "1", "g", "2"));
        j.sadd("set", "x", "y");
        j.zadd("zset", Map.of("a", 1.0, "b", 2.0));
        j.set("timed", "t", redis.clients.jedis.params.SetParams.setParams().ex(1000));
        j.select(1);
        j.set("db1", "one");
        j.select(0);
    }

    @Test
    void shouldCompactEveryShardsLogWhileWritesGoOnAndLoseNone() throws Exception {
        Map<String, String> before;
        AtomicLong counted = new AtomicLong();
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            fill(j, 5_000);
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = Thread.ofPlatform().start(() -> {
                try (Jedis w = client(server)) {
                    while (!stop.get()) {
                        w.incr("counter");
                        w.rpush("list", "more");
                        w.set("k" + (counted.incrementAndGet() % 5_000), "rewritten");
                    }
                }
            });
            try {
                assertEquals("Background append only file rewriting started", j.bgrewriteaof());
                assertThrows(JedisDataException.class, j::bgrewriteaof, "one at a time");
                awaitField(j, "aof_rewrite_in_progress", "0");
                awaitField(j, "aof_rewrites", "2"); // one per shard
            } finally {
                stop.set(true);
                writer.join();
            }
            assertEquals("ok", info(j).get("aof_last_bgrewrite_status"));
            assertTrue(Long.parseLong(info(j).get("aof_base_size")) > 0, info(j).toString());
            j.set("after", "rewrite");
            before = contents(j);
        }
        try (Stream<Path> files = Files.list(dir.resolve("appendonlydir"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().filter(n -> n.endsWith(".base.rdb")).count() == 2, names.toString());
            assertTrue(names.stream().noneMatch(n -> n.endsWith(".1.incr.aof")), "the old logs are gone: " + names);
        }
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            assertEquals(before, contents(j));
            assertEquals(Long.toString(counted.get()), j.get("counter"), "every INCR acknowledged during the rewrite");
        }
        try (Server server = start(3, aof()); Jedis j = client(server)) {
            assertEquals(before, contents(j), "from the bases and logs of 2 shards onto 3");
        }
    }

    @Test
    void shouldCompactByItselfPastTheGrowthItIsGiven() throws Exception {
        try (Server server = start(2, aof().withAutoRewrite(100, 64 * 1024)); Jedis j = client(server)) {
            for (int i = 0; i < 20_000; i++) {
                j.set("key" + (i % 100), "value-" + i);
            }
            awaitField(j, "aof_rewrite_in_progress", "0");
            assertTrue(Long.parseLong(info(j).get("aof_rewrites")) >= 2, info(j).toString());
            assertTrue(Long.parseLong(info(j).get("aof_current_size")) < 1_000_000, "compacted: " + info(j));
            assertEquals("value-19999", j.get("key99"));
        }
    }

    @Test
    void shouldKeepTransactionsOverSeveralShardsWholeWhenOneShardCompactsAlone() throws Exception {
        // Shard 0 folds its parts of the transactions into its base, where no annotation is left;
        // shard 1's parts stay in its log, and the restart must still find them whole.
        String a = keyOn(0, 2, "a");
        String b = keyOn(1, 2, "b");
        String later = keyOn(1, 2, "later");
        List<String> fill = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            fill.add(keyOn(0, 2, "fill" + i));
        }
        try (Server server = start(2, aof().withAutoRewrite(100, 64 * 1024)); Jedis j = client(server)) {
            for (int i = 0; i < 20; i++) {
                redis.clients.jedis.Transaction t = j.multi();
                t.set(a, "a" + i);
                t.set(b, "b" + i);
                t.exec();
            }
            for (int i = 0; i < 5_000; i++) {
                j.set(fill.get(i % fill.size()), "value-" + i);
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (Long.parseLong(info(j).get("aof_rewrites")) < 1 || !"0".equals(info(j).get("aof_rewrite_in_progress"))) {
                assertTrue(System.nanoTime() < deadline, "shard 0 never compacted alone: " + info(j));
                Thread.sleep(20);
            }
            j.set(later, "after the compaction");
        }
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            assertEquals("a19", j.get(a));
            assertEquals("b19", j.get(b), "shard 1's part of the last transaction");
            assertEquals("after the compaction", j.get(later), "what shard 1 logged after its parts");
            assertEquals("value-4999", j.get(fill.get(4_999 % fill.size())));
        }
    }

    @Test
    void shouldSaveOneDumpOfEveryShardAndReadItBackOverAnotherShardCount() throws Exception {
        PersistenceConfig rdb = PersistenceConfig.defaults().withDir(dir);
        Map<String, String> before;
        try (Server server = start(2, rdb); Jedis j = client(server)) {
            fill(j, 2_000);
            long last = j.lastsave();
            Thread.sleep(1_100);
            assertEquals("Background saving started", j.bgsave());
            awaitField(j, "rdb_bgsave_in_progress", "0");
            assertEquals("ok", info(j).get("rdb_last_bgsave_status"));
            assertTrue(j.lastsave() > last, "LASTSAVE moved");
            j.set("saved", "by SAVE");
            assertEquals("OK", j.save());
            assertEquals("0", info(j).get("rdb_changes_since_last_save"));
            j.set("not saved", "x"); // after the last save: not in the file
            before = contents(j);
            before.remove("0:not saved");
        }
        assertTrue(Files.size(dir.resolve("dump.rdb")) > 2_000 * 6);
        try (Server server = start(3, rdb); Jedis j = client(server)) {
            assertEquals(before, contents(j));
            assertEquals(Long.toString(before.size()), info(j).get("rdb_last_load_keys_loaded"));
        }
    }

    @Test
    void shouldSaveByItselfOnceASavePointIsDueAndCountOnlyTheChangesMadeSince() throws Exception {
        PersistenceConfig rdb = PersistenceConfig.defaults().withDir(dir).withSavePoints(SavePoints.parse("1 6"));
        Path dump = dir.resolve("dump.rdb");
        try (Server server = start(2, rdb); Jedis j = client(server)) {
            assertEquals(Map.of("save", "1 6"), j.configGet("save"));
            for (int i = 0; i < 4; i++) {
                j.set("k" + i, "v" + i);
            }
            awaitField(j, "rdb_changes_since_last_save", "4");
            Thread.sleep(2_200); // past the point's second: only its changes are missing
            assertFalse(Files.exists(dump), "4 changes of 6");
            assertEquals("0", info(j).get("rdb_saves"));
            j.mset("a", "1", "b", "2"); // 2 changes, over both shards
            awaitField(j, "rdb_saves", "1");
            awaitField(j, "rdb_bgsave_in_progress", "0");
            assertEquals("ok", info(j).get("rdb_last_bgsave_status"));
            awaitField(j, "rdb_changes_since_last_save", "0");
            assertTrue(Files.exists(dump));
            j.configSet("save", "");
            for (int i = 0; i < 20; i++) {
                j.set("later" + i, "x");
            }
            awaitField(j, "rdb_changes_since_last_save", "20");
            Thread.sleep(1_500);
            assertEquals("1", info(j).get("rdb_saves"), "no save points, no save");
        }
        try (Server server = start(3, PersistenceConfig.defaults().withDir(dir)); Jedis j = client(server)) {
            assertEquals(List.of("v0", "v1", "v2", "v3", "1", "2"), j.mget("k0", "k1", "k2", "k3", "a", "b"));
            assertEquals(null, j.get("later0"));
        }
    }

    @Test
    void shouldTryASavePointAgainOnlyFiveSecondsAfterAFailedSave() throws Exception {
        FaultyFiles disk = new FaultyFiles();
        disk.failing(true);
        PersistenceConfig rdb = PersistenceConfig.defaults().withDir(dir).withSavePoints(SavePoints.parse("1 1"))
                .withFiles(disk);
        try (Server server = start(2, rdb); Jedis j = client(server)) {
            j.set("k", "v");
            awaitField(j, "rdb_last_bgsave_status", "err");
            awaitField(j, "rdb_bgsave_in_progress", "0");
            assertEquals("1", info(j).get("rdb_saves"));
            assertTrue(Long.parseLong(info(j).get("rdb_changes_since_last_save")) >= 1, "a failed save resets nothing");
            disk.failing(false);
            Thread.sleep(3_500);
            assertEquals("1", info(j).get("rdb_saves"), "not again within 5 seconds of the failed one");
            awaitField(j, "rdb_saves", "2");
            awaitField(j, "rdb_last_bgsave_status", "ok");
            awaitField(j, "rdb_changes_since_last_save", "0");
        }
    }

    @Test
    void shouldRefuseTheCommandsWhereNothingIsKeptOnDisk() throws Exception {
        try (Server server = start(2, PersistenceConfig.defaults().withDir(dir)); Jedis j = client(server)) {
            JedisDataException e = assertThrows(JedisDataException.class, j::bgrewriteaof);
            assertTrue(e.getMessage().contains("appendonly no"), e.getMessage());
            assertEquals("0", info(j).get("aof_enabled"));
        }
    }
}
