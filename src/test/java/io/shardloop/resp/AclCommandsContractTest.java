package io.shardloop.resp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ACL WHOAMI and USERS, which clients (redis-py's {@code acl_whoami}, Jedis's {@code aclWhoAmI}) send,
 * against redis-server on every front end: the default user's name, the container's errors, and
 * the refusals inside a script; inside MULTI they are queued and answered by EXEC.
 */
class AclCommandsContractTest {
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
    void whoamiAndUsersNameTheDefaultUserAsRedisDoes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"ACL", "WHOAMI"},
            {"acl", "whoami"},
            {"ACL", "USERS"},
            {"ACL"},
            {"ACL", "WHOAMI", "extra"},
            {"ACL", "USERS", "extra"},
            {"ACL", "NOSUCH"},
            {"ACL", "HELP", "extra"},
            {"MULTI"}, {"ACL", "WHOAMI"}, {"ACL", "USERS"}, {"EXEC"},
            {"EVAL", "return redis.call('acl', 'whoami')", "0"},
        }, false);
    }
}
