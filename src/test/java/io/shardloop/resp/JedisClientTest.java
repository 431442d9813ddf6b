package io.shardloop.resp;

import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ServerModel;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.testing.RedisServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ClientAttributeOption;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.KeyValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Jedis 8, unchanged, in its three protocol settings (its default, which sends no HELLO and speaks
 * RESP2; RESP2 asked for; RESP3 by {@code HELLO 3}), with its single connection ({@link Jedis}) and
 * its pooled client ({@link RedisClient}, which replaced JedisPooled): the data types, blocking
 * pops, pipelines, transactions with WATCH, pub/sub through {@link JedisPubSub}, scripts, SCAN and
 * the introspection Jedis parses. Each scenario runs first on redis-server 7.0, so its expectations
 * are Redis's own, then on every state mode over one shard and four and on a thread per connection.
 * <p>
 * On connect Jedis sends CLIENT SETINFO LIB-NAME and LIB-VER and ignores an error: redis-server
 * 7.0 refuses the subcommand, this server (which answers HELLO as 7.2) accepts it and keeps nothing.
 */
class JedisClientTest {
    private static final int TIMEOUT_MS = 10_000;

    /** A scenario, run once per server and protocol setting. */
    private interface Scenario {
        void run(HostAndPort address, JedisClientConfig config, String where) throws Exception;
    }

    @Test
    void jedisCommandFamiliesMatchRedisInEveryProtocol() throws Exception {
        onEveryServer(JedisClientTest::commandFamilies);
    }

    @Test
    void pooledClientPipelinesAndTransactionsWithWatch() throws Exception {
        onEveryServer(JedisClientTest::pipelinesAndTransactions);
    }

    @Test
    void jedisPubSubAndBlockingPopsAreWoken() throws Exception {
        onEveryServer(JedisClientTest::pubSubAndBlockingPops);
    }

