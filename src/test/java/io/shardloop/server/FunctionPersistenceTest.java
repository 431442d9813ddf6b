package io.shardloop.server;

import io.shardloop.kv.RdbFileReader;
import io.shardloop.kv.RdbVisitor;
import io.shardloop.kv.Slots;
import io.shardloop.persist.AofLayout;
import io.shardloop.persist.AppendLog;
import io.shardloop.persist.FaultyFiles;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.runtime.shard.AcceptMode;
import io.shardloop.runtime.shard.RuntimeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.resps.LibraryInfo;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.shardloop.server.DiskFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The function libraries are kept as Redis 7.0 keeps them: FUNCTION LOAD, DELETE, FLUSH and
 * RESTORE in the log (of shard 0, where they run, under always acknowledged once there), the
 * libraries as function records before the keys in every RDB file written (a compaction's base, a
 * dump), and read back at start from each, a dump redis-server wrote included, also onto another
 * shard count.
 */
class FunctionPersistenceTest {
    @TempDir
    Path dir;

    private PersistenceConfig aof() {
        return PersistenceConfig.defaults().withAppendOnly(true).withFsync(AppendLog.Fsync.EVERYSEC).withDir(dir);
    }

    private PersistenceConfig dumpOnly() {
        return PersistenceConfig.defaults().withDir(dir);
    }

