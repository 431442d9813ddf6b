package io.shardloop.server;

import io.shardloop.kv.Slots;
import io.shardloop.persist.AppendLog;
import io.shardloop.persist.AofLayout;
import io.shardloop.persist.FaultyFiles;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.runtime.shard.AcceptMode;
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

import static io.shardloop.server.DiskFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * appendonly yes: what the shards log is read back at start, whole, also with another shard count;
 * a log cut short is loaded up to its last whole record; damage before the end stops start-up; a
 * disk that fails holds the replies of the writes it has not taken and refuses new writes; a
 * transaction over several shards is read back whole or not at all, and under always its reply
 * (and the replies after its part on a shard) waits until every shard has its part on disk.
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
        bytes[second] = '!'; // not '#', which starts an annotation line
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
            InputStream in = sendUnanswered(raw, "no reply while the disk refuses the write");
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

    /** Sends SET held x on {@code raw} and checks that no reply comes within 300 ms; its input, to read the reply later. */
    private static InputStream sendUnanswered(Socket raw, String why) throws IOException {
        raw.setSoTimeout(300);
        OutputStream out = raw.getOutputStream();
        out.write("*3\r\n$3\r\nSET\r\n$4\r\nheld\r\n$1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = raw.getInputStream();
        assertThrows(java.net.SocketTimeoutException.class, in::read, why);
        return in;
    }

    /**
     * CONFIG SET appendfsync changes every shard's log at once: switched to always, a write's reply
     * waits for its sync (none comes while the disk refuses it); switched back, it leaves at once.
     */
    @Test
    void shouldSyncByThePolicyConfigSetGives() throws Exception {
        FaultyFiles disk = new FaultyFiles();
        PersistenceConfig config = PersistenceConfig.defaults().withAppendOnly(true).withDir(dir).withFiles(disk);
        try (Server server = start(2, config); Jedis j = client(server);
             Socket raw = new Socket("127.0.0.1", server.port(ServedProtocol.RESP))) {
            assertEquals("OK", j.configSet("appendfsync", "always"));
            assertEquals(Map.of("appendfsync", "always"), j.configGet("appendfsync"));
            disk.failing(true);
            InputStream in = sendUnanswered(raw, "no reply before its sync, under always");
            assertEquals("OK", j.configSet("appendfsync", "everysec"));
            raw.setSoTimeout(5_000);
            byte[] reply = new byte[5];
            assertEquals(5, in.readNBytes(reply, 0, 5));
            assertEquals("+OK\r\n", new String(reply, StandardCharsets.US_ASCII), "everysec waits for no sync");
            disk.failing(false);
        }
    }

    /** Takes the settled marks out of a log file, as if none had been written; returns what is left. */
    private static String withoutSettledMarks(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1).replaceAll("#SETTLED:[0-9,]*\r\n", "");
        Files.writeString(file, text, StandardCharsets.ISO_8859_1);
        return text;
    }

        private static int count(String text, String of) {
        int n = 0;
        for (int at = text.indexOf(of); at >= 0; at = text.indexOf(of, at + 1)) {
            n++;
        }
        return n;
    }

    /** The largest transaction id the annotations of {@code log} name. */
    private static long lastTransaction(String log) {
        long last = 0;
        for (int at = log.indexOf("#TX:"); at >= 0; at = log.indexOf("#TX:", at + 1)) {
            last = Math.max(last, Long.parseLong(log.substring(at + 4, log.indexOf(':', at + 4))));
        }
        return last;
    }

    @Test
    void shouldDropATransactionOverSeveralShardsWhosePartOnOneIsMissingWithWhatFollowsItThere() throws Exception {
        String a = keyOn(0, 2, "a");
        String b = keyOn(1, 2, "b");
        String after = keyOn(0, 2, "after");
        try (Server server = start(2, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            j.set(keyOn(0, 2, "r"), "moved");
            j.rename(keyOn(0, 2, "r"), keyOn(1, 2, "r")); // gathered: a part on each owner
            j.mset(a, "0", b, "0"); // split: a part on each
            Transaction t = j.multi(); // one part writes: an ordinary record
            t.set(a, "1");
            t.get(b);
            t.exec();
            t = j.multi();
            t.set(a, "1");
            t.set(b, "1");
            t.exec();
            j.mget(a, b); // reads: nothing logged
            t = j.multi();
            t.set(a, "2");
            t.set(b, "2");
            t.exec();
            j.set(after, "x");
        }
        Path appendDir = dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR);
        Path s0 = appendDir.resolve(AofLayout.incrementalName(0, 2, 1));
        Path s1 = appendDir.resolve(AofLayout.incrementalName(1, 2, 1));
        // A crash before the last transaction settled: no shard marked it (nor, here, the others,
        // which stay whole by their parts).
        String log0 = withoutSettledMarks(s0);
        String log1 = withoutSettledMarks(s1);
        assertEquals(4, count(log0, "#TX:"), log0);
        assertEquals(4, count(log1, "#TX:"), log1);
        assertTrue(log0.substring(log0.lastIndexOf("#TX:")).startsWith("#TX:" + lastTransaction(log1) + ":2\r\n"), log0);
        try (var f = java.nio.channels.FileChannel.open(s1, StandardOpenOption.WRITE)) {
            f.truncate(log1.lastIndexOf("#TX:")); // shard 1's part of the last transaction never reached its disk
        }
        long lastBefore = lastTransaction(log0);
        try (Server server = start(2, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            assertEquals(List.of("1", "1"), j.mget(a, b), "the last transaction is not there at all");
            assertNull(j.get(after), "what shard 0 logged after its part goes with it");
            assertEquals("moved", j.get(keyOn(1, 2, "r")));
            assertNull(j.get(keyOn(0, 2, "r")));
            String cut = Files.readString(s0, StandardCharsets.ISO_8859_1);
            int at = log0.lastIndexOf("#TX:");
            assertEquals(log0.substring(0, at), cut.substring(0, at));
            assertTrue(cut.substring(at).matches("#SETTLED:[0-9,]+\r\n"),
                    "shard 0's log is cut at the part whose partner is gone, then the parts it keeps are marked: " + cut);
            Transaction t = j.multi();
            t.set(a, "3");
            t.set(b, "3");
            t.exec();
        }
        long next = lastTransaction(Files.readString(s0, StandardCharsets.ISO_8859_1));
        assertTrue(next > lastBefore, "a transaction after the restart takes an id no part in the logs has: " + next);
        try (Server server = start(2, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            assertEquals(List.of("3", "3"), j.mget(a, b));
        }
    }

    @Test
    void shouldWriteTaggedPartsThatRedisCheckAofPasses() throws Exception {
        Path check = Path.of("/usr/bin/redis-check-aof");
        assumeTrue(Files.isExecutable(check), "redis-check-aof is not installed");
        try (Server server = start(2, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            Transaction t = j.multi();
            t.set(keyOn(0, 2, "a"), "1");
            t.del(keyOn(1, 2, "missing")); // may write, changes nothing: an empty part
            t.exec();
        }
        Path appendDir = dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR);
        String empty = Files.readString(appendDir.resolve(AofLayout.incrementalName(1, 2, 1)), StandardCharsets.ISO_8859_1);
        assertTrue(empty.matches("#TX:\\d+:2\r\n\\*1\r\n\\$5\r\nMULTI\r\n\\*1\r\n\\$4\r\nEXEC\r\n#SETTLED:\\d+\r\n"), empty);
        for (int shard = 0; shard < 2; shard++) {
            Process p = new ProcessBuilder(check.toString(), appendDir.resolve(AofLayout.incrementalName(shard, 2, 1)).toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("is valid"), out);
        }
    }

    @Test
    void shouldNeverStallTransactionsOverSeveralShardsLoggedInOppositeOrders() throws Exception {
        // Transactions of disjoint keys over the same two shards are logged in either order on
        // each; under always each one's reply waits until its parts settle: none may wait forever.
        int clients = 4;
        int rounds = 150;
        try (Server server = start(2, AppendLog.Fsync.ALWAYS)) {
            List<Thread> threads = new java.util.ArrayList<>();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int c = 0; c < clients; c++) {
                String x = keyOn(0, 2, "x" + c);
                String y = keyOn(1, 2, "y" + c);
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", server.port(ServedProtocol.RESP), 5_000)) {
                        for (int i = 1; i <= rounds; i++) {
                            Transaction t = j.multi();
                            t.set(x, Integer.toString(i));
                            t.set(y, Integer.toString(i));
                            t.exec();
                            j.mset(x + "m", "1", y + "m", "1"); // split over both
                            j.rename(i % 2 == 1 ? x + "m" : y + "m", i % 2 == 1 ? y + "r" : x + "r"); // gathered
                            assertEquals(List.of(Integer.toString(i), Integer.toString(i)), j.mget(x, y));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertTrue(failures.isEmpty(), "a client failed or timed out: " + failures);
        }
    }

    /** Nothing arrives on {@code s} for 300 ms. */
    private static void assertHeld(Socket s, String what) throws IOException {
        s.setSoTimeout(300);
        assertThrows(java.net.SocketTimeoutException.class, () -> s.getInputStream().read(), what);
        s.setSoTimeout(5_000);
    }

    @Test
    void shouldHoldTheRepliesOfATransactionOverSeveralShardsAndAfterItsPartsUntilEveryPartIsOnDisk() throws Exception {
        FaultyFiles disk = new FaultyFiles();
        PersistenceConfig config = PersistenceConfig.defaults().withAppendOnly(true).withFsync(AppendLog.Fsync.ALWAYS)
                .withDir(dir).withFiles(disk);
        String a = keyOn(0, 2, "a");
        String b = keyOn(1, 2, "b");
        ServerConfig handoff = ServerConfig.builder().protocols(ServedProtocol.RESP).persistence(config)
                .runtime(RuntimeConfig.builder(2).pin(false).acceptMode(AcceptMode.HANDOFF).build()).build();
        // Handed out in turn from shard 0: the first and third connections are shard 0's.
        try (Server server = Server.start(handoff); Socket coordinator = connect(server);
             Socket onShard1 = connect(server); Socket reader = connect(server)) {
            send(coordinator, "SET", a, "v");
            assertEquals("+OK\r\n", read(coordinator, 5));

            disk.failingOnly(AofLayout.appendFilename(1, 2)); // shard 1's disk refuses what comes now
            send(coordinator, "RENAME", a, b); // gathered on shard 0, applied by both owners
            assertHeld(coordinator, "the RENAME's reply waits for shard 1's part");
            disk.failing(false);
            assertEquals("+OK\r\n", read(coordinator, 5), "and leaves once it is on disk");

            disk.failingOnly(AofLayout.appendFilename(1, 2));
            send(coordinator, "MULTI");
            send(coordinator, "SET", a, "x");
            send(coordinator, "SET", b, "x");
            send(coordinator, "EXEC");
            assertEquals("+OK\r\n+QUEUED\r\n+QUEUED\r\n", read(coordinator, 23));
            assertHeld(coordinator, "EXEC's reply waits for shard 1's part");
            send(reader, "GET", a);
            assertHeld(reader, "a read on shard 0 after its part waits too: a crash now would take the part back");
            disk.failing(false);
            assertEquals("*2\r\n+OK\r\n+OK\r\n", read(coordinator, 14));
            assertEquals("$1\r\nx\r\n", read(reader, 7));
            send(onShard1, "GET", b);
            assertEquals("$1\r\nx\r\n", read(onShard1, 7));
        }
        try (Server server = start(2, AppendLog.Fsync.ALWAYS); Jedis j = client(server)) {
            assertEquals(List.of("x", "x"), j.mget(a, b));
        }
    }
}
