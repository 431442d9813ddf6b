package io.shardloop.resp;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LPUSHX, RPUSHX, SMISMEMBER and SRANDMEMBER held against
 * redis-server's replies on every front end and store, in the cases Redis's own list and set tests
 * cover; SRANDMEMBER's random answers by their properties.
 */
class ListSetCommandsContractTest {
    private static final String MIN = "-9223372036854775808";
    private static final String MAX = "9223372036854775807";

    private static FrontEnds fronts;

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.close();
    }

    @Test
    void lindexAndLsetReachEitherEndAndRefuseWhatRedisRefuses() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "str", "x"},
            {"RPUSH", "l", "a", "b", "c", "d"},
            {"LINDEX", "l", "0"}, {"LINDEX", "l", "1"}, {"LINDEX", "l", "3"}, {"LINDEX", "l", "4"},
            {"LINDEX", "l", "-1"}, {"LINDEX", "l", "-4"}, {"LINDEX", "l", "-5"},
            {"LINDEX", "l", MAX}, {"LINDEX", "l", MIN}, {"LINDEX", "l", "abc"}, {"LINDEX", "l", "1.5"},
            {"LINDEX", "nokey", "0"}, {"LINDEX", "nokey", "abc"},
            {"LINDEX", "str", "0"}, {"LINDEX", "str", "abc"},
            {"LSET", "l", "0", "A"}, {"LSET", "l", "-1", "D"}, {"LSET", "l", "2", "C"}, {"LSET", "l", "-3", "B"},
            {"LRANGE", "l", "0", "-1"},
            {"LSET", "l", "4", "x"}, {"LSET", "l", "-5", "x"}, {"LSET", "l", MAX, "x"}, {"LSET", "l", MIN, "x"},
            {"LSET", "l", "abc", "x"},
            {"LSET", "nokey", "0", "x"}, {"LSET", "nokey", "abc", "x"}, {"EXISTS", "nokey"},
            {"LSET", "str", "0", "x"}, {"LSET", "str", "abc", "x"},
            {"RPUSH", "big", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
                "16", "17", "18", "19"},
            {"LSET", "big", "15", "X"}, {"LSET", "big", "3", "Y"}, {"LSET", "big", "10", "Z"},
            {"LSET", "big", "9", "W"}, {"LSET", "big", "19", "T"}, {"LSET", "big", "0", "H"},
            {"LRANGE", "big", "0", "-1"},
            {"LINDEX", "big", "9"}, {"LINDEX", "big", "10"}, {"LINDEX", "big", "-11"}, {"LINDEX", "big", "18"},
            {"LLEN", "big"},
            {"LSET", "l", "0", ""}, {"LINDEX", "l", "0"},
        });
    }

    @Test
    void linsertPutsTheElementBesideTheFirstPivot() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "str", "x"},
            {"RPUSH", "li", "a", "b", "c", "b"},
            {"LINSERT", "li", "BEFORE", "a", "head"},
            {"LINSERT", "li", "AFTER", "c", "mid"},
            {"LINSERT", "li", "before", "b", "first-b"},
            {"LINSERT", "li", "after", "b", "after-b"},
            {"LINSERT", "li", "AFTER", "b", "tail"},
            {"LRANGE", "li", "0", "-1"},
            {"RPUSH", "li", "last"},
            {"LINSERT", "li", "AFTER", "last", "end"},
            {"LINSERT", "li", "BEFORE", "end", "before-end"},
            {"LRANGE", "li", "0", "-1"},
            {"LINSERT", "li", "AFTER", "nope", "v"}, {"LINSERT", "li", "BEFORE", "", "v"},
            {"LINSERT", "li", "MIDDLE", "b", "v"}, {"LINSERT", "li", "BEFOREX", "b", "v"},
            {"LLEN", "li"},
            {"LINSERT", "nokey", "BEFORE", "a", "b"}, {"LINSERT", "nokey", "MIDDLE", "a", "b"}, {"EXISTS", "nokey"},
            {"LINSERT", "str", "BEFORE", "a", "b"}, {"LINSERT", "str", "MIDDLE", "a", "b"},
            {"RPUSH", "big", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"},
            {"LINSERT", "big", "BEFORE", "13", "P"}, {"LINSERT", "big", "AFTER", "2", "Q"},
            {"LINSERT", "big", "AFTER", "8", "R"}, {"LINSERT", "big", "BEFORE", "8", "S"},
            {"LINSERT", "big", "BEFORE", "0", "T"}, {"LINSERT", "big", "AFTER", "15", "U"},
            {"LRANGE", "big", "0", "-1"},
        });
    }

    @Test
    void lremRemovesFromEitherEndOrAllAndDeletesAnEmptiedList() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "str", "x"},
            {"RPUSH", "lr", "a", "b", "a", "c", "a", "b", "a", "d", "a"},
            {"LREM", "lr", "2", "a"}, {"LRANGE", "lr", "0", "-1"},
            {"LREM", "lr", "-1", "a"}, {"LRANGE", "lr", "0", "-1"},
            {"LREM", "lr", "-2", "b"}, {"LRANGE", "lr", "0", "-1"},
            {"LREM", "lr", "0", "a"}, {"LRANGE", "lr", "0", "-1"},
            {"LREM", "lr", "0", "zz"}, {"LREM", "lr", "5", "zz"}, {"LREM", "lr", "-5", "zz"},
            {"LREM", "lr", "10", "c"}, {"LRANGE", "lr", "0", "-1"},
            {"LREM", "lr", "abc", "a"}, {"LREM", "lr", "1.0", "a"},
            {"LREM", "nokey", "1", "a"}, {"LREM", "nokey", "abc", "a"},
            {"LREM", "str", "1", "a"}, {"LREM", "str", "abc", "a"},
            {"RPUSH", "lr2", "x", "x", "x"}, {"LREM", "lr2", "0", "x"}, {"EXISTS", "lr2"},
            {"RPUSH", "lr2", "x", "y", "x"}, {"LREM", "lr2", MAX, "x"}, {"LRANGE", "lr2", "0", "-1"},
            {"LREM", "lr2", "-1", "y"}, {"EXISTS", "lr2"},
            {"RPUSH", "lr3", "x", "y", "x", "y"}, {"LREM", "lr3", MIN, "x"}, {"LRANGE", "lr3", "0", "-1"},
            {"RPUSH", "lr3", "", "y", ""}, {"LREM", "lr3", "-1", ""}, {"LRANGE", "lr3", "0", "-1"},
            {"LREM", "lr", "1", "d"}, {"TYPE", "lr"},
        });
    }

    @Test
    void ltrimKeepsWhatLrangeWouldAnswerAndDeletesAnEmptiedList() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "str", "x"},
            {"RPUSH", "lt", "1", "2", "3", "4", "5", "6", "7"},
            {"LTRIM", "lt", "1", "-2"}, {"LRANGE", "lt", "0", "-1"},
            {"LTRIM", "lt", "-100", "100"}, {"LRANGE", "lt", "0", "-1"},
            {"LTRIM", "lt", "-3", "-1"}, {"LRANGE", "lt", "0", "-1"},
            {"LTRIM", "lt", "1", "1"}, {"LRANGE", "lt", "0", "-1"},
            {"LTRIM", "lt", "0", MAX}, {"LTRIM", "lt", MIN, "0"}, {"LRANGE", "lt", "0", "-1"},
            {"LTRIM", "lt", "abc", "1"}, {"LTRIM", "lt", "0", "abc"},
            {"LTRIM", "lt", "1", "0"}, {"EXISTS", "lt"},
            {"RPUSH", "lt", "a", "b", "c"}, {"LTRIM", "lt", "5", "10"}, {"EXISTS", "lt"},
            {"RPUSH", "lt", "a", "b", "c"}, {"LTRIM", "lt", "0", "-4"}, {"EXISTS", "lt"},
            {"RPUSH", "lt", "a", "b", "c"}, {"LTRIM", "lt", "-1", "-2"}, {"EXISTS", "lt"},
            {"LTRIM", "nokey", "0", "1"}, {"LTRIM", "nokey", "abc", "1"}, {"EXISTS", "nokey"},
            {"LTRIM", "str", "0", "1"}, {"LTRIM", "str", "abc", "1"}, {"GET", "str"},
        });
    }

    @Test
    void lposFindsMatchesByRankCountAndMaxlen() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "str", "x"},
            {"RPUSH", "lp", "a", "b", "c", "1", "2", "3", "c", "c"},
            {"LPOS", "lp", "a"}, {"LPOS", "lp", "c"}, {"LPOS", "lp", "x"}, {"LPOS", "lp", "3"},
            {"LPOS", "lp", "c", "RANK", "1"}, {"LPOS", "lp", "c", "RANK", "2"}, {"LPOS", "lp", "c", "RANK", "3"},
            {"LPOS", "lp", "c", "RANK", "4"}, {"LPOS", "lp", "c", "RANK", "-1"}, {"LPOS", "lp", "c", "RANK", "-3"},
            {"LPOS", "lp", "c", "RANK", "-4"}, {"LPOS", "lp", "c", "RANK", MAX},
            {"LPOS", "lp", "c", "RANK", MIN}, {"LPOS", "lp", "c", "RANK", MIN, "COUNT", "0"},
            {"LPOS", "lp", "c", "RANK", "-9223372036854775807"}, {"LPOS", "lp", "c", "COUNT", "0", "RANK", MAX},
            {"LPOS", "lp", "c", "COUNT", "0"}, {"LPOS", "lp", "c", "COUNT", "1"}, {"LPOS", "lp", "c", "COUNT", "2"},
            {"LPOS", "lp", "c", "COUNT", "10"}, {"LPOS", "lp", "c", "COUNT", MAX},
            {"LPOS", "lp", "c", "COUNT", "2", "RANK", "-1"}, {"LPOS", "lp", "c", "COUNT", "0", "RANK", "2"},
            {"LPOS", "lp", "c", "RANK", "-2", "COUNT", "0"}, {"LPOS", "lp", "c", "COUNT", "0", "RANK", "4"},
            {"LPOS", "lp", "x", "COUNT", "2"}, {"LPOS", "lp", "x", "COUNT", "0"},
            {"LPOS", "lp", "c", "COUNT", "0", "MAXLEN", "7"}, {"LPOS", "lp", "c", "COUNT", "0", "MAXLEN", "3"},
            {"LPOS", "lp", "c", "MAXLEN", "2"}, {"LPOS", "lp", "c", "MAXLEN", "3"}, {"LPOS", "lp", "c", "MAXLEN", "0"},
            {"LPOS", "lp", "c", "COUNT", "0", "MAXLEN", "1", "RANK", "-1"},
            {"LPOS", "lp", "c", "COUNT", "0", "MAXLEN", "2", "RANK", "-1"},
            {"LPOS", "lp", "a", "MAXLEN", "1", "RANK", "-1"},
            {"LPOS", "lp", "c", "rank", "2", "count", "1", "maxlen", "10"},
            {"LPOS", "lp", "c", "RANK", "1", "RANK", "2"},
            {"LPOS", "lp", "c", "RANK", "0"}, {"LPOS", "lp", "c", "RANK", "abc"},
            {"LPOS", "lp", "c", "COUNT", "-1"}, {"LPOS", "lp", "c", "COUNT", "abc"},
            {"LPOS", "lp", "c", "MAXLEN", "-1"}, {"LPOS", "lp", "c", "MAXLEN", "abc"},
            {"LPOS", "lp", "c", "RANK"}, {"LPOS", "lp", "c", "COUNT"}, {"LPOS", "lp", "c", "MAXLEN"},
            {"LPOS", "lp", "c", "FOO", "1"}, {"LPOS", "lp", "c", "COUNT", "1", "RANK"},
            {"LPOS", "nokey", "a"}, {"LPOS", "nokey", "a", "COUNT", "0"}, {"LPOS", "nokey", "a", "RANK", "0"},
            {"LPOS", "nokey", "a", "FOO"},
            {"LPOS", "str", "a"}, {"LPOS", "str", "a", "COUNT", "1"}, {"LPOS", "str", "a", "RANK", "0"},
        });
    }

    @Test
    void pushxAddsOnlyToAnExistingList() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "str", "x"},
            {"LPUSHX", "nokey", "a"}, {"RPUSHX", "nokey", "a", "b"}, {"EXISTS", "nokey"},
            {"RPUSH", "lx", "a"},
            {"LPUSHX", "lx", "b", "c"}, {"RPUSHX", "lx", "d", "e"}, {"LPUSHX", "lx", ""},
            {"LRANGE", "lx", "0", "-1"},
            {"LPUSHX", "str", "a"}, {"RPUSHX", "str", "a"}, {"GET", "str"},
        });
    }

    @Test
    void smismemberAnswersEachMemberAndAnEmptySetForNoKey() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "str", "x"},
            {"SADD", "s", "a", "b", "c", ""},
            {"SMISMEMBER", "s", "a"}, {"SMISMEMBER", "s", "a", "x", "c", "a", ""},
            {"SMISMEMBER", "nokey", "a", "b"},
            {"SMISMEMBER", "str", "a"}, {"SMISMEMBER", "str", "a", "b"},
        });
    }

    @Test
    void srandmemberAnswersLikeRedisWhereItsAnswerIsDetermined() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "str", "x"},
            {"SADD", "one", "m"},
            {"SADD", "s", "a", "b", "c"},
            {"SRANDMEMBER", "one"}, {"SRANDMEMBER", "one", "1"}, {"SRANDMEMBER", "one", "5"},
            {"SRANDMEMBER", "one", MAX}, {"SRANDMEMBER", "one", "-1"}, {"SRANDMEMBER", "one", "-4"},
            {"SRANDMEMBER", "one", "0"}, {"SRANDMEMBER", "s", "0"}, {"SRANDMEMBER", "s", "-0"},
            {"SRANDMEMBER", "one", MIN}, {"SRANDMEMBER", "one", "abc"}, {"SRANDMEMBER", "one", "1", "2"},
            {"SRANDMEMBER", "nokey"}, {"SRANDMEMBER", "nokey", "3"}, {"SRANDMEMBER", "nokey", "-3"},
            {"SRANDMEMBER", "nokey", "0"}, {"SRANDMEMBER", "nokey", "abc"}, {"SRANDMEMBER", "nokey", MIN},
            {"SRANDMEMBER", "nokey", "-9223372036854775807"},
            {"SRANDMEMBER", "str"}, {"SRANDMEMBER", "str", "1"}, {"SRANDMEMBER", "str", "0"},
            {"SRANDMEMBER", "str", "abc"}, {"SRANDMEMBER", "str", "1", "2"},
            {"SCARD", "one"}, {"SCARD", "s"},
        });
    }

    /** RESP3: SRANDMEMBER with a count answers an array, not a set; the nulls are RESP3's own. */
    @Test
    void answersInResp3LikeRedis() throws Exception {
        String[][] probes = {
            {"FLUSHALL"},
            {"SADD", "one", "m"},
            {"SRANDMEMBER", "one"}, {"SRANDMEMBER", "one", "2"}, {"SRANDMEMBER", "one", "-2"},
            {"SRANDMEMBER", "nokey"}, {"SRANDMEMBER", "nokey", "2"},
            {"SMISMEMBER", "one", "m", "x"},
            {"RPUSH", "l3", "a"},
            {"LINDEX", "l3", "5"}, {"LINDEX", "nokey", "0"},
            {"LPOS", "l3", "x"}, {"LPOS", "nokey", "a"}, {"LPOS", "nokey", "a", "COUNT", "0"},
            {"FLUSHALL"},
        };
        List<String> expected = new ArrayList<>();
        try (RawResp reference = new RawResp(fronts.redisPort())) {
            reference.call("HELLO", "3");
            for (String[] probe : probes) {
                expected.add(reference.call(probe));
            }
        }
        assertTrue(expected.contains("_") && expected.contains("*2 [$1 m, $1 m]"), expected.toString());
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                client.call("HELLO", "3");
                for (int i = 0; i < probes.length; i++) {
                    FrontEnds.compare(front.getKey(), client.call(probes[i]), expected.get(i), probes[i], mismatches);
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " RESP3 replies differ from redis-server's:\n"
                + String.join("\n", mismatches));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void srandmemberPicksMembersOfTheSetDistinctForAPositiveCountAndAsManyAsAskedForANegativeOne(StateMode mode)
            throws Exception {
        try (ShardGroup group = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, 2)))));
             RawResp c = new RawResp(group.port(0))) {
            Set<String> big = new HashSet<>();
            List<String> sadd = new ArrayList<>(List.of("SADD", "big"));
            for (int i = 0; i < 50; i++) {
                big.add("m" + i);
                sadd.add("m" + i);
            }
            c.call(sadd.toArray(String[]::new));
            Set<String> small = Set.of("a", "b", "c", "d", "e");
            c.call("SADD", "small", "a", "b", "c", "d", "e");

            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                String reply = c.call("SRANDMEMBER", "small");
                seen.addAll(members(reply, 1));
                assertTrue(big.containsAll(members(c.call("SRANDMEMBER", "big"), 1)));
            }
            assertEquals(small, seen, "200 single picks reach every member of a 5-member set");

            for (int count : new int[] {1, 2, 3, 10, 17, 49, 50, 51, 1000}) {
                List<String> picked = members(c.call("SRANDMEMBER", "big", Integer.toString(count)),
                        Math.min(count, big.size()));
                assertEquals(picked.size(), new HashSet<>(picked).size(), "distinct for count " + count + ": " + picked);
                assertTrue(big.containsAll(picked), "members of the set for count " + count + ": " + picked);
            }
            seen.clear();
            for (int i = 0; i < 300; i++) {
                List<String> picked = members(c.call("SRANDMEMBER", "small", "2"), 2);
                assertEquals(2, new HashSet<>(picked).size(), picked.toString());
                seen.addAll(picked);
            }
            assertEquals(small, seen, "300 distinct pairs reach every member of a 5-member set");

            for (int count : new int[] {1, 5, 49, 50, 200}) {
                List<String> picked = members(c.call("SRANDMEMBER", "big", Integer.toString(-count)), count);
                assertTrue(big.containsAll(picked), "members of the set for count " + -count);
            }
            List<String> many = members(c.call("SRANDMEMBER", "small", "-500"), 500);
            assertEquals(small, new HashSet<>(many), "500 picks that may repeat reach every member of 5");

            assertEquals(":50", c.call("SCARD", "big"), "SRANDMEMBER leaves the set as it was");
            assertEquals(":5", c.call("SCARD", "small"));
            assertEquals("-ERR value is out of range, value must between -16777216 and " + MAX,
                    c.call("SRANDMEMBER", "small", "-16777217"));
        }
    }

    private static final Pattern BULK = Pattern.compile("\\$\\d+ ([^,\\]]*)");

    /** The bulk strings of a canonical reply, checked to be exactly {@code expected} of them. */
    private static List<String> members(String reply, int expected) throws IOException {
        List<String> found = new ArrayList<>();
        Matcher m = BULK.matcher(reply);
        while (m.find()) {
            found.add(m.group(1));
        }
        String header = expected == 1 && reply.startsWith("$") ? "" : "*" + expected + " ";
        assertTrue(reply.startsWith(header) && found.size() == expected, expected + " members in " + reply);
        return found;
    }
}
