package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis-protocol server's contract, end to end through Jedis, in every state mode and over 1,
 * 2 and 4 shards: the same answers whatever the mode, the shard count and the shard a client
 * lands on.
 */
@ParameterizedClass(name = "{0} x {1} shards")
@MethodSource("modesAndShards")
class RespServerContractTest {
    @Parameter(0)
    StateMode mode;
    @Parameter(1)
    int shards;

    private static RespTestServer server;
    private Jedis jedis;

    static Stream<Arguments> modesAndShards() {
        List<Arguments> all = new ArrayList<>();
        for (StateMode m : StateMode.values()) {
            for (int s : new int[] {1, 2, 4}) {
                all.add(Arguments.of(m, s));
            }
        }
        return all.stream();
    }

    @BeforeParameterizedClassInvocation
    static void startServer(StateMode mode, int shards) throws Exception {
        server = RespTestServer.start(mode, shards);
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void connect() {
        jedis = client();
        assertEquals("OK", jedis.flushAll());
    }

    @AfterEach
    void disconnect() {
        jedis.close();
    }

    private Jedis client() {
        return new Jedis("127.0.0.1", server.port(), 10_000);
    }

    private static ProtocolCommand cmd(String name) {
        byte[] raw = SafeEncoder.encode(name);
        return () -> raw;
    }

    private static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    private static void assertError(String expectedPrefix, Runnable call) {
        JedisDataException e = assertThrows(JedisDataException.class, call::run);
        assertTrue(e.getMessage().startsWith(expectedPrefix), "expected '" + expectedPrefix + "...', got '" + e.getMessage() + "'");
    }

    @Test
    void shouldAnswerStringCommandsAsRedisDoes() {
        assertNull(jedis.get("s"));
        assertEquals("OK", jedis.set("s", "v1"));
        assertEquals("v1", jedis.get("s"));
        assertNull(jedis.set("s", "x", SetParams.setParams().nx()));
        assertEquals("OK", jedis.set("s", "v2", SetParams.setParams().xx()));
        assertNull(jedis.set("absent", "x", SetParams.setParams().xx()));
        assertEquals("v2", jedis.setGet("s", "v3"));
        assertEquals(1, jedis.setnx("n", "1"));
        assertEquals(0, jedis.setnx("n", "2"));
        assertEquals("v3", jedis.getSet("s", "v4"));
        assertEquals("v4", jedis.getDel("s"));
        assertNull(jedis.get("s"));
        assertEquals(2, jedis.incr("n"));
        assertEquals(1, jedis.decr("n"));
        assertEquals(11, jedis.incrBy("n", 10));
        assertEquals(-9, jedis.decrBy("n", 20));
        assertEquals(1, jedis.incr("fresh"));
        assertEquals(5, jedis.append("a", "hello"));
        assertEquals(11, jedis.append("a", " world"));
        assertEquals(11, jedis.strlen("a"));
        assertEquals(0, jedis.strlen("nothing"));
        assertEquals("OK", jedis.setex("e", 100, "v"));
        assertTrue(jedis.ttl("e") > 90);
        assertEquals("string", jedis.type("a"));
        assertEquals("none", jedis.type("nothing"));
    }

    @Test
    void shouldSpanShardsWithMsetMgetDelExistsAndUnlink() {
        List<String> keys = server.keysOnEveryShard("multi:", 3);
        String[] kv = new String[keys.size() * 2];
        for (int i = 0; i < keys.size(); i++) {
            kv[2 * i] = keys.get(i);
            kv[2 * i + 1] = "value-" + i;
        }
        assertEquals("OK", jedis.mset(kv));
        List<String> withGaps = new ArrayList<>(keys);
        withGaps.add(1, "missing:a");
        withGaps.add("missing:b");
        List<String> got = jedis.mget(withGaps.toArray(String[]::new));
        assertEquals(withGaps.size(), got.size());
        for (int i = 0; i < withGaps.size(); i++) {
            String k = withGaps.get(i);
            assertEquals(k.startsWith("missing") ? null : "value-" + keys.indexOf(k), got.get(i), "position " + i);
        }
        String[] all = keys.toArray(String[]::new);
        assertEquals(keys.size(), jedis.exists(all));
        assertEquals(2, jedis.exists(keys.get(0), keys.get(0)), "a key named twice counts twice");
        assertEquals(keys.size() / 2, jedis.del(keys.subList(0, keys.size() / 2).toArray(String[]::new)));
        assertEquals(keys.size() - keys.size() / 2, jedis.unlink(all));
        assertEquals(0, jedis.exists(all));
        assertEquals(0, jedis.dbSize());
        assertError("ERR wrong number of arguments for 'mset' command", () -> jedis.sendCommand(Protocol.Command.MSET, keys.get(0), "v", keys.get(1)));
    }

    @Test
    void shouldExpireKeysWithRealShortTtls() throws Exception {
        List<String> keys = server.keysOnEveryShard("ttl:", 2);
        for (String k : keys) {
            jedis.set(k, "v");
            assertEquals(1, jedis.pexpire(k, 150));
            long pttl = jedis.pttl(k);
            assertTrue(pttl > 0 && pttl <= 150, "pttl " + pttl);
        }
        jedis.set("px", "v", SetParams.setParams().px(150));
        jedis.set("forever", "v");
        assertEquals(-1, jedis.ttl("forever"));
        assertEquals(-2, jedis.ttl("nothing"));
        assertEquals(0, jedis.expire("nothing", 10));
        jedis.set("kept", "v", SetParams.setParams().ex(100));
        jedis.set("kept", "w", SetParams.setParams().keepTtl());
        assertTrue(jedis.ttl("kept") > 90);
        jedis.set("saved", "v", SetParams.setParams().px(150));
        assertEquals(1, jedis.persist("saved"));
        assertEquals(0, jedis.persist("saved"));
        assertEquals(-1, jedis.ttl("saved"));
        jedis.set("gone", "v");
        assertEquals(1, jedis.expire("gone", -1), "a deadline in the past deletes at once");
        assertNull(jedis.get("gone"));

        // Untouched, the expired keys must go by active expiry (a periodic cycle on every shard).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (jedis.dbSize() > 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(3, jedis.dbSize(), "only forever, kept and saved are left: " + jedis.keys("*"));
        for (String k : keys) {
            assertNull(jedis.get(k));
            assertEquals(-2, jedis.pttl(k));
        }
        assertNull(jedis.get("px"));
    }

    @Test
    void shouldAnswerHashCommands() {
        assertEquals(2, jedis.hset("h", Map.of("f1", "a", "f2", "b")));
        assertEquals(0, jedis.hset("h", "f1", "c"));
        assertEquals("c", jedis.hget("h", "f1"));
        assertNull(jedis.hget("h", "none"));
        assertEquals(Arrays.asList("c", null, "b"), jedis.hmget("h", "f1", "none", "f2"));
        assertEquals(Map.of("f1", "c", "f2", "b"), jedis.hgetAll("h"));
        assertEquals(2, jedis.hlen("h"));
        assertEquals(5, jedis.hincrBy("h", "n", 5));
        assertEquals(3, jedis.hincrBy("h", "n", -2));
        assertError("ERR hash value is not an integer", () -> jedis.hincrBy("h", "f1", 1));
        assertEquals(2, jedis.hdel("h", "f1", "f2", "none"));
        assertEquals(1, jedis.hdel("h", "n"));
        assertFalse(jedis.exists("h"), "a hash goes with its last field");
        assertEquals(Map.of(), jedis.hgetAll("h"));
        assertEquals("hash", jedis.type(seedHash("h2")));
    }

    private String seedHash(String key) {
        jedis.hset(key, "f", "v");
        return key;
    }

    @Test
    void shouldAnswerListCommands() {
        assertEquals(3, jedis.rpush("l", "b", "c", "d"));
        assertEquals(4, jedis.lpush("l", "a"));
        assertEquals(List.of("a", "b", "c", "d"), jedis.lrange("l", 0, -1));
        assertEquals(List.of("c", "d"), jedis.lrange("l", -2, 100));
        assertEquals(List.of(), jedis.lrange("l", 5, 10));
        assertEquals(4, jedis.llen("l"));
        assertEquals("a", jedis.lpop("l"));
        assertEquals("d", jedis.rpop("l"));
        assertEquals(List.of("b", "c"), jedis.lpop("l", 5));
        assertFalse(jedis.exists("l"));
        assertNull(jedis.lpop("l"));
        assertNull(jedis.rpop("l", 2), "a count on a missing list is a nil array");
        assertEquals("list", jedis.type(String.valueOf(jedis.rpush("l2", "x") > 0 ? "l2" : "")));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add("e" + i);
        }
        jedis.rpush("long", many.toArray(String[]::new));
        assertEquals(many.subList(250, 260), jedis.lrange("long", 250, 259));
        assertEquals(many.subList(10, 20), jedis.lrange("long", 10, 19));
    }

