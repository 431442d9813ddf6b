package io.shardloop.resp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DUMP and RESTORE answer as redis-server 7.0 does on every front end and store: a missing key,
 * a short string's payload (the same bytes as Redis's), and RESTORE's errors in Redis's order of
 * checks (options, an existing key, the TTL, the version and checksum). Binary payloads cross in
 * {@link DumpRestoreTest}.
 */
class DumpRestoreCommandsContractTest {
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
    void dumpAnswersNullForAMissingKeyAndRedisBytesForAShortString() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"DUMP", "missing"},
            {"SET", "s", "hello"},
            {"DUMP", "s"},
            {"SET", "n", "-12"},
            {"DUMP", "n"},
            {"SET", "e", ""},
            {"DUMP", "e"},
            {"DUMP"},
            {"DUMP", "s", "extra"},
        });
    }

    @Test
    void restoreChecksOptionsKeyTtlAndPayloadInRedisOrder() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "s", "v"},
            {"RESTORE", "s", "0", "x"},
            {"RESTORE", "s", "-1", "x"},
            {"RESTORE", "s", "abc", "x"},
            {"RESTORE", "s", "0", "x", "REPLACE"},
            {"RESTORE", "n", "0", "x"},
            {"RESTORE", "n", "0", ""},
            {"RESTORE", "n", "-1", "x"},
            {"RESTORE", "n", "abc", "x"},
            {"RESTORE", "n", "1.5", "x"},
            {"RESTORE", "n", "0", "x", "BOGUS"},
            {"RESTORE", "s", "0", "x", "BOGUS"},
            {"RESTORE", "n", "0", "x", "IDLETIME"},
            {"RESTORE", "n", "0", "x", "IDLETIME", "-1"},
            {"RESTORE", "n", "0", "x", "IDLETIME", "abc"},
            {"RESTORE", "n", "0", "x", "IDLETIME", "5"},
            {"RESTORE", "n", "0", "x", "FREQ"},
            {"RESTORE", "n", "0", "x", "FREQ", "256"},
            {"RESTORE", "n", "0", "x", "FREQ", "-1"},
            {"RESTORE", "n", "0", "x", "FREQ", "x"},
            {"RESTORE", "n", "0", "x", "FREQ", "255"},
            {"RESTORE", "n", "0", "x", "FREQ", "1", "IDLETIME", "1"},
            {"RESTORE", "n", "0", "x", "IDLETIME", "1", "FREQ", "1"},
            {"RESTORE", "n", "0", "x", "replace", "absttl", "idletime", "5"},
            {"RESTORE", "n", "-5", "x", "BOGUS"},
            {"RESTORE", "n", "0"},
            {"EXISTS", "s", "n"},
            {"GET", "s"},
        });
    }
}
