package io.shardloop.resp;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import io.shardloop.kv.StateMode;
import io.shardloop.testing.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Lettuce's client-side caching, unchanged, over RESP3 on four shards in every state mode: what
 * another connection writes evicts the cached values (each key's owner may be another shard than
 * the caching connection's), and the next read fetches the new value.
 */
class LettuceClientSideCachingTest {
    @Test
    void lettucesCacheIsEvictedByWritesOnAnyShard() throws Exception {
        for (StateMode mode : StateMode.values()) {
            try (RespTestServer server = RespTestServer.start(mode, 4)) {
                RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.port())
                        .withTimeout(Duration.ofSeconds(10)).build());
                client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
                try (StatefulRedisConnection<String, String> cached = client.connect();
                     StatefulRedisConnection<String, String> writer = client.connect()) {
                    Map<String, String> map = new ConcurrentHashMap<>();
                    CacheFrontend<String, String> frontend = ClientSideCaching.enable(CacheAccessor.forMap(map), cached,
                            TrackingArgs.Builder.enabled());
                    for (int i = 0; i < 8; i++) {
                        writer.sync().set("lc:" + i, "first");
                    }
                    for (int i = 0; i < 8; i++) {
                        assertEquals("first", frontend.get("lc:" + i), mode.name());
                    }
                    assertEquals(8, map.size(), mode.name());
                    for (int i = 0; i < 8; i++) {
                        writer.sync().set("lc:" + i, "second");
                    }
                    Await.until(mode + ": every cached key evicted, left " + map, Duration.ofSeconds(30), map::isEmpty);
                    for (int i = 0; i < 8; i++) {
                        assertEquals("second", frontend.get("lc:" + i), mode.name());
                    }
                    frontend.close();
                } finally {
                    client.shutdown();
                }
            }
        }
    }
}
