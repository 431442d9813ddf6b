package io.shardloop.resp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edge cases Redis 7.0's own tests (tests/unit/type/*.tcl, bitops.tcl, expire.tcl, keyspace.tcl)
 * hold string, bit, list, set, hash and key commands to: negative indexes, huge counts and offsets,
 * wrong types, float formatting and their error texts, on every front end and store.
 */
class ExistingCommandsEdgeCasesContractTest {
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
    void stringCommandsAtTheirEdges() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "s", "Hello World"},
            {"GETRANGE", "s", "0", "-1"}, {"GETRANGE", "s", "-5", "-1"}, {"GETRANGE", "s", "5", "3"},
            {"GETRANGE", "s", "-100", "-50"}, {"GETRANGE", "s", "0", "9223372036854775807"},
            {"GETRANGE", "s", "-9223372036854775808", "2"}, {"GETRANGE", "s", "x", "2"},
            {"GETRANGE", "nokey", "0", "-1"}, {"SUBSTR", "s", "1", "3"},
            {"SETRANGE", "s", "6", "Redis"}, {"GET", "s"},
            {"SETRANGE", "s", "20", "!"}, {"STRLEN", "s"},
            {"SETRANGE", "s", "-1", "x"}, {"SETRANGE", "s", "536870912", "x"},
            {"SETRANGE", "s", "536870911", ""}, {"SETRANGE", "nokey", "0", ""}, {"EXISTS", "nokey"},
            {"SETRANGE", "nokey", "3", "ab"}, {"GET", "nokey"},
            {"SET", "f", "10.50"},
            {"INCRBYFLOAT", "f", "0.1"}, {"INCRBYFLOAT", "f", "-5.6"}, {"INCRBYFLOAT", "f", "5.0e3"},
            {"INCRBYFLOAT", "f", "1e400"}, {"INCRBYFLOAT", "f", "abc"}, {"INCRBYFLOAT", "f", "inf"},
            {"INCRBYFLOAT", "f", " 1"}, {"INCRBYFLOAT", "newf", "3"}, {"INCRBYFLOAT", "newf", "0x10"},
            {"SET", "big", "17179869184"}, {"INCRBYFLOAT", "big", "1.5"},
            {"SET", "notnum", "12a"}, {"INCRBYFLOAT", "notnum", "1"},
            {"SET", "k", "v"},
            {"GETEX", "k"}, {"GETEX", "k", "EX", "100"}, {"TTL", "k"}, {"GETEX", "k", "PERSIST"}, {"TTL", "k"},
            {"GETEX", "k", "PX", "100000"}, {"GETEX", "k", "EX", "0"}, {"GETEX", "k", "EX", "-1"},
            {"GETEX", "k", "EX", "x"}, {"GETEX", "k", "EX"}, {"GETEX", "k", "EX", "1", "PX", "1"},
            {"GETEX", "k", "PERSIST", "EX", "1"}, {"GETEX", "k", "EXAT", "9999999999"}, {"EXPIRETIME", "k"},
            {"GETEX", "k", "EX", "9223372036854775807"}, {"GETEX", "k", "BOGUS"},
            {"GETEX", "nokey2", "EX", "10"}, {"RPUSH", "l", "a"}, {"GETEX", "l"},
            {"GETRANGE", "l", "0", "1"}, {"SETRANGE", "l", "0", "x"}, {"INCRBYFLOAT", "l", "1"},
        });
    }

    @Test
    void bitCommandsAtTheirEdges() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "7", "0"}, {"SETBIT", "b", "100", "1"},
            {"SETBIT", "b", "-1", "1"}, {"SETBIT", "b", "4294967296", "1"}, {"SETBIT", "b", "1", "2"},
            {"SETBIT", "b", "1", "x"}, {"GETBIT", "b", "100"}, {"GETBIT", "b", "10000"}, {"GETBIT", "nokey", "0"},
            {"GETBIT", "b", "-1"},
            {"SET", "s", "foobar"},
            {"BITCOUNT", "s"}, {"BITCOUNT", "s", "0", "0"}, {"BITCOUNT", "s", "1", "1"}, {"BITCOUNT", "s", "-2", "-1"},
            {"BITCOUNT", "s", "5", "30", "BIT"}, {"BITCOUNT", "s", "0", "-1", "BYTE"}, {"BITCOUNT", "s", "0"},
            {"BITCOUNT", "s", "0", "1", "BOGUS"}, {"BITCOUNT", "s", "x", "1"}, {"BITCOUNT", "nokey"},
            {"BITCOUNT", "s", "-100", "-90"},
            {"BITFIELD", "p", "SET", "u8", "0", "0", "SET", "u8", "8", "255", "SET", "u8", "16", "240"},
            {"BITPOS", "p", "1"}, {"BITPOS", "p", "0"}, {"BITPOS", "p", "1", "2"}, {"BITPOS", "p", "1", "-1"},
            {"BITPOS", "p", "0", "1", "-1"}, {"BITPOS", "p", "1", "7", "15", "BIT"}, {"BITPOS", "p", "2"},
            {"BITPOS", "nokey", "0"}, {"BITPOS", "nokey", "1"}, {"BITFIELD", "ones", "SET", "u16", "0", "65535"},
            {"BITPOS", "ones", "0"}, {"BITPOS", "ones", "0", "0", "-1"}, {"BITPOS", "ones", "0", "0", "-1", "BIT"},
            {"BITFIELD", "bf", "SET", "i8", "0", "100", "GET", "u4", "0", "INCRBY", "i8", "0", "100"},
            {"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100", "OVERFLOW", "FAIL", "INCRBY", "u2", "10", "5"},
            {"BITFIELD", "bf", "GET", "u64", "0"}, {"BITFIELD", "bf", "GET", "i64", "0"}, {"BITFIELD", "bf", "GET", "i8", "-1"},
            {"BITFIELD", "bf", "SET", "u8", "#1", "255", "GET", "u8", "8"}, {"BITFIELD", "bf", "OVERFLOW", "NOPE"},
            {"BITFIELD", "bf", "INCRBY", "u8", "0"}, {"BITFIELD", "nokey"}, {"BITFIELD_RO", "bf", "GET", "u8", "0"},
            {"BITFIELD_RO", "bf", "SET", "u8", "0", "1"},
            {"RPUSH", "l", "a"}, {"SETBIT", "l", "0", "1"}, {"BITCOUNT", "l"}, {"BITPOS", "l", "1"}, {"BITFIELD", "l", "GET", "u8", "0"},
        });
    }

    @Test
    void listCommandsAtTheirEdges() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"},
            {"LPOS", "l", "c"}, {"LPOS", "l", "c", "RANK", "2"}, {"LPOS", "l", "c", "RANK", "-1"},
            {"LPOS", "l", "c", "RANK", "-2", "COUNT", "0"}, {"LPOS", "l", "c", "COUNT", "2", "MAXLEN", "3"},
            {"LPOS", "l", "c", "RANK", "0"}, {"LPOS", "l", "c", "RANK", "-9223372036854775808"},
            {"LPOS", "l", "c", "COUNT", "-1"}, {"LPOS", "l", "c", "MAXLEN", "-1"}, {"LPOS", "l", "x", "COUNT", "0"},
            {"LPOS", "l", "c", "RANK", "10"}, {"LPOS", "l", "c", "BOGUS", "1"},
            {"LINSERT", "l", "BEFORE", "c", "zz"}, {"LINSERT", "l", "AFTER", "3", "yy"}, {"LINSERT", "l", "AFTER", "nope", "x"},
            {"LINSERT", "l", "MIDDLE", "c", "x"}, {"LINSERT", "nokey", "BEFORE", "a", "x"},
            {"LRANGE", "l", "0", "-1"},
            {"LREM", "l", "-1", "c"}, {"LREM", "l", "1", "c"}, {"LREM", "l", "0", "c"}, {"LREM", "l", "0", "nope"},
            {"LREM", "l", "x", "a"},
            {"LSET", "l", "-1", "last"}, {"LSET", "l", "100", "x"}, {"LSET", "nokey", "0", "x"}, {"LSET", "l", "x", "1"},
            {"LINDEX", "l", "-1"}, {"LINDEX", "l", "-100"}, {"LINDEX", "l", "100"}, {"LINDEX", "l", "x"},
            {"LTRIM", "l", "1", "-2"}, {"LRANGE", "l", "0", "-1"}, {"LTRIM", "l", "-100", "100"},
            {"LTRIM", "l", "5", "1"}, {"EXISTS", "l"}, {"LTRIM", "nokey", "0", "1"},
            {"SET", "s", "x"}, {"LPOS", "s", "a"}, {"LINSERT", "s", "BEFORE", "a", "b"}, {"LREM", "s", "0", "a"},
            {"LSET", "s", "0", "a"}, {"LINDEX", "s", "0"}, {"LTRIM", "s", "0", "1"},
        });
    }

    @Test
    void setAndHashCommandsAtTheirEdges() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SADD", "s", "a"},
            {"SRANDMEMBER", "s", "-5"}, {"SRANDMEMBER", "s", "5"}, {"SRANDMEMBER", "s", "0"},
            {"SRANDMEMBER", "s", "-9223372036854775808"}, {"SRANDMEMBER", "s", "x"}, {"SRANDMEMBER", "nokey", "-3"},
            {"SMISMEMBER", "s", "a", "b", "a"}, {"SMISMEMBER", "nokey", "a"},
            {"HSETNX", "h", "f", "1"}, {"HSETNX", "h", "f", "2"}, {"HGET", "h", "f"},
            {"HMSET", "h", "a", "1", "b", "2"}, {"HMSET", "h", "a"}, {"HMGET", "h", "a", "b", "nope"},
            {"HSTRLEN", "h", "a"}, {"HSTRLEN", "h", "nope"}, {"HSTRLEN", "nokey", "a"},
            {"HSET", "h", "n", "-127", "fl", "10.5", "big", "17179869184", "txt", "abc"},
            {"HSTRLEN", "h", "n"},
            {"HINCRBYFLOAT", "h", "fl", "0.1"}, {"HINCRBYFLOAT", "h", "fl", "-10.6"}, {"HINCRBYFLOAT", "h", "big", "2.5"},
            {"HINCRBYFLOAT", "h", "n", "1e300"}, {"HINCRBYFLOAT", "h", "txt", "1"}, {"HINCRBYFLOAT", "h", "fl", "x"},
            {"HINCRBYFLOAT", "h", "fl", "inf"}, {"HINCRBYFLOAT", "h", "new", "5.0e3"}, {"HINCRBYFLOAT", "h", "new", "1e400"},
            {"SET", "str", "x"}, {"SRANDMEMBER", "str"}, {"SMISMEMBER", "str", "a"}, {"HSETNX", "str", "a", "b"},
            {"HMSET", "str", "a", "b"}, {"HSTRLEN", "str", "a"}, {"HINCRBYFLOAT", "str", "a", "1"},
        });
    }

    @Test
    void keyCommandsAtTheirEdges() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "k", "v"},
            {"EXPIRETIME", "k"}, {"PEXPIRETIME", "k"}, {"EXPIRETIME", "nokey"}, {"PEXPIRETIME", "nokey"},
            {"SET", "k", "v", "EXAT", "4000000000"}, {"EXPIRETIME", "k"}, {"PEXPIRETIME", "k"},
            {"SET", "k", "v", "PXAT", "4000000000499"}, {"EXPIRETIME", "k"}, {"PEXPIRETIME", "k"},
            {"SET", "k", "v", "PXAT", "4000000000500"}, {"EXPIRETIME", "k"},
            {"TOUCH", "k", "nokey", "k"}, {"TOUCH", "nokey"},
            {"COPY", "k", "k"}, {"COPY", "k", "k2"}, {"PEXPIRETIME", "k2"}, {"COPY", "k", "k2"},
            {"COPY", "k", "k2", "REPLACE"}, {"COPY", "nokey", "k3"}, {"COPY", "k", "k3", "DB", "0"},
            {"COPY", "k", "k3", "DB", "x"}, {"COPY", "k", "k3", "BOGUS"},
            {"COPY", "k", "{t}k4", "REPLACE", "REPLACE"}, {"GET", "{t}k4"},
        });
    }
}
