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
 * A save round over several shards is one instant of all of them: clients each write a counter to
 * a key of one shard, and after its reply the same counter to a key of another, while SAVEs run;
 * in every dump a client's second key never holds more than its first (a write the file lacks was
 * acknowledged only once every shard had begun, so what came after it is not in the file either).
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

    @Test
    void shouldNeverSaveAWriteWithoutTheWritesAcknowledgedBeforeIt() throws Exception {
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
                            assertEquals("+OK", c.call("SET", first[id], Long.toString(n)));
                            assertEquals("+OK", c.call("SET", second[id], Long.toString(n)));
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
                        if (b > a) {
                            broken.add("client " + i + ": " + second[i] + "=" + b + " saved without " + first[i] + "=" + b
                                    + " (" + a + ")");
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
