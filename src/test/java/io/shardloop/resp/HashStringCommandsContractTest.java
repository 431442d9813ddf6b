package io.shardloop.resp;

import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The string commands GETRANGE, SUBSTR, SETRANGE, INCRBYFLOAT, GETEX, PSETEX answer as redis-server does, on
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
}
