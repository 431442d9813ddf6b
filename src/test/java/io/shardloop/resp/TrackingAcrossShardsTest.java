package io.shardloop.resp;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.Slots;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.Await;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CLIENT TRACKING over four shards, in every state mode: the tracking client on one shard, the key
 * owned by a second (in the sharded mode), the writer on a third, and the client a redirect names
 * on the fourth. The default mode's push, a REDIRECT to a RESP2 subscriber of
 * {@code __redis__:invalidate}, BCAST with a prefix, and INFO's tracking figures. A connection's
 * shard is the high bits of its id ({@code CLIENT ID}).
 */
class TrackingAcrossShardsTest {
    private static final int SHARDS = 4;

    @Test
    void invalidationsReachTrackingClientsOnOtherShardsThanTheKeyAndTheWriter() throws Exception {
        for (StateMode mode : StateMode.values()) {
            try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(SHARDS).pin(false).build(),
                    List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, SHARDS)))))) {
                check(g.port(0), mode.name());
            }
        }
    }

    /**
     * A key some client tracks expires (the expiry cycle, or a lookup): the client hears of it, as in
     * Redis, in every state mode; in the shared-state modes the store's expiry is found on one
     * shard's loop and its trackers are on another's.
     */
    @Test
    void aTrackedKeyThatExpiresIsInvalidated() throws Exception {
        for (StateMode mode : StateMode.values()) {
            expires(mode);
        }
    }

    private static void expires(StateMode mode) throws Exception {
        try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(SHARDS).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, SHARDS)))))) {
            List<RawResp> opened = new ArrayList<>();
            try {
                RawResp tracker = on(g.port(0), 0, opened);
                RawResp writer = on(g.port(0), 2, opened);
                String key = keyOwnedBy(1);
                tracker.call("HELLO", "3");
                assertEquals("+OK", tracker.call("CLIENT", "TRACKING", "on"));
                assertEquals("+OK", writer.call("SET", key, "v", "PX", "20"));
                String read = tracker.call("GET", key);
                if (read.equals("$1 v")) { // read before its deadline: the expiry must be told
                    assertEquals(">2 [$10 invalidate, *1 [$" + key.length() + " " + key + "]]", tracker.read(),
                            mode.name());
                } else {
                    assertEquals("_", read, mode.name());
                }
            } finally {
                for (RawResp c : opened) {
                    c.close();
                }
            }
        }
    }

    /**
     * A NOLOOP client's own writes over keys of several shards (a command split over them, an EXEC
     * over them): the owners know the writer from the parts they are sent, so neither the default
     * mode nor BCAST tells it of them; another client's write still does.
     */
    @Test
    void aNoloopClientIsNotToldOfItsOwnWritesOnOtherShards() throws Exception {
        for (StateMode mode : StateMode.values()) {
            try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(SHARDS).pin(false).build(),
                    List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, SHARDS)))))) {
                noloop(g.port(0), mode.name());
            }
        }
    }

    private static void noloop(int port, String mode) throws Exception {
        List<RawResp> opened = new ArrayList<>();
        try {
            RawResp tracker = on(port, 0, opened);
            RawResp writer = on(port, 2, opened);
            RawResp broadcast = on(port, 0, opened);
            String one = keyOwnedBy("n:", 1);
            String three = keyOwnedBy("n:", 3);
            tracker.call("HELLO", "3");
            broadcast.call("HELLO", "3");
            assertEquals("+OK", tracker.call("CLIENT", "TRACKING", "on", "NOLOOP"), mode);
            assertEquals("+OK", broadcast.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "n:", "NOLOOP"), mode);

            tracker.call("GET", one);
            tracker.call("GET", three);
            assertEquals("+OK", tracker.call("MSET", one, "1", three, "3"), mode);
            assertEquals("+PONG", tracker.call("PING"), mode);
            assertEquals(Set.of(one, three), broadcastKeys(broadcast, 2), mode);
            assertEquals("+OK", broadcast.call("MSET", one, "2", three, "4"), mode);
            assertEquals("+PONG", broadcast.call("PING"), mode);

            tracker.call("GET", one);
            tracker.call("GET", three);
            assertEquals("+OK", tracker.call("MULTI"), mode);
            assertEquals("+QUEUED", tracker.call("SET", one, "5"), mode);
            assertEquals("+QUEUED", tracker.call("INCR", three), mode);
            assertEquals("*2 [+OK, :5]", tracker.call("EXEC"), mode);
            assertEquals("+PONG", tracker.call("PING"), mode);
            assertEquals(Set.of(one, three), broadcastKeys(broadcast, 2), mode);

            tracker.call("GET", one);
            assertEquals("+OK", writer.call("MSET", one, "6", three, "7"), mode);
            assertEquals(invalidation(one), tracker.read(), mode);
            assertEquals("+PONG", tracker.call("PING"), mode);
        } finally {
            for (RawResp c : opened) {
                c.close();
            }
        }
    }

    /** The keys of BCAST pushes, read until there are that many (one shard's turn may send them in one array or apart). */
    private static Set<String> broadcastKeys(RawResp c, int count) throws Exception {
        Set<String> keys = new java.util.HashSet<>();
        while (keys.size() < count) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\d+ (n:\\d+)").matcher(c.read());
            while (m.find()) {
                keys.add(m.group(1));
            }
        }
        return keys;
    }

    private static void check(int port, String mode) throws Exception {
        List<RawResp> opened = new ArrayList<>();
        try {
            RawResp tracker = on(port, 0, opened);
            RawResp writer = on(port, 2, opened);
            RawResp subscriber = on(port, 3, opened);
            RawResp redirecting = on(port, 0, opened);
            RawResp broadcast = on(port, 1, opened);
            String key = keyOwnedBy(1); // neither the tracker's shard nor the writer's
            String subscriberId = id(subscriber);

            tracker.call("HELLO", "3");
            assertEquals("+OK", tracker.call("CLIENT", "TRACKING", "on"), mode);
            assertEquals("*3 [$9 subscribe, $20 __redis__:invalidate, :1]", subscriber.call("SUBSCRIBE", "__redis__:invalidate"), mode);
            assertEquals("+OK", redirecting.call("CLIENT", "TRACKING", "on", "REDIRECT", subscriberId), mode);
            broadcast.call("HELLO", "3");
            assertEquals("+OK", broadcast.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x:"), mode);
            assertEquals(":3", info(writer, "tracking_clients"), mode);

            assertEquals("_", tracker.call("GET", key), mode);
            assertEquals("$-1", redirecting.call("GET", key), mode);
            Await.until(mode + ": both reads remembered", Duration.ofSeconds(30),
                    () -> info(writer, "tracking_total_items").equals(":2"));
            assertEquals(":1", info(writer, "tracking_total_keys"), mode);
            assertEquals(":1", info(writer, "tracking_total_prefixes"), mode);

            assertEquals("+OK", writer.call("SET", key, "v"), mode);
            assertEquals(">2 [$10 invalidate, *1 [$" + key.length() + " " + key + "]]", tracker.read(), mode);
            assertEquals("*3 [$7 message, $20 __redis__:invalidate, *1 [$" + key.length() + " " + key + "]]",
                    subscriber.read(), mode);
            assertEquals(">2 [$10 invalidate, *1 [$" + key.length() + " " + key + "]]", broadcast.read(), mode);
            Await.until(mode + ": the table forgets an invalidated key", Duration.ofSeconds(30),
                    () -> info(writer, "tracking_total_keys").equals(":0"));

            assertEquals("+OK", writer.call("SET", key, "again"), mode); // read again by nobody: only BCAST hears
            assertEquals(">2 [$10 invalidate, *1 [$" + key.length() + " " + key + "]]", broadcast.read(), mode);
            assertEquals("+PONG", tracker.call("PING"), mode);

            String one = keyOwnedBy("y:", 1);
            String three = keyOwnedBy("y:", 3);
            tracker.call("GET", one);
            tracker.call("GET", three);
            assertEquals("+OK", writer.call("MSET", one, "1", three, "3"), mode); // a write over two shards
            assertEquals(Set.of(invalidation(one), invalidation(three)), Set.of(tracker.read(), tracker.read()), mode);
            tracker.call("GET", one);
            tracker.call("GET", three);
            assertEquals("+OK", writer.call("RENAME", one, three), mode);
            assertEquals(Set.of(invalidation(one), invalidation(three)), Set.of(tracker.read(), tracker.read()), mode);
            assertEquals("+PONG", tracker.call("PING"), mode);

            assertEquals("$5 again", tracker.call("GET", key), mode);
            assertEquals("+OK", writer.call("FLUSHALL"), mode);
            assertEquals(">2 [$10 invalidate, _]", tracker.read(), mode);
            assertEquals(">2 [$10 invalidate, _]", broadcast.read(), mode);
            assertEquals("*3 [$7 message, $20 __redis__:invalidate, $-1]", subscriber.read(), mode);
        } finally {
            for (RawResp c : opened) {
                c.close();
            }
        }
    }

    /** A key starting "x:" whose owner, in the sharded mode, is that shard. */
    private static String keyOwnedBy(int shard) {
        return keyOwnedBy("x:", shard);
    }

    private static String keyOwnedBy(String prefix, int shard) {
        for (int i = 0; ; i++) {
            String k = prefix + i;
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            if (Slots.ownerOf(b, 0, b.length, SHARDS) == shard) {
                return k;
            }
        }
    }

    /** A connection on that shard; the others opened on the way stay open until the end. */
    private static RawResp on(int port, int shard, List<RawResp> opened) throws Exception {
        for (int tries = 0; tries < 200; tries++) {
            RawResp c = new RawResp(port, 30_000);
            opened.add(c);
            if (Long.parseLong(id(c)) >>> 48 == shard) {
                return c;
            }
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    private static String invalidation(String key) {
        return ">2 [$10 invalidate, *1 [$" + key.length() + " " + key + "]]";
    }

    private static String id(RawResp c) throws Exception {
        return c.call("CLIENT", "ID").substring(1);
    }

    private static String info(RawResp c, String field) {
        try {
            String text = c.call("INFO");
            for (String line : text.split("\r\n")) {
                if (line.startsWith(field + ":")) {
                    return ":" + line.substring(field.length() + 1);
                }
            }
            return "missing " + field;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
