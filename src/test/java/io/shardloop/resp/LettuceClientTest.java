package io.shardloop.resp;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.shardloop.kv.StateMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Lettuce, unchanged, against the sharded server: its handshake, commands and async pipelining. */
class LettuceClientTest {
    @Test
    void shouldServeLettuceOverResp3WithMapsSetsAndNullsFromEveryShard() throws Exception {
        for (StateMode mode : new StateMode[] {StateMode.SHARDED, StateMode.LOCKED}) {
            try (RespTestServer server = RespTestServer.start(mode, 2)) {
                RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.port())
                        .withTimeout(Duration.ofSeconds(10)).build());
                client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    RedisCommands<String, String> sync = connection.sync();
                    List<String> keys = server.keysOnEveryShard("r3:", 3);
                    for (String k : keys) {
                        sync.hset(k + ":h", Map.of("f1", "v1", "f2", "v2"));
                        sync.sadd(k + ":s", "a", "b");
                        sync.set(k, "v-" + k);
                    }
                    for (String k : keys) {
                        assertEquals(Map.of("f1", "v1", "f2", "v2"), sync.hgetall(k + ":h"), "a RESP3 map");
                        assertEquals(Set.of("a", "b"), sync.smembers(k + ":s"), "a RESP3 set");
                    }
                    List<String> asked = new ArrayList<>(keys);
                    asked.add("r3:missing");
                    List<KeyValue<String, String>> values = sync.mget(asked.toArray(String[]::new));
                    for (int i = 0; i < keys.size(); i++) {
                        assertEquals("v-" + keys.get(i), values.get(i).getValue());
                    }
                    assertFalse(values.get(keys.size()).hasValue(), "RESP3's null inside an array");
                    assertNull(sync.get("r3:missing"));
                    assertEquals(Map.of(), sync.hgetall("r3:missing"));
                    sync.flushall();
                } finally {
                    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                }
            }
        }
    }

    @Test
    void shouldServeLettuceAcrossShardsIncludingItsPipelinedAsyncCommands() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2)) {
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.port())
                    .withTimeout(Duration.ofSeconds(10)).build());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> sync = connection.sync();
                assertEquals("PONG", sync.ping());
                List<String> keys = server.keysOnEveryShard("lettuce:", 5);
                for (String k : keys) {
                    assertEquals("OK", sync.set(k, "v-" + k));
                }
                List<KeyValue<String, String>> values = sync.mget(keys.toArray(String[]::new));
                for (int i = 0; i < keys.size(); i++) {
                    assertEquals("v-" + keys.get(i), values.get(i).getValue());
                }
                assertEquals(3L, sync.incrby("lettuce:counter", 3));
                assertNull(sync.get("lettuce:missing"));

                // Asynchronous commands are pipelined on one connection; replies must match requests.
                RedisAsyncCommands<String, String> async = connection.async();
                List<io.lettuce.core.RedisFuture<Long>> counts = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    counts.add(async.incr("lettuce:n:" + (i % 17)));
                }
                long[] expected = new long[17];
                for (int i = 0; i < counts.size(); i++) {
                    expected[i % 17]++;
                    assertEquals(expected[i % 17], counts.get(i).get(10, TimeUnit.SECONDS));
                }
                assertEquals(keys.size(), sync.del(keys.toArray(String[]::new)));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }
}
