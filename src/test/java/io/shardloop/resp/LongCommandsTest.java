package io.shardloop.resp;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands whose cost grows with the data never hold a loop for all of it: KEYS walks the keyspace
 * in steps, one per loop turn, and one SCAN call visits a bounded number of keys whatever its COUNT.
 */
class LongCommandsTest {
    private static final int KEYS = 200_000;

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldWalkKeysOverManyTurnsAndAnswerEachKeyOnce(StateMode mode) throws Exception {
        try (ShardGroup group = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, 2)))));
             RawResp c = new RawResp(group.port(0))) {
            fill(c, KEYS);
            long turnsBefore = group.stats().get(0).turns() + group.stats().get(1).turns();
            String all = c.call("KEYS", "k*");
            long turns = group.stats().get(0).turns() + group.stats().get(1).turns() - turnsBefore;
            assertTrue(all.startsWith("*" + KEYS + " ["), all.substring(0, 40));
            Set<String> distinct = new HashSet<>(List.of(all.substring(all.indexOf('[') + 1, all.length() - 1).split(", ")));
            assertEquals(KEYS, distinct.size(), "each key once");
            assertTrue(turns >= KEYS / 10_000, "KEYS ran in " + turns + " turns: it held the loop instead of walking");
            assertEquals("*0 []", c.call("KEYS", "nothing*"));
        }
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldVisitABoundedNumberOfKeysPerScanWhateverItsCount(StateMode mode) throws Exception {
        try (ShardGroup group = ShardGroup.start(RuntimeConfig.builder(1).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, 1)))));
             RawResp c = new RawResp(group.port(0))) {
            fill(c, KEYS);
            String step = c.call("SCAN", "0", "COUNT", "100000000");
            String cursor = step.substring(step.indexOf("$") + 1).split(" ")[1].replace(",", "");
            assertTrue(!cursor.equals("0"), "one SCAN call walked the whole keyspace: " + step.substring(0, 60));
            int returned = step.split(", ").length - 1;
            assertTrue(returned <= 100_000, returned + " keys in one call");
            Set<String> seen = new HashSet<>();
            String next = "0";
            do {
                String reply = c.call("SCAN", next, "COUNT", "50000");
                next = reply.substring(reply.indexOf("$") + 1).split(" ")[1].replace(",", "");
                String keys = reply.substring(reply.lastIndexOf('[') + 1, reply.length() - 2);
                if (!keys.isEmpty()) {
                    for (String k : keys.split(", ")) {
                        seen.add(k);
                    }
                }
            } while (!next.equals("0"));
            assertEquals(KEYS, seen.size(), "a walk in steps still sees every key");
        }
    }

    private static void fill(RawResp c, int keys) throws Exception {
        for (int base = 0; base < keys; base += 1000) {
            String[] mset = new String[1 + 2 * 1000];
            mset[0] = "MSET";
            for (int i = 0; i < 1000; i++) {
                mset[1 + 2 * i] = "k" + (base + i);
                mset[2 + 2 * i] = "v";
            }
            assertEquals("+OK", c.call(mset));
        }
    }
}
