package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hash commands HSETNX, HMSET, HKEYS, HVALS, HEXISTS, HSTRLEN, HINCRBYFLOAT and the string
 * commands GETRANGE, SUBSTR, SETRANGE, INCRBYFLOAT, GETEX, PSETEX answer as redis-server does, on
 * every front end and store: normal cases, missing keys, wrong types, bad numbers and options.
 */
class HashStringCommandsContractTest {
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
    void hsetnxSetsOnlyANewFieldAndHmsetAnswersOk() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"HSETNX", "h", "a", "1"},
            {"HSETNX", "h", "a", "2"},
            {"HGET", "h", "a"},
            {"HSETNX", "h", "b", ""},
            {"HLEN", "h"},
            {"HMSET", "h", "a", "3", "c", "4"},
            {"HMGET", "h", "a", "b", "c", "d"},
            {"HMSET", "m", "x", "1"},
            {"HGET", "m", "x"},
            {"HMSET", "m", "x", "1", "y"},
            {"HMSET", "n", "x", "1", "y"},
            {"EXISTS", "n"},
            {"SET", "s", "v"},
            {"HSETNX", "s", "a", "1"},
            {"HMSET", "s", "a", "1"},
            {"GET", "s"},
        });
    }

    @Test
    void aSmallHashAnswersItsFieldsInTheOrderTheyWereAdded() throws Exception {
        // Redis's listpack keeps a small hash's fields in insertion order: an update keeps a
        // field's place, a deleted and re-added field goes to the end, and a copy, a RESTORE and a
        // MOVE keep the order.
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"HSET", "h", "zeta", "1", "alpha", "2", "mid", "3", "beta", "4"},
            {"HGETALL", "h"},
            {"HSET", "h", "alpha", "20", "omega", "5"},
            {"HDEL", "h", "zeta"},
            {"HSET", "h", "zeta", "6"},
            {"HINCRBY", "h", "n", "1"},
            {"HSETNX", "h", "first", "7"},
            {"HMSET", "h", "mid", "30", "last", "8"},
            {"HGETALL", "h"},
            {"HKEYS", "h"},
            {"HVALS", "h"},
            {"HSCAN", "h", "0"},
            {"COPY", "h", "h2"},
            {"HKEYS", "h2"},
            {"RENAME", "h2", "h3"},
            {"HKEYS", "h3"},
        });
    }

    @Test
    void hexistsAndHstrlenReadFieldsOfPresentAndMissingHashes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"HSET", "h", "a", "hello", "n", "-12345", "e", ""},
            {"HEXISTS", "h", "a"},
            {"HEXISTS", "h", "zz"},
            {"HEXISTS", "missing", "a"},
            {"HSTRLEN", "h", "a"},
            {"HSTRLEN", "h", "n"},
            {"HSTRLEN", "h", "e"},
            {"HSTRLEN", "h", "zz"},
            {"HSTRLEN", "missing", "a"},
            {"HINCRBY", "h", "n", "100000"},
            {"HSTRLEN", "h", "n"},
            {"SET", "s", "v"},
            {"HEXISTS", "s", "a"},
            {"HSTRLEN", "s", "a"},
            {"HKEYS", "s"},
            {"HVALS", "s"},
        });
    }

    @Test
    void hkeysAndHvalsAnswerArraysOfTheFieldsAndValues() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"HKEYS", "missing"},
            {"HVALS", "missing"},
            {"HSET", "h", "only", "one"},
            {"HKEYS", "h"},
            {"HVALS", "h"},
            {"HDEL", "h", "only"},
            {"HKEYS", "h"},
            {"EXISTS", "h"},
        });
        // A hash has no order Redis promises: many fields compare as sorted lists.
        String[][] fill = {{"FLUSHDB"}, {"HMSET", "big", "f1", "v1", "f2", "v2", "f3", "v3", "f4", "v4", "f5", "v5"}};
        assertElementsAgreeWithRedis(fill, new String[] {"HKEYS", "big"});
        assertElementsAgreeWithRedis(fill, new String[] {"HVALS", "big"});
    }

    @Test
    void hincrbyfloatCountsInLongDoubleAndRefusesWhatIsNotAFloat() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"HINCRBYFLOAT", "h", "f", "10.5"},
            {"HINCRBYFLOAT", "h", "f", "0.1"},
            {"HINCRBYFLOAT", "h", "f", "-10.6"},
            {"HINCRBYFLOAT", "h", "f", "5.0e3"},
            {"HINCRBYFLOAT", "h", "f", "-5000"},
            {"HGET", "h", "f"},
            {"HSET", "h", "i", "17"},
            {"HINCRBYFLOAT", "h", "i", "0.25"},
            {"HINCRBYFLOAT", "h", "g", "1e30"},
            {"HINCRBYFLOAT", "h", "tiny", "3.814697265625e-6"},
            {"HINCRBYFLOAT", "h", "neg", "-1e-20"},
            {"HINCRBYFLOAT", "h", "hex", "0x1.8p1"},
            {"HINCRBYFLOAT", "h", "f", "abc"},
            {"HINCRBYFLOAT", "h", "f", " 1"},
            {"HINCRBYFLOAT", "h", "f", "1e"},
            {"HINCRBYFLOAT", "h", "f", ""},
            {"HINCRBYFLOAT", "h", "f", "nan"},
            {"HINCRBYFLOAT", "h", "f", "inf"},
            {"HINCRBYFLOAT", "h", "f", "-infinity"},
            {"HINCRBYFLOAT", "h", "f", "1e5000"},
            {"HINCRBYFLOAT", "h", "f", "1e-5000"},
            {"HSET", "h", "txt", "hello", "inf", "inf", "big", "1e4900"},
            {"HINCRBYFLOAT", "h", "txt", "1"},
            {"HINCRBYFLOAT", "h", "inf", "1"},
            {"HINCRBYFLOAT", "h", "big", "1e4900"},
            {"HINCRBYFLOAT", "h", "big", "-1e4900"},
            {"HGET", "h", "big"},
            {"HINCRBYFLOAT", "missing", "f", "abc"},
            {"EXISTS", "missing"},
            {"SET", "s", "1"},
            {"HINCRBYFLOAT", "s", "f", "1"},
            {"HINCRBYFLOAT", "s", "f", "abc"},
        });
    }

    @Test
    void getrangeAndSubstrCutTheStringWithNegativeAndOutOfRangeIndexes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"GETRANGE", "missing", "0", "-1"},
            {"SET", "s", "Hello World"},
            {"GETRANGE", "s", "0", "3"},
            {"GETRANGE", "s", "0", "-1"},
            {"GETRANGE", "s", "-4", "-1"},
            {"GETRANGE", "s", "5", "3"},
            {"GETRANGE", "s", "-1", "-5"},
            {"GETRANGE", "s", "-4000", "-5000"},
            {"GETRANGE", "s", "5", "5000"},
            {"GETRANGE", "s", "-5000", "10000"},
            {"GETRANGE", "s", "-5000", "-4000"},
            {"GETRANGE", "s", "20", "30"},
            {"GETRANGE", "s", "0", "-100"},
            {"GETRANGE", "s", "9223372036854775807", "-9223372036854775808"},
            {"GETRANGE", "s", "-9223372036854775808", "9223372036854775807"},
            {"SUBSTR", "s", "1", "-2"},
            {"GETRANGE", "s", "a", "1"},
            {"GETRANGE", "s", "0", "1.5"},
            {"GETRANGE", "missing", "x", "1"},
            {"SET", "n", "1234"},
            {"INCR", "n"},
            {"GETRANGE", "n", "1", "2"},
            {"SET", "e", ""},
            {"GETRANGE", "e", "0", "-1"},
            {"HSET", "h", "a", "1"},
            {"GETRANGE", "h", "0", "-1"},
            {"SUBSTR", "h", "0", "-1"},
            {"GETRANGE", "h", "x", "-1"},
        });
    }

    @Test
    void setrangeOverwritesPadsWithZerosAndKeepsItsLimits() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"SETRANGE", "s", "0", "foo"},
            {"GET", "s"},
            {"SETRANGE", "s", "1", "b"},
            {"GET", "s"},
            {"SETRANGE", "s", "5", "bar"},
            {"GET", "s"},
            {"STRLEN", "s"},
            {"SETRANGE", "s", "0", ""},
            {"SETRANGE", "s", "100", ""},
            {"STRLEN", "s"},
            {"SETRANGE", "new", "3", "x"},
            {"GET", "new"},
            {"SETRANGE", "empty", "0", ""},
            {"SETRANGE", "empty", "10", ""},
            {"EXISTS", "empty"},
            {"SET", "n", "1234"},
            {"INCR", "n"},
            {"SETRANGE", "n", "1", "9"},
            {"GET", "n"},
            {"SETRANGE", "s", "-1", "x"},
            {"SETRANGE", "missing", "-1", ""},
            {"SETRANGE", "s", "x", "y"},
            {"SETRANGE", "s", "536870911", "xy"},
            {"SETRANGE", "s", "536870912", "x"},
            {"SETRANGE", "s", "9223372036854775807", "x"},
            {"SETRANGE", "missing", "536870912", "x"},
            {"SETRANGE", "missing", "536870912", ""},
            {"EXISTS", "missing"},
            {"SET", "t", "v", "EX", "100"},
            {"SETRANGE", "t", "1", "w"},
            {"TTL", "t"},
            {"HSET", "h", "a", "1"},
            {"SETRANGE", "h", "0", "x"},
            {"SETRANGE", "h", "0", ""},
            {"SETRANGE", "h", "-1", "x"},
        });
    }

    @Test
    void incrbyfloatCountsInLongDoubleAndKeepsTheTimeToLive() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"INCRBYFLOAT", "f", "10.5"},
            {"INCRBYFLOAT", "f", "0.1"},
            {"INCRBYFLOAT", "f", "-10.6"},
            {"GET", "f"},
            {"INCRBYFLOAT", "f", "1.23e5"},
            {"INCRBYFLOAT", "f", "-0.00001"},
            {"INCRBYFLOAT", "f", "+5."},
            {"INCRBYFLOAT", "f", ".5"},
            {"INCRBYFLOAT", "f", "-123010"},
            {"SET", "i", "17"},
            {"INCRBYFLOAT", "i", "3"},
            {"INCRBYFLOAT", "i", "-3.5"},
            {"SET", "m", "9223372036854775807"},
            {"INCRBYFLOAT", "m", "1"},
            {"INCRBYFLOAT", "big", "1e400"},
            {"INCRBYFLOAT", "big", "-1e400"},
            {"INCRBYFLOAT", "near", "1.18e4932"},
            {"INCRBYFLOAT", "near", "1.18e4932"},
            {"INCRBYFLOAT", "sub", "1e-4940"},
            {"INCRBYFLOAT", "tie", "3.814697265625e-6"},
            {"INCRBYFLOAT", "third", "0.333333333333333333333333"},
            {"INCRBYFLOAT", "third", "0.666666666666666666666667"},
            {"INCRBYFLOAT", "hex", "0x10"},
            {"INCRBYFLOAT", "hex", "0X.8p-1"},
            {"INCRBYFLOAT", "f", "abc"},
            {"INCRBYFLOAT", "f", "1.5 "},
            {"INCRBYFLOAT", "f", "1e"},
            {"INCRBYFLOAT", "f", "0x"},
            {"INCRBYFLOAT", "f", "nan"},
            {"INCRBYFLOAT", "f", "inf"},
            {"INCRBYFLOAT", "f", "-INF"},
            {"INCRBYFLOAT", "f", "1e5000"},
            {"INCRBYFLOAT", "f", "1e-5000"},
            {"INCRBYFLOAT", "f", "0e-5000"},
            {"SET", "txt", "hello"},
            {"INCRBYFLOAT", "txt", "1"},
            {"SET", "infinite", "inf"},
            {"INCRBYFLOAT", "infinite", "1"},
            {"SET", "t", "1", "EX", "100"},
            {"INCRBYFLOAT", "t", "1.5"},
            {"TTL", "t"},
            {"INCRBYFLOAT", "missing", "x"},
            {"EXISTS", "missing"},
            {"HSET", "h", "a", "1"},
            {"INCRBYFLOAT", "h", "1"},
            {"INCRBYFLOAT", "h", "x"},
        });
    }

    @Test
    void getexReadsTheValueAndChangesOrClearsItsTimeToLive() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"GETEX", "missing"},
            {"GETEX", "missing", "EX", "-1"},
            {"GETEX", "missing", "FOO"},
            {"SET", "k", "v"},
            {"GETEX", "k"},
            {"TTL", "k"},
            {"GETEX", "k", "EX", "100"},
            {"TTL", "k"},
            {"GETEX", "k", "PX", "200000"},
            {"TTL", "k"},
            {"GETEX", "k", "ex", "50", "ex", "300"},
            {"TTL", "k"},
            {"GETEX", "k", "PERSIST"},
            {"TTL", "k"},
            {"GETEX", "k", "PERSIST", "PERSIST"},
            {"GETEX", "k", "EXAT", "99999999999"},
            {"PERSIST", "k"},
            {"GETEX", "k", "PXAT", "99999999999999"},
            {"PERSIST", "k"},
            {"GETEX", "k", "EX", "0"},
            {"GETEX", "k", "EX", "-5"},
            {"GETEX", "k", "PX", "0"},
            {"GETEX", "k", "EXAT", "0"},
            {"GETEX", "k", "PXAT", "-1"},
            {"GETEX", "k", "EX", "abc"},
            {"GETEX", "k", "EX", "1.5"},
            {"GETEX", "k", "EX", "9223372036854775807"},
            {"GETEX", "k", "PX", "9223372036854775807"},
            {"GETEX", "k", "EXAT", "9223372036854775807"},
            {"GETEX", "k", "EX"},
            {"GETEX", "k", "EX", "10", "PX", "10000"},
            {"GETEX", "k", "EX", "10", "PERSIST"},
            {"GETEX", "k", "PERSIST", "EX", "10"},
            {"GETEX", "k", "PXAT", "10", "EXAT", "10"},
            {"GETEX", "k", "KEEPTTL"},
            {"GETEX", "k", "NX"},
            {"GETEX", "k", "GET"},
            {"TTL", "k"},
            {"GETEX", "k", "EXAT", "1"},
            {"EXISTS", "k"},
            {"SET", "p", "v"},
            {"GETEX", "p", "PXAT", "1"},
            {"GET", "p"},
            {"HSET", "h", "a", "1"},
            {"GETEX", "h"},
            {"GETEX", "h", "EX", "-1"},
            {"GETEX", "h", "FOO"},
        });
    }

    @Test
    void psetexSetsAValueWithATimeToLiveInMilliseconds() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHDB"},
            {"PSETEX", "k", "100000", "v"},
            {"GET", "k"},
            {"TTL", "k"},
            {"PSETEX", "k", "0", "v"},
            {"PSETEX", "k", "-1", "v"},
            {"PSETEX", "k", "abc", "v"},
            {"PSETEX", "k", "9223372036854775807", "v"},
            {"HSET", "h", "a", "1"},
            {"PSETEX", "h", "100000", "v"},
            {"TYPE", "h"},
        });
    }

    @Test
    void getexAndPsetexTimesAreInTheirUnits() throws Exception {
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                client.call("SET", "ms", "v");
                client.call("GETEX", "ms", "PX", "1500");
                long pttl = Long.parseLong(client.call("PTTL", "ms").substring(1));
                assertTrue(pttl > 0 && pttl <= 1500, front.getKey() + ": PTTL " + pttl + " after GETEX PX 1500");
                client.call("PSETEX", "ms", "2500", "v");
                pttl = Long.parseLong(client.call("PTTL", "ms").substring(1));
                assertTrue(pttl > 1500 && pttl <= 2500, front.getKey() + ": PTTL " + pttl + " after PSETEX 2500");
                client.call("DEL", "ms");
            }
        }
    }

    /** Runs the setup, then the command, and compares the command's array reply as a sorted list. */
    private static void assertElementsAgreeWithRedis(String[][] setup, String[] command) throws IOException {
        List<String> expected;
        try (RawResp redis = new RawResp(fronts.redisPort())) {
            for (String[] s : setup) {
                redis.call(s);
            }
            expected = sortedElements(redis.call(command));
        }
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                for (String[] s : setup) {
                    client.call(s);
                }
                assertEquals(expected, sortedElements(client.call(command)), front.getKey() + ": " + String.join(" ", command));
            }
        }
        for (StateMode mode : StateMode.values()) {
            Store store = mode.create(4, System::currentTimeMillis);
            for (String[] s : setup) {
                FrontEnds.call(store, 2, s);
            }
            assertEquals(expected, sortedElements(FrontEnds.call(store, 2, command)), "store " + mode + ": " + String.join(" ", command));
        }
    }

    /** The elements of a canonical array reply ("*2 [$1 a, $1 b]"), sorted; its header first. */
    private static List<String> sortedElements(String reply) {
        int open = reply.indexOf(" [");
        assertTrue(reply.startsWith("*") && open > 0 && reply.endsWith("]"), "not an array: " + reply);
        List<String> elements = new ArrayList<>(Arrays.asList(reply.substring(open + 2, reply.length() - 1).split(", ")));
        elements.sort(null);
        elements.addFirst(reply.substring(0, open));
        return elements;
    }
}
