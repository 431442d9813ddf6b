package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import io.shardloop.runtime.stall.StallReport;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RESP server's connection-level behaviour: AUTH, QUIT, bad input, DEBUG SLEEP, long replies. */
class RespServerBehaviourTest {

    private static void assertError(String expectedPrefix, Runnable call) {
        JedisDataException e = assertThrows(JedisDataException.class, call::run);
        assertTrue(e.getMessage().startsWith(expectedPrefix), "expected '" + expectedPrefix + "...', got '" + e.getMessage() + "'");
    }

    @Test
    void shouldRefuseCommandsUntilAuthGivesTheRightPassword() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2, "s3cret");
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 5_000)) {
            assertError("NOAUTH Authentication required.", () -> jedis.get("k"));
            assertError("NOAUTH Authentication required.", jedis::ping);
            assertError("WRONGPASS invalid username-password pair or user is disabled.", () -> jedis.auth("wrong"));
            assertError("WRONGPASS", () -> jedis.auth("someone", "s3cret"));
            assertError("NOAUTH", () -> jedis.set("k", "v"));
            assertEquals("OK", jedis.auth("s3cret"));
            assertEquals("OK", jedis.set("k", "v"));
            assertEquals("OK", jedis.auth("default", "s3cret"));
            try (Jedis other = new Jedis(new HostAndPort("127.0.0.1", server.port()),
                    DefaultJedisClientConfig.builder().password("s3cret").build())) {
                assertEquals("v", other.get("k"), "a client configured with the password is let in at once");
            }
        }
    }

    @Test
    void shouldSayNoPasswordIsConfiguredWhenAuthIsNotRequired() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.LOCKED, 1);
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 5_000)) {
            assertError("ERR AUTH <password> called without any password configured", () -> jedis.auth("x"));
            assertEquals("PONG", jedis.ping());
        }
    }

    @Test
    void shouldAnswerQuitWithOkThenCloseAndIgnoreWhatFollows() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            RespTestServer.send(socket, "PING\r\n*1\r\n$4\r\nQUIT\r\n*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\nv\r\n");
            InputStream in = socket.getInputStream();
            assertEquals("+PONG\r\n", RespTestServer.readReply(in));
            assertEquals("+OK\r\n", RespTestServer.readReply(in));
            assertEquals(-1, in.read(), "closed after QUIT");
            try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 5_000)) {
                assertEquals(null, jedis.get("q"), "nothing after QUIT ran");
            }
        }
    }

    @Test
    void shouldCloseOnlyTheConnectionThatBreaksTheProtocol() throws Exception {
        String[][] garbage = {
                {"*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
                {"*2\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"},
                {"*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
                {"SET \"a b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
        };
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2);
             Jedis survivor = new Jedis("127.0.0.1", server.port(), 5_000)) {
            assertEquals("OK", survivor.set("alive", "yes"));
            for (int round = 0; round < 4; round++) { // connections land on both shards
                for (String[] g : garbage) {
                    try (Socket socket = new Socket("127.0.0.1", server.port())) {
                        socket.setSoTimeout(5_000);
                        RespTestServer.send(socket, "PING\r\n" + g[0] + "PING\r\n");
                        InputStream in = socket.getInputStream();
                        assertEquals("+PONG\r\n", RespTestServer.readReply(in));
                        assertEquals(g[1], RespTestServer.readReply(in), "reply to " + g[0].trim());
                        assertEquals(-1, in.read(), "closed after a protocol error");
                    }
                }
            }
            assertEquals("yes", survivor.get("alive"));
            assertEquals("PONG", survivor.ping());
        }
    }

    @Test
    void shouldReportDebugSleepAsAStallOfTheShardThatSlept() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2);
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 5_000)) {
            BlockingQueue<StallReport> reports = new LinkedBlockingQueue<>();
            server.group.stallDetector().addListener(reports::add);
            Object ok = jedis.sendCommand(() -> SafeEncoder.encode("DEBUG"), "SLEEP", "0.3");
            assertEquals("OK", SafeEncoder.encode((byte[]) ok));
            StallReport report = reports.poll(5, TimeUnit.SECONDS);
            assertNotNull(report, "a 300 ms turn is a stall");
            assertTrue(report.stalledNanos() >= TimeUnit.MILLISECONDS.toNanos(100), report.describe());
            assertTrue(Arrays.stream(report.stack()).anyMatch(f -> f.getMethodName().equals("debug")),
                    "the stack shows where the loop slept: " + report.describe());
            assertTrue(server.group.stallDetector().stalls(report.shard()) >= 1);
            assertError("ERR value is not a valid float",
                    () -> jedis.sendCommand(() -> SafeEncoder.encode("DEBUG"), "SLEEP", "soon"));
        }
    }

    @Test
    void shouldReturnRepliesLongerThanAMailboxMessageFromOtherShards() throws Exception {
        try (RespTestServer server = RespTestServer.start(StateMode.SHARDED, 2);
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            List<String> keys = server.keysOnEveryShard("wide:", 1);
            Set<String> members = new HashSet<>();
            for (int i = 0; i < 40_000; i++) {
                members.add("member-with-some-length-" + i);
            }
            for (String key : keys) {
                jedis.sadd(key, members.toArray(String[]::new));
            }
            for (String key : keys) { // about 1.2 MB of reply from each shard
                assertEquals(members, jedis.smembers(key), key);
            }
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 30_000; i++) {
                many.add("a-key-name-long-enough-to-fill-a-ring-" + i);
                many.add("v");
            }
            assertEquals("OK", jedis.mset(many.toArray(String[]::new)));
            assertEquals(30_000 + keys.size(), jedis.keys("*").size(), "KEYS merges every shard's long part");
        }
    }
}
