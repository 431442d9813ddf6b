package io.shardloop.resp;

import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ServerModel;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.testing.Await;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLIENT LIST, INFO, KILL and REPLY over the event loops on four shards (each shard's clients are
 * its own, the others asked by message) and over a thread per connection.
 */
class ClientCommandsTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final List<String> FIELDS = List.of("id", "addr", "laddr", "fd", "name", "age", "idle", "flags",
            "db", "sub", "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "obl", "oll", "omem",
            "tot-mem", "events", "cmd", "user", "redir", "resp");

    /** Clients connected until there is one on each of the four shards; the others are closed. */
    private static Map<Integer, RawResp> oneClientPerShard(int port) throws IOException {
        Map<Integer, RawResp> byShard = new TreeMap<>();
        List<RawResp> spare = new ArrayList<>();
        for (int i = 0; i < 64 && byShard.size() < 4; i++) {
            RawResp c = new RawResp(port, 10_000);
            int shard = (int) (Long.parseLong(call(c, "CLIENT", "ID")) >>> Shard.CONNECTION_ID_SHARD_SHIFT);
            if (byShard.putIfAbsent(shard, c) != null) {
                spare.add(c);
            }
        }
        for (RawResp c : spare) {
            c.close();
        }
        assertEquals(4, byShard.size(), "a client on each shard");
        return byShard;
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        for (String pair : line.split(" ")) {
            int eq = pair.indexOf('=');
            f.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return f;
    }

    private static String lineOf(String list, String name) {
        return Arrays.stream(list.split("\n")).filter(l -> fields(l).get("name").equals(name)).findFirst().orElse(null);
    }

    @ParameterizedTest
    @EnumSource(value = StateMode.class, names = {"SHARDED", "LOCKED"})
    void shouldListTheClientsOfEveryShardAndKillOneOnAnotherShard(StateMode mode) throws Exception {
        try (RespTestServer server = RespTestServer.start(mode, 4)) {
            Map<Integer, RawResp> clients = oneClientPerShard(server.port());
            Map<Integer, String> ids = new TreeMap<>();
            for (Map.Entry<Integer, RawResp> e : clients.entrySet()) {
                assertEquals("OK", call(e.getValue(), "CLIENT", "SETNAME", "on" + e.getKey()));
                ids.put(e.getKey(), call(e.getValue(), "CLIENT", "ID"));
            }
            RawResp asker = clients.get(0);
            String list = call(asker, "CLIENT", "LIST");
            for (int s = 0; s < 4; s++) {
                String line = lineOf(list, "on" + s);
                assertTrue(line != null, "shard " + s + "'s client listed: " + list);
                Map<String, String> f = fields(line);
                assertEquals(FIELDS, new ArrayList<>(f.keySet()), "Redis's fields, in its order");
                assertEquals(ids.get(s), f.get("id"));
                assertEquals("0", f.get("db"));
                assertEquals("-1", f.get("multi"));
                assertEquals("N", f.get("flags"));
                assertEquals(s == 0 ? "client|list" : "client|id", f.get("cmd"));
                assertEquals("127.0.0.1:" + server.port(), f.get("laddr"));
            }
            RawResp subscriber = clients.get(2);
            subscriber.send("SUBSCRIBE", "news", "sport");
            subscriber.value();
            subscriber.value();
            subscriber.send("PSUBSCRIBE", "n*");
            subscriber.value();
            Map<String, String> subscribed = fields(lineOf(call(asker, "CLIENT", "LIST"), "on2"));
            assertEquals(List.of("2", "1", "0", "P", "psubscribe"), List.of(subscribed.get("sub"), subscribed.get("psub"),
                    subscribed.get("ssub"), subscribed.get("flags"), subscribed.get("cmd")), "a subscriber's line");

            assertEquals(List.of(ids.get(3), ids.get(1)), Arrays.stream(call(asker, "CLIENT", "LIST", "ID",
                    ids.get(3), "999", ids.get(1)).split("\n")).map(l -> fields(l).get("id")).toList(),
                    "LIST ID answers in the order asked");

            assertEquals("1", call(asker, "CLIENT", "KILL", "ID", ids.get(3)));
            assertThrows(java.io.UncheckedIOException.class, () -> call(clients.get(3), "PING"), "killed by its own shard");
            Await.until("the killed client gone from the list", BOUND,
                    () -> lineOf(call(asker, "CLIENT", "LIST"), "on3") == null);

            String addr = fields(lineOf(call(asker, "CLIENT", "LIST"), "on2")).get("addr");
            assertEquals("1", call(asker, "CLIENT", "KILL", "ADDR", addr));
            String oldForm = fields(lineOf(call(asker, "CLIENT", "LIST"), "on1")).get("addr");
            assertEquals("OK", call(asker, "CLIENT", "KILL", oldForm));
            assertEquals("-ERR No such client", call(asker, "CLIENT", "KILL", "1.2.3.4:5"));
            assertEquals("0", call(asker, "CLIENT", "KILL", "ID", ids.get(0)), "SKIPME yes by default");
            assertEquals("0", call(asker, "CLIENT", "KILL", "ID", ids.get(3)), "gone already");
            for (RawResp c : clients.values()) {
                c.close();
            }
        }
    }

    /** Sends one command and reads its reply as its value. */
    private static String call(RawResp c, String... words) {
        try {
            c.send(words);
            return c.value();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(value = StateMode.class, names = {"SHARDED", "CONCURRENT"})
    void shouldDropRepliesWhileReplyIsOffAndTheOneAfterSkip(StateMode mode) throws Exception {
        try (RespTestServer server = RespTestServer.start(mode, 4);
             RawResp c = new RawResp(server.port(), 10_000)) {
            assertRepliesDropped(c, server.port(), server.keysOnEveryShard("k", 1));
        }
    }

    @Test
    void shouldDropRepliesOnAThreadPerConnection() throws Exception {
        ThreadedConfig config = ThreadedConfig.defaults(ServerModel.THREADS, "127.0.0.1", 0);
        try (BlockingRespProtocol protocol = new BlockingRespProtocol(config, StateMode.LOCKED, RespLimits.REDIS_DEFAULTS, null);
             ThreadedServer server = ThreadedServer.start(config, protocol);
             RawResp c = new RawResp(server.port(), 10_000)) {
            assertRepliesDropped(c, server.port(), List.of("a", "b", "c", "d"));
        }
    }

    /** Keys on every shard: replies answered by other shards are dropped too, and the line keeps its order. */
    private static void assertRepliesDropped(RawResp c, int port, List<String> keys) throws IOException {
        c.send("CLIENT", "REPLY", "SKIP");
        c.send("SET", keys.get(0), "skipped");
        assertEquals("skipped", call(c, "GET", keys.get(0)));
        c.send("CLIENT", "REPLY", "OFF");
        for (String k : keys) {
            c.send("SET", k, "v" + k);
            c.send("GET", k);
        }
        c.send("NOSUCHCOMMAND");
        c.send(watch(keys)); // the owners' answers come back to a line whose replies are dropped
        c.send("CLIENT", "REPLY", "SKIP"); // nothing while replies are off
        assertEquals("OK", call(c, "CLIENT", "REPLY", "ON"));
        for (String k : keys) {
            assertEquals("v" + k, call(c, "GET", k));
        }
        assertEquals("-ERR syntax error", call(c, "CLIENT", "REPLY", "MAYBE"));
        try (RawResp other = new RawResp(port, 10_000)) {
            assertEquals("OK", call(other, "SET", keys.get(keys.size() - 1), "changed"));
        }
        assertEquals("OK", call(c, "MULTI"));
        assertEquals("QUEUED", call(c, "GET", keys.get(0)));
        c.send("EXEC");
        assertEquals("*-1", c.read(), "the WATCH sent while replies were off still watches");
    }

    private static String[] watch(List<String> keys) {
        String[] words = new String[keys.size() + 1];
        words[0] = "WATCH";
        for (int i = 0; i < keys.size(); i++) {
            words[i + 1] = keys.get(i);
        }
        return words;
    }

    @ParameterizedTest
    @EnumSource(value = StateMode.class, names = {"SHARDED", "LOCKED"})
    void shouldStartOverOnResetAsANewClientWould(StateMode mode) throws Exception {
        try (RespTestServer server = RespTestServer.start(mode, 2);
             RawResp c = new RawResp(server.port(), 10_000)) {
            assertEquals("OK", call(c, "CLIENT", "SETNAME", "before"));
            assertEquals("OK", call(c, "CLIENT", "NO-EVICT", "ON"));
            assertEquals("e", fields(call(c, "CLIENT", "INFO").trim()).get("flags"));
            c.send("CLIENT", "REPLY", "OFF");
            c.send("MULTI");
            c.send("SET", "k", "v");
            assertEquals("RESET", call(c, "RESET"), "answered though replies were off");
            Map<String, String> f = fields(call(c, "CLIENT", "INFO").trim());
            assertEquals("", f.get("name"));
            assertEquals("N", f.get("flags"), "no MULTI, no NO-EVICT");
            assertEquals("-1", f.get("multi"));
            assertEquals("0", f.get("db"));
            assertEquals("PONG", call(c, "PING"), "replies on again");
        }
    }

    @Test
    void shouldListTheThreadsClientsAndKillOneFromAnother() throws Exception {
        ThreadedConfig config = ThreadedConfig.defaults(ServerModel.VIRTUAL, "127.0.0.1", 0);
        try (BlockingRespProtocol protocol = new BlockingRespProtocol(config, StateMode.CONCURRENT, RespLimits.REDIS_DEFAULTS, null);
             ThreadedServer server = ThreadedServer.start(config, protocol);
             RawResp a = new RawResp(server.port(), 10_000);
             RawResp b = new RawResp(server.port(), 10_000)) {
            assertEquals("OK", call(b, "CLIENT", "SETNAME", "bee"));
            assertEquals("OK", call(b, "MULTI"));
            assertEquals("QUEUED", call(b, "SET", "x", "1"));
            String line = lineOf(call(a, "CLIENT", "LIST"), "bee");
            assertEquals("1", fields(line).get("multi"));
            assertEquals("x", fields(line).get("flags"));
            assertEquals("set", fields(line).get("cmd"));
            Map<String, String> self = fields(call(a, "CLIENT", "INFO").trim());
            assertEquals("client|info", self.get("cmd"));
            assertEquals("1", call(a, "CLIENT", "KILL", "ID", fields(line).get("id")));
            assertThrows(java.io.UncheckedIOException.class, () -> call(b, "EXEC"));
            Await.until("the killed client gone", BOUND, () -> lineOf(call(a, "CLIENT", "LIST"), "bee") == null);
            assertFalse(call(a, "CLIENT", "LIST").isEmpty());
        }
    }
}
