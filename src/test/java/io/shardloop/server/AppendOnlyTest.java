package io.shardloop.server;

import io.shardloop.persist.AppendLog;
import io.shardloop.persist.AofLayout;
import io.shardloop.persist.FaultyFiles;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.runtime.shard.RuntimeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * appendonly yes: what the shards log is read back at start, whole, also with another shard count;
 * a log cut short is loaded up to its last whole record; damage before the end stops start-up; a
 * disk that fails holds the replies of the writes it has not taken and refuses new writes.
 */
class AppendOnlyTest {
    @TempDir
    Path dir;

    private Server start(int shards, AppendLog.Fsync fsync) throws IOException {
        return start(shards, PersistenceConfig.defaults().withAppendOnly(true).withFsync(fsync).withDir(dir));
    }

    private static Server start(int shards, PersistenceConfig persistence) throws IOException {
        return Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP)
                .runtime(RuntimeConfig.builder(shards).pin(false).build()).persistence(persistence).build());
    }

    private static Jedis client(Server server) {
        return new Jedis("127.0.0.1", server.port(ServedProtocol.RESP), 10_000);
    }

    /** Writes of every kind, over several shards and databases. */
    private static void write(Jedis j) {
        for (int i = 0; i < 200; i++) {
            j.set("k" + i, "v" + i);
        }
        j.incrBy("counter", 41);
        j.incr("counter");
        j.set("timed", "t", redis.clients.jedis.params.SetParams.setParams().ex(1000));
        j.expire("k1", 5000);
        j.setex("k2", 4000, "two");
        j.rpush("list", "a", "b", "c", "d");
        j.lpop("list");
        j.sadd("set", "1", "2", "3", "4", "5", "6");
        j.spop("set", 2);
        j.hset("hash", Map.of("f1", "1", "f2", "2"));
        j.hincrByFloat("hash", "f1", 0.5);
        j.zadd("zset", Map.of("a", 1.0, "b", 2.5, "c", -3.0));
        j.zincrby("zset", 2.0, "a");
        j.del("k3", "k4", "k5");
        j.mset("m1", "1", "m2", "2", "m3", "3", "m4", "4");
        j.eval("redis.call('set', KEYS[1], 'scripted'); redis.call('pexpire', KEYS[1], 900000); return 1", 1, "script");
        Transaction tx = j.multi();
        tx.set("tx1", "a");
        tx.set("tx2", "b");
        tx.incr("tx3");
        tx.exec();
        j.select(3);
        j.set("db3", "three");
        j.set("gone", "x");
        j.select(4);
        j.set("db4", "four");
        j.flushDB();
        j.set("after-flush", "y");
        j.select(0);
        j.set("short-lived", "x", redis.clients.jedis.params.SetParams.setParams().px(1));
    }

    /** Every key of databases 0 to 4 with its DUMP and whether it has a deadline. */
    private static Map<String, String> contents(Jedis j) throws InterruptedException {
        Thread.sleep(5); // short-lived has expired
        Map<String, String> out = new TreeMap<>();
        for (int db = 0; db < 5; db++) {
            j.select(db);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> r = j.scan(cursor);
                for (String k : r.getResult()) {
                    byte[] dump = j.dump(k);
                    if (dump != null) {
                        long ttl = j.pttl(k);
                        out.put(db + ":" + k, Arrays.toString(dump) + (ttl > 0 ? " timed" : " " + ttl));
                    }
                }
                cursor = r.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        j.select(0);
        return out;
    }

    @Test
    void shouldReadBackEveryWriteAfterARestartWithTheSameShards() throws Exception {
        Map<String, String> before;
        try (Server server = start(2, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            write(j);
            before = contents(j);
        }
        assertTrue(before.size() > 200, "written: " + before.size());
        assertFalse(before.containsKey("0:short-lived"));
        try (Server server = start(2, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            assertEquals(before, contents(j));
            assertEquals("42", j.get("counter"));
            assertEquals(4, j.scard("set"));
        }
    }

    @Test
    void shouldMoveEveryKeyToItsNewOwnerWhenTheShardCountChanges() throws Exception {
        Map<String, String> before;
        try (Server server = start(2, AppendLog.Fsync.EVERYSEC); Jedis j = client(server)) {
            write(j);
            before = contents(j);
        }
        for (int shards : new int[] {3, 1, 2}) {
            try (Server server = start(shards, AppendLog.Fsync.EVERYSEC); Jedis j = client(server)) {
                assertEquals(before, contents(j), "over " + shards + " shards");
                j.set("added-over-" + shards, "x");
                before = contents(j);
            }
            Path appendDir = dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR);
            assertEquals(shards, AofLayout.shardsInUse(appendDir));
            try (var files = Files.list(appendDir)) {
                assertTrue(files.allMatch(p -> !p.getFileName().toString().startsWith("appendonly-s")
                        || p.getFileName().toString().contains("of" + shards + ".aof")), "only the set in use is left");
            }
        }
    }

    @Test
    void shouldLoadALogCutShortUpToItsLastWholeRecordAndCutIt() throws Exception {
        try (Server server = start(1, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            j.set("a", "1");
            j.set("b", "2");
        }
        Path incr = dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR).resolve(AofLayout.incrementalName(0, 1, 1));
        long whole = Files.size(incr);
        Files.write(incr, "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
        try (Server server = start(1, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            assertEquals("1", j.get("a"));
            assertEquals("2", j.get("b"));
            assertEquals(null, j.get("c"));
            assertEquals(whole, Files.size(incr), "the torn record is cut before the log goes on");
            j.set("c", "3");
        }
        try (Server server = start(1, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            assertEquals("3", j.get("c"));
        }
    }

    @Test
    void shouldRefuseToStartWhenALogIsDamagedBeforeItsEnd() throws Exception {
        try (Server server = start(1, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            j.set("a", "1");
            j.set("b", "2");
        }
        Path incr = dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR).resolve(AofLayout.incrementalName(0, 1, 1));
        byte[] bytes = Files.readAllBytes(incr);
        int second = new String(bytes, StandardCharsets.US_ASCII).indexOf("*3", 1);
        bytes[second] = '?'; // not '#': a line starting so is an annotation, skipped as Redis does
        Files.write(incr, bytes);
        IOException e = assertThrows(IOException.class, () -> start(1, AppendLog.Fsync.ALWAYS).close());
        assertTrue(e.getMessage().contains(incr.toString()) && e.getMessage().contains("offset " + second),
                e.getMessage());
        PersistenceConfig noTruncated = PersistenceConfig.defaults().withAppendOnly(true).withDir(dir).withLoadTruncated(false);
        assertThrows(IOException.class, () -> start(1, noTruncated).close());
    }

    @Test
    void shouldHoldTheReplyOfAWriteTheDiskRefusedAndRefuseNewWritesUntilItRecovers() throws Exception {
        FaultyFiles disk = new FaultyFiles();
        PersistenceConfig config = PersistenceConfig.defaults().withAppendOnly(true).withFsync(AppendLog.Fsync.ALWAYS)
                .withDir(dir).withFiles(disk);
        try (Server server = start(1, config); Jedis j = client(server);
             Socket raw = new Socket("127.0.0.1", server.port(ServedProtocol.RESP))) {
            j.set("before", "1");
            disk.failing(true);
            raw.setSoTimeout(300);
            OutputStream out = raw.getOutputStream();
            InputStream in = raw.getInputStream();
            out.write("*3\r\n$3\r\nSET\r\n$4\r\nheld\r\n$1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThrows(java.net.SocketTimeoutException.class, in::read, "no reply while the disk refuses the write");
            long deadline = System.nanoTime() + 5_000_000_000L;
            String refused = null;
            while (System.nanoTime() < deadline) {
                try {
                    j.set("new", "2");
                } catch (redis.clients.jedis.exceptions.JedisDataException misconf) {
                    refused = misconf.getMessage();
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals("MISCONF Errors writing to the AOF file: No space left on device", refused);
            assertEquals("1", j.get("before"), "reads go on (their replies wait for the disk, under always)");
            disk.failing(false);
            raw.setSoTimeout(5_000);
            byte[] reply = new byte[5];
            assertEquals(5, in.readNBytes(reply, 0, 5));
            assertEquals("+OK\r\n", new String(reply, StandardCharsets.US_ASCII), "the held write is acknowledged once it is on disk");
            assertEquals("OK", j.set("new", "3"));
        }
        try (Server server = start(1, config); Jedis j = client(server)) {
            assertEquals(List.of("1", "x", "3"), j.mget("before", "held", "new"));
        }
    }
}
