package io.shardloop.server;

import io.shardloop.kv.RdbFileReader;
import io.shardloop.kv.Slots;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A save round over several shards is one instant of all of them, while clients write a counter to
 * a key of one shard and a key of another and SAVEs run. Written one after the other, the second
 * key never holds more than the first in a dump (a write the file lacks was acknowledged only once
 * every shard had begun, so what came after it is not in the file either); written by one
 * transaction, the two keys always hold the same.
 */
class SaveCutTest {
    private static final int SHARDS = 4;
    private static final int CLIENTS = 24;
    private static final long RUN_NANOS = 4_000_000_000L;

    @TempDir
    Path dir;

    /** A key named {@code prefix} plus a number, owned by shard {@code shard}. */
    private static String keyOn(String prefix, int shard) {
        for (int n = 0; ; n++) {
            byte[] k = (prefix + n).getBytes(StandardCharsets.US_ASCII);
            if (Slots.ownerOf(k, 0, k.length, SHARDS) == shard) {
                return prefix + n;
            }
        }
    }

    /** One client's step: writes its two keys with the value {@code n}. */
    private interface Step {
        void write(RawResp c, String first, String second, long n) throws Exception;
    }

    /** What a dump must say of one client's two keys; a line telling what is wrong, or null. */
    private interface Check {
        String of(String first, long a, String second, long b);
    }

    @Test
    void shouldNeverSaveAWriteWithoutTheWritesAcknowledgedBeforeIt() throws Exception {
        saveWhileWriting((c, first, second, n) -> {
            assertEquals("+OK", c.call("SET", first, Long.toString(n)));
            assertEquals("+OK", c.call("SET", second, Long.toString(n)));
        }, (first, a, second, b) -> b > a ? second + "=" + b + " saved without " + first + "=" + b + " (" + a + ")" : null);
    }

    /**
     * A transaction over two shards is in a dump whole or not at all, whether it is one command
     * (MSET) or a MULTI block: its keys always hold the same counter.
     */
    @Test
    void shouldSaveATransactionOverSeveralShardsWholeOrNotAtAll() throws Exception {
        saveWhileWriting((c, first, second, n) -> {
            String v = Long.toString(n);
            if (n % 2 == 0) {
                assertEquals("+OK", c.call("MSET", first, v, second, v));
            } else {
                assertEquals("+OK", c.call("MULTI"));
                assertEquals("+QUEUED", c.call("SET", first, v));
                assertEquals("+QUEUED", c.call("SET", second, v));
                assertEquals("*2 [+OK, +OK]", c.call("EXEC"));
            }
        }, (first, a, second, b) -> a != b ? "half a transaction saved: " + first + "=" + a + ", " + second + "=" + b : null);
    }

    private void saveWhileWriting(Step step, Check check) throws Exception {
        PersistenceConfig rdb = PersistenceConfig.defaults().withDir(dir);
        try (Server server = Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP)
                .runtime(RuntimeConfig.builder(SHARDS).pin(false).build()).persistence(rdb).build())) {
            int port = server.port(ServedProtocol.RESP);
            String[] first = new String[CLIENTS];
            String[] second = new String[CLIENTS];
            for (int i = 0; i < CLIENTS; i++) {
                first[i] = keyOn("a" + i + ":", i % SHARDS);
                second[i] = keyOn("b" + i + ":", (i + 1 + i / SHARDS % (SHARDS - 1)) % SHARDS);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong writes = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                writers.add(Thread.ofPlatform().start(() -> {
                    try (RawResp c = new RawResp(port)) {
                        for (long n = 1; !stop.get(); n++) {
                            step.write(c, first[id], second[id], n);
                            writes.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            List<String> broken = new ArrayList<>();
            int saves = 0;
            long deadline = System.nanoTime() + RUN_NANOS;
            try (RawResp saver = new RawResp(port, 30_000)) {
                while (System.nanoTime() < deadline && broken.isEmpty() && failure.get() == null) {
                    assertEquals("+OK", saver.call("SAVE"));
                    saves++;
                    Map<String, Long> saved = new HashMap<>();
                    RdbFileReader.read(dir.resolve("dump.rdb"), (db, key, value, expireAt) ->
                            saved.put(new String(key, StandardCharsets.US_ASCII),
                                    Long.parseLong(new String((byte[]) value, StandardCharsets.US_ASCII))));
                    for (int i = 0; i < CLIENTS; i++) {
                        long a = saved.getOrDefault(first[i], 0L);
                        long b = saved.getOrDefault(second[i], 0L);
                        String wrong = check.of(first[i], a, second[i], b);
                        if (wrong != null) {
                            broken.add("client " + i + ": " + wrong);
                        }
                    }
                }
            } finally {
                stop.set(true);
                for (Thread t : writers) {
                    t.join();
                }
            }
            assertNull(failure.get());
            assertEquals(List.of(), broken, "after " + saves + " saves and " + writes.get() + " writes");
            assertTrue(saves >= 3 && writes.get() > 1_000, saves + " saves, " + writes.get() + " writes");
        }
    }
}
