package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sorted sets in every store: sized by MEMORY USAGE, and ranked right at a size Redis tests use. */
class SortedSetStoreTest {
    private Store store;

    private String run(String... words) {
        BufferReplyWriter out = new BufferReplyWriter();
        store.execute(CommandArgs.of(words), out);
        return out.toString().replace("\r\n", "|");
    }

    private long usage(String key, String... options) {
        String[] words = new String[3 + options.length];
        words[0] = "MEMORY";
        words[1] = "USAGE";
        words[2] = key;
        System.arraycopy(options, 0, words, 3, options.length);
        String reply = run(words);
        assertTrue(reply.startsWith(":"), reply);
        return Long.parseLong(reply.substring(1, reply.length() - 1));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldEstimateTheMemoryOfASortedSetByItsMembers(StateMode mode) {
        store = mode.create(4, System::currentTimeMillis);
        run("ZADD", "one", "1", "member-0");
        for (int i = 0; i < 100; i++) {
            run("ZADD", "zset", String.valueOf(i), "member-" + i);
            run("SADD", "set", "member-" + i);
        }
        long one = usage("one");
        long hundred = usage("zset");
        assertTrue(hundred - one >= 99 * 80, "each member a node, its links, a map node and a key: " + (hundred - one));
        assertTrue(hundred > usage("set"), "a sorted set holds more per member than a set");
        assertTrue(Math.abs(usage("zset", "SAMPLES", "0") - hundred) < hundred / 10,
                "five samples extrapolate close to all members");
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldRankScoreAndCountThousandsOfMembersInOrder(StateMode mode) {
        store = mode.create(2, System::currentTimeMillis);
        Random random = new Random(11);
        int n = 2000;
        int[] permutation = new int[n];
        for (int i = 0; i < n; i++) {
            permutation[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = permutation[i];
            permutation[i] = permutation[j];
            permutation[j] = t;
        }
        for (int i : permutation) {
            run("ZADD", "z", String.valueOf(i * 2), "m" + i);
        }
        assertEquals(":" + n + "|", run("ZCARD", "z"));
        for (int i = 0; i < n; i += 97) {
            assertEquals(":" + i + "|", run("ZRANK", "z", "m" + i));
            assertEquals(":" + (n - 1 - i) + "|", run("ZREVRANK", "z", "m" + i));
            String text = String.valueOf(i * 2);
            assertEquals("*1|$" + ("m" + i).length() + "|m" + i + "|", run("ZRANGE", "z", String.valueOf(i), String.valueOf(i)));
            assertEquals("$" + text.length() + "|" + text + "|", run("ZSCORE", "z", "m" + i));
        }
        assertEquals(":500|", run("ZCOUNT", "z", "(1000", "2000"));
        assertEquals(":1000|", run("ZREMRANGEBYSCORE", "z", "-inf", "(2000"));
        assertEquals(":0|", run("ZRANK", "z", "m1000"));
        assertEquals(":1000|", run("ZREMRANGEBYRANK", "z", "0", "-1"));
        assertEquals(":0|", run("EXISTS", "z"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldPickDistinctRandomMembersOrRepeatsUpToTheBound(StateMode mode) {
        store = mode.create(2, System::currentTimeMillis);
        for (int i = 0; i < 10; i++) {
            run("ZADD", "z", String.valueOf(i), "m" + i);
        }
        for (int round = 0; round < 50; round++) {
            String[] parts = run("ZRANDMEMBER", "z", "3").split("\\|");
            assertEquals("*3", parts[0]);
            java.util.Set<String> picked = new java.util.HashSet<>();
            for (int k = 2; k < parts.length; k += 2) {
                assertTrue(parts[k].matches("m[0-9]"), parts[k]);
                picked.add(parts[k]);
            }
            assertEquals(3, picked.size(), "distinct members");
        }
        assertTrue(run("ZRANDMEMBER", "z", "-20", "WITHSCORES").startsWith("*40|"));
        assertEquals("-ERR value is out of range, value must between -16777216 and 9223372036854775807|",
                run("ZRANDMEMBER", "z", "-16777217"));
        assertEquals(":10|", run("ZCARD", "z"));
    }
}
