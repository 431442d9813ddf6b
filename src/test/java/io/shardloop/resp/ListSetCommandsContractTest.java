package io.shardloop.resp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LPUSHX and RPUSHX held against redis-server's replies
 * on every front end and store, in the cases Redis's own list tests cover.
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
}
