package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sorted-set commands answer as redis-server 7.0 does, on every front end and store: normal
 * cases, options, missing keys, wrong types, bad floats, infinite and exclusive bounds, LIMIT,
 * negative ranks and Redis's errors; in RESP2 and in RESP3 (doubles, nested score pairs).
 */
class SortedSetCommandsContractTest {
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
    void zaddAddsUpdatesAndReportsWithEveryOption() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "1", "a", "2", "b", "1.5", "c"},
            {"ZADD", "z", "3", "a", "4", "d"},
            {"ZADD", "z", "CH", "3", "a", "5", "b", "6", "e"},
            {"ZADD", "z", "NX", "10", "a", "7", "f"},
            {"ZADD", "z", "XX", "11", "a", "8", "g"},
            {"ZADD", "z", "XX", "CH", "11", "a", "12", "b"},
            {"ZADD", "z", "GT", "CH", "1", "a", "20", "b"},
            {"ZADD", "z", "LT", "CH", "1", "a", "30", "b"},
            {"ZADD", "z", "XX", "GT", "100", "c"},
            {"ZADD", "z", "xx", "lt", "ch", "-1", "c"},
            {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
            {"ZADD", "z", "INCR", "5", "a"},
            {"ZADD", "z", "INCR", "NX", "5", "a"},
            {"ZADD", "z", "INCR", "NX", "5", "new"},
            {"ZADD", "z", "INCR", "XX", "5", "absent"},
            {"ZADD", "z", "INCR", "GT", "-1", "a"},
            {"ZADD", "z", "INCR", "LT", "-1", "a"},
            {"ZADD", "z", "INCR", "GT", "0", "a"},
            {"ZADD", "z", "CH", "INCR", "0", "a"},
            {"ZADD", "nokey", "XX", "1", "a"},
            {"ZADD", "nokey", "XX", "INCR", "1", "a"},
            {"EXISTS", "nokey"},
            {"ZADD", "z", "NX", "XX", "1", "a"},
            {"ZADD", "z", "GT", "LT", "1", "a"},
            {"ZADD", "z", "GT", "NX", "1", "a"},
            {"ZADD", "z", "LT", "NX", "1", "a"},
            {"ZADD", "z", "INCR", "1", "a", "2", "b"},
            {"ZADD", "z", "1", "a", "2"},
            {"ZADD", "z", "NX", "1"},
            {"ZADD", "z", "NX", "XX", "1"},
            {"ZADD", "z", "BOGUS", "1", "a"},
            {"ZADD", "z", "1", "a", "x", "b"},
            {"ZCARD", "z"},
            {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
        });
    }

    @Test
    void scoresParseAsStrtodAndPrintAsRedisDoes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "0.1", "a", "-.5", "b", "5.", "c", "+3", "d", "1e3", "e", "1E-5", "f", "0x10", "g"},
            {"ZADD", "z", "0x1.8p1", "h", "inf", "i", "-INF", "j", "+Infinity", "k", "-0", "l", "1e-310", "m"},
            {"ZADD", "z", "123456789012345678", "n", "3.14159", "o", "1e20", "p", "0.0001", "q"},
            {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
            {"ZADD", "z", "nan", "x"},
            {"ZADD", "z", "NaN", "x"},
            {"ZADD", "z", "abc", "x"},
            {"ZADD", "z", "", "x"},
            {"ZADD", "z", " 1", "x"},
            {"ZADD", "z", "1 ", "x"},
            {"ZADD", "z", "1e", "x"},
            {"ZADD", "z", "1e400", "x"},
            {"ZADD", "z", "-1e400", "x"},
            {"ZADD", "z", "1e-400", "x"},
            {"ZADD", "z", "1d", "x"},
            {"ZADD", "z", "0x", "x"},
            {"ZADD", "z", "Infinity1", "x"},
            {"ZADD", "z", "1", "ok", "nan", "x"},
            {"ZSCORE", "z", "ok"},
            {"ZINCRBY", "z", "1.5", "a"},
            {"ZINCRBY", "z", "-inf", "i"},
            {"ZINCRBY", "z", "inf", "i"},
            {"ZADD", "z", "INCR", "-inf", "i"},
            {"ZSCORE", "z", "i"},
            {"ZINCRBY", "z", "x", "a"},
            {"ZINCRBY", "z", "2", "fresh"},
            {"ZINCRBY", "z", "0.1", "fresh"},
            {"ZSCORE", "z", "fresh"},
            {"ZSCORE", "z", "absent"},
            {"ZSCORE", "absent", "a"},
            {"ZMSCORE", "z", "a", "absent", "i", "j"},
            {"ZMSCORE", "absent", "a", "b"},
        });
    }

    @Test
    void zremZcardZrankAndWrongTypes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "1", "a", "2", "b", "3", "c", "3", "d"},
            {"ZRANK", "z", "a"},
            {"ZRANK", "z", "d"},
            {"ZREVRANK", "z", "a"},
            {"ZREVRANK", "z", "d"},
            {"ZRANK", "z", "x"},
            {"ZREVRANK", "absent", "x"},
            {"ZREM", "z", "a", "x", "a"},
            {"ZCARD", "z"},
            {"ZREM", "absent", "a"},
            {"ZCARD", "absent"},
            {"ZREM", "z", "b", "c", "d"},
            {"EXISTS", "z"},
            {"TYPE", "z"},
            {"ZADD", "z", "1", "a"},
            {"TYPE", "z"},
            {"SET", "s", "v"},
            {"ZADD", "s", "1", "a"},
            {"ZADD", "s", "x", "a"},
            {"ZINCRBY", "s", "1", "a"},
            {"ZSCORE", "s", "a"},
            {"ZMSCORE", "s", "a"},
            {"ZCARD", "s"},
            {"ZREM", "s", "a"},
            {"ZRANK", "s", "a"},
            {"ZREVRANK", "s", "a"},
            {"ZRANGE", "s", "0", "-1"},
            {"ZRANGE", "s", "x", "-1"},
            {"ZRANGEBYSCORE", "s", "0", "1"},
            {"ZRANGEBYLEX", "s", "-", "+"},
            {"ZCOUNT", "s", "0", "1"},
            {"ZCOUNT", "s", "x", "1"},
            {"ZLEXCOUNT", "s", "-", "+"},
            {"ZPOPMIN", "s"},
            {"ZPOPMAX", "s", "0"},
            {"ZPOPMAX", "s", "2"},
            {"ZREMRANGEBYRANK", "s", "0", "1"},
            {"ZREMRANGEBYSCORE", "s", "0", "1"},
            {"ZREMRANGEBYLEX", "s", "-", "+"},
            {"RPUSH", "l", "a"},
            {"ZADD", "l", "1", "a"},
            {"SADD", "z", "a"},
            {"GET", "z"},
            {"ZSCORE", "z", "a"},
        });
    }

    @Test
    void zrangeByRankWithNegativeAndOutOfRangeIndexes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
            {"ZRANGE", "z", "0", "-1"},
            {"ZRANGE", "z", "1", "3", "WITHSCORES"},
            {"ZRANGE", "z", "-2", "-1", "withscores"},
            {"ZRANGE", "z", "-100", "100"},
            {"ZRANGE", "z", "3", "1"},
            {"ZRANGE", "z", "5", "10"},
            {"ZRANGE", "z", "-1", "-100"},
            {"ZRANGE", "z", "0", "0", "REV"},
            {"ZRANGE", "z", "0", "-1", "REV", "WITHSCORES"},
            {"ZREVRANGE", "z", "0", "1"},
            {"ZREVRANGE", "z", "-2", "-1", "WITHSCORES"},
            {"ZREVRANGE", "z", "1", "0"},
            {"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"},
            {"ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"},
            {"ZREVRANGE", "z", "0", "-1", "LIMIT", "0", "1"},
            {"ZREVRANGE", "z", "0", "-1", "REV"},
            {"ZRANGE", "z", "0", "-1", "REV", "REV"},
            {"ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"},
            {"ZRANGE", "z", "0", "-1", "LIMIT", "0"},
            {"ZRANGE", "z", "0", "-1", "LIMIT", "x", "1"},
            {"ZRANGE", "z", "a", "-1"},
            {"ZRANGE", "z", "0", "1.5"},
            {"ZRANGE", "z", "0", "-1", "BOGUS"},
            {"ZRANGE", "absent", "0", "-1"},
            {"ZRANGE", "absent", "0", "-1", "WITHSCORES"},
            {"ZRANGE", "absent", "x", "-1"},
        });
    }

    @Test
    void scoreRangesWithInfiniteAndExclusiveBoundsAndLimit() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "-inf", "m", "1", "a", "2", "b", "2", "bb", "3", "c", "4", "d", "inf", "p"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf"},
            {"ZRANGEBYSCORE", "z", "-inf", "inf", "WITHSCORES"},
            {"ZRANGEBYSCORE", "z", "(1", "(3"},
            {"ZRANGEBYSCORE", "z", "(2", "3"},
            {"ZRANGEBYSCORE", "z", "2", "2"},
            {"ZRANGEBYSCORE", "z", "(2", "2"},
            {"ZRANGEBYSCORE", "z", "3", "1"},
            {"ZRANGEBYSCORE", "z", "(-inf", "(inf"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "-1"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0", "0"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "7", "1"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "6", "5"},
            {"ZRANGEBYSCORE", "z", "1", "3", "WITHSCORES", "LIMIT", "1", "10"},
            {"ZRANGEBYSCORE", "z", "", "1"},
            {"ZRANGEBYSCORE", "z", " 1", "(2.5"},
            {"ZRANGEBYSCORE", "z", "(", "1e400"},
            {"ZRANGEBYSCORE", "z", "x", "1"},
            {"ZRANGEBYSCORE", "z", "1", "nan"},
            {"ZRANGEBYSCORE", "z", "1", "2 "},
            {"ZRANGEBYSCORE", "z", "((1", "2"},
            {"ZRANGEBYSCORE", "z", "0", "1", "REV"},
            {"ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "1"},
            {"ZRANGEBYSCORE", "absent", "0", "1"},
            {"ZRANGEBYSCORE", "absent", "x", "1"},
            {"ZREVRANGEBYSCORE", "z", "+inf", "-inf"},
            {"ZREVRANGEBYSCORE", "z", "3", "(1", "WITHSCORES"},
            {"ZREVRANGEBYSCORE", "z", "1", "3"},
            {"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "2", "3"},
            {"ZRANGE", "z", "(1", "3", "BYSCORE"},
            {"ZRANGE", "z", "3", "(1", "BYSCORE", "REV", "WITHSCORES"},
            {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"},
            {"ZRANGE", "z", "+inf", "-inf", "REV", "BYSCORE", "LIMIT", "1", "2", "WITHSCORES"},
            {"ZRANGE", "z", "x", "1", "BYSCORE"},
            {"ZCOUNT", "z", "-inf", "+inf"},
            {"ZCOUNT", "z", "(1", "3"},
            {"ZCOUNT", "z", "2", "2"},
            {"ZCOUNT", "z", "(2", "(2"},
            {"ZCOUNT", "z", "5", "1"},
            {"ZCOUNT", "z", "10", "20"},
            {"ZCOUNT", "absent", "0", "1"},
            {"ZCOUNT", "absent", "x", "1"},
        });
    }

    @Test
    void lexRangesWithBoundsLimitAndErrors() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "0", "alpha", "0", "bar", "0", "cool", "0", "down", "0", "elephant", "0", "foo", "0", "great"},
            {"ZRANGEBYLEX", "z", "-", "+"},
            {"ZRANGEBYLEX", "z", "[bar", "[down"},
            {"ZRANGEBYLEX", "z", "(bar", "(down"},
            {"ZRANGEBYLEX", "z", "[b", "(e"},
            {"ZRANGEBYLEX", "z", "-", "[cool"},
            {"ZRANGEBYLEX", "z", "(foo", "+"},
            {"ZRANGEBYLEX", "z", "+", "-"},
            {"ZRANGEBYLEX", "z", "-", "-"},
            {"ZRANGEBYLEX", "z", "[cool", "[cool"},
            {"ZRANGEBYLEX", "z", "(cool", "[cool"},
            {"ZRANGEBYLEX", "z", "[", "+"},
            {"ZRANGEBYLEX", "z", "-", "+", "LIMIT", "2", "3"},
            {"ZRANGEBYLEX", "z", "-", "+", "LIMIT", "-1", "3"},
            {"ZRANGEBYLEX", "z", "-", "+", "LIMIT", "5", "-1"},
            {"ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"},
            {"ZRANGEBYLEX", "z", "a", "+"},
            {"ZRANGEBYLEX", "z", "-", "+x"},
            {"ZRANGEBYLEX", "z", "", "+"},
            {"ZRANGEBYLEX", "absent", "-", "+"},
            {"ZRANGEBYLEX", "absent", "x", "+"},
            {"ZREVRANGEBYLEX", "z", "+", "-"},
            {"ZREVRANGEBYLEX", "z", "[foo", "(bar"},
            {"ZREVRANGEBYLEX", "z", "+", "-", "LIMIT", "1", "2"},
            {"ZRANGE", "z", "[bar", "[foo", "BYLEX"},
            {"ZRANGE", "z", "[foo", "[bar", "BYLEX", "REV", "LIMIT", "0", "2"},
            {"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"},
            {"ZRANGE", "z", "0", "-1", "BYLEX"},
            {"ZLEXCOUNT", "z", "-", "+"},
            {"ZLEXCOUNT", "z", "(bar", "[foo"},
            {"ZLEXCOUNT", "z", "+", "-"},
            {"ZLEXCOUNT", "z", "a", "b"},
            {"ZLEXCOUNT", "absent", "-", "+"},
        });
    }

    @Test
    void popsTakeTheLowestOrHighestAndDeleteTheEmptiedKey() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
            {"ZPOPMIN", "z"},
            {"ZPOPMAX", "z"},
            {"ZPOPMIN", "z", "2"},
            {"ZPOPMAX", "z", "0"},
            {"ZPOPMAX", "z", "10"},
            {"EXISTS", "z"},
            {"ZPOPMIN", "z"},
            {"ZPOPMIN", "z", "3"},
            {"ZPOPMIN", "z", "-1"},
            {"ZPOPMIN", "z", "x"},
            {"ZPOPMIN", "z", "1", "2"},
            {"ZADD", "z", "1", "a"},
            {"ZPOPMIN", "z", "-1"},
            {"ZPOPMAX", "z", "1.5"},
        });
    }

    @Test
    void rangeRemovalsCountWhatGoesAndDeleteTheEmptiedKey() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"},
            {"ZREMRANGEBYRANK", "z", "0", "0"},
            {"ZREMRANGEBYRANK", "z", "-1", "-1"},
            {"ZREMRANGEBYRANK", "z", "3", "1"},
            {"ZREMRANGEBYRANK", "z", "10", "20"},
            {"ZRANGE", "z", "0", "-1"},
            {"ZREMRANGEBYSCORE", "z", "(2", "3"},
            {"ZREMRANGEBYSCORE", "z", "10", "20"},
            {"ZREMRANGEBYSCORE", "z", "x", "1"},
            {"ZREMRANGEBYRANK", "z", "x", "1"},
            {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
            {"ZREMRANGEBYSCORE", "z", "-inf", "+inf"},
            {"EXISTS", "z"},
            {"ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d"},
            {"ZREMRANGEBYLEX", "z", "(a", "[c"},
            {"ZREMRANGEBYLEX", "z", "x", "[c"},
            {"ZRANGE", "z", "0", "-1"},
            {"ZREMRANGEBYLEX", "z", "-", "+"},
            {"EXISTS", "z"},
            {"ZREMRANGEBYRANK", "absent", "0", "-1"},
            {"ZREMRANGEBYRANK", "absent", "x", "-1"},
            {"ZREMRANGEBYSCORE", "absent", "x", "1"},
            {"ZREMRANGEBYLEX", "absent", "x", "+"},
            {"ZADD", "z", "1", "a", "2", "b"},
            {"ZREMRANGEBYRANK", "z", "-100", "100"},
            {"EXISTS", "z"},
        });
    }

    @Test
    void edgesOfMembersIndexesAndCounts() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "1", "a", "2", "a", "3", "a"},
            {"ZSCORE", "z", "a"},
            {"ZADD", "z", "CH", "3", "a"},
            {"ZADD", "z", "0", "", "0", "\u007f", "0", "z", "0", "Z", "0", "ab", "0", "a\u007f"},
            {"ZRANGE", "z", "0", "-1", "WITHSCORES", "WITHSCORES"},
            {"ZRANGEBYLEX", "z", "[a", "+"},
            {"ZRANGEBYLEX", "z", "(z", "+"},
            {"ZRANGEBYLEX", "z", "[", "[a"},
            {"ZSCORE", "z", ""},
            {"ZRANGE", "z", "-9223372036854775808", "9223372036854775807"},
            {"ZRANGE", "z", "9223372036854775807", "-9223372036854775808"},
            {"ZRANGE", "z", "0", "9223372036854775808"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "9223372036854775807", "1"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "2", "9223372036854775807"},
            {"ZREMRANGEBYRANK", "z", "9223372036854775807", "-9223372036854775808"},
            {"ZPOPMIN", "z", "9223372036854775807"},
            {"EXISTS", "z"},
            {"ZINCRBY", "fresh", "-2.5", "m"},
            {"ZINCRBY", "fresh", "2.5", "m"},
            {"ZSCORE", "fresh", "m"},
            {"ZADD", "fresh", "GT", "CH", "XX", "1", "m", "1", "n"},
            {"ZRANGE", "fresh", "0", "-1", "WITHSCORES"},
            {"ZADD", "fresh", "LT", "-1", "m", "5", "n"},
            {"ZRANGE", "fresh", "0", "-1", "WITHSCORES"},
        });
    }

    @Test
    void zrandmemberAnswersWhatDoesNotDependOnChanceAsRedisDoes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "one", "1.5", "only"},
            {"ZRANDMEMBER", "one"},
            {"ZRANDMEMBER", "one", "1"},
            {"ZRANDMEMBER", "one", "-3", "WITHSCORES"},
            {"ZRANDMEMBER", "one", "5", "withscores"},
            {"ZADD", "z", "3", "a", "2", "b", "1", "c", "5", "d"},
            {"ZRANDMEMBER", "z", "4"},
            {"ZRANDMEMBER", "z", "10", "WITHSCORES"},
            {"ZRANDMEMBER", "z", "0"},
            {"ZRANDMEMBER", "z", "x"},
            {"ZRANDMEMBER", "z", "1", "BOGUS"},
            {"ZRANDMEMBER", "z", "1", "WITHSCORES", "WITHSCORES"},
            {"ZRANDMEMBER", "z", "-9223372036854775808"},
            {"ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"},
            {"ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"},
            {"ZRANDMEMBER", "absent"},
            {"ZRANDMEMBER", "absent", "2"},
            {"ZRANDMEMBER", "absent", "x"},
            {"SET", "s", "v"},
            {"ZRANDMEMBER", "s"},
            {"ZRANDMEMBER", "s", "0"},
        });
    }

    /** A seeded mix of writes and range reads, with tied scores, replayed as Redis answers it. */
    @Test
    void aLongRandomMixOfWritesAndRangesAgreesWithRedis() throws Exception {
        java.util.Random random = new java.util.Random(2026);
        String[] scores = {"-inf", "-1.5", "0", "0.25", "1", "1", "2", "3e2", "inf"};
        String[] bounds = {"-inf", "+inf", "(0", "0", "1", "(1", "2.5", "(3e2", "-2"};
        String[] lex = {"-", "+", "[m3", "(m3", "[m7", "(m12", "[m"};
        List<String[]> sequence = new ArrayList<>();
        sequence.add(new String[] {"FLUSHALL"});
        for (int i = 0; i < 400; i++) {
            String member = "m" + random.nextInt(20);
            String score = scores[random.nextInt(scores.length)];
            String b1 = bounds[random.nextInt(bounds.length)];
            String b2 = bounds[random.nextInt(bounds.length)];
            String r1 = String.valueOf(random.nextInt(30) - 15);
            String r2 = String.valueOf(random.nextInt(30) - 15);
            sequence.add(switch (random.nextInt(14)) {
                case 0, 1, 2 -> new String[] {"ZADD", "z", score, member};
                case 3 -> new String[] {"ZADD", "z", "GT", "CH", score, member, "1", "m" + random.nextInt(20)};
                case 4 -> new String[] {"ZREM", "z", member};
                case 5 -> new String[] {"ZINCRBY", "z", "0.5", member};
                case 6 -> new String[] {"ZRANGEBYSCORE", "z", b1, b2, "WITHSCORES", "LIMIT", r1.replace("-", ""), r2};
                case 7 -> new String[] {"ZREVRANGEBYSCORE", "z", b1, b2};
                case 8 -> new String[] {"ZRANGE", "z", r1, r2, "WITHSCORES"};
                case 9 -> new String[] {"ZREVRANGE", "z", r1, r2};
                case 10 -> new String[] {"ZCOUNT", "z", b1, b2};
                case 11 -> new String[] {"ZRANK", "z", member};
                case 12 -> new String[] {"ZREMRANGEBYSCORE", "z", b1, b2};
                default -> new String[] {"ZLEXCOUNT", "lex", lex[random.nextInt(lex.length)], lex[random.nextInt(lex.length)]};
            });
            if (i % 7 == 0) {
                sequence.add(new String[] {"ZADD", "lex", "0", member});
                sequence.add(new String[] {"ZRANGEBYLEX", "lex", lex[random.nextInt(lex.length)],
                        lex[random.nextInt(lex.length)], "LIMIT", "1", r2});
            }
        }
        sequence.add(new String[] {"ZRANGE", "z", "0", "-1", "WITHSCORES"});
        fronts.assertSequenceAgreesWithRedis(sequence.toArray(String[][]::new));
    }

    @Test
    void sortedSetsAreTypedScannedAndSizedAsKeys() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "1", "a"},
            {"SADD", "s", "a"},
            {"TYPE", "z"},
            {"EXPIRE", "z", "100"},
            {"TTL", "z"},
            {"ZADD", "z", "2", "b"},
            {"TTL", "z"},
            {"DEL", "z"},
            {"TYPE", "z"},
        });
    }

    @Test
    void scanWithTypeZsetFindsOnlySortedSetsInEveryStore() throws Exception {
        Pattern page = Pattern.compile("\\*2 \\[\\$\\d+ (\\d+), \\*\\d+ \\[(.*)\\]\\]");
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 2, 4}) {
                Store store = mode.create(shards, System::currentTimeMillis);
                for (String k : new String[] {"z1", "z2", "z3"}) {
                    FrontEnds.call(store, 2, "ZADD", k, "1", "a");
                }
                FrontEnds.call(store, 2, "SADD", "s", "a");
                FrontEnds.call(store, 2, "SET", "t", "v");
                TreeSet<String> found = new TreeSet<>();
                String cursor = "0";
                do {
                    Matcher m = page.matcher(FrontEnds.call(store, 2, "SCAN", cursor, "TYPE", "zset"));
                    assertTrue(m.matches(), m.toString());
                    cursor = m.group(1);
                    for (String item : m.group(2).split(", ")) {
                        if (!item.isEmpty()) {
                            found.add(item);
                        }
                    }
                } while (!cursor.equals("0"));
                assertEquals(new TreeSet<>(List.of("$2 z1", "$2 z2", "$2 z3")), found, mode + " on " + shards);
            }
        }
    }

    /** Each RESP3 reply agrees with redis-server's, on every front end and store. */
    @Test
    void answersInResp3WithDoublesAndScorePairsLikeRedis() throws Exception {
        String[][] sequence = {
            {"FLUSHALL"},
            {"ZADD", "z", "1.5", "a", "2", "b", "0.1", "c", "inf", "d", "-inf", "e"},
            {"ZSCORE", "z", "a"},
            {"ZSCORE", "z", "d"},
            {"ZSCORE", "z", "absent"},
            {"ZSCORE", "absent", "a"},
            {"ZINCRBY", "z", "1", "a"},
            {"ZADD", "z", "INCR", "1", "a"},
            {"ZADD", "z", "NX", "INCR", "1", "a"},
            {"ZMSCORE", "z", "a", "x", "e"},
            {"ZRANK", "z", "absent"},
            {"ZRANGE", "z", "0", "-1"},
            {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
            {"ZRANGE", "z", "0", "1", "REV", "WITHSCORES"},
            {"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "1", "2"},
            {"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"},
            {"ZREVRANGE", "z", "0", "0", "WITHSCORES"},
            {"ZRANGE", "absent", "0", "-1", "WITHSCORES"},
            {"ZPOPMIN", "z"},
            {"ZPOPMIN", "z", "1"},
            {"ZPOPMAX", "z", "2"},
            {"ZPOPMAX", "z", "0"},
            {"ZPOPMIN", "absent"},
            {"ZPOPMIN", "absent", "2"},
            {"ZADD", "r", "1", "a", "2", "b"},
            {"ZRANDMEMBER", "r", "5", "WITHSCORES"},
            {"ZRANDMEMBER", "r", "2"},
        };
        List<String> expected = new ArrayList<>();
        try (RawResp reference = new RawResp(fronts.redisPort())) {
            reference.call("HELLO", "3");
            for (String[] command : sequence) {
                expected.add(reference.call(command));
            }
        }
        assertTrue(expected.get(2).startsWith(",") && expected.get(12).contains("*2"),
                "the sequence reaches RESP3 doubles and nested pairs: " + expected);
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                client.call("HELLO", "3");
                for (int i = 0; i < sequence.length; i++) {
                    FrontEnds.compare(front.getKey(), client.call(sequence[i]), expected.get(i), sequence[i],
                            mismatches);
                }
            }
        }
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 2, 4}) {
                Store store = mode.create(shards, System::currentTimeMillis);
                for (int i = 0; i < sequence.length; i++) {
                    FrontEnds.compare("store " + mode.name().toLowerCase() + " on " + shards,
                            FrontEnds.call(store, 3, sequence[i]), expected.get(i), sequence[i], mismatches);
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " RESP3 replies differ from redis-server's:\n"
                + String.join("\n", mismatches));
    }
}
