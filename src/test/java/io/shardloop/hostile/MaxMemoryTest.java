package io.shardloop.hostile;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.metrics.ProcessMemory;
import io.shardloop.resp.RespProtocol;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.ShardGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * maxmemory with Redis's noeviction policy: past the limit, commands that may grow the data are
 * answered -OOM (a split MSET on no shard at all), reads and deletes go on, and once memory is
 * given back writes are accepted again.
 */
class MaxMemoryTest {
    private static final long MB = 1 << 20;
    private static final String OOM = "-OOM command not allowed when used memory > 'maxmemory'.";

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldRefuseWritesPastMaxmemoryAndAcceptThemAgainOnceMemoryIsFreed(StateMode mode) throws Exception {
        long limit = settledLiveBytes() + 48 * MB;
        KvGroup kv = new KvGroup(mode, 2, limit);
        try (ShardGroup group = ShardGroup.start(HostileServer.config().build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(kv, RespLimits.REDIS_DEFAULTS, 1024, null))));
             RespClient c = new RespClient(group.port(0))) {
            String value = "v".repeat((int) MB);
            int written = 0;
            String reply = "+OK";
            while (reply.equals("+OK")) {
                assertTrue(written < 400, "still accepting writes after " + written + " MB");
                reply = c.call("SET", "k" + written, value);
                if (++written % 8 == 0) {
                    System.gc(); // the gauge follows collections: let one come
                    Thread.sleep(20);
                }
            }
            assertEquals(OOM, reply);
            assertTrue(written > 8, "refused only once the data had grown: after " + written + " writes");
            assertEquals(OOM, c.call("MSET", "a", "1", "b", "2"), "a split command is refused before any part runs");
            assertEquals(null, c.call("GET", "a"));
            assertEquals(null, c.call("GET", "b"));
            assertEquals(value, c.call("GET", "k0"), "reads go on");
            assertEquals(":1", c.call("DEL", "k0"), "deletes go on");
            assertEquals("+OK", c.call("FLUSHALL"));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!(reply = c.call("SET", "again", "1")).equals("+OK") && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
            }
            assertEquals("+OK", reply, "writes are accepted again once the memory is back under the limit: live "
                    + ProcessMemory.liveBytes() / MB + " MB, heap and direct now "
                    + ProcessMemory.sample().used() / MB + " MB, limit " + limit / MB + " MB");
        }
    }

    /** The process's live bytes once a collection has run with nothing else going on. */
    private static long settledLiveBytes() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ProcessMemory.liveBytes();
    }
}
