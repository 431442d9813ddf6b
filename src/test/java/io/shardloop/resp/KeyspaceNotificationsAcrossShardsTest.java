package io.shardloop.resp;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Keyspace events on four shards in every state mode: a subscriber on each shard, a writer on one,
 * keys owned by every shard. Every subscriber, on the writer's shard or not, the key's owner or
 * not, receives every event once, each key's in the order its commands ran; then the writer's
 * MULTI/EXEC over keys of several shards, whose events go out as its commands run.
 */
class KeyspaceNotificationsAcrossShardsTest {
    private static final int SHARDS = 4;
    private static final int KEYS = 24;

    @Test
    void everySubscriberOnEveryShardReceivesEveryKeysEventsInOrder() throws Exception {
        for (StateMode mode : StateMode.values()) {
            KvGroup kv = new KvGroup(mode, SHARDS);
            assertNull(kv.notifyKeyspaceEvents("KA"));
            try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(SHARDS).pin(false).build(),
                    List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(kv))))) {
                Map<Integer, List<RawResp>> byShard = PubSubAcrossShardsTest.connectionsOnEveryShard(g.port(0), 2);
                List<RawResp> subscribers = new ArrayList<>();
                for (List<RawResp> here : byShard.values()) {
                    RawResp sub = here.get(0);
                    sub.call("PSUBSCRIBE", "__keyspace@0__:*");
                    subscribers.add(sub);
                }
                RawResp writer = byShard.get(0).get(1);
                for (int k = 0; k < KEYS; k++) {
                    writer.call("SET", "k" + k, "v");
                    writer.call("APPEND", "k" + k, "w");
                }
                writer.call("MULTI");
                for (int k = 0; k < KEYS; k++) {
                    writer.call("RPUSH", "l" + k, "x");
                }
                writer.call("EXEC");
                for (int k = 0; k < KEYS; k++) {
                    writer.call("DEL", "k" + k, "l" + k);
                }
                for (RawResp sub : subscribers) {
                    Map<String, List<String>> byKey = new HashMap<>();
                    for (int n = 0; n < KEYS * 5; n++) { // k: set, append, del; l: rpush, del
                        String[] frame = sub.read().split(", ");
                        String key = frame[2].substring(frame[2].indexOf("__:") + 3);
                        String event = frame[3].substring(frame[3].indexOf(' ') + 1, frame[3].length() - 1);
                        byKey.computeIfAbsent(key, x -> new ArrayList<>()).add(event);
                    }
                    for (int k = 0; k < KEYS; k++) {
                        assertEquals(List.of("set", "append", "del"), byKey.get("k" + k), mode + " k" + k);
                        assertEquals(List.of("rpush", "del"), byKey.get("l" + k), mode + " l" + k);
                    }
                    assertEquals("$4 PONG", pingInContext(sub), mode + ": nothing more than the events");
                }
                for (List<RawResp> here : byShard.values()) {
                    for (RawResp c : here) {
                        c.close();
                    }
                }
            }
        }
    }

    /** The next frame of a subscriber: in the subscribed context PING answers [pong, ""]. */
    private static String pingInContext(RawResp sub) throws Exception {
        String reply = sub.call("PING");
        return reply.startsWith("*2 [$4 pong") ? "$4 PONG" : reply;
    }
}
