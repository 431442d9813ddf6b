package io.shardloop.resp;

import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ServerModel;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.testing.RawResp;
import io.shardloop.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that requires a password, against redis-server with requirepass set: what a client
 * gets before it authenticates (NOAUTH for a command and for a bare HELLO, WRONGPASS for a wrong
 * password in AUTH or HELLO), then AUTH and HELLO AUTH succeeding; on the event loops in every state
 * mode over one shard and two, and on a thread per connection. Clients read these texts: redis-py
 * turns them into its AuthenticationError with the message as Redis words it.
 */
class AuthRepliesContractTest {
    private static final String PASSWORD = "auth-contract-secret";
    private static final String[][] SEQUENCE = {
        {"PING"},
        {"GET", "k"},
        {"HELLO", "3"},
        {"HELLO", "2"},
        {"HELLO", "3", "AUTH", "default", "wrong"},
        {"HELLO", "3", "AUTH", "nobody", PASSWORD},
        {"AUTH", "wrong"},
        {"AUTH", "default", "wrong"},
        {"AUTH", "a", "b", "c"},
        {"AUTH", PASSWORD},
        {"PING"},
        {"AUTH", "default", PASSWORD},
        {"SET", "k", "v"},
        {"GET", "k"},
        {"DEL", "k"},
    };

    @Test
    void repliesBeforeAndAfterAuthenticationAreRedisTexts() throws Exception {
        List<String> expected = new ArrayList<>();
        try (RedisServer redis = RedisServer.start()) {
            try (RawResp admin = new RawResp(redis.port())) {
                assertEquals("+OK", admin.call("CONFIG", "SET", "requirepass", PASSWORD));
            }
            try (RawResp reference = new RawResp(redis.port())) {
                for (String[] command : SEQUENCE) {
                    expected.add(reference.call(command));
                }
            }
        }
        List<String> mismatches = new ArrayList<>();
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 2}) {
                try (RespTestServer server = RespTestServer.start(mode, shards, PASSWORD)) {
                    compare("loops " + mode + " on " + shards, server.port(), expected, mismatches);
                }
            }
        }
        for (ServerModel model : new ServerModel[] {ServerModel.THREADS, ServerModel.VIRTUAL}) {
            ThreadedConfig config = ThreadedConfig.defaults(model, "127.0.0.1", 0);
            try (BlockingRespProtocol protocol = new BlockingRespProtocol(config, StateMode.LOCKED,
                    RespLimits.REDIS_DEFAULTS, PASSWORD);
                 ThreadedServer server = ThreadedServer.start(config, protocol)) {
                compare(model.label(), server.port(), expected, mismatches);
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }

    private static void compare(String front, int port, List<String> expected, List<String> mismatches)
            throws IOException {
        try (RawResp client = new RawResp(port)) {
            for (int i = 0; i < SEQUENCE.length; i++) {
                FrontEnds.compare(front, client.call(SEQUENCE[i]), expected.get(i), SEQUENCE[i], mismatches);
            }
        }
    }
}
