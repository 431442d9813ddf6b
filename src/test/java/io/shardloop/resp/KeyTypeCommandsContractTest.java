package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SORT and SORT_RO, BITOP, LCS, OBJECT, SSCAN/HSCAN/ZSCAN, HRANDFIELD and RANDOMKEY answer as
 * redis-server 7.0 does on every front end and store; keys a command uses together share the {t}
 * hash tag, and STORE destinations without it land on other shards. Random replies are held to
 * their shape and membership.
 */
class KeyTypeCommandsContractTest {
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
    void sortOrdersNumericallyAlphaByWeightsAndLimits() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "{t}l", "3", "1", "2", "10", "-1.5"},
            {"SORT", "{t}l"},
            {"SORT", "{t}l", "DESC"},
            {"SORT", "{t}l", "ALPHA"},
            {"SORT", "{t}l", "ALPHA", "DESC"},
            {"SORT", "{t}l", "LIMIT", "1", "2"},
            {"SORT", "{t}l", "LIMIT", "-5", "2"},
            {"SORT", "{t}l", "LIMIT", "3", "-1"},
            {"SORT", "{t}l", "LIMIT", "10", "2"},
            {"SORT", "{t}l", "LIMIT", "0", "0"},
            {"SORT", "{t}l", "LIMIT", "x", "2"},
            {"SORT", "{t}l", "LIMIT", "1"},
            {"SORT", "{t}l", "BOGUS"},
            {"SORT_RO", "{t}l", "DESC", "LIMIT", "0", "3"},
            {"SORT_RO", "{t}l", "STORE", "{t}dst"},
            {"RPUSH", "{t}words", "banana", "apple", "cherry"},
            {"SORT", "{t}words"},
            {"SORT", "{t}words", "ALPHA"},
            {"SORT", "{t}words", "BY", "nosort"},
            {"SORT", "{t}words", "BY", "nosort", "DESC", "LIMIT", "1", "5"},
            {"MSET", "{t}w_banana", "1", "{t}w_apple", "3", "{t}w_cherry", "2"},
            {"SORT", "{t}words", "BY", "{t}w_*"},
            {"SORT", "{t}words", "BY", "{t}w_*", "DESC", "GET", "#", "GET", "{t}w_*", "GET", "{t}none_*"},
            {"SORT", "{t}words", "BY", "{t}w_*", "ALPHA"},
            {"SORT", "{t}words", "BY", "{t}missing_*", "ALPHA"},
            {"HSET", "{t}h_apple", "f", "9"},
            {"HSET", "{t}h_banana", "f", "7"},
            {"HSET", "{t}h_cherry", "f", "8"},
            {"SORT", "{t}words", "BY", "{t}h_*->f", "GET", "{t}h_*->f", "GET", "{t}h_*->g", "GET", "{t}w_*->f"},
            {"SORT", "{t}words", "GET", "{t}w_*", "GET", "plain", "ALPHA"},
            {"SET", "{t}w_apple", "notanumber"},
            {"SORT", "{t}words", "BY", "{t}w_*"},
            {"SADD", "{t}s", "5", "2", "9", "-3"},
            {"SORT", "{t}s"},
            {"SORT", "{t}s", "BY", "nosort"},
            {"SORT", "{t}s", "BY", "nosort", "STORE", "{t}sorted"},
            {"LRANGE", "{t}sorted", "0", "-1"},
            {"ZADD", "{t}z", "1", "c", "2", "b", "3", "a"},
            {"SORT", "{t}z", "ALPHA"},
            {"SORT", "{t}z", "BY", "nosort"},
            {"SORT", "{t}z", "BY", "nosort", "DESC", "LIMIT", "1", "1"},
            {"SORT", "{t}z", "BY", "nosort", "LIMIT", "1", "5"},
            {"SORT", "{t}z"},
            {"SET", "{t}str", "x"},
            {"SORT", "{t}str"},
            {"SORT", "{t}nokey"},
            {"SORT", "{t}nokey", "STORE", "{t}dst"},
        });
    }

    /** STORE to a key of another shard; an empty result deletes the destination; the deadline goes. */
    @Test
    void sortStoresAListAnywhere() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "src", "3", "1", "2"},
            {"SET", "elsewhere", "old", "EX", "100"},
            {"SORT", "src", "STORE", "elsewhere"},
            {"TYPE", "elsewhere"},
            {"TTL", "elsewhere"},
            {"LRANGE", "elsewhere", "0", "-1"},
            {"SORT", "src", "DESC", "LIMIT", "0", "2", "STORE", "other", "STORE", "another"},
            {"LRANGE", "another", "0", "-1"},
            {"EXISTS", "other"},
            {"SORT", "src", "GET", "#", "GET", "#", "STORE", "dup"},
            {"LRANGE", "dup", "0", "-1"},
            {"SORT", "nokey", "STORE", "elsewhere"},
            {"EXISTS", "elsewhere"},
            {"RPUSH", "{t}src", "b", "a"},
            {"SET", "{t}v_a", "A"},
            {"SORT", "{t}src", "ALPHA", "GET", "{t}v_*", "STORE", "{t}out"},
            {"LRANGE", "{t}out", "0", "-1"},
        });
    }

    /**
     * Inside MULTI: a sort by patterns of its own hash tag, a STORE to another shard, BITOP and LCS
     * over shards. (A transaction whose commands gather keys of several shards refuses reading
     * patterns on a sharded server: docs/resp.md.)
     */
    @Test
    void runInTransactionsLikeRedis() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "{t}l", "b", "a", "c"},
            {"MSET", "{t}w_a", "3", "{t}w_b", "1", "{t}w_c", "2", "x1", "abc", "x2", "bcd"},
            {"MULTI"},
            {"SORT", "{t}l", "BY", "{t}w_*", "GET", "#", "GET", "{t}w_*"},
            {"SET", "other", "1"},
            {"EXEC"},
            {"MULTI"},
            {"SORT", "{t}l", "ALPHA", "STORE", "elsewhere"},
            {"LRANGE", "elsewhere", "0", "-1"},
            {"BITOP", "OR", "x3", "x1", "x2"},
            {"LCS", "x1", "x2"},
            {"OBJECT", "ENCODING", "{t}l"},
            {"EXEC"},
            {"GET", "x3"},
            {"MULTI"},
            {"SORT", "{t}l", "BY", "{t}w_*", "STORE", "{t}out"},
            {"LRANGE", "{t}out", "0", "-1"},
            {"EXEC"},
        }, false);
    }

    /** On shards, a pattern whose keys may be another shard's is refused with Redis Cluster's errors. */
    @Test
    void sortRefusesPatternsOfOtherShardsOnAShardedStore() throws Exception {
        Store store = StateMode.SHARDED.create(4, System::currentTimeMillis);
        FrontEnds.call(store, 2, "RPUSH", "{t}l", "b", "a");
        FrontEnds.call(store, 2, "SET", "{t}w_a", "2");
        FrontEnds.call(store, 2, "SET", "{t}w_b", "1");
        assertEquals("*2 [$1 b, $1 a]", FrontEnds.call(store, 2, "SORT", "{t}l", "BY", "{t}w_*"));
        assertEquals("*2 [$1 a, $1 b]", FrontEnds.call(store, 2, "SORT", "{t}l", "ALPHA", "GET", "#"));
        assertEquals("-ERR BY option of SORT denied in Cluster mode.",
                FrontEnds.call(store, 2, "SORT", "{t}l", "BY", "w_*"));
        assertEquals("-ERR GET option of SORT denied in Cluster mode.",
                FrontEnds.call(store, 2, "SORT", "{t}l", "GET", "{*}x"));
        String other = "a";
        while (owner(other) == owner("t")) {
            other += "a";
        }
        assertEquals("-ERR BY option of SORT denied in Cluster mode.",
                FrontEnds.call(store, 2, "SORT", "{t}l", "BY", "{" + other + "}w_*"));
        assertEquals(":2", FrontEnds.call(store, 2, "SORT", "{t}l", "BY", "nosort", "STORE", "elsewhere"));
        assertEquals("-ERR GET option of SORT denied in Cluster mode.",
                FrontEnds.call(store, 2, "SORT", "{t}l", "GET", "{t}w_*", "STORE", "elsewhere"));
    }

    private static int owner(String tag) {
        byte[] key = ("{" + tag + "}").getBytes(StandardCharsets.US_ASCII);
        return io.shardloop.kv.Slots.ownerOf(key, 0, key.length, 4);
    }

    /**
     * IDLETIME counts whole seconds since the last lookup that touched the key, on each store's
     * clock as its timer ticked it: TYPE, EXISTS, TTL, PTTL, OBJECT and MEMORY USAGE leave it, GET,
     * TOUCH and writes restart it; RESTORE's IDLETIME sets it, and FREQ keeps Redis's non-LFU error.
     */
    @Test
    void objectIdletimeCountsSecondsSinceTheLastTouchingLookup() throws Exception {
        for (StateMode mode : StateMode.values()) {
            AtomicLong clock = new AtomicLong(1_700_000_000_000L);
            Store store = mode.create(2, clock::get);
            FrontEnds.call(store, 2, "SET", "k", "v");
            FrontEnds.call(store, 2, "SADD", "s", "1", "2");
            clock.addAndGet(5_400);
            assertEquals(":0", FrontEnds.call(store, 2, "OBJECT", "IDLETIME", "k"), mode + ": before the timer ticks");
            store.expireCycle(1_000_000);
            for (String[] look : new String[][] {{"TYPE", "k"}, {"EXISTS", "k"}, {"TTL", "k"}, {"PTTL", "k"},
                    {"EXPIRETIME", "k"}, {"OBJECT", "ENCODING", "k"}, {"MEMORY", "USAGE", "k"}}) {
                FrontEnds.call(store, 2, look);
            }
            assertEquals(":5", FrontEnds.call(store, 2, "OBJECT", "IDLETIME", "k"), mode.name());
            assertEquals("-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
                    + "when switching between policies at runtime LRU and LFU data will take some time to adjust.",
                    FrontEnds.call(store, 2, "OBJECT", "FREQ", "k"), mode.name());
            FrontEnds.call(store, 2, "GET", "k");
            FrontEnds.call(store, 2, "SISMEMBER", "s", "1");
            assertEquals(":0", FrontEnds.call(store, 2, "OBJECT", "IDLETIME", "k"), mode.name());
            assertEquals(":0", FrontEnds.call(store, 2, "OBJECT", "IDLETIME", "s"), mode.name());
            clock.addAndGet(3_000);
            store.expireCycle(1_000_000);
            assertEquals(":3", FrontEnds.call(store, 2, "OBJECT", "IDLETIME", "k"), mode.name());
            assertEquals(":1", FrontEnds.call(store, 2, "TOUCH", "k", "nokey"), mode.name());
            assertEquals(":0", FrontEnds.call(store, 2, "OBJECT", "IDLETIME", "k"), mode.name());
            FrontEnds.call(store, 2, "SET", "k", "w");
            FrontEnds.call(store, 2, "EXPIRE", "s", "100");
            assertEquals(":0", FrontEnds.call(store, 2, "OBJECT", "IDLETIME", "s"), mode.name());
            assertEquals("+OK", restoreIdle(store, "k", 1000), mode.name());
            assertEquals(":1000", FrontEnds.call(store, 2, "OBJECT", "IDLETIME", "k"), mode.name());
            assertEquals("$-1", FrontEnds.call(store, 2, "OBJECT", "IDLETIME", "nokey"), mode.name());
        }
    }

    /**
     * On every front end the servers' timers tick the clock: a key's idle time grows past a second
     * while only TYPE looks at it (waited for, with a generous bound), and a GET restarts it.
     */
    @Test
    void serversTickTheAccessClockAndGetRestartsIt() throws Exception {
        for (int port : fronts.ports().values()) {
            try (RawResp client = new RawResp(port)) {
                client.call("SET", "idle", "v");
            }
        }
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (Long.parseLong(client.call("OBJECT", "IDLETIME", "idle").substring(1)) < 1) {
                    assertTrue(System.nanoTime() < deadline, front.getKey() + ": idle time never reached a second");
                    assertEquals("+string", client.call("TYPE", "idle"), front.getKey());
                    Thread.sleep(50);
                }
                client.call("GET", "idle");
                assertTrue(Long.parseLong(client.call("OBJECT", "IDLETIME", "idle").substring(1)) <= 1, front.getKey());
            }
        }
    }

    /** RESTORE key 0 (DUMP key) REPLACE IDLETIME seconds on a store: the payload passed as bytes. */
    private static String restoreIdle(Store store, String key, long seconds) {
        BufferReplyWriter dump = new BufferReplyWriter();
        store.execute(CommandArgs.of("DUMP", key), dump);
        byte[] reply = dump.toByteArray();
        int crlf = new String(reply, StandardCharsets.ISO_8859_1).indexOf("\r\n");
        int length = Integer.parseInt(new String(reply, 1, crlf - 1, StandardCharsets.US_ASCII));
        CommandArgs restore = CommandArgs.of("RESTORE", key, "0");
        restore.add(reply, crlf + 2, length);
        restore.add("REPLACE").add("IDLETIME").add(Long.toString(seconds));
        BufferReplyWriter out = new BufferReplyWriter();
        store.execute(restore, out);
        return new String(out.toByteArray(), StandardCharsets.US_ASCII).trim();
    }

    @Test
    void bitopCombinesStringsOfEveryLength() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "{t}a", "abc"},
            {"SET", "{t}b", "\u0001\u0002"},
            {"BITOP", "AND", "{t}d", "{t}a", "{t}b"},
            {"GET", "{t}d"},
            {"BITOP", "or", "{t}d", "{t}a", "{t}b"},
            {"GET", "{t}d"},
            {"BITOP", "XOR", "{t}d", "{t}a", "{t}b", "{t}nokey"},
            {"GET", "{t}d"},
            {"BITOP", "AND", "{t}d", "{t}a", "{t}nokey"},
            {"GET", "{t}d"},
            {"BITOP", "NOT", "{t}d", "{t}b"},
            {"STRLEN", "{t}d"},
            {"BITCOUNT", "{t}d"},
            {"BITOP", "NOT", "{t}d", "{t}a", "{t}b"},
            {"BITOP", "NAND", "{t}d", "{t}a"},
            {"SET", "{t}d", "x", "EX", "100"},
            {"BITOP", "OR", "{t}d", "{t}nokey", "{t}nokey2"},
            {"EXISTS", "{t}d"},
            {"RPUSH", "{t}list", "x"},
            {"BITOP", "OR", "{t}d", "{t}a", "{t}list"},
            {"SET", "{t}d", "keep", "EX", "100"},
            {"BITOP", "OR", "{t}d", "{t}a"},
            {"TTL", "{t}d"},
            {"SET", "src1", "AB"},
            {"SET", "src2", "abc"},
            {"BITOP", "XOR", "dest", "src1", "src2"},
            {"GET", "dest"},
        });
    }

    @Test
    void lcsAnswersEveryReplyShape() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"MSET", "{t}k1", "ohmytext", "{t}k2", "mynewtext"},
            {"LCS", "{t}k1", "{t}k2"},
            {"LCS", "{t}k1", "{t}k2", "LEN"},
            {"LCS", "{t}k1", "{t}k2", "IDX"},
            {"LCS", "{t}k1", "{t}k2", "IDX", "MINMATCHLEN", "4"},
            {"LCS", "{t}k1", "{t}k2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"},
            {"LCS", "{t}k1", "{t}k2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "-3"},
            {"LCS", "{t}k1", "{t}k2", "LEN", "IDX"},
            {"LCS", "{t}k1", "{t}k2", "MINMATCHLEN"},
            {"LCS", "{t}k1", "{t}k2", "MINMATCHLEN", "x"},
            {"LCS", "{t}k1", "{t}k2", "BOGUS"},
            {"LCS", "{t}k1", "{t}nokey"},
            {"LCS", "{t}k1", "{t}nokey", "IDX"},
            {"LCS", "{t}nokey", "{t}nokey2", "LEN"},
            {"MSET", "{t}x", "ABCBDAB", "{t}y", "BDCABA"},
            {"LCS", "{t}x", "{t}y", "IDX", "WITHMATCHLEN"},
            {"LCS", "{t}x", "{t}y"},
            {"RPUSH", "{t}list", "a"},
            {"LCS", "{t}k1", "{t}list"},
            {"SET", "a", "hello world"},
            {"SET", "b", "yellow word"},
            {"LCS", "a", "b", "IDX"},
        });
    }

    @Test
    void objectReportsRedisEncodingsAndErrors() throws Exception {
        List<String[]> sequence = new ArrayList<>(List.of(
            new String[] {"FLUSHALL"},
            new String[] {"SET", "int", "12345"},
            new String[] {"SET", "neg", "-7"},
            new String[] {"SET", "zero", "0123"},
            new String[] {"SET", "emb", "x".repeat(44)},
            new String[] {"SET", "raw", "x".repeat(45)},
            new String[] {"SET", "huge", "123456789012345678901"},
            new String[] {"RPUSH", "list", "a"},
            new String[] {"SADD", "iset", "1", "2", "-3"},
            new String[] {"SADD", "sset", "1", "a"},
            new String[] {"HSET", "hash", "f", "v"},
            new String[] {"HSET", "longhash", "f", "v".repeat(65)},
            new String[] {"ZADD", "zset", "1", "m"},
            new String[] {"ZADD", "longzset", "1", "m".repeat(65)}));
        List<String> bigSet = new ArrayList<>(List.of("SADD", "bigiset"));
        List<String> bigHash = new ArrayList<>(List.of("HSET", "bighash"));
        List<String> bigZset = new ArrayList<>(List.of("ZADD", "bigzset"));
        for (int i = 0; i < 513; i++) {
            bigSet.add(Integer.toString(i));
            bigHash.add("f" + i);
            bigHash.add("v");
            if (i < 129) {
                bigZset.add(Integer.toString(i));
                bigZset.add("m" + i);
            }
        }
        sequence.add(bigSet.toArray(String[]::new));
        sequence.add(bigHash.toArray(String[]::new));
        sequence.add(bigZset.toArray(String[]::new));
        for (String key : new String[] {"int", "neg", "zero", "emb", "raw", "huge", "list", "iset", "sset", "hash",
                "longhash", "zset", "longzset", "bigiset", "bighash", "bigzset", "nokey"}) {
            sequence.add(new String[] {"OBJECT", "ENCODING", key});
        }
        sequence.addAll(List.of(
            new String[] {"OBJECT", "REFCOUNT", "zero"},
            new String[] {"SET", "shared", "100"},
            new String[] {"OBJECT", "REFCOUNT", "shared"},
            new String[] {"OBJECT", "REFCOUNT", "int"},
            new String[] {"OBJECT", "REFCOUNT", "list"},
            new String[] {"OBJECT", "REFCOUNT", "nokey"},
            new String[] {"OBJECT", "FREQ", "list"},
            new String[] {"OBJECT", "FREQ", "nokey"},
            new String[] {"OBJECT", "IDLETIME", "nokey"},
            new String[] {"OBJECT", "HELP"},
            new String[] {"OBJECT", "HELP", "x"},
            new String[] {"OBJECT", "ENCODING"},
            new String[] {"OBJECT", "ENCODING", "a", "b"},
            new String[] {"OBJECT", "BOGUS", "k"}));
        fronts.assertSequenceAgreesWithRedis(sequence.toArray(String[][]::new));
    }

    /**
     * OBJECT ENCODING follows the thresholds CONFIG SET gives (the ziplist names too, the value
     * limits as memory sizes), and a container converted to its big encoding stays so when it
     * shrinks or the limit is raised again, until the key is written anew.
     */
    @Test
    void objectEncodingFollowsConfiguredThresholdsOneWay() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"CONFIG", "SET", "hash-max-listpack-entries", "4", "hash-max-ziplist-value", "8"},
            {"CONFIG", "GET", "hash-max-ziplist-entries"},
            {"HSET", "h", "a", "1", "b", "2", "c", "3"},
            {"OBJECT", "ENCODING", "h"},
            {"HSET", "h", "d", "4", "e", "5"},
            {"OBJECT", "ENCODING", "h"},
            {"HDEL", "h", "d", "e"},
            {"OBJECT", "ENCODING", "h"},
            {"HSET", "g", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"},
            {"HDEL", "g", "e", "d"},
            {"OBJECT", "ENCODING", "g"},
            {"HSET", "v", "a", "123456789"},
            {"OBJECT", "ENCODING", "v"},
            {"HSET", "v", "a", "1"},
            {"OBJECT", "ENCODING", "v"},
            {"HSET", "{t}hc", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"},
            {"HDEL", "{t}hc", "a", "b"},
            {"COPY", "{t}hc", "{t}hc2"},
            {"OBJECT", "ENCODING", "{t}hc2"},
            {"CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "1kb"},
            {"CONFIG", "GET", "hash-max-listpack-value"},
            {"OBJECT", "ENCODING", "h"},
            {"HLEN", "h"},
            {"OBJECT", "ENCODING", "h"},
            {"DEL", "h"},
            {"HSET", "h", "a", "1"},
            {"OBJECT", "ENCODING", "h"},
            {"CONFIG", "SET", "hash-max-listpack-value", "64"},
            {"CONFIG", "SET", "set-max-intset-entries", "3"},
            {"SADD", "s", "1", "2", "3"},
            {"OBJECT", "ENCODING", "s"},
            {"SADD", "s", "4"},
            {"OBJECT", "ENCODING", "s"},
            {"SREM", "s", "4"},
            {"OBJECT", "ENCODING", "s"},
            {"SADD", "t", "1", "x"},
            {"OBJECT", "ENCODING", "t"},
            {"SREM", "t", "x"},
            {"OBJECT", "ENCODING", "t"},
            {"SADD", "u", "1", "2", "x"},
            {"SREM", "u", "x"},
            {"OBJECT", "ENCODING", "u"},
            {"COPY", "u", "u2"},
            {"OBJECT", "ENCODING", "u2"},
            {"CONFIG", "SET", "set-max-intset-entries", "512"},
            {"CONFIG", "SET", "zset-max-ziplist-entries", "2", "zset-max-listpack-value", "5"},
            {"CONFIG", "GET", "zset-max-ziplist-value"},
            {"ZADD", "{t}z", "1", "a", "2", "b"},
            {"OBJECT", "ENCODING", "{t}z"},
            {"ZADD", "{t}z", "3", "c"},
            {"OBJECT", "ENCODING", "{t}z"},
            {"ZREM", "{t}z", "c"},
            {"OBJECT", "ENCODING", "{t}z"},
            {"ZADD", "y", "1", "abcdef"},
            {"OBJECT", "ENCODING", "y"},
            {"ZADD", "x", "1", "a", "2", "abcdefg"},
            {"ZREM", "x", "abcdefg"},
            {"OBJECT", "ENCODING", "x"},
            {"ZADD", "w", "1", "a"},
            {"OBJECT", "ENCODING", "w"},
            {"CONFIG", "SET", "zset-max-listpack-entries", "128", "zset-max-listpack-value", "64"},
            {"OBJECT", "ENCODING", "{t}z"},
            {"ZUNIONSTORE", "{t}out", "1", "{t}z"},
            {"OBJECT", "ENCODING", "{t}out"},
            {"CONFIG", "SET", "list-max-listpack-size", "1", "list-compress-depth", "1"},
            {"RPUSH", "l", "a", "b", "c"},
            {"OBJECT", "ENCODING", "l"},
            {"CONFIG", "SET", "list-max-listpack-size", "-2", "list-compress-depth", "0"},
        }, false);
    }

    @Test
    void valueScansReturnSmallValuesWholeAndCheckTheirArguments() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SADD", "iset", "10", "-2", "7", "100"},
            {"SSCAN", "iset", "0"},
            {"SSCAN", "iset", "5"},
            {"SSCAN", "iset", "0", "MATCH", "1*"},
            {"SSCAN", "iset", "0", "COUNT", "1", "MATCH", "*"},
            {"SSCAN", "iset", "0", "COUNT", "0"},
            {"SSCAN", "iset", "0", "COUNT", "x"},
            {"SSCAN", "iset", "0", "TYPE", "string"},
            {"SSCAN", "iset", "x"},
            {"SSCAN", "iset", "-1"},
            {"SSCAN", "nokey", "0", "BOGUS"},
            {"SSCAN", "nokey", "x"},
            {"HSET", "h", "f1", "v1"},
            {"HSCAN", "h", "0"},
            {"HSCAN", "h", "0", "MATCH", "x*"},
            {"HSCAN", "iset", "0"},
            {"ZADD", "z", "1", "a", "2.5", "b", "-0", "c", "1e20", "d", "inf", "e", "123456789012", "f"},
            {"ZSCAN", "z", "0"},
            {"ZSCAN", "z", "0", "MATCH", "[ab]"},
            {"ZSCAN", "z", "0", "COUNT", "1"},
            {"ZSCAN", "h", "0"},
        });
    }

    /**
     * Big values come in several steps; a whole walk returns every element with its value, the same
     * pairs as a walk of redis-server's (scores in its text: 0.10000000000000001, 1e+20).
     */
    @Test
    void valueScansWalkBigValuesToTheEnd() throws Exception {
        List<String> sadd = new ArrayList<>(List.of("SADD", "s"));
        List<String> hset = new ArrayList<>(List.of("HSET", "h"));
        List<String> zadd = new ArrayList<>(List.of("ZADD", "z"));
        for (int i = 0; i < 600; i++) {
            sadd.add("m" + i);
            hset.add("f" + i);
            hset.add("v" + i);
            zadd.add(i % 3 == 0 ? i + ".1" : i % 3 == 1 ? i + "e20" : Integer.toString(-i));
            zadd.add("m" + i);
        }
        String[][] fill = {{"FLUSHALL"}, sadd.toArray(String[]::new), hset.toArray(String[]::new),
            zadd.toArray(String[]::new)};
        java.util.Map<String, java.util.Set<String>> expected = new java.util.HashMap<>();
        try (RawResp redis = new RawResp(fronts.redisPort())) {
            for (String[] command : fill) {
                redis.call(command);
            }
            for (String[] scan : new String[][] {{"SSCAN", "s"}, {"HSCAN", "h"}, {"ZSCAN", "z"}}) {
                expected.put(scan[0], walk(redis, scan[0], scan[1]));
            }
        }
        assertEquals(600, expected.get("ZSCAN").size());
        assertTrue(expected.get("ZSCAN").contains("m3 3.1000000000000001"), expected.get("ZSCAN").toString());
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp c = new RawResp(front.getValue())) {
                for (String[] command : fill) {
                    c.call(command);
                }
                for (String[] scan : new String[][] {{"SSCAN", "s"}, {"HSCAN", "h"}, {"ZSCAN", "z"}}) {
                    assertEquals(expected.get(scan[0]), walk(c, scan[0], scan[1]), front.getKey() + " " + scan[0]);
                }
            }
        }
    }

    /** Walks a value with COUNT 10 to cursor 0; returns the elements seen, each with its value after a space. */
    private static java.util.Set<String> walk(RawResp c, String command, String key) throws Exception {
        int stride = command.equals("SSCAN") ? 1 : 2;
        java.util.Set<String> seen = new java.util.HashSet<>();
        String cursor = "0";
        int steps = 0;
        do {
            String reply = c.call(command, key, cursor, "COUNT", "10");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\*2 \\[\\$\\d+ (\\d+), \\*\\d+ \\[?(.*?)\\]?\\]$")
                    .matcher(reply);
            assertTrue(m.matches(), reply);
            cursor = m.group(1);
            List<String> elements = m.group(2).isEmpty() ? List.of()
                    : Arrays.stream(m.group(2).split(", ")).map(e -> e.substring(e.indexOf(' ') + 1)).toList();
            for (int i = 0; i < elements.size(); i += stride) {
                seen.add(stride == 1 ? elements.get(i) : elements.get(i) + " " + elements.get(i + 1));
            }
            assertTrue(++steps < 10_000, "the walk ends");
        } while (!cursor.equals("0"));
        return seen;
    }

    @Test
    void hrandfieldAndRandomkeyAnswerRedisShapes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"RANDOMKEY"},
            {"HRANDFIELD", "nokey"},
            {"HRANDFIELD", "nokey", "3"},
            {"HSET", "h", "f", "v"},
            {"HRANDFIELD", "h"},
            {"HRANDFIELD", "h", "1"},
            {"HRANDFIELD", "h", "5", "WITHVALUES"},
            {"HRANDFIELD", "h", "-3", "WITHVALUES"},
            {"HRANDFIELD", "h", "-3"},
            {"HRANDFIELD", "h", "0"},
            {"HRANDFIELD", "h", "x"},
            {"HRANDFIELD", "h", "1", "WITHSCORES"},
            {"HRANDFIELD", "h", "1", "WITHVALUES", "x"},
            {"HRANDFIELD", "h", "-9223372036854775808"},
            {"HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"},
            {"SET", "str", "x"},
            {"HRANDFIELD", "str"},
            {"HRANDFIELD", "str", "2"},
            {"DEL", "str"},
            {"RANDOMKEY"},
            {"RANDOMKEY", "x"},
        });
        Predicate<String> oneOfTheKeys = r -> r.matches("\\$\\d+ (k[0-9])");
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp c = new RawResp(front.getValue())) {
                c.call("FLUSHALL");
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (int i = 0; i < 10; i++) {
                    c.call("SET", "k" + i, "v");
                }
                c.call("HSET", "h", "a", "1", "b", "2", "c", "3");
                for (int i = 0; i < 300; i++) {
                    String key = c.call("RANDOMKEY");
                    assertTrue(oneOfTheKeys.test(key) || key.equals("$1 h"), front.getKey() + ": " + key);
                    seen.add(key);
                }
                assertEquals(11, seen.size(), front.getKey() + " reaches every key in 300 picks: " + seen);
                c.call("MULTI");
                c.call("RANDOMKEY");
                c.call("DBSIZE");
                String exec = c.call("EXEC");
                assertTrue(exec.matches("\\*2 \\[\\$\\d (k[0-9]|h), :11\\]"), front.getKey() + ": " + exec);
                String two = c.call("HRANDFIELD", "h", "2", "WITHVALUES");
                assertTrue(two.matches("\\*4 \\[\\$1 ([abc]), \\$1 [123], \\$1 (?!\\1)[abc], \\$1 [123]\\]"), two);
                String picks = c.call("HRANDFIELD", "h", "-5");
                assertTrue(picks.matches("\\*5 \\[(\\$1 [abc](, )?){5}\\]"), picks);
                String all = c.call("HRANDFIELD", "h", "10");
                assertTrue(all.matches("\\*3 \\[.*\\]") && all.contains("a") && all.contains("b") && all.contains("c"), all);
            }
        }
    }

    /** RESP3: LCS IDX is a map, HRANDFIELD WITHVALUES nests pairs, SORT's missing GET and OBJECT's missing key are RESP3 nulls. */
    @Test
    void answersInResp3LikeRedis() throws Exception {
        String[][] sequence = {
            {"FLUSHALL"},
            {"MSET", "{t}k1", "ohmytext", "{t}k2", "mynewtext"},
            {"LCS", "{t}k1", "{t}k2", "IDX", "WITHMATCHLEN"},
            {"HSET", "h", "f", "v"},
            {"HRANDFIELD", "h", "3", "WITHVALUES"},
            {"HRANDFIELD", "h", "-2", "WITHVALUES"},
            {"HRANDFIELD", "nokey"},
            {"RPUSH", "{t}l", "2", "1"},
            {"SORT", "{t}l", "GET", "{t}nope_*", "GET", "#"},
            {"OBJECT", "ENCODING", "nokey"},
            {"OBJECT", "HELP"},
            {"HSCAN", "h", "0"},
            {"ZADD", "z", "1.5", "m"},
            {"ZSCAN", "z", "0"},
            {"RANDOMKEY"},
            {"FLUSHALL"},
            {"RANDOMKEY"},
        };
        List<String> expected = new ArrayList<>();
        try (RawResp reference = new RawResp(fronts.redisPort())) {
            reference.call("HELLO", "3");
            for (String[] command : sequence) {
                expected.add(reference.call(command));
            }
        }
        assertTrue(expected.get(2).startsWith("%") && expected.contains("_"), expected.toString());
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                client.call("HELLO", "3");
                for (int i = 0; i < sequence.length; i++) {
                    String got = client.call(sequence[i]);
                    FrontEnds.compare(front.getKey(), got, expectedOrAKey(sequence[i], got, expected.get(i)),
                            sequence[i], mismatches);
                }
            }
        }
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 2, 4}) {
                Store store = mode.create(shards, System::currentTimeMillis);
                for (int i = 0; i < sequence.length; i++) {
                    String got = FrontEnds.call(store, 3, sequence[i]);
                    FrontEnds.compare("store " + mode.name().toLowerCase() + " on " + shards, got,
                            expectedOrAKey(sequence[i], got, expected.get(i)), sequence[i], mismatches);
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " RESP3 replies differ from redis-server's:\n"
                + String.join("\n", mismatches));
    }

    /** Redis's reply, or for a RANDOMKEY that found a key, any of the keys the sequence holds then. */
    private static String expectedOrAKey(String[] command, String got, String expected) {
        boolean anyKey = command[0].equals("RANDOMKEY") && expected.startsWith("$");
        return anyKey && got.matches("\\$1 [hz]|\\$4 \\{t}l|\\$5 \\{t}k[12]") ? got : expected;
    }
}
