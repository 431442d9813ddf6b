package io.shardloop.resp;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SLOWLOG, LATENCY, INFO commandstats and errorstats, CONFIG SET maxmemory and COMMAND DOCS on the
 * event loops over four shards, each shard keeping its own records; and redis-cli, Jedis and
 * Lettuce reading CLIENT LIST and CONFIG GET.
 */
class IntrospectionTest {
    /** One client on each of the four shards, by shard. */
    private static Map<Integer, RawResp> clientPerShard(int port) throws IOException {
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
        assertEquals(4, byShard.size());
        return byShard;
    }

    private static String call(RawResp c, String... words) throws IOException {
        c.send(words);
        return c.value();
    }

    private static String infoField(String info, String prefix) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    @ParameterizedTest
    @EnumSource(value = StateMode.class, names = {"SHARDED", "LOCKED"})
    void shouldLogEveryShardsCommandsAndAnswerTheNewestFirstTruncatedAsRedis(StateMode mode) throws Exception {
        try (RespTestServer server = RespTestServer.start(mode, 4)) {
            Map<Integer, RawResp> clients = clientPerShard(server.port());
            RawResp asker = clients.get(0);
            assertEquals("OK", call(asker, "CONFIG", "SET", "slowlog-log-slower-than", "0"));
            assertEquals("OK", call(asker, "SLOWLOG", "RESET"));
            for (Map.Entry<Integer, RawResp> e : clients.entrySet()) {
                assertEquals("OK", call(e.getValue(), "CLIENT", "SETNAME", "s" + e.getKey()));
                assertEquals("OK", call(e.getValue(), "SET", "from" + e.getKey(), "v"));
            }
            String[] many = new String[40];
            many[0] = "DEL";
            for (int i = 1; i < many.length; i++) {
                many[i] = "k" + i;
            }
            assertEquals("0", call(clients.get(3), many));
            assertEquals("OK", call(clients.get(2), "SET", "long", "x".repeat(200)));

            String all = call(asker, "SLOWLOG", "GET", "-1");
            // the newest first: the long SET on shard 2, then the DEL on shard 3, then the SETs
            assertTrue(all.startsWith("[[") && all.contains("[SET, long, " + "x".repeat(128) + "... (72 more bytes)], "),
                    all);
            assertTrue(all.indexOf("more bytes") < all.indexOf("... (9 more arguments)"), all);
            assertTrue(all.contains("[DEL, k1,") && all.contains("k30, ... (9 more arguments)], "), all);
            for (int s = 0; s < 4; s++) {
                assertTrue(all.contains("[SET, from" + s + ", v], 127.0.0.1:"), "shard " + s + "'s command: " + all);
                assertTrue(all.contains(", s" + s + "]"), "its client's name: " + all);
            }
            assertEquals(12, Integer.parseInt(call(asker, "SLOWLOG", "LEN")), "RESET, 4 SETNAMEs, 4 SETs, DEL, SET, GET");
            String two = call(asker, "SLOWLOG", "GET", "2");
            assertTrue(two.startsWith("[[") && two.contains("[SLOWLOG, LEN]") && two.contains("[SLOWLOG, GET, -1]"), two);
            assertEquals("OK", call(asker, "SLOWLOG", "RESET"));
            assertEquals("1", call(asker, "SLOWLOG", "LEN"), "the RESET itself, as in Redis");
            assertEquals("OK", call(asker, "CONFIG", "SET", "slowlog-log-slower-than", "-1"));
            call(clients.get(1), "GET", "from1");
            assertEquals("2", call(asker, "SLOWLOG", "LEN"), "nothing more once it is off");
            assertEquals("OK", call(asker, "CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "1"));
            call(clients.get(1), "GET", "from1");
            assertEquals("2", call(asker, "SLOWLOG", "LEN"), "at most one on each shard: the CONFIG SET and the GET");
            assertEquals("OK", call(asker, "CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128"));
            for (RawResp c : clients.values()) {
                c.close();
            }
        }
    }

    @Test
    void shouldCountCallsFailuresAndErrorsOfEveryShardAndResetThem() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 4)) {
            Map<Integer, RawResp> clients = clientPerShard(server.port());
            List<String> keys = server.keysOnEveryShard("cs", 1);
            RawResp asker = clients.get(0);
            assertEquals("OK", call(asker, "CONFIG", "RESETSTAT"));
            for (RawResp c : clients.values()) {
                for (String k : keys) {
                    assertEquals("OK", call(c, "SET", k, "v"));
                }
            }
            for (String k : keys) {
                assertTrue(call(clients.get(1), "LPUSH", k, "x").startsWith("-WRONGTYPE"));
            }
            assertTrue(call(clients.get(2), "GET").startsWith("-ERR wrong number"));
            assertTrue(call(clients.get(3), "NOSUCH").startsWith("-ERR unknown command"));
            for (RawResp c : clients.values()) {
                call(c, "CLIENT", "ID");
            }
            call(clients.get(1), "MEMORY", "USAGE", keys.get(1));
            String info = call(asker, "INFO", "commandstats");
            assertTrue(info.startsWith("# Commandstats\r\n"), info);
            assertTrue(infoField(info, "cmdstat_set:").matches("cmdstat_set:calls=16,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,"
                    + "rejected_calls=0,failed_calls=0"), info);
            assertTrue(infoField(info, "cmdstat_lpush:").matches(
                    "cmdstat_lpush:calls=4,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,failed_calls=4"), info);
            assertTrue(infoField(info, "cmdstat_get:").matches(
                    "cmdstat_get:calls=0,usec=0,usec_per_call=0\\.00,rejected_calls=1,failed_calls=0"), info);
            assertTrue(infoField(info, "cmdstat_config|resetstat:").startsWith("cmdstat_config|resetstat:calls=1,"), info);
            assertTrue(infoField(info, "cmdstat_client|id:").startsWith("cmdstat_client|id:calls=4,"), info);
            assertEquals(null, infoField(info, "cmdstat_client:"), "a container counts by its subcommands");
            assertTrue(infoField(info, "cmdstat_memory|usage:").startsWith("cmdstat_memory|usage:calls=1,"), info);
            String errors = call(asker, "INFO", "errorstats");
            assertEquals("# Errorstats\r\nerrorstat_ERR:count=2\r\nerrorstat_WRONGTYPE:count=4\r\n", errors);
            assertEquals("total_error_replies:6", infoField(call(asker, "INFO", "stats"), "total_error_replies:"));
            assertEquals("OK", call(asker, "CONFIG", "RESETSTAT"));
            String after = call(asker, "INFO", "all");
            assertEquals("total_error_replies:0", infoField(after, "total_error_replies:"));
            assertEquals(null, infoField(after, "cmdstat_set:"), after);
            assertEquals(null, infoField(after, "errorstat_"), after);
            for (RawResp c : clients.values()) {
                c.close();
            }
        }
    }

    @Test
    void shouldRecordSlowCommandsOfEveryShardAsLatencyEventsOnceTheThresholdIsSet() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 4)) {
            Map<Integer, RawResp> clients = clientPerShard(server.port());
            RawResp asker = clients.get(0);
            assertEquals("[]", call(asker, "LATENCY", "LATEST"), "off by default");
            call(clients.get(2), "DEBUG", "SLEEP", "0.02");
            assertEquals("[]", call(asker, "LATENCY", "LATEST"));
            assertEquals("OK", call(asker, "CONFIG", "SET", "latency-monitor-threshold", "10"));
            assertEquals("OK", call(clients.get(2), "DEBUG", "SLEEP", "0.02"));
            assertEquals("OK", call(clients.get(3), "DEBUG", "SLEEP", "0.03"));
            String latest = call(asker, "LATENCY", "LATEST");
            assertTrue(latest.matches("\\[\\[command, \\d+, \\d+, \\d+]]"), latest);
            long max = Long.parseLong(latest.replaceAll(".*, (\\d+)]]", "$1"));
            assertTrue(max >= 30, latest);
            String history = call(asker, "LATENCY", "HISTORY", "command");
            assertTrue(history.matches("\\[(\\[\\d+, \\d+](, )?)+]"), history);
            assertEquals("[]", call(asker, "LATENCY", "HISTORY", "fast-command"));
            assertEquals("1", call(asker, "LATENCY", "RESET"));
            assertEquals("[]", call(asker, "LATENCY", "LATEST"));
            assertEquals("OK", call(clients.get(1), "DEBUG", "SLEEP", "0.3")); // past the stall detector's 100 ms
            io.shardloop.testing.Await.until("the stall as a latency event", Duration.ofSeconds(20),
                    () -> latest(asker).contains("[loop-stall, "));
            assertEquals("[]", call(asker, "LATENCY", "HISTORY", "nosuch"));
            assertEquals("2", call(asker, "LATENCY", "RESET", "command", "loop-stall", "nosuch"));
            assertEquals("-ERR unknown subcommand 'DOCTOR'. Try LATENCY HELP.", call(asker, "LATENCY", "DOCTOR"));
            assertEquals("OK", call(asker, "CONFIG", "SET", "latency-monitor-threshold", "0"));
            for (RawResp c : clients.values()) {
                c.close();
            }
        }
    }

    private static String latest(RawResp c) {
        try {
            return call(c, "LATENCY", "LATEST");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldChangeMaxmemoryAtRunTimeOnTheLoops() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2);
             RawResp c = new RawResp(server.port(), 10_000)) {
            assertEquals("OK", call(c, "CONFIG", "SET", "maxmemory", "1kb"));
            assertEquals("[maxmemory, 1024]", call(c, "CONFIG", "GET", "maxmemory"));
            assertEquals("maxmemory:1024", infoField(call(c, "INFO", "memory"), "maxmemory:"));
            assertTrue(call(c, "SET", "k", "v").startsWith("-OOM"), "the process holds more than a kilobyte");
            assertEquals("OK", call(c, "CONFIG", "SET", "maxmemory", "0"));
            assertEquals("OK", call(c, "SET", "k", "v"));
        }
    }

    @Test
    void shouldTakeBackEveryParameterGetShowsAsRedissConfigSanityTestDoes() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2);
             RawResp c = new RawResp(server.port(), 10_000)) {
            String all = call(c, "CONFIG", "GET", "*");
            String[] pairs = all.substring(1, all.length() - 1).split(", ", -1);
            assertTrue(pairs.length > 40 && pairs.length % 2 == 0, all);
            for (int i = 0; i < pairs.length; i += 2) {
                String reply = call(c, "CONFIG", "SET", pairs[i], pairs[i + 1]);
                assertEquals(pairs[i].equals("databases") ? "-ERR CONFIG SET failed (possibly related to argument "
                        + "'databases') - can't set immutable config" : "OK", reply, pairs[i]);
            }
            assertEquals(all, call(c, "CONFIG", "GET", "*"), "nothing changed");
        }
    }

    @Test
    void shouldDocumentCommandsFromRedissOwnDescriptions() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 1);
             RawResp c = new RawResp(server.port(), 10_000)) {
            assertEquals("[get, [summary, Get the value of a key, since, 1.0.0, group, string, complexity, O(1)]]",
                    call(c, "COMMAND", "DOCS", "get"));
            assertTrue(call(c, "COMMAND", "INFO", "get").contains("[@read, @string, @fast]"));
            String strings = call(c, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "string");
            assertTrue(strings.contains("getrange") && !strings.contains("hset"), strings);
        }
    }

    @Test
    void shouldServeClientListAndConfigGetToJedisLettuceAndRedisCli() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 4);
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            jedis.clientSetname("jedis");
            assertTrue(jedis.clientList().contains(" name=jedis "), jedis.clientList());
            assertEquals(infoField(jedis.info("memory"), "maxmemory:"), "maxmemory:" + jedis.configGet("maxmemory").get("maxmemory"));
            assertEquals("OK", jedis.configSet("slowlog-max-len", "64"));
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.port())
                    .withTimeout(Duration.ofSeconds(10)).build());
            client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                String list = connection.sync().clientList();
                assertTrue(list.contains(" name=jedis ") && list.contains(" resp=3"), list);
                assertEquals(Map.of("slowlog-max-len", "64"), connection.sync().configGet("slowlog-max-len"));
            } finally {
                client.shutdown();
            }
            String cli = redisCli();
            if (cli != null) {
                Process p = new ProcessBuilder(cli, "-p", Integer.toString(server.port()), "CLIENT", "LIST")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertTrue(out.contains(" name=jedis ") && out.contains("cmd=client|list"), out);
            }
        }
    }

    /** redis-cli on the PATH, or null (Debian: redis-tools). */
    private static String redisCli() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-cli");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }
}
