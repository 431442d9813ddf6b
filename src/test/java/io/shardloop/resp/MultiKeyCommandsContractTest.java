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

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands over several keys that cannot be split (RENAME, COPY, MSETNX, SMOVE, the set and
 * sorted-set algebra and its STORE forms, LMOVE, LMPOP, ZRANGESTORE, ZMPOP) answer as redis-server
 * 7.0 does, on every front end and store: normal cases, options, missing keys, wrong types, the same
 * key twice, empty results deleting the destination, deadlines kept or cleared, and Redis's errors.
 * Each sequence runs twice: with every key sharing the hash tag {t}, so that a command's keys have
 * one owner at every shard count, and without it, so that they live on several shards and the
 * command runs as a transaction over them (its values gathered on one shard, its changes given back).
 * Sets reply in an order of their own, so set results are checked one member at a time.
 */
class MultiKeyCommandsContractTest {
    private static void agree(String[][] sequence) throws Exception {
        fronts.assertSequenceAgreesWithRedis(sequence);
        String[][] spread = new String[sequence.length][];
        for (int i = 0; i < sequence.length; i++) {
            spread[i] = new String[sequence[i].length];
            for (int j = 0; j < sequence[i].length; j++) {
                spread[i][j] = sequence[i][j].replace("{t}", "");
            }
        }
        fronts.assertSequenceAgreesWithRedis(spread);
    }

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
    void renameMovesTheValueAndItsDeadline() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"SET", "{t}a", "1"},
            {"EXPIRE", "{t}a", "1000"},
            {"RENAME", "{t}a", "{t}b"},
            {"EXISTS", "{t}a"},
            {"GET", "{t}b"},
            {"TTL", "{t}b"},
            {"RENAME", "{t}b", "{t}b"},
            {"TTL", "{t}b"},
            {"RENAME", "{t}missing", "{t}c"},
            {"RENAME", "{t}missing", "{t}missing"},
            {"RPUSH", "{t}l", "x", "y"},
            {"RENAME", "{t}l", "{t}b"},
            {"TYPE", "{t}b"},
            {"TTL", "{t}b"},
            {"LRANGE", "{t}b", "0", "-1"},
            {"RENAMENX", "{t}b", "{t}b"},
            {"RENAMENX", "{t}missing", "{t}b"},
            {"SET", "{t}s", "v"},
            {"RENAMENX", "{t}s", "{t}b"},
            {"GET", "{t}s"},
            {"RENAMENX", "{t}s", "{t}n"},
            {"GET", "{t}n"},
            {"EXISTS", "{t}s"},
            {"RENAME", "{t}n"},
            {"RENAMENX", "{t}n", "{t}m", "{t}o"},
        });
    }

    @Test
    void copyDuplicatesEveryTypeWithItsDeadline() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"SET", "{t}str", "hello"},
            {"EXPIRE", "{t}str", "1000"},
            {"COPY", "{t}str", "{t}str2"},
            {"GET", "{t}str2"},
            {"TTL", "{t}str2"},
            {"APPEND", "{t}str2", "!"},
            {"GET", "{t}str"},
            {"HSET", "{t}h", "f", "1", "g", "2"},
            {"COPY", "{t}h", "{t}h2"},
            {"HINCRBY", "{t}h2", "f", "10"},
            {"HGET", "{t}h", "f"},
            {"HGET", "{t}h2", "f"},
            {"TTL", "{t}h2"},
            {"RPUSH", "{t}l", "a", "b", "c"},
            {"COPY", "{t}l", "{t}l2"},
            {"LSET", "{t}l2", "0", "z"},
            {"LRANGE", "{t}l", "0", "-1"},
            {"LRANGE", "{t}l2", "0", "-1"},
            {"SADD", "{t}s", "m", "n"},
            {"COPY", "{t}s", "{t}s2"},
            {"SREM", "{t}s2", "m"},
            {"SMISMEMBER", "{t}s", "m", "n"},
            {"SMISMEMBER", "{t}s2", "m", "n"},
            {"ZADD", "{t}z", "1", "a", "2", "b"},
            {"COPY", "{t}z", "{t}z2"},
            {"ZINCRBY", "{t}z2", "5", "a"},
            {"ZRANGE", "{t}z", "0", "-1", "WITHSCORES"},
            {"ZRANGE", "{t}z2", "0", "-1", "WITHSCORES"},
            {"COPY", "{t}z", "{t}s"},
            {"TYPE", "{t}s"},
            {"COPY", "{t}z", "{t}s", "REPLACE"},
            {"TYPE", "{t}s"},
            {"COPY", "{t}str", "{t}z", "replace", "DB", "0"},
            {"TTL", "{t}z"},
            {"COPY", "{t}missing", "{t}x"},
            {"EXISTS", "{t}x"},
            {"COPY", "{t}str", "{t}str"},
            {"COPY", "{t}missing", "{t}missing"},
            {"COPY", "{t}str", "{t}x", "DB", "notanumber"},
            {"COPY", "{t}str", "{t}x", "DB", "99999999999"},
            {"COPY", "{t}str", "{t}x", "DB", "16"},
            {"COPY", "{t}str", "{t}x", "DB", "-1"},
            {"COPY", "{t}str", "{t}x", "DB"},
            {"COPY", "{t}str", "{t}x", "BOGUS"},
            {"COPY", "{t}str"},
        });
    }

    @Test
    void msetnxSetsAllOrNone() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"SET", "{t}b", "old"},
            {"EXPIRE", "{t}b", "1000"},
            {"MSETNX", "{t}a", "1", "{t}b", "2"},
            {"EXISTS", "{t}a"},
            {"GET", "{t}b"},
            {"MSETNX", "{t}a", "1", "{t}c", "3"},
            {"MGET", "{t}a", "{t}c"},
            {"MSETNX", "{t}d", "1", "{t}d", "2"},
            {"GET", "{t}d"},
            {"MSETNX", "{t}e", "1", "{t}f"},
            {"MSETNX", "{t}e"},
        });
    }

    @Test
    void smoveMovesOneMember() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"SADD", "{t}a", "x", "y"},
            {"SMOVE", "{t}a", "{t}b", "x"},
            {"SMEMBERS", "{t}b"},
            {"SMEMBERS", "{t}a"},
            {"TTL", "{t}b"},
            {"SMOVE", "{t}a", "{t}b", "absent"},
            {"SADD", "{t}b", "y"},
            {"EXPIRE", "{t}b", "1000"},
            {"SMOVE", "{t}a", "{t}b", "y"},
            {"EXISTS", "{t}a"},
            {"SCARD", "{t}b"},
            {"TTL", "{t}b"},
            {"SMOVE", "{t}b", "{t}b", "x"},
            {"SMOVE", "{t}b", "{t}b", "absent"},
            {"SCARD", "{t}b"},
            {"SMOVE", "{t}missing", "{t}b", "x"},
            {"SET", "{t}str", "v"},
            {"SMOVE", "{t}missing", "{t}str", "x"},
            {"SMOVE", "{t}b", "{t}str", "x"},
            {"SMOVE", "{t}str", "{t}b", "x"},
            {"SCARD", "{t}b"},
            {"SMOVE", "{t}b", "{t}c"},
        });
    }

    @Test
    void setAlgebraReadsAndStores() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"SADD", "{t}a", "1", "2", "3", "x"},
            {"SADD", "{t}b", "2", "3", "4", "x"},
            {"SADD", "{t}c", "3", "5", "y"},
            {"SINTER", "{t}a", "{t}b", "{t}c"},
            {"SINTER", "{t}a", "{t}b", "{t}missing"},
            {"SINTER", "{t}missing"},
            {"SINTER", "{t}a", "{t}a", "{t}c"},
            {"SINTERSTORE", "{t}d", "{t}a", "{t}b"},
            {"SMISMEMBER", "{t}d", "1", "2", "3", "4", "x"},
            {"SCARD", "{t}d"},
            {"SUNION", "{t}missing", "{t}missing2"},
            {"SUNIONSTORE", "{t}u", "{t}a", "{t}b", "{t}c", "{t}missing"},
            {"SCARD", "{t}u"},
            {"SMISMEMBER", "{t}u", "1", "2", "3", "4", "5", "x", "y", "z"},
            {"SDIFF", "{t}a", "{t}b", "{t}c"},
            {"SDIFF", "{t}a", "{t}a"},
            {"SDIFF", "{t}missing", "{t}a"},
            {"SDIFFSTORE", "{t}df", "{t}c", "{t}a"},
            {"SMISMEMBER", "{t}df", "3", "5", "x", "y"},
            {"SDIFFSTORE", "{t}df", "{t}a", "{t}missing"},
            {"SCARD", "{t}df"},
            {"SET", "{t}str", "v"},
            {"EXPIRE", "{t}d", "1000"},
            {"SINTERSTORE", "{t}d", "{t}a", "{t}b"},
            {"TTL", "{t}d"},
            {"EXPIRE", "{t}d", "1000"},
            {"SINTERSTORE", "{t}d", "{t}a", "{t}missing"},
            {"EXISTS", "{t}d"},
            {"SUNIONSTORE", "{t}str", "{t}missing"},
            {"EXISTS", "{t}str"},
            {"SET", "{t}str", "v"},
            {"SDIFFSTORE", "{t}str", "{t}a", "{t}a"},
            {"EXISTS", "{t}str"},
            {"SINTERSTORE", "{t}a", "{t}a", "{t}c"},
            {"SMISMEMBER", "{t}a", "1", "3", "x"},
            {"SET", "{t}str", "v"},
            {"SINTER", "{t}a", "{t}str"},
            {"SINTER", "{t}missing", "{t}str"},
            {"SUNION", "{t}a", "{t}str"},
            {"SDIFF", "{t}a", "{t}str"},
            {"SDIFF", "{t}missing", "{t}str"},
            {"SINTERSTORE", "{t}d", "{t}str"},
            {"SUNIONSTORE", "{t}d", "{t}str"},
            {"SDIFFSTORE", "{t}d", "{t}a", "{t}str"},
            {"SINTERSTORE", "{t}str", "{t}a"},
            {"TYPE", "{t}str"},
            {"SINTER"},
            {"SINTERSTORE", "{t}d"},
        });
    }

    @Test
    void sintercardCountsUpToItsLimit() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"SADD", "{t}a", "1", "2", "3", "4", "5"},
            {"SADD", "{t}b", "2", "3", "4", "5", "6"},
            {"SINTERCARD", "2", "{t}a", "{t}b"},
            {"SINTERCARD", "2", "{t}a", "{t}b", "LIMIT", "2"},
            {"SINTERCARD", "2", "{t}a", "{t}b", "limit", "0"},
            {"SINTERCARD", "2", "{t}a", "{t}b", "LIMIT", "100"},
            {"SINTERCARD", "1", "{t}a"},
            {"SINTERCARD", "2", "{t}a", "{t}missing"},
            {"SINTERCARD", "0", "{t}a"},
            {"SINTERCARD", "-1", "{t}a"},
            {"SINTERCARD", "x", "{t}a"},
            {"SINTERCARD", "3", "{t}a", "{t}b"},
            {"SINTERCARD", "2", "{t}a", "{t}b", "LIMIT", "-1"},
            {"SINTERCARD", "2", "{t}a", "{t}b", "LIMIT", "x"},
            {"SINTERCARD", "2", "{t}a", "{t}b", "LIMIT"},
            {"SINTERCARD", "1", "{t}a", "{t}b"},
            {"SET", "{t}str", "v"},
            {"SINTERCARD", "2", "{t}a", "{t}str"},
            {"SINTERCARD", "2", "{t}str", "{t}a", "LIMIT", "-1"},
            {"SINTERCARD", "1"},
        });
    }

    @Test
    void lmoveAndRpoplpushMoveOneElement() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "{t}a", "1", "2", "3"},
            {"LMOVE", "{t}a", "{t}b", "LEFT", "RIGHT"},
            {"LMOVE", "{t}a", "{t}b", "RIGHT", "LEFT"},
            {"LRANGE", "{t}b", "0", "-1"},
            {"TTL", "{t}b"},
            {"EXPIRE", "{t}b", "1000"},
            {"LMOVE", "{t}a", "{t}b", "left", "left"},
            {"EXISTS", "{t}a"},
            {"LRANGE", "{t}b", "0", "-1"},
            {"TTL", "{t}b"},
            {"LMOVE", "{t}b", "{t}b", "LEFT", "RIGHT"},
            {"LRANGE", "{t}b", "0", "-1"},
            {"LMOVE", "{t}b", "{t}b", "RIGHT", "RIGHT"},
            {"LRANGE", "{t}b", "0", "-1"},
            {"RPUSH", "{t}one", "x"},
            {"LMOVE", "{t}one", "{t}one", "LEFT", "RIGHT"},
            {"LRANGE", "{t}one", "0", "-1"},
            {"RPOPLPUSH", "{t}b", "{t}c"},
            {"RPOPLPUSH", "{t}b", "{t}b"},
            {"LRANGE", "{t}b", "0", "-1"},
            {"LRANGE", "{t}c", "0", "-1"},
            {"LMOVE", "{t}missing", "{t}b", "LEFT", "RIGHT"},
            {"RPOPLPUSH", "{t}missing", "{t}b"},
            {"SET", "{t}str", "v"},
            {"LMOVE", "{t}str", "{t}b", "LEFT", "RIGHT"},
            {"LMOVE", "{t}b", "{t}str", "LEFT", "RIGHT"},
            {"RPOPLPUSH", "{t}b", "{t}str"},
            {"LMOVE", "{t}missing", "{t}str", "LEFT", "RIGHT"},
            {"LRANGE", "{t}b", "0", "-1"},
            {"LMOVE", "{t}b", "{t}c", "UP", "RIGHT"},
            {"LMOVE", "{t}b", "{t}c", "LEFT", "DOWN"},
            {"LMOVE", "{t}missing", "{t}c", "UP", "RIGHT"},
            {"LMOVE", "{t}b", "{t}c", "LEFT"},
            {"RPOPLPUSH", "{t}b"},
        });
    }

    @Test
    void lmpopPopsFromTheFirstListFound() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "{t}b", "1", "2", "3", "4"},
            {"LMPOP", "2", "{t}a", "{t}b", "LEFT"},
            {"LMPOP", "2", "{t}a", "{t}b", "RIGHT", "COUNT", "2"},
            {"LMPOP", "1", "{t}b", "left", "count", "10"},
            {"EXISTS", "{t}b"},
            {"LMPOP", "2", "{t}a", "{t}b", "LEFT"},
            {"SET", "{t}str", "v"},
            {"RPUSH", "{t}c", "x"},
            {"LMPOP", "2", "{t}str", "{t}c", "LEFT"},
            {"LMPOP", "2", "{t}c", "{t}str", "LEFT"},
            {"LMPOP", "2", "{t}a", "{t}str", "LEFT"},
            {"LMPOP", "0", "{t}c", "LEFT"},
            {"LMPOP", "-1", "{t}c", "LEFT"},
            {"LMPOP", "x", "{t}c", "LEFT"},
            {"LMPOP", "3", "{t}c", "LEFT"},
            {"LMPOP", "1", "{t}c", "UP"},
            {"LMPOP", "1", "{t}c", "LEFT", "COUNT", "0"},
            {"LMPOP", "1", "{t}c", "LEFT", "COUNT", "-1"},
            {"LMPOP", "1", "{t}c", "LEFT", "COUNT", "x"},
            {"LMPOP", "1", "{t}c", "LEFT", "COUNT"},
            {"LMPOP", "1", "{t}c", "LEFT", "COUNT", "1", "COUNT", "1"},
            {"LMPOP", "1", "{t}c", "LEFT", "BOGUS"},
            {"LRANGE", "{t}c", "0", "-1"},
            {"LMPOP", "1", "{t}c"},
        });
    }

    @Test
    void zsetAlgebraWithWeightsAggregatesAndPlainSets() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "{t}a", "1", "x", "2", "y", "3", "z"},
            {"ZADD", "{t}b", "10", "y", "20", "z", "30", "w"},
            {"SADD", "{t}s", "z", "w", "v"},
            {"ZUNION", "2", "{t}a", "{t}b"},
            {"ZUNION", "2", "{t}a", "{t}b", "WITHSCORES"},
            {"ZUNION", "3", "{t}a", "{t}b", "{t}s", "WEIGHTS", "1", "2", "0.5", "WITHSCORES"},
            {"ZUNION", "2", "{t}a", "{t}b", "AGGREGATE", "MIN", "WITHSCORES"},
            {"ZUNION", "2", "{t}a", "{t}b", "aggregate", "max", "withscores"},
            {"ZUNION", "2", "{t}a", "{t}missing", "WITHSCORES"},
            {"ZUNION", "1", "{t}missing"},
            {"ZINTER", "2", "{t}a", "{t}b", "WITHSCORES"},
            {"ZINTER", "3", "{t}a", "{t}b", "{t}s", "WITHSCORES"},
            {"ZINTER", "2", "{t}a", "{t}b", "WEIGHTS", "2", "3", "AGGREGATE", "MAX", "WITHSCORES"},
            {"ZINTER", "2", "{t}a", "{t}a", "WITHSCORES"},
            {"ZINTER", "2", "{t}a", "{t}missing"},
            {"ZDIFF", "2", "{t}a", "{t}b", "WITHSCORES"},
            {"ZDIFF", "2", "{t}b", "{t}s", "WITHSCORES"},
            {"ZDIFF", "2", "{t}s", "{t}a", "WITHSCORES"},
            {"ZDIFF", "2", "{t}a", "{t}a"},
            {"ZDIFF", "1", "{t}missing"},
            {"ZDIFF", "2", "{t}a", "{t}missing", "WITHSCORES"},
            {"ZADD", "{t}inf", "inf", "x", "-inf", "y"},
            {"ZADD", "{t}ninf", "-inf", "x", "inf", "y"},
            {"ZUNION", "2", "{t}inf", "{t}ninf", "WITHSCORES"},
            {"ZUNION", "2", "{t}inf", "{t}a", "WEIGHTS", "0", "1", "WITHSCORES"},
            {"ZINTER", "2", "{t}inf", "{t}ninf", "WITHSCORES"},
            {"ZUNION", "2", "{t}a", "{t}b", "WEIGHTS", "inf", "-inf", "WITHSCORES"},
            {"ZINTERCARD", "2", "{t}a", "{t}b"},
            {"ZINTERCARD", "2", "{t}a", "{t}b", "LIMIT", "1"},
            {"ZINTERCARD", "2", "{t}a", "{t}b", "LIMIT", "0"},
            {"ZINTERCARD", "3", "{t}a", "{t}b", "{t}s"},
            {"ZINTERCARD", "2", "{t}a", "{t}missing"},
        });
    }

    @Test
    void zsetAlgebraStoresWithoutDeadlinesAndDeletesOnEmpty() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "{t}a", "1", "x", "2", "y", "3", "z"},
            {"ZADD", "{t}b", "10", "y", "20", "z", "30", "w"},
            {"SADD", "{t}s", "z", "w", "v"},
            {"ZUNIONSTORE", "{t}d", "2", "{t}a", "{t}b"},
            {"ZRANGE", "{t}d", "0", "-1", "WITHSCORES"},
            {"EXPIRE", "{t}d", "1000"},
            {"ZINTERSTORE", "{t}d", "3", "{t}a", "{t}b", "{t}s", "WEIGHTS", "1", "1", "100"},
            {"ZRANGE", "{t}d", "0", "-1", "WITHSCORES"},
            {"TTL", "{t}d"},
            {"ZDIFFSTORE", "{t}d", "2", "{t}b", "{t}a"},
            {"ZRANGE", "{t}d", "0", "-1", "WITHSCORES"},
            {"ZUNIONSTORE", "{t}a", "2", "{t}a", "{t}s", "AGGREGATE", "MAX"},
            {"ZRANGE", "{t}a", "0", "-1", "WITHSCORES"},
            {"EXPIRE", "{t}d", "1000"},
            {"ZINTERSTORE", "{t}d", "2", "{t}a", "{t}missing"},
            {"EXISTS", "{t}d"},
            {"SET", "{t}str", "v"},
            {"ZDIFFSTORE", "{t}str", "2", "{t}a", "{t}a"},
            {"EXISTS", "{t}str"},
            {"SET", "{t}str", "v"},
            {"ZUNIONSTORE", "{t}str", "1", "{t}b"},
            {"TYPE", "{t}str"},
            {"ZUNIONSTORE", "{t}d", "1", "{t}str"},
        });
    }

    @Test
    void zsetAlgebraAnswersRedisErrors() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "{t}a", "1", "x"},
            {"ZADD", "{t}b", "2", "x"},
            {"SET", "{t}str", "v"},
            {"ZUNION", "0", "{t}a"},
            {"ZINTER", "-1", "{t}a"},
            {"ZDIFF", "x", "{t}a"},
            {"ZINTERCARD", "0", "{t}a"},
            {"ZUNIONSTORE", "{t}d", "0", "{t}a"},
            {"ZDIFFSTORE", "{t}d", "0", "{t}a"},
            {"ZINTERSTORE", "{t}d", "x", "{t}a"},
            {"ZUNION", "3", "{t}a", "{t}b"},
            {"ZINTERSTORE", "{t}d", "3", "{t}a", "{t}b"},
            {"ZUNION", "2", "{t}a", "{t}str"},
            {"ZINTER", "2", "{t}str", "{t}a", "BOGUS"},
            {"ZUNION", "2", "{t}a", "{t}b", "WEIGHTS", "1"},
            {"ZUNION", "2", "{t}a", "{t}b", "WEIGHTS", "1", "x"},
            {"ZUNION", "2", "{t}a", "{t}b", "WEIGHTS", "1", "nan"},
            {"ZUNION", "2", "{t}a", "{t}b", "WEIGHTS", "1", "2", "3"},
            {"ZUNION", "2", "{t}a", "{t}b", "AGGREGATE", "AVG"},
            {"ZUNION", "2", "{t}a", "{t}b", "AGGREGATE"},
            {"ZUNIONSTORE", "{t}d", "2", "{t}a", "{t}b", "WITHSCORES"},
            {"ZDIFF", "2", "{t}a", "{t}b", "WEIGHTS", "1", "1"},
            {"ZDIFF", "2", "{t}a", "{t}b", "AGGREGATE", "MIN"},
            {"ZINTERCARD", "2", "{t}a", "{t}b", "WITHSCORES"},
            {"ZINTERCARD", "2", "{t}a", "{t}b", "WEIGHTS", "1", "1"},
            {"ZINTERCARD", "2", "{t}a", "{t}b", "LIMIT", "-1"},
            {"ZINTERCARD", "2", "{t}a", "{t}b", "LIMIT", "x"},
            {"ZINTERCARD", "2", "{t}a", "{t}b", "LIMIT"},
            {"ZINTER", "2", "{t}a", "{t}b", "LIMIT", "1"},
            {"EXISTS", "{t}d"},
            {"ZUNION", "1"},
            {"ZUNIONSTORE", "{t}d", "1"},
        });
    }

    @Test
    void zrangestoreStoresEveryRangeForm() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "{t}src", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
            {"ZRANGESTORE", "{t}d", "{t}src", "1", "3"},
            {"ZRANGE", "{t}d", "0", "-1", "WITHSCORES"},
            {"ZRANGESTORE", "{t}d", "{t}src", "0", "1", "REV"},
            {"ZRANGE", "{t}d", "0", "-1", "WITHSCORES"},
            {"ZRANGESTORE", "{t}d", "{t}src", "(1", "4", "BYSCORE"},
            {"ZRANGE", "{t}d", "0", "-1", "WITHSCORES"},
            {"ZRANGESTORE", "{t}d", "{t}src", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"},
            {"ZRANGE", "{t}d", "0", "-1", "WITHSCORES"},
            {"ZADD", "{t}lex", "0", "a", "0", "b", "0", "c", "0", "d"},
            {"ZRANGESTORE", "{t}d", "{t}lex", "[b", "+", "BYLEX"},
            {"ZRANGE", "{t}d", "0", "-1", "WITHSCORES"},
            {"ZRANGESTORE", "{t}d", "{t}lex", "+", "-", "BYLEX", "REV", "LIMIT", "0", "2"},
            {"ZRANGE", "{t}d", "0", "-1", "WITHSCORES"},
            {"EXPIRE", "{t}d", "1000"},
            {"ZRANGESTORE", "{t}d", "{t}src", "0", "0"},
            {"TTL", "{t}d"},
            {"ZRANGESTORE", "{t}d", "{t}src", "10", "20"},
            {"EXISTS", "{t}d"},
            {"SET", "{t}d", "v"},
            {"ZRANGESTORE", "{t}d", "{t}missing", "0", "-1"},
            {"EXISTS", "{t}d"},
            {"ZRANGESTORE", "{t}src", "{t}src", "0", "1"},
            {"ZRANGE", "{t}src", "0", "-1", "WITHSCORES"},
            {"SET", "{t}str", "v"},
            {"ZRANGESTORE", "{t}d", "{t}str", "0", "-1"},
            {"ZRANGESTORE", "{t}str", "{t}src", "0", "-1"},
            {"TYPE", "{t}str"},
            {"ZRANGESTORE", "{t}d", "{t}src", "0", "-1", "WITHSCORES"},
            {"ZRANGESTORE", "{t}d", "{t}src", "0", "-1", "LIMIT", "0", "1"},
            {"ZRANGESTORE", "{t}d", "{t}src", "x", "1", "BYSCORE"},
            {"ZRANGESTORE", "{t}d", "{t}src", "x", "1"},
            {"ZRANGESTORE", "{t}d", "{t}src", "a", "b", "BYLEX"},
            {"ZRANGESTORE", "{t}d", "{t}src", "0", "1", "BYSCORE", "BYLEX"},
            {"ZRANGESTORE", "{t}d", "{t}src", "0"},
        });
    }

    @Test
    void zmpopPopsFromTheFirstSortedSetFound() throws Exception {
        agree(new String[][] {
            {"FLUSHALL"},
            {"ZADD", "{t}b", "1", "a", "2", "b", "3", "c", "4", "d"},
            {"ZMPOP", "2", "{t}a", "{t}b", "MIN"},
            {"ZMPOP", "2", "{t}a", "{t}b", "MAX", "COUNT", "2"},
            {"ZMPOP", "1", "{t}b", "min", "count", "10"},
            {"EXISTS", "{t}b"},
            {"ZMPOP", "2", "{t}a", "{t}b", "MIN"},
            {"SET", "{t}str", "v"},
            {"ZADD", "{t}c", "1", "x"},
            {"ZMPOP", "2", "{t}str", "{t}c", "MIN"},
            {"ZMPOP", "2", "{t}a", "{t}str", "MAX"},
            {"ZMPOP", "0", "{t}c", "MIN"},
            {"ZMPOP", "-1", "{t}c", "MIN"},
            {"ZMPOP", "x", "{t}c", "MIN"},
            {"ZMPOP", "3", "{t}c", "MIN"},
            {"ZMPOP", "1", "{t}c", "LEFT"},
            {"ZMPOP", "1", "{t}c", "MIN", "COUNT", "0"},
            {"ZMPOP", "1", "{t}c", "MIN", "COUNT", "x"},
            {"ZMPOP", "1", "{t}c", "MIN", "COUNT"},
            {"ZMPOP", "1", "{t}c", "MIN", "COUNT", "1", "COUNT", "1"},
            {"ZMPOP", "1", "{t}c", "MIN", "BOGUS"},
            {"ZMPOP", "2", "{t}c", "{t}str", "MIN"},
            {"ZMPOP", "1", "{t}c"},
        });
    }

    /** RESP3's own types: sets for SINTER and friends, nested score pairs, nulls for the pops. */
    @Test
    void answersInResp3LikeRedis() throws Exception {
        String[][] sequence = {
            {"FLUSHALL"},
            {"SADD", "{t}a", "1", "2"},
            {"SADD", "{t}b", "2", "3"},
            {"SINTER", "{t}a", "{t}b"},
            {"SINTER", "{t}a", "{t}missing"},
            {"SUNION", "{t}missing"},
            {"SDIFF", "{t}a", "{t}b"},
            {"ZADD", "{t}z", "1", "x", "2.5", "y"},
            {"ZUNION", "2", "{t}z", "{t}a", "WITHSCORES"},
            {"ZINTER", "1", "{t}z", "WITHSCORES"},
            {"ZDIFF", "1", "{t}z", "WITHSCORES"},
            {"ZUNION", "1", "{t}z"},
            {"ZMPOP", "1", "{t}z", "MIN", "COUNT", "5"},
            {"ZMPOP", "1", "{t}z", "MIN"},
            {"RPUSH", "{t}l", "p", "q"},
            {"LMPOP", "1", "{t}l", "RIGHT", "COUNT", "5"},
            {"LMPOP", "1", "{t}l", "RIGHT"},
            {"LMOVE", "{t}l", "{t}m", "LEFT", "LEFT"},
            {"RENAMENX", "{t}a", "{t}c"},
            {"COPY", "{t}c", "{t}d"},
        };
        List<String> expected = new ArrayList<>();
        try (RawResp reference = new RawResp(fronts.redisPort())) {
            reference.call("HELLO", "3");
            for (String[] command : sequence) {
                expected.add(reference.call(command));
            }
        }
        assertTrue(expected.get(3).startsWith("~1") && expected.get(13).equals("_"),
                "the sequence reaches RESP3 sets and nulls: " + expected);
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
