package io.shardloop.resp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ROLE, which clients ask to find a primary (Lettuce's master/replica discovery, sentinel-aware
 * pools), against redis-server with no replication configured, on every front end and store; in a
 * transaction, and refused inside a script (it is NOSCRIPT in Redis).
 */
class RoleCommandContractTest {
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
    void roleNamesAPrimaryWithoutReplicas() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"ROLE"},
            {"role"},
            {"ROLE", "extra"},
            {"COMMAND", "INFO", "role"},
        });
    }

    @Test
    void roleIsQueuedInATransactionAndRefusedInAScript() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"MULTI"}, {"ROLE"}, {"EXEC"},
            {"EVAL", "return redis.call('role')", "0"},
        }, false);
    }
}
