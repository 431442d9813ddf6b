package io.shardloop.resp;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.shardloop.kv.StateMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lettuce's pub/sub, unchanged, over RESP3 (push frames; the subscriber also runs commands) and
 * RESP2, on two shards: its listener hears every message and pattern message in order.
 */
class LettucePubSubTest {
    @Test
    void lettuceSubscribersHearEveryMessageOverResp3AndResp2() throws Exception {
        for (ProtocolVersion version : new ProtocolVersion[] {ProtocolVersion.RESP3, ProtocolVersion.RESP2}) {
            try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2)) {
                RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.port())
                        .withTimeout(Duration.ofSeconds(10)).build());
                client.setOptions(ClientOptions.builder().protocolVersion(version).build());
                try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                     StatefulRedisConnection<String, String> pub = client.connect()) {
                    List<String> heard = new CopyOnWriteArrayList<>();
                    CountDownLatch all = new CountDownLatch(20);
                    sub.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, String message) {
                            heard.add(channel + "=" + message);
                            all.countDown();
                        }

                        @Override
                        public void message(String pattern, String channel, String message) {
                            heard.add(pattern + ":" + channel + "=" + message);
                            all.countDown();
                        }
                    });
                    sub.sync().subscribe("lt:news");
                    sub.sync().psubscribe("lt:*");
                    if (version == ProtocolVersion.RESP3) {
                        assertEquals("PONG", sub.sync().ping(), "RESP3: any command while subscribed");
                    }
                    for (int i = 0; i < 10; i++) {
                        assertEquals(2L, pub.sync().publish("lt:news", "m" + i), version.name());
                    }
                    assertTrue(all.await(30, TimeUnit.SECONDS), version + ": heard " + heard);
                    for (int i = 0; i < 10; i++) {
                        assertEquals("lt:news=m" + i, heard.stream().filter(h -> h.startsWith("lt:news=")).toList().get(i));
                        assertEquals("lt:*:lt:news=m" + i, heard.stream().filter(h -> h.startsWith("lt:*:")).toList().get(i));
                    }
                    assertEquals(1L, pub.sync().pubsubNumpat());
                } finally {
                    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                }
            }
        }
    }
}
