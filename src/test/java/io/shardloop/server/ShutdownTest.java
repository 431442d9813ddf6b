package io.shardloop.server;

import io.shardloop.persist.AppendLog;
import io.shardloop.persist.FaultyFiles;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.persist.SavePoints;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SHUTDOWN on a server built in code: it saves the dump first when save points are set (or SAVE),
 * not with NOSAVE, then stops that server (its port closes; the JVM goes on); a save that fails
 * leaves it serving with Redis's error unless FORCE; the logs are written and synced on the way out.
 */
class ShutdownTest {
    @TempDir
    Path dir;

    private static Server start(PersistenceConfig persistence) throws IOException {
        return Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP)
                .runtime(RuntimeConfig.builder(2).pin(false).build()).persistence(persistence).build());
    }

    private PersistenceConfig rdb(String savePoints) {
        return PersistenceConfig.defaults().withDir(dir).withSavePoints(SavePoints.parse(savePoints));
    }

    private static void fill(RawResp c, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            assertEquals("+OK", c.call("SET", "k" + i, "v" + i));
        }
    }

    /** Sends SHUTDOWN with {@code args}: the server closes the connection without a reply. */
    private static void shutdown(RawResp c, String... args) {
        String[] words = new String[args.length + 1];
        words[0] = "SHUTDOWN";
        System.arraycopy(args, 0, words, 1, args.length);
        IOException closed = assertThrows(IOException.class, () -> c.call(words));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    private static void awaitClosed(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            } catch (IOException refused) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "port " + port + " still open");
            Thread.sleep(20);
        }
    }

    private String keysAfterRestart(PersistenceConfig persistence, int n) throws IOException {
        try (Server server = start(persistence); RawResp c = new RawResp(server.port(ServedProtocol.RESP))) {
            StringBuilder b = new StringBuilder(c.call("DBSIZE"));
            for (int i = 0; i < n; i++) {
                b.append(' ').append(c.call("GET", "k" + i));
            }
            return b.toString();
        }
    }

    @Test
    void shouldSaveAndStopTheServerWhenSavePointsAreSet() throws Exception {
        try (Server server = start(rdb("3600 1"))) {
            int port = server.port(ServedProtocol.RESP);
            try (RawResp c = new RawResp(port)) {
                fill(c, 50);
                shutdown(c);
            }
            awaitClosed(port);
        }
        assertTrue(Files.exists(dir.resolve("dump.rdb")), "saved before it stopped");
        assertTrue(keysAfterRestart(rdb(""), 2).startsWith(":50 $2 v0 $2 v1"));
    }

    @Test
    void shouldStopWithoutSavingOnNosaveAndSaveOnSaveWithoutSavePoints() throws Exception {
        try (Server server = start(rdb("3600 1"))) {
            int port = server.port(ServedProtocol.RESP);
            try (RawResp c = new RawResp(port)) {
                fill(c, 3);
                shutdown(c, "NOSAVE", "NOW");
            }
            awaitClosed(port);
        }
        assertFalse(Files.exists(dir.resolve("dump.rdb")), "NOSAVE");
        try (Server server = start(rdb(""))) {
            int port = server.port(ServedProtocol.RESP);
            try (RawResp c = new RawResp(port)) {
                fill(c, 3);
                shutdown(c, "SAVE");
            }
            awaitClosed(port);
        }
        assertEquals(":3 $2 v0", keysAfterRestart(rdb(""), 1));
    }

    @Test
    void shouldGoOnServingWhenTheSaveFailsUnlessForced() throws Exception {
        FaultyFiles disk = new FaultyFiles();
        try (Server server = start(rdb("3600 1").withFiles(disk))) {
            int port = server.port(ServedProtocol.RESP);
            try (RawResp c = new RawResp(port)) {
                fill(c, 3);
                disk.failing(true);
                assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.", c.call("SHUTDOWN"));
                assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.", c.call("SHUTDOWN", "SAVE", "NOW"));
                assertEquals("$2 v1", c.call("GET", "k1"), "still serving");
                assertEquals("-ERR No shutdown in progress.", c.call("SHUTDOWN", "ABORT"));
                shutdown(c, "FORCE");
            }
            awaitClosed(port);
        }
        assertFalse(Files.exists(dir.resolve("dump.rdb")));
    }

    @Test
    void shouldWriteAndSyncTheLogsOnTheWayOut() throws Exception {
        PersistenceConfig aof = rdb("").withAppendOnly(true).withFsync(AppendLog.Fsync.NO);
        try (Server server = start(aof)) {
            int port = server.port(ServedProtocol.RESP);
            try (RawResp c = new RawResp(port)) {
                fill(c, 20);
                shutdown(c);
            }
            awaitClosed(port);
        }
        assertTrue(keysAfterRestart(aof, 1).startsWith(":20 $2 v0"));
    }

    /**
     * Every write acknowledged before the server stops is in the final dump: clients write while
     * SHUTDOWN saves enough keys to take a while, and no shard serves once the save's parts began;
     * the stop does not wait (here a minute's drain timeout) for the replies of the writes held.
     */
    @Test
    void shouldSaveEveryWriteAcknowledgedBeforeTheServerStops() throws Exception {
        int writers = 6;
        String[] keys = new String[writers];
        long[] acknowledged = new long[writers];
        try (Server server = Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP)
                .runtime(RuntimeConfig.builder(2).pin(false).drainTimeout(java.time.Duration.ofSeconds(60)).build())
                .persistence(rdb("")).build())) {
            int port = server.port(ServedProtocol.RESP);
            try (RawResp c = new RawResp(port, 30_000)) {
                for (int batch = 0; batch < 200; batch++) { // 200,000 keys, pipelined
                    for (int i = 0; i < 1_000; i++) {
                        c.send("SET", "fill:" + batch + ":" + i, "some value to save");
                    }
                    for (int i = 0; i < 1_000; i++) {
                        assertEquals("+OK", c.read());
                    }
                }
            }
            java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(writers);
            Thread[] threads = new Thread[writers];
            for (int w = 0; w < writers; w++) {
                int id = w;
                keys[w] = "w" + w;
                threads[w] = Thread.ofPlatform().start(() -> {
                    try (RawResp c = new RawResp(port)) {
                        for (long n = 1; ; n++) {
                            assertEquals("+OK", c.call("SET", keys[id], Long.toString(n)));
                            acknowledged[id] = n;
                            if (n == 100) {
                                writing.countDown();
                            }
                        }
                    } catch (IOException closed) {
                        // the server stopped
                    }
                });
            }
            writing.await();
            long asked = System.nanoTime();
            try (RawResp c = new RawResp(port, 30_000)) {
                shutdown(c, "SAVE");
            }
            awaitClosed(port);
            long seconds = (System.nanoTime() - asked) / 1_000_000_000L;
            assertTrue(seconds < 30, "stopped after " + seconds + " s: the drain waited for replies the held shards never make");
            for (Thread t : threads) {
                t.join();
            }
        }
        java.util.Map<String, Long> saved = new java.util.HashMap<>();
        io.shardloop.kv.RdbFileReader.read(dir.resolve("dump.rdb"), (db, key, value, expireAt) -> {
            String k = new String(key, java.nio.charset.StandardCharsets.US_ASCII);
            if (k.startsWith("w")) {
                saved.put(k, Long.parseLong(new String((byte[]) value, java.nio.charset.StandardCharsets.US_ASCII)));
            }
        });
        for (int w = 0; w < writers; w++) {
            assertTrue(saved.getOrDefault(keys[w], 0L) >= acknowledged[w],
                    keys[w] + ": " + acknowledged[w] + " acknowledged, " + saved.get(keys[w]) + " saved");
        }
    }

    @Test
    void shouldRefuseShutdownInATransactionAndInAScriptAndBadArguments() throws Exception {
        try (Server server = start(rdb("")); RawResp c = new RawResp(server.port(ServedProtocol.RESP))) {
            assertEquals("+OK", c.call("MULTI"));
            assertEquals("-ERR Command not allowed inside a transaction", c.call("SHUTDOWN"));
            assertEquals("-ERR Command not allowed inside a transaction", c.call("SAVE"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.", c.call("EXEC"));
            assertTrue(c.call("EVAL", "return redis.call('shutdown')", "0").startsWith("-ERR This Redis command is not allowed from script"));
            for (String[] bad : new String[][] {{"SHUTDOWN", "x"}, {"SHUTDOWN", "NOSAVE", "SAVE"},
                {"SHUTDOWN", "ABORT", "NOW"}, {"SHUTDOWN", "SAVE", "ABORT"}}) {
                assertEquals("-ERR syntax error", c.call(bad), String.join(" ", bad));
            }
            assertEquals("+PONG", c.call("PING"));
        }
    }
}
