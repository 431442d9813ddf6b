package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bit commands SETBIT, GETBIT, BITCOUNT, BITPOS, BITFIELD, BITFIELD_RO and the key commands
 * EXPIRETIME, PEXPIRETIME, TOUCH answer as redis-server does, on every front end and store: normal
 * cases, missing keys, wrong types, offsets at the limits, negative ranges, BYTE against BIT, bad
 * arguments. TIME and relative deadlines depend on the clock and are checked against it.
 */
class KeyBitCommandsContractTest {
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
    void setbitAndGetbitAddressBitsFromTheMostSignificantOfTheFirstByte() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SETBIT", "b", "7", "1"},
            {"GET", "b"},
            {"SETBIT", "b", "7", "1"},
            {"SETBIT", "b", "1", "1"},
            {"GET", "b"},
            {"SETBIT", "b", "7", "0"},
            {"GET", "b"},
            {"GETBIT", "b", "1"},
            {"GETBIT", "b", "7"},
            {"GETBIT", "b", "100"},
            {"SETBIT", "b", "23", "0"},
            {"STRLEN", "b"},
            {"GETBIT", "missing", "0"},
            {"GETBIT", "missing", "4294967295"},
            {"EXISTS", "missing"},
            {"SET", "s", "`"},
            {"GETBIT", "s", "1"},
            {"GETBIT", "s", "2"},
            {"GETBIT", "s", "3"},
            {"SETBIT", "s", "3", "1"},
            {"GET", "s"},
            {"SET", "n", "12"},
            {"SETBIT", "n", "15", "1"},
            {"GET", "n"},
            {"SET", "t", "v"},
            {"EXPIRE", "t", "1000"},
            {"SETBIT", "t", "100", "1"},
            {"TTL", "t"},
        });
    }

    @Test
    void setbitAndGetbitRejectBadOffsetsBitsAndTypes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SETBIT", "b", "-1", "1"},
            {"SETBIT", "b", "4294967296", "1"},
            {"SETBIT", "b", "notanumber", "1"},
            {"SETBIT", "b", "#1", "1"},
            {"SETBIT", "b", "0", "2"},
            {"SETBIT", "b", "0", "-1"},
            {"SETBIT", "b", "0", "x"},
            {"SETBIT", "b", "0", ""},
            {"GETBIT", "b", "-1"},
            {"GETBIT", "b", "4294967296"},
            {"GETBIT", "b", "9999999999999999999999"},
            {"EXISTS", "b"},
            {"RPUSH", "l", "a"},
            {"SETBIT", "l", "0", "1"},
            {"GETBIT", "l", "0"},
            {"SETBIT", "l", "-1", "1"},
            {"SETBIT", "l", "0", "5"},
            {"GETBIT", "l", "-1"},
        });
    }

    @Test
    void bitcountCountsByteAndBitRangesWithNegativeIndexes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "s", "foobar"},
            {"BITCOUNT", "s"},
            {"BITCOUNT", "s", "0", "0"},
            {"BITCOUNT", "s", "1", "1"},
            {"BITCOUNT", "s", "1", "1", "BYTE"},
            {"BITCOUNT", "s", "5", "30", "BIT"},
            {"BITCOUNT", "s", "5", "30", "bit"},
            {"BITCOUNT", "s", "0", "-1"},
            {"BITCOUNT", "s", "-2", "-1"},
            {"BITCOUNT", "s", "-100", "100"},
            {"BITCOUNT", "s", "-1", "-2"},
            {"BITCOUNT", "s", "-1", "-2", "NOSUCHUNIT"},
            {"BITCOUNT", "s", "3", "1"},
            {"BITCOUNT", "s", "6", "100"},
            {"BITCOUNT", "s", "0", "-1", "BIT"},
            {"BITCOUNT", "s", "-7", "-1", "BIT"},
            {"BITCOUNT", "s", "1", "1", "BIT"},
            {"BITCOUNT", "s", "9", "14", "BIT"},
            {"BITCOUNT", "s", "47", "47", "BIT"},
            {"BITCOUNT", "s", "48", "100", "BIT"},
            {"SET", "long", "abcdefghijklmnopqrstuvwxyz0123456789"},
            {"BITCOUNT", "long"},
            {"BITCOUNT", "long", "3", "33"},
            {"BITCOUNT", "long", "13", "250", "BIT"},
            {"SET", "empty", ""},
            {"BITCOUNT", "empty"},
            {"BITCOUNT", "empty", "0", "-1"},
            {"BITCOUNT", "empty", "0", "-1", "BIT"},
            {"BITCOUNT", "missing"},
            {"BITCOUNT", "missing", "a", "b"},
            {"BITCOUNT", "missing", "0"},
        });
    }

    @Test
    void bitcountRejectsBadRangesUnitsAndTypes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "s", "foobar"},
            {"BITCOUNT", "s", "0"},
            {"BITCOUNT", "s", "0", "1", "BYTE", "extra"},
            {"BITCOUNT", "s", "a", "1"},
            {"BITCOUNT", "s", "0", "b"},
            {"BITCOUNT", "s", "0", "1", "BITS"},
            {"BITCOUNT", "s", "0", "99999999999999999999"},
            {"HSET", "h", "f", "v"},
            {"BITCOUNT", "h"},
            {"BITCOUNT", "h", "a", "b"},
        });
    }

    @Test
    void bitposFindsTheFirstSetOrClearBitInByteAndBitRanges() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SETBIT", "b", "0", "1"},
            {"SETBIT", "b", "1", "1"},
            {"SETBIT", "b", "2", "1"},
            {"SETBIT", "b", "3", "1"},
            {"SETBIT", "b", "4", "1"},
            {"SETBIT", "b", "5", "1"},
            {"SETBIT", "b", "6", "1"},
            {"SETBIT", "b", "7", "1"},
            {"SETBIT", "b", "8", "1"},
            {"SETBIT", "b", "9", "1"},
            {"SETBIT", "b", "10", "1"},
            {"SETBIT", "b", "11", "1"},
            {"SETBIT", "b", "12", "1"},
            {"SETBIT", "b", "13", "1"},
            {"SETBIT", "b", "14", "1"},
            {"SETBIT", "b", "15", "1"},
            {"BITPOS", "b", "0"},
            {"BITPOS", "b", "0", "0"},
            {"BITPOS", "b", "0", "0", "-1"},
            {"BITPOS", "b", "0", "1"},
            {"BITPOS", "b", "0", "5"},
            {"BITPOS", "b", "1"},
            {"SETBIT", "b", "35", "1"},
            {"BITPOS", "b", "0"},
            {"BITPOS", "b", "1", "2"},
            {"BITPOS", "b", "1", "2", "-1"},
            {"BITPOS", "b", "1", "-3"},
            {"BITPOS", "b", "1", "-1"},
            {"BITPOS", "b", "0", "2", "4"},
            {"BITPOS", "b", "1", "0", "-1", "BIT"},
            {"BITPOS", "b", "1", "16", "-1", "bit"},
            {"BITPOS", "b", "1", "16", "34", "BIT"},
            {"BITPOS", "b", "1", "36", "-1", "BIT"},
            {"BITPOS", "b", "0", "3", "12", "BIT"},
            {"BITPOS", "b", "0", "-26", "-1", "BIT"},
            {"BITPOS", "b", "0", "35", "35", "BIT"},
            {"BITPOS", "b", "1", "35", "35", "BIT"},
            {"BITPOS", "b", "0", "10", "5", "BIT"},
            {"BITPOS", "b", "1", "0", "1", "BYTE"},
            {"SET", "ones", "\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f"},
            {"BITPOS", "ones", "0"},
            {"BITPOS", "ones", "0", "1"},
            {"BITPOS", "ones", "1", "8", "79", "BIT"},
            {"BITPOS", "ones", "0", "1", "78", "BIT"},
            {"SETBIT", "zeros", "95", "0"},
            {"BITPOS", "zeros", "1"},
            {"BITPOS", "zeros", "0"},
            {"BITPOS", "zeros", "0", "3"},
            {"SETBIT", "zeros", "90", "1"},
            {"BITPOS", "zeros", "1"},
            {"BITPOS", "zeros", "1", "3", "-1", "BIT"},
            {"SET", "empty", ""},
            {"BITPOS", "empty", "0"},
            {"BITPOS", "empty", "1"},
            {"BITPOS", "empty", "0", "0"},
            {"BITPOS", "missing", "0"},
            {"BITPOS", "missing", "1"},
            {"BITPOS", "missing", "1", "x"},
        });
    }

    @Test
    void bitposOfAllOnesWithoutAnEndFindsTheClearBitPastTheString() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"BITFIELD", "f", "SET", "i64", "0", "-1", "SET", "i64", "64", "-1", "SET", "i8", "128", "-1"},
            {"BITPOS", "f", "0"},
            {"BITPOS", "f", "0", "3"},
            {"BITPOS", "f", "0", "3", "-1"},
            {"BITPOS", "f", "0", "3", "16"},
            {"BITPOS", "f", "0", "0", "-1", "BIT"},
            {"BITPOS", "f", "1", "70", "-1", "BIT"},
            {"SETBIT", "f", "130", "0"},
            {"BITPOS", "f", "0", "8"},
            {"BITPOS", "f", "0", "9", "-1", "BIT"},
            {"BITPOS", "f", "0", "130", "-1", "BIT"},
            {"BITPOS", "f", "0", "131", "-1", "BIT"},
        });
    }

    @Test
    void bitposRejectsBadBitsRangesUnitsAndTypes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "s", "abc"},
            {"BITPOS", "s", "2"},
            {"BITPOS", "s", "-1"},
            {"BITPOS", "s", "x"},
            {"BITPOS", "missing", "2"},
            {"BITPOS", "s", "1", "x"},
            {"BITPOS", "s", "1", "0", "x"},
            {"BITPOS", "s", "1", "0", "1", "BITS"},
            {"BITPOS", "s", "1", "0", "1", "BIT", "extra"},
            {"BITPOS", "s", "1", "x", "1", "BITS"},
            {"SADD", "set", "m"},
            {"BITPOS", "set", "1"},
            {"BITPOS", "set", "2"},
            {"BITPOS", "set", "1", "x"},
        });
    }

    @Test
    void bitfieldGetsSetsAndIncrementsSignedAndUnsignedFields() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"BITFIELD", "f", "SET", "u8", "0", "255", "GET", "u8", "0", "GET", "i8", "0"},
            {"BITFIELD", "f", "SET", "i8", "0", "-100", "GET", "i8", "0", "GET", "u8", "0"},
            {"BITFIELD", "f", "INCRBY", "u2", "100", "1", "GET", "u2", "100"},
            {"STRLEN", "f"},
            {"BITFIELD", "f", "SET", "u4", "#2", "9", "GET", "u4", "8", "GET", "u4", "#2"},
            {"BITFIELD", "f", "GET", "i64", "0", "GET", "u63", "1", "GET", "i5", "3", "GET", "u1", "1000"},
            {"BITFIELD", "f", "SET", "i64", "64", "-9223372036854775808", "GET", "i64", "64"},
            {"BITFIELD", "f", "INCRBY", "i64", "64", "-1"},
            {"BITFIELD", "f", "SET", "u63", "#3", "9223372036854775807", "GET", "u63", "#3"},
            {"BITFIELD", "f", "SET", "i3", "5", "3", "SET", "i3", "5", "-4", "GET", "i3", "5", "GET", "u3", "5"},
            {"BITFIELD", "f"},
            {"BITFIELD", "missing"},
            {"BITFIELD", "missing", "GET", "u8", "0"},
            {"EXISTS", "missing"},
            {"BITFIELD_RO", "f", "GET", "u8", "0", "get", "i4", "#1"},
            {"BITFIELD_RO", "missing", "GET", "u8", "0"},
            {"BITFIELD_RO", "f"},
            {"SET", "text", "hello"},
            {"BITFIELD", "text", "GET", "u8", "8", "GET", "i16", "16", "GET", "u8", "36"},
            {"BITFIELD", "text", "incrby", "u8", "0", "1"},
            {"GET", "text"},
        });
    }

    @Test
    void bitfieldOverflowWrapsSaturatesOrFails() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"BITFIELD", "f", "SET", "u2", "0", "3", "INCRBY", "u2", "0", "1", "INCRBY", "u2", "0", "-2"},
            {"BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "u2", "0", "10", "INCRBY", "u2", "0", "-10"},
            {"BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "4", "INCRBY", "u2", "0", "3", "GET", "u2", "0"},
            {"BITFIELD", "f", "OVERFLOW", "WRAP", "INCRBY", "i8", "8", "127", "INCRBY", "i8", "8", "1"},
            {"BITFIELD", "f", "OVERFLOW", "sat", "INCRBY", "i8", "8", "-1000", "INCRBY", "i8", "8", "1000"},
            {"BITFIELD", "f", "OVERFLOW", "fail", "INCRBY", "i8", "8", "1", "OVERFLOW", "WRAP", "INCRBY", "i8", "8", "1"},
            {"BITFIELD", "f", "SET", "u8", "16", "-1", "SET", "u8", "16", "256", "GET", "u8", "16"},
            {"BITFIELD", "f", "OVERFLOW", "SAT", "SET", "u8", "16", "-1", "SET", "u8", "16", "300", "GET", "u8", "16"},
            {"BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u8", "16", "300", "SET", "i8", "16", "-129", "GET", "u8", "16"},
            {"BITFIELD", "f", "SET", "i8", "16", "200", "OVERFLOW", "SAT", "SET", "i8", "16", "200", "SET", "i8", "16", "-200"},
            {"BITFIELD", "f", "SET", "i64", "24", "9223372036854775807", "INCRBY", "i64", "24", "1"},
            {"BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "i64", "24", "9223372036854775807",
                "INCRBY", "i64", "24", "-9223372036854775808", "INCRBY", "i64", "24", "-9223372036854775808"},
            {"BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "i64", "24", "-1", "INCRBY", "i64", "24", "9223372036854775807"},
            {"BITFIELD", "f", "SET", "u63", "88", "9223372036854775807", "INCRBY", "u63", "88", "1",
                "INCRBY", "u63", "88", "-1", "OVERFLOW", "SAT", "INCRBY", "u63", "88", "-9223372036854775808"},
            {"BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "10"},
            {"STRLEN", "new"},
            {"GET", "f"},
        });
    }

    @Test
    void bitfieldRejectsBadOperationsTypesOffsetsAndWritesInItsReadOnlyForm() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"BITFIELD", "f", "GET", "u8"},
            {"BITFIELD", "f", "SET", "u8", "0"},
            {"BITFIELD", "f", "NOSUCH", "u8", "0"},
            {"BITFIELD", "f", "OVERFLOW"},
            {"BITFIELD", "f", "OVERFLOW", "CLAMP", "GET", "u8", "0"},
            {"BITFIELD", "f", "GET", "u64", "0"},
            {"BITFIELD", "f", "GET", "i65", "0"},
            {"BITFIELD", "f", "GET", "i0", "0"},
            {"BITFIELD", "f", "GET", "x8", "0"},
            {"BITFIELD", "f", "GET", "i", "0"},
            {"BITFIELD", "f", "GET", "u08", "0"},
            {"BITFIELD", "f", "GET", "u8", "-1"},
            {"BITFIELD", "f", "GET", "u8", "#-1"},
            {"BITFIELD", "f", "GET", "u8", "#"},
            {"BITFIELD", "f", "GET", "u8", "4294967296"},
            {"BITFIELD", "f", "GET", "u8", "#536870912"},
            {"BITFIELD", "f", "GET", "u8", "#536870911"},
            {"BITFIELD", "f", "GET", "u1", "4294967295"},
            {"BITFIELD", "f", "SET", "u8", "0", "x"},
            {"BITFIELD", "f", "INCRBY", "u8", "0", "1.5"},
            {"BITFIELD", "f", "SET", "u8", "0", "1", "GET", "u8", "-1"},
            {"EXISTS", "f"},
            {"BITFIELD_RO", "f", "SET", "u8", "0", "1"},
            {"BITFIELD_RO", "f", "INCRBY", "u8", "0", "1"},
            {"BITFIELD_RO", "f", "OVERFLOW", "SAT", "GET", "u8", "0"},
            {"BITFIELD_RO", "f", "GET", "u99", "0"},
            {"EXISTS", "f"},
            {"LPUSH", "l", "a"},
            {"BITFIELD", "l", "GET", "u8", "0"},
            {"BITFIELD", "l", "SET", "u8", "0", "1"},
            {"BITFIELD", "l"},
            {"BITFIELD", "l", "GET", "u99", "0"},
            {"BITFIELD_RO", "l", "GET", "u8", "0"},
            {"BITFIELD_RO", "l", "SET", "u8", "0", "1"},
        });
    }

    @Test
    void expiretimeAnswersTheDeadlineSetMinusOneWithoutAndMinusTwoWhenMissing() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "k", "v"},
            {"EXPIRETIME", "k"},
            {"PEXPIRETIME", "k"},
            {"EXPIRETIME", "missing"},
            {"PEXPIRETIME", "missing"},
            {"SET", "k", "v", "PXAT", "33177117420499"},
            {"EXPIRETIME", "k"},
            {"PEXPIRETIME", "k"},
            {"SET", "k", "v", "PXAT", "33177117420500"},
            {"EXPIRETIME", "k"},
            {"PEXPIRETIME", "k"},
            {"SET", "k", "v", "EXAT", "33177117420"},
            {"EXPIRETIME", "k"},
            {"PEXPIRETIME", "k"},
            {"PERSIST", "k"},
            {"EXPIRETIME", "k"},
            {"HSET", "h", "f", "v"},
            {"EXPIRETIME", "h"},
            {"PEXPIRETIME", "h"},
            {"SET", "gone", "v", "PXAT", "1"},
            {"EXPIRETIME", "gone"},
        });
    }

    @Test
    void expireatSetsAnAbsoluteDeadlineAndOneInThePastDeletes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "k", "v"},
            {"EXPIREAT", "k", "33177117420"},
            {"EXPIRETIME", "k"},
            {"PEXPIREAT", "k", "33177117420499"},
            {"PEXPIRETIME", "k"},
            {"EXPIREAT", "k", "33177117421", "LT"},
            {"EXPIREAT", "k", "33177117421", "GT"},
            {"PEXPIREAT", "k", "33177117420000", "NX"},
            {"PEXPIREAT", "k", "33177117420000", "XX"},
            {"PEXPIRETIME", "k"},
            {"EXPIREAT", "k", "33177117420", "NX", "XX"},
            {"EXPIREAT", "k", "33177117420", "GT", "LT"},
            {"EXPIREAT", "k", "33177117420", "SOON"},
            {"EXPIREAT", "k", "soon"},
            {"EXPIREAT", "k", "9223372036854775807"},
            {"PEXPIREAT", "k", "9223372036854775807"},
            {"EXPIREAT", "missing", "33177117420"},
            {"EXPIREAT", "k", "1"},
            {"EXISTS", "k"},
            {"SET", "k", "v"},
            {"PEXPIREAT", "k", "-5"},
            {"EXISTS", "k"},
            {"EXPIREAT", "k"},
        });
    }

    @Test
    void touchCountsTheExistingKeysAcrossShards() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"TOUCH", "a"},
            {"MSET", "a", "1", "b", "2", "c", "3", "d", "4"},
            {"RPUSH", "l", "x"},
            {"TOUCH", "a", "b", "missing", "c", "d", "l", "a"},
            {"TOUCH", "missing", "other"},
            {"GET", "a"},
        });
    }

    @Test
    void expiretimeOfARelativeExpiryIsNowPlusTheTimeToLive() throws Exception {
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                client.call("SET", "rel", "v");
                long before = System.currentTimeMillis();
                client.call("PEXPIRE", "rel", "100000");
                long after = System.currentTimeMillis();
                long at = Long.parseLong(client.call("PEXPIRETIME", "rel").substring(1));
                assertTrue(at >= before + 100000 && at <= after + 100000,
                        front.getKey() + ": PEXPIRETIME " + at + " after PEXPIRE 100000 at " + before + ".." + after);
                long seconds = Long.parseLong(client.call("EXPIRETIME", "rel").substring(1));
                assertEquals((at + 500) / 1000, seconds, front.getKey() + ": EXPIRETIME against PEXPIRETIME");
                client.call("DEL", "rel");
            }
        }
    }

    private static final Pattern TIME_REPLY = Pattern.compile("\\*2 \\[\\$\\d+ (\\d+), \\$\\d+ (\\d+)]");

    @Test
    void timeAnswersTheWallClockInSecondsAndMicroseconds() throws Exception {
        List<String> replies = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<long[]> windows = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                long before = System.currentTimeMillis();
                replies.add(client.call("TIME"));
                windows.add(new long[] {before, System.currentTimeMillis()});
                labels.add(front.getKey());
            }
        }
        for (StateMode mode : StateMode.values()) {
            Store store = mode.create(2, System::currentTimeMillis);
            long before = System.currentTimeMillis();
            replies.add(FrontEnds.call(store, 2, "TIME"));
            windows.add(new long[] {before, System.currentTimeMillis()});
            labels.add("store " + mode);
        }
        for (int i = 0; i < replies.size(); i++) {
            Matcher m = TIME_REPLY.matcher(replies.get(i));
            assertTrue(m.matches(), labels.get(i) + ": TIME answered " + replies.get(i));
            long micros = Long.parseLong(m.group(2));
            assertTrue(micros < 1_000_000, labels.get(i) + ": " + micros + " microseconds");
            long millis = Long.parseLong(m.group(1)) * 1000 + micros / 1000;
            long[] window = windows.get(i);
            assertTrue(millis >= window[0] - 1000 && millis <= window[1] + 1000,
                    labels.get(i) + ": TIME " + millis + " ms, the clock " + window[0] + ".." + window[1]);
        }
    }

    @Test
    void timeTakesNoArgumentsAsInRedis() throws IOException {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"TIME", "now"},
        });
    }
}