    @Test
    void shouldAnswerSetCommandsAndPopDistinctMembers() {
        assertEquals(3, jedis.sadd("s", "a", "b", "c"));
        assertEquals(1, jedis.sadd("s", "c", "d"));
        assertEquals(Set.of("a", "b", "c", "d"), jedis.smembers("s"));
        assertTrue(jedis.sismember("s", "a"));
        assertFalse(jedis.sismember("s", "z"));
        assertEquals(4, jedis.scard("s"));
        assertEquals(2, jedis.srem("s", "a", "z", "b"));
        assertEquals(Set.of("c", "d"), jedis.smembers("s"));
        assertEquals(Set.of(), jedis.smembers("none"));
        assertNull(jedis.spop("none"));
        assertEquals(Set.of(), jedis.spop("none", 3));
        assertEquals("set", jedis.type("s"));

        Set<String> members = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            members.add("m" + i);
        }
        jedis.sadd("big", members.toArray(String[]::new));
        Set<String> popped = new HashSet<>();
        String one = jedis.spop("big");
        assertTrue(members.contains(one));
        popped.add(one);
        Set<String> some = jedis.spop("big", 99);
        assertEquals(99, some.size(), "SPOP count returns distinct members");
        for (String m : some) {
            assertTrue(members.contains(m));
            assertTrue(popped.add(m), "popped twice: " + m);
        }
        assertEquals(900, jedis.scard("big"));
        assertFalse(jedis.sismember("big", one));
        Set<String> rest = jedis.spop("big", 5000);
        assertEquals(900, rest.size());
        rest.forEach(m -> assertTrue(popped.add(m), "popped twice: " + m));
        assertEquals(members, popped);
        assertFalse(jedis.exists("big"), "a set goes with its last member");
        assertError("ERR value is out of range, must be positive", () -> jedis.spop("big", -1));
    }

    @Test
    void shouldScanEveryKeyOnEveryShardExactlyOnceAndAgreeWithKeysAndDbsize() {
        Set<String> expected = new HashSet<>();
        Pipeline p = jedis.pipelined();
        for (int i = 0; i < 1500; i++) {
            String k = "scan:" + i;
            expected.add(k);
            p.set(k, "v");
        }
        for (int i = 0; i < 20; i++) {
            p.sadd("other:" + i, "m");
        }
        p.sync();
        assertEquals(1520, jedis.dbSize());

        List<String> seen = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int calls = 0;
        do {
            ScanResult<String> r = jedis.scan(cursor, new ScanParams().match("scan:*").count(37));
            seen.addAll(r.getResult());
            cursor = r.getCursor();
            assertTrue(++calls < 10_000, "SCAN must end");
        } while (!cursor.equals("0"));
        assertEquals(expected.size(), seen.size(), "every key exactly once");
        assertEquals(expected, new HashSet<>(seen));

        Set<String> sets = new HashSet<>();
        cursor = "0";
        do {
            ScanResult<String> r = jedis.scan(cursor, new ScanParams().count(500), "set");
            sets.addAll(r.getResult());
            cursor = r.getCursor();
        } while (!cursor.equals("0"));
        assertEquals(20, sets.size());

        assertEquals(expected, jedis.keys("scan:*"));
        assertEquals(1520, jedis.keys("*").size());
        assertEquals(Set.of("scan:1499"), jedis.keys("scan:1499"));
        assertEquals(Set.of("scan:10", "scan:11"), jedis.keys("scan:1[01]"));
        assertEquals("OK", jedis.flushDB());
        assertEquals(0, jedis.dbSize());
        assertEquals(Set.of(), jedis.keys("*"));
        jedis.set("x", "y");
        assertEquals("OK", jedis.flushAll());
        assertEquals(0, jedis.dbSize());
        assertError("ERR invalid cursor", () -> jedis.scan("abc"));
    }

    @Test
    void shouldAnswerConnectionAndServerCommands() {
        assertEquals("PONG", jedis.ping());
        assertEquals("hi", text(jedis.sendCommand(Protocol.Command.PING, "hi")));
        assertEquals("echoed", jedis.echo("echoed"));
        assertEquals("OK", jedis.select(0));
        assertError("ERR DB index is out of range", () -> jedis.select(16)); // 16 databases: 0 to 15
        assertEquals("OK", jedis.clientSetname("tester"));
        assertEquals("tester", jedis.clientGetname());
        assertTrue(jedis.clientId() > 0);
        List<?> hello = (List<?>) jedis.sendCommand(cmd("HELLO"), "2");
        assertEquals("server", text(hello.get(0)));
        assertEquals("proto", text(hello.get(4)));
        assertEquals(2L, hello.get(5));
        assertError("NOPROTO", () -> jedis.sendCommand(cmd("HELLO"), "4"));
        long count = (Long) jedis.sendCommand(Protocol.Command.COMMAND, "COUNT");
        assertTrue(count > 50, "commands: " + count);
        List<?> info = (List<?>) jedis.sendCommand(Protocol.Command.COMMAND, "INFO", "get", "nosuch");
        List<?> get = (List<?>) info.get(0);
        assertEquals("get", text(get.get(0)));
        assertEquals(2L, get.get(1));
        assertNull(info.get(1));
        assertEquals(count, ((List<?>) jedis.sendCommand(Protocol.Command.COMMAND)).size());
        assertEquals(Map.of("appendonly", "no"), jedis.configGet("appendonly"));
        assertEquals(Map.of("save", "", "databases", "16"), jedis.configGet("save", "databases"));
        String all = jedis.info();
        assertTrue(all.contains("redis_version:"), all);
        assertTrue(all.contains("# Keyspace"), all);
        String clients = jedis.info("clients");
        assertTrue(clients.contains("connected_clients:"), clients);
    }

    @Test
    void shouldGiveRedisErrorTexts() {
        assertError("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ",
                () -> jedis.sendCommand(cmd("NOSUCH"), "a", "b"));
        assertError("ERR wrong number of arguments for 'get' command", () -> jedis.sendCommand(Protocol.Command.GET));
        assertError("ERR wrong number of arguments for 'get' command",
                () -> jedis.sendCommand(Protocol.Command.GET, "a", "b"));
        jedis.rpush("list", "x");
        assertError("WRONGTYPE Operation against a key holding the wrong kind of value", () -> jedis.get("list"));
        assertError("WRONGTYPE", () -> jedis.incr("list"));
        assertError("WRONGTYPE", () -> jedis.sadd("list", "m"));
        assertError("WRONGTYPE", () -> jedis.hget("list", "f"));
        jedis.sadd("set", "m");
        assertError("WRONGTYPE", () -> jedis.lpush("set", "x"));
        jedis.set("text", "abc");
        assertError("ERR value is not an integer or out of range", () -> jedis.incr("text"));
        assertError("ERR value is not an integer or out of range",
                () -> jedis.sendCommand(Protocol.Command.EXPIRE, "text", "soon"));
        jedis.set("max", String.valueOf(Long.MAX_VALUE));
        assertError("ERR increment or decrement would overflow", () -> jedis.incr("max"));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.SET, "a", "b", "NOPE"));
        assertError("ERR invalid expire time in 'set' command",
                () -> jedis.sendCommand(Protocol.Command.SET, "a", "b", "EX", "0"));
        assertEquals("PONG", jedis.ping(), "errors leave the connection usable");
    }

    @Test
    void shouldKeepThousandsOfPipelinedRepliesInOrderAcrossShards() {
        int n = 4000;
        SplittableRandom random = new SplittableRandom(shards * 31L + mode.ordinal());
        Pipeline p = jedis.pipelined();
        List<Response<?>> responses = new ArrayList<>(n);
        List<Object> expected = new ArrayList<>(n);
        Map<String, String> strings = new HashMap<>();
        Map<String, Long> counters = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(5);
            String key = "p:" + random.nextInt(200);
            switch (kind) {
                case 0 -> {
                    String v = "v" + i;
                    responses.add(p.set("str:" + key, v));
                    strings.put("str:" + key, v);
                    expected.add("OK");
                }
                case 1 -> {
                    responses.add(p.get("str:" + key));
                    expected.add(strings.get("str:" + key));
                }
                case 2 -> {
                    long c = counters.merge("cnt:" + key, 1L, Long::sum);
                    responses.add(p.incr("cnt:" + key));
                    expected.add(c);
                }
                case 3 -> {
                    String a = "str:p:" + random.nextInt(200);
                    String b = "str:p:" + random.nextInt(200);
                    responses.add(p.mget(a, b));
                    expected.add(Arrays.asList(strings.get(a), strings.get(b)));
                }
                default -> {
                    responses.add(p.strlen("str:" + key));
                    String v = strings.get("str:" + key);
                    expected.add(v == null ? 0L : (long) v.length());
                }
            }
        }
        p.sync();
        for (int i = 0; i < n; i++) {
            assertEquals(expected.get(i), responses.get(i).get(), "reply " + i);
        }
        assertEquals(strings.size() + counters.size(), jedis.dbSize());
    }

    @Test
    void shouldCountExactlyWithSixteenClientsIncrementingSharedKeys() throws Exception {
        List<String> keys = server.keysOnEveryShard("counter:", 2);
        int threads = 16;
        int perThread = 400;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    try (Jedis c = client()) {
                        for (int i = 0; i < perThread; i++) {
                            String k = keys.get((seed + i) % keys.size());
                            if (i % 4 == 3) {
                                c.hincrBy("hcount", k, 1);
                            } else {
                                c.incr(k);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        long total = 0;
        long hashTotal = 0;
        for (String k : keys) {
            total += Long.parseLong(jedis.get(k));
            String h = jedis.hget("hcount", k);
            hashTotal += h == null ? 0 : Long.parseLong(h);
        }
        assertEquals(threads * perThread * 3 / 4, total);
        assertEquals(threads * perThread / 4, hashTotal);
    }

    @Test
    void shouldStoreAndReturnMegabyteValuesOnEveryShard() {
        List<String> keys = server.keysOnEveryShard("large:", 1);
        byte[][] values = new byte[keys.size()][];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < keys.size(); i++) {
            values[i] = new byte[(1 << 20) + i * 977];
            for (int j = 0; j < values[i].length; j++) {
                values[i][j] = (byte) random.nextInt(256);
            }
            assertEquals("OK", jedis.set(keys.get(i).getBytes(StandardCharsets.UTF_8), values[i]));
        }
        for (int i = 0; i < keys.size(); i++) {
            assertArrayEquals(values[i], jedis.get(keys.get(i).getBytes(StandardCharsets.UTF_8)), keys.get(i));
            assertEquals(values[i].length, jedis.strlen(keys.get(i)));
        }
        byte[][] keyBytes = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        List<byte[]> all = jedis.mget(keyBytes);
        for (int i = 0; i < keys.size(); i++) {
            assertArrayEquals(values[i], all.get(i));
        }
        byte[][] kv = new byte[keys.size() * 2][];
        for (int i = 0; i < keys.size(); i++) {
            kv[2 * i] = keyBytes[i];
            kv[2 * i + 1] = values[keys.size() - 1 - i];
        }
        assertEquals("OK", jedis.mset(kv), "a multi-key write whose parts are each over a megabyte");
        for (int i = 0; i < keys.size(); i++) {
            assertArrayEquals(values[keys.size() - 1 - i], jedis.get(keyBytes[i]));
        }
        assertEquals("PONG", jedis.ping());
    }
}