    private static Server start(int shards, PersistenceConfig persistence) throws IOException {
        return Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP)
                .runtime(RuntimeConfig.builder(shards).pin(false).build()).persistence(persistence).build());
    }

    /** The function records of an RDB file, in order. */
    private static List<String> functionsIn(Path rdb) throws IOException {
        List<String> codes = new ArrayList<>();
        RdbFileReader.read(rdb, new RdbVisitor() {
            @Override
            public void function(String code) {
                codes.add(code);
            }

            @Override
            public void entry(int db, byte[] key, Object value, long expireAtMs) {
            }
        });
        return codes;
    }

    private Path appendDir() {
        return dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR);
    }

    @Test
    void shouldReadBackFromShardZerosLogEveryChangeOfTheLibraries() throws Exception {
        String onShard1 = keyOn(1, 2, "k");
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            assertEquals("one", j.functionLoad(library("one", "1")));
            assertEquals("two", j.functionLoad(library("two", "2")));
            assertEquals("three", j.functionLoad(library("three", "3")));
            assertEquals("two", j.functionLoadReplace(library("two", "2 again")));
            assertEquals("OK", j.functionDelete("three"));
            assertThrows(JedisDataException.class, () -> j.functionDelete("three"), "changes nothing, logs nothing");
            assertThrows(JedisDataException.class, () -> j.functionLoad(library("one", "x")), "already there");
            byte[] dumped = j.functionDump();
            assertEquals("OK", j.functionFlush());
            assertEquals("OK", j.functionRestore(dumped));
            Transaction tx = j.multi();
            tx.functionLoad(library("four", "4"));
            tx.set(onShard1, "with four");
            assertEquals(List.of("four", "OK"), tx.exec());
        }
        String shard0 = Files.readString(appendDir().resolve(AofLayout.incrementalName(0, 2, 1)), StandardCharsets.ISO_8859_1);
        String shard1 = Files.readString(appendDir().resolve(AofLayout.incrementalName(1, 2, 1)), StandardCharsets.ISO_8859_1);
        assertTrue(shard0.contains("FUNCTION"), "shard 0 logs the changes of the libraries");
        assertFalse(shard1.contains("FUNCTION"), "and only shard 0: " + shard1);
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            assertEquals(Map.of("one", "1", "two", "2 again", "four", "4"), libraries(j));
            assertEquals("with four", j.get(onShard1));
        }
    }

    @Test
    void shouldForgetDeletedAndFlushedLibrariesAfterARestart() throws Exception {
        byte[] onlyB;
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            j.functionLoad(library("a", "A"));
            j.functionLoad(library("b", "B"));
            assertEquals("OK", j.functionDelete("a"));
            onlyB = j.functionDump();
        }
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            assertEquals(Map.of("b", "B"), libraries(j), "the deleted library stays deleted");
            assertEquals("OK", j.functionFlush());
        }
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            assertEquals(Map.of(), libraries(j), "the flush stays");
            assertEquals("OK", j.functionRestore(onlyB));
        }
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            assertEquals(Map.of("b", "B"), libraries(j), "and so does a restore");
        }
    }

    @Test
    void shouldKeepTheLibrariesInShardZerosBaseAndOntoAnotherShardCount() throws Exception {
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            j.functionLoad(library("one", "1"));
            j.functionLoad(library("two", "2"));
            j.set("k", "v");
            assertEquals("Background append only file rewriting started", j.bgrewriteaof());
            awaitField(j, "aof_rewrite_in_progress", "0");
            awaitField(j, "aof_rewrites", "2");
            assertEquals("OK", j.functionDelete("two"));
            j.functionLoad(library("three", "3"));
        }
        List<Path> bases;
        try (Stream<Path> files = Files.list(appendDir())) {
            bases = files.filter(p -> p.getFileName().toString().endsWith(".base.rdb")).sorted().toList();
        }
        assertEquals(2, bases.size(), bases.toString());
        for (Path base : bases) {
            boolean first = base.getFileName().toString().startsWith(AofLayout.appendFilename(0, 2));
            assertEquals(first ? List.of(library("one", "1"), library("two", "2")) : List.of(), functionsIn(base),
                    base.getFileName() + ": the libraries go in the base of shard 0 only, before its keys");
        }
        try (Server server = start(2, aof()); Jedis j = client(server)) {
            assertEquals(Map.of("one", "1", "three", "3"), libraries(j), "the base, then the log after it");
        }
        try (Server server = start(3, aof()); Jedis j = client(server)) {
            assertEquals(Map.of("one", "1", "three", "3"), libraries(j), "moved from 2 shards to 3");
            assertEquals("v", j.get("k"));
        }
        try (Server server = start(3, aof()); Jedis j = client(server)) {
            assertEquals(Map.of("one", "1", "three", "3"), libraries(j), "from the files written for 3 shards");
        }
        try (Server server = start(1, aof()); Jedis j = client(server)) {
            assertEquals(Map.of("one", "1", "three", "3"), libraries(j), "and onto one");
        }
    }

    @Test
    void shouldStartWhenTheLogLoadsALibraryItsBaseHasAlready() throws Exception {
        try (Server server = start(1, aof()); Jedis j = client(server)) {
            j.functionLoad(library("twice", "t"));
            j.bgrewriteaof();
            awaitField(j, "aof_rewrites", "1");
            awaitField(j, "aof_rewrite_in_progress", "0");
        }
        String code = library("twice", "other");
        String load = "*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$" + code.length() + "\r\n" + code + "\r\n";
        Files.writeString(appendDir().resolve(AofLayout.incrementalName(0, 1, 2)), load, StandardCharsets.ISO_8859_1,
                java.nio.file.StandardOpenOption.APPEND);
        try (Server server = start(1, aof()); Jedis j = client(server)) {
            assertEquals(Map.of("twice", "t"), libraries(j), "refused, as Redis's loader refuses it, and loading goes on");
        }
    }

    @Test
    void shouldReadTheLibrariesBackFromTheDumpWithAppendOnlyNo() throws Exception {
        try (Server server = start(2, dumpOnly()); Jedis j = client(server)) {
            j.functionLoad(library("saved", "s"));
            j.set("k", "v");
            assertEquals("OK", j.save());
            j.functionLoad(library("unsaved", "u"));
        }
        assertEquals(List.of(library("saved", "s")), functionsIn(dir.resolve("dump.rdb")));
        try (Server server = start(2, dumpOnly()); Jedis j = client(server)) {
            assertEquals(Map.of("saved", "s"), libraries(j));
            assertEquals("v", j.get("k"));
            j.functionLoad(library("later", "l"));
            long before = j.lastsave();
            assertEquals("Background saving started", j.bgsave());
            awaitField(j, "rdb_bgsave_in_progress", "0");
            assertTrue(j.lastsave() >= before);
        }
        try (Server server = start(3, dumpOnly()); Jedis j = client(server)) {
            assertEquals(Map.of("saved", "s", "later", "l"), libraries(j), "a BGSAVE's dump, onto 3 shards");
        }
    }

    @Test
    void shouldLoadTheLibrariesOfADumpRedisServerWrote() throws Exception {
        Path binary = Path.of("/usr/bin/redis-server");
        assumeTrue(Files.isExecutable(binary), "redis-server is not installed");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process redis = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--dbfilename", "dump.rdb")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    break;
                } catch (IOException notYet) {
                    assertTrue(System.nanoTime() < deadline && redis.isAlive(), "redis-server did not start");
                    Thread.sleep(20);
                }
            }
            try (Jedis r = new Jedis("127.0.0.1", port)) {
                assertEquals("fromredis", r.functionLoad(library("fromredis", "made by redis")));
                r.set("k", "v");
                assertEquals("OK", r.save());
            }
        } finally {
            redis.destroy();
            redis.waitFor(5, TimeUnit.SECONDS);
        }
        try (Server server = start(2, dumpOnly()); Jedis j = client(server)) {
            assertEquals(Map.of("fromredis", "made by redis"), libraries(j));
            assertEquals("v", j.get("k"));
        }
    }

    @Test
    void shouldAcknowledgeAFunctionLoadUnderAlwaysOnceShardZerosLogHasItAndRunWhatFollowsAfterIt() throws Exception {
        FaultyFiles disk = new FaultyFiles();
        PersistenceConfig always = aof().withFsync(AppendLog.Fsync.ALWAYS).withFiles(disk);
        ServerConfig handoff = ServerConfig.builder().protocols(ServedProtocol.RESP).persistence(always)
                .runtime(RuntimeConfig.builder(2).pin(false).acceptMode(AcceptMode.HANDOFF).build()).build();
        // Handed out in turn from shard 0: the second connection is shard 1's.
        try (Server server = Server.start(handoff); Socket onShard0 = connect(server); Socket onShard1 = connect(server)) {
            disk.failingOnly(AofLayout.appendFilename(0, 2)); // only shard 0's disk refuses what comes now
            send(onShard1, "FUNCTION", "LOAD", library("held", "h"));
            send(onShard1, "FCALL", "heldf", "0");
            assertHeld(onShard1, "the reply waits for shard 0's log, which keeps the change");
            disk.failing(false);
            assertEquals("$4\r\nheld\r\n$1\r\nh\r\n", read(onShard1, 17), "then the FCALL after it finds the library");
        }
        try (Server server = start(2, always.withFiles(io.shardloop.persist.DiskFiles.INSTANCE)); Jedis j = client(server)) {
            assertEquals(Map.of("held", "h"), libraries(j));
        }
    }

    /** Nothing arrives on {@code s} for 300 ms. */
    private static void assertHeld(Socket s, String what) throws IOException {
        s.setSoTimeout(300);
        assertThrows(java.net.SocketTimeoutException.class, () -> s.getInputStream().read(), what);
        s.setSoTimeout(5_000);
    }
}
