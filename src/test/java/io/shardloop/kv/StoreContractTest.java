package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One contract, every state mode: replies byte for byte as Redis gives them. */
class StoreContractTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private Store store;

    private void use(StateMode mode) {
        store = mode.create(4, clock::get);
    }

    private String run(String... words) {
        BufferReplyWriter out = new BufferReplyWriter();
        store.execute(CommandArgs.of(words), out);
        return out.toString().replace("\r\n", "|");
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldSetAndGetStrings(StateMode mode) {
        use(mode);
        assertEquals("$-1|", run("GET", "k"));
        assertEquals("+OK|", run("SET", "k", "v"));
        assertEquals("$1|v|", run("get", "k"));
        assertEquals("$-1|", run("SET", "k", "w", "NX"));
        assertEquals("$1|v|", run("SET", "k", "w", "NX", "GET"));
        assertEquals("+OK|", run("SET", "k", "w", "XX"));
        assertEquals("$-1|", run("SET", "nokey", "w", "XX"));
        assertEquals("$1|w|", run("SET", "k", "x", "GET"));
        assertEquals(":0|", run("SETNX", "k", "y"));
        assertEquals(":1|", run("SETNX", "k2", "y"));
        assertEquals("$1|x|", run("GETSET", "k", "z"));
        assertEquals("$1|z|", run("GETDEL", "k"));
        assertEquals("$-1|", run("GETDEL", "k"));
        assertEquals(":1|", run("APPEND", "a", "x"));
        assertEquals(":3|", run("APPEND", "a", "yz"));
        assertEquals("$3|xyz|", run("GET", "a"));
        assertEquals(":3|", run("STRLEN", "a"));
        assertEquals(":0|", run("STRLEN", "missing"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldRejectBadSetOptions(StateMode mode) {
        use(mode);
        assertEquals("-ERR syntax error|", run("SET", "k", "v", "NX", "XX"));
        assertEquals("-ERR syntax error|", run("SET", "k", "v", "EX", "1", "PX", "5"));
        assertEquals("-ERR syntax error|", run("SET", "k", "v", "EX"));
        assertEquals("-ERR syntax error|", run("SET", "k", "v", "KEEPTTL", "EX", "5"));
        assertEquals("-ERR value is not an integer or out of range|", run("SET", "k", "v", "EX", "x"));
        assertEquals("-ERR invalid expire time in 'set' command|", run("SET", "k", "v", "EX", "0"));
        assertEquals("-ERR invalid expire time in 'set' command|", run("SET", "k", "v", "PX", "-5"));
        assertEquals("-ERR invalid expire time in 'setex' command|", run("SETEX", "k", "0", "v"));
        assertEquals("-ERR wrong number of arguments for 'set' command|", run("SET", "k"));
        assertEquals("-ERR wrong number of arguments for 'get' command|", run("GET"));
        assertEquals("-ERR wrong number of arguments for 'get' command|", run("GET", "a", "b"));
        assertEquals("-ERR unknown command 'foo', with args beginning with: 'a' |", run("foo", "a"));
        assertEquals("-ERR unknown command 'foo', with args beginning with: |", run("foo"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldCountWithIncrAndDecr(StateMode mode) {
        use(mode);
        assertEquals(":1|", run("INCR", "n"));
        assertEquals(":11|", run("INCRBY", "n", "10"));
        assertEquals(":10|", run("DECR", "n"));
        assertEquals(":-5|", run("DECRBY", "n", "15"));
        assertEquals("$2|-5|", run("GET", "n"));
        run("SET", "s", "abc");
        assertEquals("-ERR value is not an integer or out of range|", run("INCR", "s"));
        assertEquals("-ERR value is not an integer or out of range|", run("INCRBY", "n", "1.5"));
        run("SET", "big", "9223372036854775807");
        assertEquals("-ERR increment or decrement would overflow|", run("INCR", "big"));
        assertEquals("-ERR decrement would overflow|", run("DECRBY", "n", "-9223372036854775808"));
        run("RPUSH", "l", "x");
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value|", run("INCR", "l"));
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value|", run("GET", "l"));
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value|", run("APPEND", "l", "x"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldSplitAndMergeMultiKeyCommands(StateMode mode) {
        use(mode);
        assertEquals("+OK|", run("MSET", "a", "1", "b", "2", "c", "3", "{a}x", "4", "foo", "5"));
        assertEquals("*7|$1|5|$1|1|$-1|$1|3|$1|2|$1|4|$1|1|",
                run("MGET", "foo", "a", "nope", "c", "b", "{a}x", "a"));
        run("RPUSH", "list", "x");
        assertEquals("*2|$-1|$1|1|", run("MGET", "list", "a"));
        assertEquals(":4|", run("EXISTS", "a", "b", "a", "zzz", "foo"));
        assertEquals(":3|", run("DEL", "a", "b", "nope", "c"));
        assertEquals(":1|", run("UNLINK", "foo", "foo"));
        assertEquals("-ERR wrong number of arguments for 'mset' command|", run("MSET", "a", "1", "b"));
        assertEquals(":2|", run("DBSIZE"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldExpireKeysLazilyAndReportTtl(StateMode mode) {
        use(mode);
        run("SET", "k", "v", "EX", "10");
        assertEquals(":10|", run("TTL", "k"));
        assertEquals(":10000|", run("PTTL", "k"));
        clock.addAndGet(2_400);
        assertEquals(":8|", run("TTL", "k"));
        assertEquals(":7600|", run("PTTL", "k"));
        run("SET", "p", "v");
        assertEquals(":-1|", run("TTL", "p"));
        assertEquals(":-2|", run("TTL", "none"));
        clock.addAndGet(7_600);
        assertEquals("$1|v|", run("GET", "k")); // at the deadline itself the key still lives
        clock.addAndGet(1);
        assertEquals("$-1|", run("GET", "k"));
        assertEquals(":-2|", run("TTL", "k"));
        assertEquals(":0|", run("EXISTS", "k"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldChangeExpiryWithExpirePexpireAndPersist(StateMode mode) {
        use(mode);
        assertEquals(":0|", run("EXPIRE", "k", "5"));
        run("SET", "k", "v");
        assertEquals(":1|", run("EXPIRE", "k", "5"));
        assertEquals(":5000|", run("PTTL", "k"));
        assertEquals(":1|", run("PEXPIRE", "k", "1500"));
        assertEquals(":2|", run("TTL", "k"));
        assertEquals(":0|", run("EXPIRE", "k", "100", "NX"));
        assertEquals(":1|", run("EXPIRE", "k", "100", "GT"));
        assertEquals(":0|", run("EXPIRE", "k", "50", "GT"));
        assertEquals(":1|", run("EXPIRE", "k", "50", "LT"));
        assertEquals("-ERR NX and XX, GT or LT options at the same time are not compatible|",
                run("EXPIRE", "k", "5", "NX", "XX"));
        assertEquals("-ERR GT and LT options at the same time are not compatible|", run("EXPIRE", "k", "5", "GT", "LT"));
        assertEquals("-ERR Unsupported option FOO|", run("EXPIRE", "k", "5", "FOO"));
        assertEquals("-ERR value is not an integer or out of range|", run("EXPIRE", "k", "soon"));
        assertEquals(":1|", run("PERSIST", "k"));
        assertEquals(":0|", run("PERSIST", "k"));
        assertEquals(":-1|", run("TTL", "k"));
        run("SET", "k", "v", "PX", "100");
        assertEquals("+OK|", run("SET", "k", "w", "KEEPTTL"));
        assertEquals(":100|", run("PTTL", "k"));
        assertEquals("+OK|", run("SET", "k", "w"));
        assertEquals(":-1|", run("PTTL", "k"));
        run("SETEX", "k", "3", "v");
        assertEquals(":3|", run("TTL", "k"));
        run("INCR", "c");
        run("EXPIRE", "c", "9");
        run("INCR", "c");
        assertEquals(":9|", run("TTL", "c"));
        assertEquals(":1|", run("EXPIRE", "k", "-1"));
        assertEquals(":0|", run("EXISTS", "k"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldCollectExpiredKeysActively(StateMode mode) {
        use(mode);
        for (int i = 0; i < 500; i++) {
            run("SET", "t" + i, "v", "PX", "10");
            run("SET", "p" + i, "v");
        }
        clock.addAndGet(11);
        int collected = 0;
        for (int round = 0; round < 1000 && collected < 500; round++) {
            collected += store.expireCycle(50_000_000L);
        }
        assertEquals(500, collected);
        assertEquals(500, store.size());
    }

    /** A command in database {@code db}, as a connection that SELECTed it sends it. */
    private String runIn(int db, String... words) {
        BufferReplyWriter out = new BufferReplyWriter();
        store.execute(CommandArgs.of(words).db(db), out);
        return out.toString().replace("\r\n", "|");
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldKeepEachDatabaseApartAndCollectExpiredKeysInEveryOne(StateMode mode) {
        use(mode);
        assertEquals(16, store.databases());
        for (int i = 0; i < 100; i++) {
            runIn(0, "SET", "k" + i, "zero");
        }
        for (int i = 0; i < 300; i++) {
            runIn(5, "SET", "k" + i, "five", "PX", "10");
        }
        for (int i = 300; i < 350; i++) {
            runIn(5, "SET", "k" + i, "five");
        }
        for (int i = 0; i < 200; i++) {
            runIn(15, "SET", "t" + i, "fifteen", "PX", "10");
        }
        assertEquals("$4|zero|", runIn(0, "GET", "k1"));
        assertEquals("$4|five|", runIn(5, "GET", "k1"));
        assertEquals("$-1|", runIn(15, "GET", "k1"));
        assertEquals(":350|", runIn(5, "DBSIZE"));
        assertEquals(100, store.size(0));
        assertEquals(350, store.size(5));
        assertEquals(300, store.timedSize(5));
        assertEquals(200, store.timedSize(15));
        assertEquals(650, store.size());
        clock.addAndGet(11);
        int collected = 0;
        for (int round = 0; round < 1000 && collected < 500; round++) {
            collected += store.expireCycle(50_000_000L);
        }
        assertEquals(500, collected, "the cycle walks every database");
        assertEquals(50, store.size(5));
        assertEquals(0, store.size(15));
        assertEquals(500, store.expiredKeys());
        assertEquals("+OK|", runIn(3, "SWAPDB", "0", "5"));
        assertEquals(50, store.size(0));
        assertEquals(100, store.size(5));
        assertEquals("$4|five|", runIn(0, "GET", "k300"));
        assertEquals(":1|", runIn(0, "MOVE", "k300", "15"));
        assertEquals("$4|five|", runIn(15, "GET", "k300"));
        assertEquals(":1|", runIn(5, "COPY", "k1", "k1", "DB", "15"));
        assertEquals(2, store.size(15));
        assertEquals("+OK|", runIn(15, "FLUSHDB"));
        assertEquals(0, store.size(15));
        assertEquals(149, store.size());
        assertEquals("+OK|", runIn(7, "FLUSHALL"));
        assertEquals(0, store.size());
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldCountTimedAndExpiredKeysAndEstimateTheirTimeToLive(StateMode mode) {
        use(mode);
        for (int i = 0; i < 40; i++) {
            run("SET", "t" + i, "v", "PX", i < 10 ? "10" : "60000");
            run("SET", "p" + i, "v");
        }
        assertEquals(40, store.timedSize());
        assertEquals(0, store.averageTtl(), "no cycle has sampled yet");
        run("PERSIST", "t39");
        run("EXPIRE", "p0", "100");
        run("SET", "t38", "plain");
        run("DEL", "t37");
        assertEquals(38, store.timedSize(), "PERSIST, a SET without a TTL and DEL take keys out; EXPIRE adds one");
        clock.addAndGet(11);
        assertEquals("$-1|", run("GET", "t0"));
        assertEquals(":0|", run("DEL", "t1"));
        assertEquals("+OK|", run("SET", "t2", "again"));
        assertEquals(3, store.expiredKeys(), "found past their deadline by GET, DEL and SET");
        for (int round = 0; round < 1000 && store.expiredKeys() < 10; round++) {
            store.expireCycle(50_000_000L);
        }
        assertEquals(10, store.expiredKeys(), "the cycle collects the rest");
        assertEquals(28, store.timedSize());
        for (int round = 0; round < 200; round++) {
            store.expireCycle(50_000_000L);
        }
        long ttl = store.averageTtl();
        assertTrue(ttl > 50_000 && ttl <= 100_000, "about a minute left to most timed keys: " + ttl);
        run("FLUSHALL");
        assertEquals(0, store.timedSize());
        store.expireCycle(50_000_000L);
        assertEquals(0, store.averageTtl(), "nothing has a deadline any more");
        assertEquals(10, store.expiredKeys(), "a statistic, not emptied by FLUSHALL");
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldAnswerTypeKeysScanAndFlush(StateMode mode) {
        use(mode);
        run("SET", "user:1", "a");
        run("SET", "user:2", "b");
        run("HSET", "h", "f", "v");
        run("RPUSH", "l", "x");
        run("SADD", "s", "m");
        assertEquals("+string|", run("TYPE", "user:1"));
        assertEquals("+hash|", run("TYPE", "h"));
        assertEquals("+list|", run("TYPE", "l"));
        assertEquals("+set|", run("TYPE", "s"));
        assertEquals("+none|", run("TYPE", "x"));
        String keys = run("KEYS", "user:*");
        assertTrue(keys.startsWith("*2|") && keys.contains("user:1") && keys.contains("user:2"), keys);
        assertEquals("*0|", run("KEYS", "nomatch*"));
        assertEquals(Set.of("user:1", "user:2", "h", "l", "s"), scanAll());
        assertEquals("-ERR invalid cursor|", run("SCAN", "x"));
        assertEquals("-ERR syntax error|", run("SCAN", "0", "COUNT", "0"));
        assertEquals("-ERR syntax error|", run("SCAN", "0", "BOGUS"));
        assertEquals(":5|", run("DBSIZE"));
        assertEquals("+OK|", run("FLUSHDB"));
        assertEquals(":0|", run("DBSIZE"));
        assertEquals("-ERR syntax error|", run("FLUSHALL", "LATER"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldScanEveryKeyAcrossShardsWithMatchAndType(StateMode mode) {
        use(mode);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            run("SET", "k" + i, "v");
            expected.add("k" + i);
            run("SADD", "set" + i, "m");
        }
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int calls = 0;
        do {
            BufferReplyWriter out = new BufferReplyWriter();
            store.execute(CommandArgs.of("SCAN", Long.toUnsignedString(cursor), "MATCH", "k*", "COUNT", "25",
                    "TYPE", "string"), out);
            List<String> parts = bulks(out.toString());
            cursor = Long.parseUnsignedLong(parts.get(0));
            seen.addAll(parts.subList(1, parts.size()));
            calls++;
        } while (cursor != 0 && calls < 10_000);
        assertEquals(expected, seen);
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldHandleHashes(StateMode mode) {
        use(mode);
        assertEquals(":2|", run("HSET", "h", "a", "1", "b", "2"));
        assertEquals(":1|", run("HSET", "h", "a", "9", "c", "3"));
        assertEquals("$1|9|", run("HGET", "h", "a"));
        assertEquals("$-1|", run("HGET", "h", "zz"));
        assertEquals("$-1|", run("HGET", "nohash", "a"));
        assertEquals("*3|$1|9|$-1|$1|3|", run("HMGET", "h", "a", "zz", "c"));
        assertEquals("*1|$-1|", run("HMGET", "nohash", "a"));
        assertEquals(":3|", run("HLEN", "h"));
        assertEquals(":5|", run("HINCRBY", "h", "n", "5"));
        assertEquals(":2|", run("HINCRBY", "h", "n", "-3"));
        assertEquals(":1|", run("HSET", "h", "t", "x"));
        assertEquals("-ERR hash value is not an integer|", run("HINCRBY", "h", "t", "1"));
        assertEquals("-ERR value is not an integer or out of range|", run("HINCRBY", "h", "n", "x"));
        String all = run("HGETALL", "h");
        assertTrue(all.startsWith("*10|") && all.contains("$1|a|$1|9|"), all);
        assertEquals("*0|", run("HGETALL", "nohash"));
        assertEquals(":2|", run("HDEL", "h", "a", "b", "zz"));
        assertEquals(":3|", run("HDEL", "h", "c", "n", "t"));
        assertEquals(":0|", run("EXISTS", "h"));
        assertEquals("-ERR wrong number of arguments for 'hset' command|", run("HSET", "h", "a", "1", "b"));
        run("SET", "s", "v");
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value|", run("HGET", "s", "a"));
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value|", run("HSET", "s", "a", "b"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldHandleLists(StateMode mode) {
        use(mode);
        assertEquals(":3|", run("RPUSH", "l", "a", "b", "c"));
        assertEquals(":5|", run("LPUSH", "l", "y", "z"));
        assertEquals("*5|$1|z|$1|y|$1|a|$1|b|$1|c|", run("LRANGE", "l", "0", "-1"));
        assertEquals("*2|$1|b|$1|c|", run("LRANGE", "l", "-2", "100"));
        assertEquals("*4|$1|y|$1|a|$1|b|$1|c|", run("LRANGE", "l", "1", "100"), "from the head, past the end");
        assertEquals("*1|$1|y|", run("LRANGE", "l", "1", "1"));
        assertEquals("*0|", run("LRANGE", "l", "4", "2"));
        assertEquals("*0|", run("LRANGE", "nolist", "0", "-1"));
        assertEquals("-ERR value is not an integer or out of range|", run("LRANGE", "l", "a", "1"));
        assertEquals(":5|", run("LLEN", "l"));
        assertEquals("$1|z|", run("LPOP", "l"));
        assertEquals("$1|c|", run("RPOP", "l"));
        assertEquals("*2|$1|y|$1|a|", run("LPOP", "l", "2"));
        assertEquals("*0|", run("LPOP", "l", "0"));
        assertEquals("-ERR value is out of range, must be positive|", run("LPOP", "l", "-1"));
        assertEquals("-ERR wrong number of arguments for 'rpop' command|", run("RPOP", "l", "1", "2"));
        assertEquals("*1|$1|b|", run("RPOP", "l", "9"));
        assertEquals(":0|", run("EXISTS", "l"));
        assertEquals("$-1|", run("LPOP", "l"));
        assertEquals("*-1|", run("LPOP", "l", "3"));
        assertEquals(":0|", run("LLEN", "l"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldHandleSets(StateMode mode) {
        use(mode);
        assertEquals(":2|", run("SADD", "s", "a", "b", "a"));
        assertEquals(":1|", run("SADD", "s", "c"));
        assertEquals(":3|", run("SCARD", "s"));
        assertEquals(":1|", run("SISMEMBER", "s", "a"));
        assertEquals(":0|", run("SISMEMBER", "s", "z"));
        assertEquals(":0|", run("SISMEMBER", "noset", "z"));
        assertEquals(Set.of("a", "b", "c"), new HashSet<>(bulks(run("SMEMBERS", "s").replace("|", "\r\n"))));
        assertEquals(":1|", run("SREM", "s", "a", "z"));
        String popped = run("SPOP", "s");
        assertTrue(popped.equals("$1|b|") || popped.equals("$1|c|"), popped);
        assertEquals(1, bulks(run("SPOP", "s", "5").replace("|", "\r\n")).size());
        assertEquals(":0|", run("EXISTS", "s"));
        assertEquals("$-1|", run("SPOP", "s"));
        assertEquals("*0|", run("SPOP", "s", "2"));
        assertEquals("-ERR value is out of range, must be positive|", run("SPOP", "s", "-2"));
        assertEquals("*0|", run("SMEMBERS", "s"));
        run("SET", "str", "v");
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value|", run("SADD", "str", "a"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldAnswerServerCommandsWithoutData(StateMode mode) {
        use(mode);
        assertEquals("+PONG|", run("PING"));
        assertEquals("$2|hi|", run("PING", "hi"));
        assertEquals("-ERR wrong number of arguments for 'ping' command|", run("PING", "a", "b"));
        assertEquals("$5|hello|", run("ECHO", "hello"));
        assertEquals("-ERR 'select' is answered by the connection's session, not the store|", run("SELECT", "0"),
                "the database is the connection's: a store runs each command on the one its arguments name");
        assertEquals(":" + CommandTable.all().size() + "|", run("COMMAND", "COUNT"));
        assertTrue(run("COMMAND", "INFO", "get").startsWith("*1|*10|$3|get|:2|*2|+readonly|+fast|:1|:1|:1|"));
        assertTrue(run("COMMAND", "INFO").startsWith("*" + CommandTable.all().size() + "|*10|"),
                "with no names, every command (Redis 7)");
        assertTrue(run("COMMAND", "DOCS", "set").startsWith("*2|$3|set|*8|$7|summary|"));
        assertTrue(run("COMMAND", "HELP").startsWith("*21|+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:|"
                + "+(no subcommand)|"), "the help the error text points to");
        assertEquals("-ERR unknown subcommand 'NOPE'. Try COMMAND HELP.|", run("COMMAND", "NOPE"));
        assertEquals("-ERR 'auth' is answered by the connection's session, not the store|", run("AUTH", "pw"));
        assertEquals("-ERR 'config' is answered by the connection's session, not the store|", run("CONFIG", "GET", "*"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldEstimateTheMemoryOfEachKeyByTypeAndSize(StateMode mode) {
        use(mode);
        assertEquals("$-1|", run("MEMORY", "USAGE", "missing"));
        run("SET", "small", "v");
        run("SET", "large", "x".repeat(10_000));
        long small = usage("small");
        long large = usage("large");
        assertTrue(small > 1 && small < 300, "a one-byte string and its key: " + small);
        assertTrue(large - small > 10_000 - 16 && large - small <= 10_000, "the value's bytes, padded: " + (large - small));
        run("SET", "timed", "v", "EX", "100");
        assertTrue(usage("timed") >= small, "a deadline costs its index slot");
        for (int i = 0; i < 100; i++) {
            run("RPUSH", "list", "element-" + i);
            run("SADD", "set", "member-" + i);
            run("HSET", "hash", "field-" + i, "value-" + i);
        }
        run("RPUSH", "shrt", "element-0");
        assertTrue(usage("list") - usage("shrt") >= 99 * 28, "99 more elements of 9 or 10 bytes, each an array and a slot: "
                + (usage("list") - usage("shrt")));
        assertTrue(usage("set") > 100 * 40, "a hundred members and their keys: " + usage("set"));
        assertTrue(usage("hash") > usage("set"), "a hash keeps a value and a node per field");
        assertEquals(usage("hash", "SAMPLES", "0"), usage("hash", "SAMPLES", "0"), "sampling all is exact and stable");
        assertTrue(Math.abs(usage("hash", "SAMPLES", "0") - usage("hash")) < usage("hash") / 10,
                "five samples of like fields extrapolate close to all of them");
        assertEquals("-ERR syntax error|", run("MEMORY", "USAGE", "small", "SAMPLES", "-1"));
        assertEquals("-ERR syntax error|", run("MEMORY", "USAGE", "small", "NOPE"));
        assertEquals("-ERR value is not an integer or out of range|", run("MEMORY", "USAGE", "small", "SAMPLES", "x"));
        assertEquals("-ERR wrong number of arguments for 'memory|usage' command|", run("MEMORY", "USAGE"));
        assertEquals("-ERR wrong number of arguments for 'memory' command|", run("MEMORY"));
        assertEquals("-ERR unknown subcommand 'DOCTOR'. Try MEMORY HELP.|", run("MEMORY", "DOCTOR"));
        assertTrue(run("memory", "help").startsWith(
                "*6|+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:|+USAGE <key> [SAMPLES <count>]|"));
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

    /** The bulk strings of a reply, in order (arrays flattened). */
    private static List<String> bulks(String reply) {
        List<String> out = new ArrayList<>();
        String[] lines = reply.split("\r\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("$") && !lines[i].equals("$-1")) {
                out.add(lines[++i]);
            }
        }
        return out;
    }

    private Set<String> scanAll() {
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int calls = 0;
        do {
            BufferReplyWriter out = new BufferReplyWriter();
            store.execute(CommandArgs.of("SCAN", Long.toUnsignedString(cursor)), out);
            List<String> parts = bulks(out.toString());
            cursor = Long.parseUnsignedLong(parts.get(0));
            seen.addAll(parts.subList(1, parts.size()));
        } while (cursor != 0 && ++calls < 1000);
        return seen;
    }
}
