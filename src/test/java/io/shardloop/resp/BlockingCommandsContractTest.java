package io.shardloop.resp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The blocking commands answer as redis-server 7.0 does where no client has to wait: an element
 * there, Redis's errors (the timeout's first), tiny timeouts that run out, and inside a MULTI,
 * where they do not block. Keys of several shards in one command on the sharded fronts.
 */
class BlockingCommandsContractTest {
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
    void listsServeAtOnceWhenAnElementIsThere() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "a", "1", "2", "3"},
            {"RPUSH", "c", "x"},
            {"BLPOP", "missing", "a", "c", "0"},
            {"BRPOP", "missing", "a", "0"},
            {"BRPOP", "c", "a", "1"},
            {"BLPOP", "c", "a", "0.5"},
            {"EXISTS", "c", "a"},
            {"RPUSH", "a", "1", "2", "3"},
            {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"},
            {"BLMOVE", "a", "b", "right", "left", "0"},
            {"BRPOPLPUSH", "a", "b", "0"},
            {"LRANGE", "b", "0", "-1"},
            {"BRPOPLPUSH", "b", "b", "0"},
            {"LRANGE", "b", "0", "-1"},
            {"BLMPOP", "0", "2", "missing", "b", "LEFT"},
            {"RPUSH", "m", "1", "2", "3", "4"},
            {"BLMPOP", "0", "2", "missing", "m", "RIGHT", "COUNT", "3"},
            {"BLMPOP", "0", "1", "m", "LEFT", "COUNT", "10"},
            {"EXISTS", "m"},
        });
    }

    @Test
    void sortedSetsServeAtOnceWhenAMemberIsThere() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "z", "1", "a", "2", "b", "3", "c", "1.5", "d", "4", "e", "-1", "f"},
            {"BZPOPMIN", "missing", "z", "0"},
            {"BZPOPMAX", "missing", "z", "0"},
            {"BZMPOP", "0", "2", "missing", "z", "MIN", "COUNT", "2"},
            {"BZMPOP", "0", "1", "z", "MAX"},
            {"EXISTS", "z"},
        });
    }

    @Test
    void errorsAreRedisesAndTheTimeoutIsCheckedFirst() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "s", "x"},
            {"RPUSH", "l", "1"},
            {"BLPOP", "s", "0"},
            {"BLPOP", "missing", "s", "l", "0"},
            {"BLPOP", "l", "abc"},
            {"BLPOP", "l", "-1"},
            {"BLPOP", "l", "1e18"},
            {"BLPOP", "s", "nan"},
            {"BLPOP", "l"},
            {"BRPOP", "s", "x", "-0.5"},
            {"BLMOVE", "l", "d", "UP", "LEFT", "0"},
            {"BLMOVE", "l", "d", "LEFT", "LEFT", "abc"},
            {"BLMOVE", "s", "d", "LEFT", "LEFT", "0"},
            {"BLMOVE", "l", "s", "LEFT", "LEFT", "0"},
            {"BRPOPLPUSH", "l", "d", "-1"},
            {"BLMPOP", "abc", "1", "l", "LEFT"},
            {"BLMPOP", "0", "0", "l", "LEFT"},
            {"BLMPOP", "0", "5", "l", "LEFT"},
            {"BLMPOP", "0", "1", "l", "MIDDLE"},
            {"BLMPOP", "-1", "1", "l", "LEFT", "COUNT", "0"},
            {"BLMPOP", "-1", "1", "l", "LEFT"},
            {"BZPOPMIN", "l", "0"},
            {"BZPOPMAX", "z", "x1"},
            {"BZMPOP", "0", "1", "z", "LEFT"},
            {"BZMPOP", "x", "1", "z", "MIN"},
            {"BZMPOP", "0", "1", "l", "MIN"},
        });
    }

    @Test
    void aTimeoutThatRunsOutAnswersANullArray() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"BLPOP", "a", "b", "0.01"},
            {"BRPOP", "a", "0.01"},
            {"BLMOVE", "a", "b", "LEFT", "LEFT", "0.01"},
            {"BRPOPLPUSH", "a", "b", "0.01"},
            {"BLMPOP", "0.01", "2", "a", "b", "LEFT"},
            {"BZPOPMIN", "z", "0.01"},
            {"BZPOPMAX", "z", "y", "0.01"},
            {"BZMPOP", "0.01", "1", "z", "MAX", "COUNT", "2"},
            {"SET", "after", "1"},
            {"GET", "after"},
        }, false);
    }

    @Test
    void insideAMultiTheyDoNotBlock() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "l", "1"},
            {"MULTI"},
            {"BLPOP", "l", "0"},
            {"BLPOP", "l", "0"},
            {"BRPOP", "l", "0"},
            {"BLMOVE", "l", "d", "LEFT", "LEFT", "0"},
            {"BRPOPLPUSH", "l", "d", "0"},
            {"BLMPOP", "0", "1", "l", "LEFT"},
            {"BZPOPMIN", "z", "0"},
            {"BZMPOP", "0", "1", "z", "MIN"},
            {"RPUSH", "l", "2"},
            {"BLMOVE", "l", "d", "LEFT", "LEFT", "0"},
            {"EXEC"},
            {"LRANGE", "d", "0", "-1"},
        }, false);
    }

    @Test
    void scriptsMayNotCallThoseRedisMarksNoscript() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "l", "1", "2"},
            {"EVAL", "return redis.pcall('blpop', KEYS[1], 0)", "1", "l"},
            {"EVAL", "return redis.call('blmpop', 0, 1, KEYS[1], 'LEFT')", "1", "l"},
            {"EVAL", "return redis.call('blmpop', 0, 1, KEYS[1], 'LEFT')", "1", "l"},
        }, false);
    }

    @Test
    void clientUnblockOfAClientNotBlockedAnswersZero() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"CLIENT", "UNBLOCK", "999999"},
            {"CLIENT", "UNBLOCK", "abc"},
            {"CLIENT", "UNBLOCK", "1", "maybe"},
            {"CLIENT", "UNBLOCK", "1", "TIMEOUT"},
            {"CLIENT", "UNBLOCK", "1", "error"},
            {"CLIENT", "UNBLOCK"},
            {"CLIENT", "UNBLOCK", "1", "error", "x"},
        }, false);
    }
}
