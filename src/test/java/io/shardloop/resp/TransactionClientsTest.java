package io.shardloop.resp;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.shardloop.kv.StateMode;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients' own transaction APIs, unchanged, over keys of every shard: Jedis's {@code Transaction}
 * (MULTI, queued commands, EXEC, WATCH) and Lettuce's {@code multi()}/{@code exec()}, in the
 * sharded and locked modes.
 */
class TransactionClientsTest {
    @Test
    void jedisTransactionsRunAtomicallyAndHonourWatch() throws Exception {
        for (StateMode mode : new StateMode[] {StateMode.SHARDED, StateMode.LOCKED, StateMode.CONCURRENT}) {
            try (RespTestServer server = RespTestServer.start(mode, 4);
                 Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000);
                 Jedis other = new Jedis("127.0.0.1", server.port(), 10_000)) {
                List<String> keys = server.keysOnEveryShard("jt:", 2);
                Transaction t = jedis.multi();
                for (String k : keys) {
                    t.set(k, "1");
                    t.incr(k);
                }
                Response<List<String>> values = t.mget(keys.toArray(String[]::new));
                List<Object> results = t.exec();
                assertEquals(keys.size() * 2 + 1, results.size(), mode + ": one reply per queued command");
                for (String v : values.get()) {
                    assertEquals("2", v, mode + ": every key of every shard written, then read, in order");
                }

                jedis.watch(keys.get(0), keys.get(keys.size() - 1));
                other.set(keys.get(keys.size() - 1), "changed");
                Transaction watched = jedis.multi();
                watched.set(keys.get(0), "lost");
                assertNull(watched.exec(), mode + ": a watched key changed: EXEC answers null");
                assertEquals("2", jedis.get(keys.get(0)), mode + ": and ran nothing");

                Transaction discarded = jedis.multi();
                discarded.set(keys.get(0), "discarded");
                discarded.discard();
                assertEquals("2", jedis.get(keys.get(0)), mode + ": DISCARD ran nothing");
                jedis.flushAll();
            }
        }
    }

    @Test
    void lettuceMultiExecOverEveryShard() throws Exception {
        for (StateMode mode : new StateMode[] {StateMode.SHARDED, StateMode.LOCKED}) {
            try (RespTestServer server = RespTestServer.start(mode, 4)) {
                RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(server.port())
                        .withTimeout(Duration.ofSeconds(10)).build());
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    RedisCommands<String, String> sync = connection.sync();
                    List<String> keys = server.keysOnEveryShard("lt:", 2);
                    assertEquals("OK", sync.multi());
                    for (String k : keys) {
                        sync.rpush(k, "a", "b");
                    }
                    sync.rename(keys.get(0), keys.get(keys.size() - 1) + ":moved");
                    TransactionResult result = sync.exec();
                    assertTrue(!result.wasDiscarded(), mode.toString());
                    assertEquals(keys.size() + 1, result.size(), mode.toString());
                    assertEquals(List.of("a", "b"), sync.lrange(keys.get(keys.size() - 1) + ":moved", 0, -1),
                            mode + ": a RENAME across shards inside the transaction");
                    assertEquals(0L, sync.exists(keys.get(0)), mode.toString());
                    sync.flushall();
                } finally {
                    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                }
            }
        }
    }
}