    /**
     * CLIENT SETINFO, which Jedis sends on connect: redis-server 7.0 does not know the subcommand
     * (Jedis ignores the error); this server, answering HELLO as 7.2, accepts it and keeps nothing,
     * so CLIENT INFO has Redis 7.0's fields, without 7.2's lib-name and lib-ver.
     */
    @Test
    void clientSetInfoIsAcceptedAndLeavesClientInfoAsRedis70Writes() throws Exception {
        try (RedisServer reference = RedisServer.start();
             Jedis j = new Jedis("127.0.0.1", reference.port(), TIMEOUT_MS)) {
            JedisDataException refused = assertThrows(JedisDataException.class,
                    () -> j.clientSetInfo(ClientAttributeOption.LIB_NAME, "jedis"));
            assertTrue(refused.getMessage().startsWith("ERR unknown subcommand 'SETINFO'"), refused.getMessage());
            assertFalse(j.clientInfo().contains("lib-name="), j.clientInfo());
        }
        for (RedisProtocol protocol : RedisProtocol.values()) {
            try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2);
                 Jedis j = new Jedis(new HostAndPort("127.0.0.1", server.port()), config(protocol).build())) {
                assertEquals("OK", j.clientSetInfo(ClientAttributeOption.LIB_NAME, "jedis"), protocol.toString());
                assertEquals("OK", j.clientSetInfo(ClientAttributeOption.LIB_VER, "8.0.2"), protocol.toString());
                String info = j.clientInfo();
                assertFalse(info.contains("lib-name=") || info.contains("lib-ver="), info);
                assertTrue(info.strip().endsWith(" resp=" + (protocol == RedisProtocol.RESP3 ? "3" : "2")), info);
            }
        }
    }

    @Test
    void jedisAuthenticatesWithAPasswordAndIsRefusedWithoutOne() throws Exception {
        String password = "jedis-secret";
        List<String> expected;
        try (RedisServer reference = RedisServer.start()) {
            try (Jedis admin = new Jedis("127.0.0.1", reference.port(), TIMEOUT_MS)) {
                admin.configSet("requirepass", password);
            }
            expected = refusals(reference.port(), password);
        }
        assertTrue(expected.stream().noneMatch(line -> line.endsWith("admitted")), expected.toString());
        for (StateMode mode : StateMode.values()) {
            try (RespTestServer server = RespTestServer.start(mode, 2, password)) {
                assertEquals(expected, refusals(server.port(), password), mode.toString());
            }
        }
    }

    /**
     * With the password, in each protocol setting, a command runs; then what a wrong password, and
     * none, give: the exceptions Jedis raises and their messages, Redis's texts.
     */
    private static List<String> refusals(int port, String password) {
        HostAndPort address = new HostAndPort("127.0.0.1", port);
        List<String> seen = new ArrayList<>();
        for (RedisProtocol protocol : new RedisProtocol[] {null, RedisProtocol.RESP2, RedisProtocol.RESP3}) {
            try (Jedis j = new Jedis(address, config(protocol).password(password).build())) {
                assertEquals("OK", j.set("j:auth", "x"), protocol + " on " + port);
                assertEquals("x", j.get("j:auth"), protocol + " on " + port);
            }
            try (Jedis j = new Jedis(address, config(protocol).user("default").password(password).build())) {
                assertEquals("PONG", j.ping(), protocol + " on " + port);
            }
            for (String attempt : new String[] {"wrong", null}) {
                try (Jedis j = new Jedis(address, config(protocol).password(attempt).build())) {
                    j.ping();
                    seen.add(protocol + " " + attempt + ": admitted");
                } catch (RuntimeException e) {
                    seen.add(protocol + " " + attempt + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
                }
            }
        }
        return seen;
    }

    /** A new builder each time: a builder keeps the credentials of its first build(), whatever follows. */
    private static DefaultJedisClientConfig.Builder config(RedisProtocol protocol) {
        return DefaultJedisClientConfig.builder().timeoutMillis(TIMEOUT_MS).protocol(protocol);
    }

    private static void commandFamilies(HostAndPort address, JedisClientConfig config, String where) {
        try (Jedis j = new Jedis(address, config)) {
            j.flushAll();
            // Strings.
            assertEquals("OK", j.set("j:s", "v0"), where);
            assertEquals("v0", j.get("j:s"), where);
            assertNull(j.get("j:missing"), where);
            assertEquals("OK", j.mset("j:a", "1", "j:b", "2", "j:c", "3"), where);
            List<String> values = j.mget("j:a", "j:b", "j:missing", "j:c");
            assertEquals(java.util.Arrays.asList("1", "2", null, "3"), values, where);
            assertEquals(11L, j.incrBy("j:a", 10), where);
            assertEquals(1.5, j.incrByFloat("j:f", 1.5), where);
            assertEquals("v0", j.getDel("j:s"), where);
            assertEquals(2L, j.del("j:a", "j:b", "j:missing"), where);

            // Hashes: a RESP3 map under RESP3, a flat array under RESP2; a Map either way.
            assertEquals(3L, j.hset("j:h", Map.of("f1", "v1", "f2", "v2", "n", "1")), where);
            assertEquals(Map.of("f1", "v1", "f2", "v2", "n", "1"), j.hgetAll("j:h"), where);
            assertEquals(Map.of(), j.hgetAll("j:missing"), where);
            assertEquals(java.util.Arrays.asList("v1", null), j.hmget("j:h", "f1", "nope"), where);
            assertEquals(3L, j.hincrBy("j:h", "n", 2), where);
            assertEquals(2.5, j.hincrByFloat("j:h", "x", 2.5), where);
            Map<String, String> random = new HashMap<>();
            j.hrandfieldWithValues("j:h", 2).forEach(e -> random.put(e.getKey(), e.getValue()));
            assertEquals(2, random.size(), where);
            random.forEach((f, v) -> assertEquals(j.hget("j:h", f), v, where));

            // Sets.
            assertEquals(3L, j.sadd("j:set", "a", "b", "c"), where);
            assertEquals(Set.of("a", "b", "c"), j.smembers("j:set"), where);
            assertEquals(Set.of(), j.smembers("j:missing"), where);
            assertEquals(List.of(true, false), j.smismember("j:set", "a", "z"), where);
            j.sadd("j:set2", "b", "c", "d");
            assertEquals(Set.of("b", "c"), j.sinter("j:set", "j:set2"), where);

            // Sorted sets: scores as RESP3 doubles, or bulk strings under RESP2.
            assertEquals(3L, j.zadd("j:z", Map.of("a", 1.0, "b", 2.5, "c", -3.0)), where);
            assertEquals(List.of(new Tuple("c", -3.0), new Tuple("a", 1.0), new Tuple("b", 2.5)),
                    j.zrangeWithScores("j:z", 0, -1), where);
            assertEquals(2.5, j.zscore("j:z", "b"), where);
            assertNull(j.zscore("j:z", "nope"), where);
            assertEquals(java.util.Arrays.asList(1.0, null), j.zmscore("j:z", "a", "nope"), where);
            assertEquals(1.25, j.zincrby("j:z", 0.25, "a"), where);
            assertEquals(List.of(new Tuple("a", 1.25), new Tuple("b", 2.5)),
                    j.zrangeByScoreWithScores("j:z", 0, Double.POSITIVE_INFINITY), where);
            assertEquals(new Tuple("c", -3.0), j.zpopmin("j:z"), where);
            j.zadd("j:z", Double.POSITIVE_INFINITY, "top");
            assertEquals(Double.POSITIVE_INFINITY, j.zscore("j:z", "top"), where);
            assertEquals(List.of(new Tuple("top", Double.POSITIVE_INFINITY)), j.zpopmax("j:z", 1), where);
            assertEquals(2, j.zrandmemberWithScores("j:z", 2).size(), where);

            // Lists.
            assertEquals(3L, j.rpush("j:l", "a", "b", "c"), where);
            assertEquals(List.of("a", "b", "c"), j.lrange("j:l", 0, -1), where);
            assertEquals(List.of("a", "b"), j.lpop("j:l", 2), where);
            assertEquals("c", j.lmove("j:l", "j:l2", ListDirection.LEFT, ListDirection.RIGHT), where);
            assertNull(j.lpop("j:l"), where);
            assertEquals(new KeyValue<>("j:l2", "c"), j.blpop(1.0, "j:none", "j:l2"), where);
            assertNull(j.blpop(0.1, "j:none"), where);
            assertNull(j.brpop(0.1, "j:none"), where);
            assertNull(j.bzpopmin(0.1, "j:none"), where);
            j.zadd("j:zw", 7, "m");
            KeyValue<String, Tuple> popped = j.bzpopmin(1.0, "j:zw");
            assertEquals("j:zw", popped.getKey(), where);
            assertEquals(new Tuple("m", 7.0), popped.getValue(), where);
            assertNull(j.blmove("j:none", "j:dst", ListDirection.LEFT, ListDirection.RIGHT, 0.1), where);

            // Scripts: EVALSHA of a loaded script, and EVAL's conversions.
            String sha = j.scriptLoad("return redis.call('INCRBY', KEYS[1], ARGV[1])");
            assertEquals(5L, j.evalsha(sha, List.of("j:n"), List.of("5")), where);
            assertTrue(j.scriptExists(sha), where);
            assertEquals(List.of(1L, "two", List.of(3L)), j.eval("return {1, 'two', {3}}"), where);
            JedisDataException err = assertThrows(JedisDataException.class,
                    () -> j.eval("return redis.error_reply('MYERR bad')"), where);
            assertEquals("MYERR bad", err.getMessage(), where);
            assertEquals("OK", j.scriptFlush(), where);
            assertFalse(j.scriptExists(sha), where);

            // SCAN, HSCAN.
            for (int i = 0; i < 60; i++) {
                j.set("j:scan:" + i, Integer.toString(i));
            }
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.scan(cursor, new ScanParams().match("j:scan:*").count(7));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(60, seen.size(), where);
            Map<String, String> fields = new HashMap<>();
            cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<Map.Entry<String, String>> page = j.hscan("j:h", cursor);
                page.getResult().forEach(e -> fields.put(e.getKey(), e.getValue()));
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(j.hgetAll("j:h"), fields, where);

            // Introspection Jedis parses.
            assertEquals("PONG", j.ping(), where);
            assertEquals("OK", j.clientSetname("jedis-main"), where);
            assertEquals("jedis-main", j.clientGetname(), where);
            String info = j.clientInfo();
            assertTrue(info.contains(" name=jedis-main "), where + ": " + info);
            assertTrue(info.startsWith("id=" + j.clientId() + " "), where + ": " + info);
            String resp = config.getRedisProtocol() == RedisProtocol.RESP3 ? "3" : "2";
            assertTrue(info.contains(" resp=" + resp), where + ": " + info);
            assertTrue(j.clientList().contains("name=jedis-main"), where);
            assertEquals(Map.of("maxmemory-policy", "noeviction"), j.configGet("maxmemory-policy"), where);
            assertTrue(j.info("server").contains("redis_version:"), where);
            assertTrue(j.info().contains("# Keyspace\r\ndb0:keys="), where);
            j.set("j:int", "12345");
            assertEquals("int", j.objectEncoding("j:int"), where);
            assertEquals("listpack", j.objectEncoding("j:h"), where);
            assertEquals("default", j.aclWhoAmI(), where);
            assertEquals(List.of("master", 0L, List.of()), j.role(), where);
            assertTrue(j.dbSize() > 60, where);
            assertEquals("OK", j.flushAll(), where);
        }
    }

    private static void pipelinesAndTransactions(HostAndPort address, JedisClientConfig config, String where) {
        try (RedisClient pooled = RedisClient.builder().hostAndPort(address).clientConfig(config).build()) {
            pooled.flushAll();
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                keys.add("jp:" + i);
            }
            try (AbstractPipeline p = pooled.pipelined()) {
                List<Response<Long>> counts = new ArrayList<>();
                for (String k : keys) {
                    p.set(k, "1");
                    counts.add(p.incr(k));
                }
                p.hset("jp:h", Map.of("f", "v"));
                Response<Map<String, String>> hash = p.hgetAll("jp:h");
                p.zadd("jp:z", 1.5, "m");
                Response<Double> score = p.zscore("jp:z", "m");
                Response<String> missing = p.get("jp:missing");
                p.sync();
                counts.forEach(c -> assertEquals(2L, c.get(), where));
                assertEquals(Map.of("f", "v"), hash.get(), where);
                assertEquals(1.5, score.get(), where);
                assertNull(missing.get(), where);
            }
            try (AbstractTransaction tx = pooled.multi()) {
                for (String k : keys) {
                    tx.incrBy(k, 10);
                }
                tx.hgetAll("jp:h");
                tx.zrangeWithScores("jp:z", 0, -1);
                tx.get("jp:missing");
                List<Object> replies = tx.exec();
                for (int i = 0; i < keys.size(); i++) {
                    assertEquals(12L, replies.get(i), where);
                }
                assertEquals(Map.of("f", "v"), replies.get(keys.size()), where);
                assertEquals(List.of(new Tuple("m", 1.5)), replies.get(keys.size() + 1), where);
                assertNull(replies.get(keys.size() + 2), where);
            }
            try (AbstractTransaction tx = pooled.multi()) {
                tx.set("jp:wrong", "x");
                tx.lpush("jp:wrong", "y");
                tx.set(keys.get(0), "100");
                List<Object> replies = tx.exec();
                assertEquals("OK", replies.get(0), where);
                assertTrue(replies.get(1) instanceof JedisDataException, where + ": " + replies.get(1));
                assertTrue(((JedisDataException) replies.get(1)).getMessage().startsWith("WRONGTYPE"), where);
                assertEquals("OK", replies.get(2), where);
            }
            assertEquals("100", pooled.get(keys.get(0)), where);
        }
        try (Jedis j = new Jedis(address, config); Jedis other = new Jedis(address, config)) {
            assertEquals("OK", j.watch("jp:1"), where);
            long value = Long.parseLong(j.get("jp:1"));
            Transaction tx = j.multi();
            tx.set("jp:1", Long.toString(value + 1));
            assertEquals(List.of("OK"), tx.exec(), where);
            assertEquals("13", other.get("jp:1"), where);

            j.watch("jp:2");
            other.set("jp:2", "changed");
            tx = j.multi();
            tx.set("jp:2", "mine");
            assertNull(tx.exec(), where + ": WATCH must abort the transaction");
            assertEquals("changed", other.get("jp:2"), where);

            tx = j.multi();
            tx.set("jp:3", "discarded");
            assertEquals("OK", tx.discard(), where);
            assertEquals("12", j.get("jp:3"), where);
            j.flushAll();
        }
    }

    private static void pubSubAndBlockingPops(HostAndPort address, JedisClientConfig config, String where)
            throws Exception {
        try (Jedis subscriber = new Jedis(address, config); Jedis publisher = new Jedis(address, config)) {
            publisher.flushAll();
            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int count) {
                    events.add("subscribe " + channel + " " + count);
                }

                @Override
                public void onPSubscribe(String pattern, int count) {
                    events.add("psubscribe " + pattern + " " + count);
                }

                @Override
                public void onMessage(String channel, String message) {
                    events.add("message " + channel + " " + message);
                }

                @Override
                public void onPMessage(String pattern, String channel, String message) {
                    events.add("pmessage " + pattern + " " + channel + " " + message);
                }

                @Override
                public void onUnsubscribe(String channel, int count) {
                    events.add("unsubscribe " + channel + " " + count);
                }

                @Override
                public void onPUnsubscribe(String pattern, int count) {
                    events.add("punsubscribe " + pattern + " " + count);
                }
            };
            CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> subscriber.subscribe(listener, "jch"));
            assertEquals("subscribe jch 1", events.poll(10, TimeUnit.SECONDS), where);
            listener.psubscribe("jp*");
            assertEquals("psubscribe jp* 2", events.poll(10, TimeUnit.SECONDS), where);
            assertEquals(1L, publisher.publish("jch", "hello"), where);
            assertEquals("message jch hello", events.poll(10, TimeUnit.SECONDS), where);
            assertEquals(1L, publisher.publish("jpq", "world"), where);
            assertEquals("pmessage jp* jpq world", events.poll(10, TimeUnit.SECONDS), where);
            assertEquals(Map.of("jch", 1L), publisher.pubsubNumSub("jch"), where);
            assertEquals(1L, publisher.pubsubNumPat(), where);
            listener.unsubscribe();
            assertEquals("unsubscribe jch 1", events.poll(10, TimeUnit.SECONDS), where);
            listener.punsubscribe();
            assertEquals("punsubscribe jp* 0", events.poll(10, TimeUnit.SECONDS), where);
            loop.get(10, TimeUnit.SECONDS);
            assertFalse(listener.isSubscribed(), where);
            assertEquals("PONG", subscriber.ping(), where + ": the connection is usable again");
        }
        try (Jedis waiter = new Jedis(address, config); Jedis pusher = new Jedis(address, config)) {
            CompletableFuture<KeyValue<String, String>> popped =
                    CompletableFuture.supplyAsync(() -> waiter.blpop(10.0, "jw:a", "jw:b"));
            waitFor(where + ": the BLPOP is blocked", () -> pusher.info("clients").contains("blocked_clients:1\r\n"));
            pusher.rpush("jw:b", "woken");
            assertEquals(new KeyValue<>("jw:b", "woken"), popped.get(15, TimeUnit.SECONDS), where);
            CompletableFuture<KeyValue<String, Tuple>> zpopped =
                    CompletableFuture.supplyAsync(() -> waiter.bzpopmax(10.0, "jw:z"));
            waitFor(where + ": the BZPOPMAX is blocked",
                    () -> pusher.info("clients").contains("blocked_clients:1\r\n"));
            pusher.zadd("jw:z", 2.5, "m");
            KeyValue<String, Tuple> z = zpopped.get(15, TimeUnit.SECONDS);
            assertEquals("jw:z", z.getKey(), where);
            assertEquals(new Tuple("m", 2.5), z.getValue(), where);
            pusher.flushAll();
        }
    }

    /**
     * The scenario on redis-server, then on every state mode over one shard and four and on the two
     * thread-per-connection models, in each protocol.
     */
    private static void onEveryServer(Scenario scenario) throws Exception {
        try (RedisServer reference = RedisServer.start()) {
            inEveryProtocol(scenario, reference.port(), "redis-server");
        }
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 4}) {
                try (RespTestServer server = RespTestServer.start(mode, shards)) {
                    inEveryProtocol(scenario, server.port(), mode + " on " + shards + " shard(s)");
                }
            }
        }
        for (ServerModel model : new ServerModel[] {ServerModel.THREADS, ServerModel.VIRTUAL}) {
            ThreadedConfig config = ThreadedConfig.defaults(model, "127.0.0.1", 0);
            StateMode mode = model == ServerModel.THREADS ? StateMode.LOCKED : StateMode.CONCURRENT;
            try (BlockingRespProtocol protocol =
                         new BlockingRespProtocol(config, mode, RespLimits.REDIS_DEFAULTS, null);
                 ThreadedServer server = ThreadedServer.start(config, protocol)) {
                inEveryProtocol(scenario, server.port(), model.label() + " " + mode);
            }
        }
    }

    private static void inEveryProtocol(Scenario scenario, int port, String where) throws Exception {
        HostAndPort address = new HostAndPort("127.0.0.1", port);
        scenario.run(address, config(null).build(), where + ", default");
        for (RedisProtocol protocol : RedisProtocol.values()) {
            scenario.run(address, config(protocol).build(), where + ", " + protocol);
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not seen within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
