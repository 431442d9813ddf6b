package io.shardloop.resp;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.Await;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publishers, subscribers and pattern subscribers on different shards of four, in every state
 * mode: every message published reaches every subscriber once, in publish order per publisher, and
 * each PUBLISH counts every receiver on every shard. Connections reach a given shard by opening
 * until the kernel's SO_REUSEPORT hash puts one there ({@code INFO shards} says where it landed).
 */
class PubSubAcrossShardsTest {
    private static final int SHARDS = 4;
    private static final int MESSAGES = 400;

    @Test
    void everySubscriberOnEveryShardReceivesEveryMessageOnceInOrder() throws Exception {
        for (StateMode mode : StateMode.values()) {
            try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(SHARDS).pin(false).build(),
                    List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, SHARDS)))))) {
                check(g.port(0), mode.name());
            }
        }
    }

    @Test
    void aMessagePublishedInsideATransactionOverEveryShardGoesOutBeforeTheNextOne() throws Exception {
        try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(SHARDS).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(StateMode.SHARDED, SHARDS)))))) {
            Map<Integer, List<RawResp>> byShard = connectionsOnEveryShard(g.port(0), 1);
            try (RawResp publisher = new RawResp(g.port(0), 30_000)) {
                for (List<RawResp> here : byShard.values()) {
                    assertEquals("[subscribe, tx, 1]", valueOf(here.get(0), "SUBSCRIBE", "tx"));
                }
                assertEquals("+OK", publisher.call("MULTI"));
                assertEquals("+QUEUED", publisher.call("PUBLISH", "tx", "inside"));
                assertEquals("+QUEUED", publisher.call("MSET", "k0", "1", "k1", "1", "k2", "1", "k3", "1", "k4", "1"));
                publisher.send("EXEC");
                publisher.send("PUBLISH", "tx", "after");
                publisher.read();
                assertEquals(":" + SHARDS, publisher.read());
                for (List<RawResp> here : byShard.values()) {
                    assertEquals("[message, tx, inside]", here.get(0).value());
                    assertEquals("[message, tx, after]", here.get(0).value());
                }
            } finally {
                for (List<RawResp> list : byShard.values()) {
                    for (RawResp c : list) {
                        c.close();
                    }
                }
            }
        }
    }

    @Test
    void aPublishInsideExecCountsAndReachesTheSubscribersOfEveryShard() throws Exception {
        for (StateMode mode : StateMode.values()) {
            try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(SHARDS).pin(false).build(),
                    List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, SHARDS)))))) {
                Map<Integer, List<RawResp>> byShard = connectionsOnEveryShard(g.port(0), 2);
                try {
                    for (List<RawResp> here : byShard.values()) {
                        assertEquals("[subscribe, ex, 1]", valueOf(here.get(0), "SUBSCRIBE", "ex"));
                    }
                    RawResp pattern = byShard.get(3).get(1);
                    assertEquals("[psubscribe, e*, 1]", valueOf(pattern, "PSUBSCRIBE", "e*"));
                    RawResp publisher = byShard.get(0).get(1);
                    int receivers = SHARDS + 1;
                    // One EXEC on the publisher's shard, one over every shard (its MSET's keys spread).
                    for (String[] data : new String[][] {{"PING"}, {"MSET", "k0", "1", "k1", "1", "k2", "1", "k3", "1", "k4", "1"}}) {
                        assertEquals("+OK", publisher.call("MULTI"));
                        assertEquals("+QUEUED", publisher.call("PUBLISH", "ex", "one"));
                        assertEquals("+QUEUED", publisher.call(data));
                        assertEquals("+QUEUED", publisher.call("PUBSUB", "NUMSUB", "ex", "none"));
                        assertEquals("+QUEUED", publisher.call("SPUBLISH", "ex", "not a subscriber's"));
                        assertEquals("+QUEUED", publisher.call("PUBLISH", "ex", "two"));
                        publisher.send("EXEC");
                        String reply = publisher.value();
                        assertTrue(reply.matches("\\[" + receivers + ", (PONG|OK), \\[ex, " + SHARDS + ", none, 0\\], 0, "
                                + receivers + "\\]"), mode + ": " + data[0] + ": " + reply);
                        for (List<RawResp> here : byShard.values()) {
                            assertEquals("[message, ex, one]", here.get(0).value(), mode.name());
                            assertEquals("[message, ex, two]", here.get(0).value(), mode.name());
                        }
                        assertEquals("[pmessage, e*, ex, one]", pattern.value(), mode.name());
                        assertEquals("[pmessage, e*, ex, two]", pattern.value(), mode.name());
                    }
                } finally {
                    for (List<RawResp> list : byShard.values()) {
                        for (RawResp c : list) {
                            c.close();
                        }
                    }
                }
            }
        }
    }

    /**
     * A script never waits for another shard: its PUBLISH reaches the subscribers of every shard
     * and counts those of the shard it runs on (the connection's, for a script without keys).
     */
    @Test
    void aPublishFromAScriptReachesEveryShardAndCountsItsOwn() throws Exception {
        for (StateMode mode : StateMode.values()) {
            try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(SHARDS).pin(false).build(),
                    List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, SHARDS)))))) {
                Map<Integer, List<RawResp>> byShard = connectionsOnEveryShard(g.port(0), 2);
                try {
                    for (List<RawResp> here : byShard.values()) {
                        assertEquals("[subscribe, sc, 1]", valueOf(here.get(0), "SUBSCRIBE", "sc"));
                    }
                    RawResp caller = byShard.get(1).get(1);
                    assertEquals(":1", caller.call("EVAL", "return redis.call('publish', 'sc', ARGV[1])", "0", "lua"),
                            mode.name());
                    caller.send("FUNCTION", "LOAD", "REPLACE", "#!lua name=pubtest\nredis.register_function('pub', "
                            + "function(keys, args) return redis.call('publish', 'sc', args[1]) end)");
                    assertEquals("pubtest", caller.value());
                    assertEquals(":1", caller.call("FCALL", "pub", "0", "fn"), mode.name());
                    for (List<RawResp> here : byShard.values()) {
                        assertEquals("[message, sc, lua]", here.get(0).value(), mode.name());
                        assertEquals("[message, sc, fn]", here.get(0).value(), mode.name());
                    }
                } finally {
                    for (List<RawResp> list : byShard.values()) {
                        for (RawResp c : list) {
                            c.close();
                        }
                    }
                }
            }
        }
    }

    @Test
    void pipelinedPublishesWaitingForCreditArriveEveryOneInOrder() throws Exception {
        RuntimeConfig runtime = RuntimeConfig.builder(SHARDS).pin(false)
                .mailbox(io.shardloop.runtime.mailbox.MailboxConfig.defaults().withCredits(2)).build();
        try (ShardGroup g = ShardGroup.start(runtime,
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(StateMode.SHARDED, SHARDS)))))) {
            Map<Integer, List<RawResp>> byShard = connectionsOnEveryShard(g.port(0), 2);
            try {
                for (List<RawResp> here : byShard.values()) {
                    assertEquals("[subscribe, credit, 1]", valueOf(here.get(0), "SUBSCRIBE", "credit"));
                }
                RawResp publisher = byShard.get(0).get(1);
                int n = 3000;
                for (int i = 0; i < n; i++) {
                    publisher.send("PUBLISH", "credit", "0:" + i); // far more than two requests' credit in flight
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(":" + SHARDS, publisher.read(), "publish " + i);
                }
                String shard0 = publisher.call("INFO", "shards").lines().filter(l -> l.contains("shard_0:")).findFirst()
                        .orElseThrow();
                assertTrue(!shard0.contains("credit_waits=0,"), "the publishes waited for credit: " + shard0);
                for (List<RawResp> here : byShard.values()) {
                    for (int i = 0; i < n; i++) {
                        assertEquals("[message, credit, 0:" + i + "]", here.get(0).value());
                    }
                }
            } finally {
                for (List<RawResp> list : byShard.values()) {
                    for (RawResp c : list) {
                        c.close();
                    }
                }
            }
        }
    }

    @Test
    void monitorsOnAnyShardSeeTheCommandsOfEveryShard() throws Exception {
        for (StateMode mode : StateMode.values()) {
            try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(SHARDS).pin(false).build(),
                    List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, SHARDS)))))) {
                Map<Integer, List<RawResp>> byShard = connectionsOnEveryShard(g.port(0), 2);
                try {
                    List<RawResp> monitors = List.of(byShard.get(0).get(1), byShard.get(2).get(1));
                    for (RawResp m : monitors) {
                        assertEquals("+OK", m.call("MONITOR"));
                    }
                    java.util.Set<String> expected = new java.util.TreeSet<>();
                    for (int s = 0; s < SHARDS; s++) {
                        assertEquals("+OK", byShard.get(s).get(0).call("SET", "mon" + s, "v"));
                        expected.add("\"SET\" \"mon" + s + "\" \"v\"");
                    }
                    for (RawResp m : monitors) {
                        java.util.Set<String> seen = new java.util.TreeSet<>();
                        for (int s = 0; s < SHARDS; s++) {
                            String line = m.read();
                            assertTrue(line.matches("\\+\\d+\\.\\d{6} \\[0 127\\.0\\.0\\.1:\\d+\\] .*"), line);
                            seen.add(line.substring(line.indexOf("] ") + 2));
                        }
                        assertEquals(expected, seen, mode.name());
                    }
                } finally {
                    for (List<RawResp> list : byShard.values()) {
                        for (RawResp c : list) {
                            c.close();
                        }
                    }
                }
            }
        }
    }

    private static void check(int port, String label) throws Exception {
        Map<Integer, List<RawResp>> byShard = connectionsOnEveryShard(port, 3);
        List<RawResp> subscribers = new ArrayList<>();
        List<RawResp> patterns = new ArrayList<>();
        List<RawResp> publishers = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
            List<RawResp> here = byShard.get(s);
            subscribers.add(here.get(0));
            publishers.add(here.get(2));
            if (s % 2 == 1) {
                patterns.add(here.get(1));
            } else {
                here.get(1).close();
            }
        }
        for (RawResp c : subscribers) {
            assertEquals("[subscribe, news, 1]", valueOf(c, "SUBSCRIBE", "news"));
        }
        for (RawResp c : patterns) {
            assertEquals("[psubscribe, ne*, 1]", valueOf(c, "PSUBSCRIBE", "ne*"));
        }
        int receivers = subscribers.size() + patterns.size();
        RawResp info = publishers.get(0);
        Await.until("INFO counts the one channel and the one pattern subscribed on several shards once",
                Duration.ofSeconds(30), () -> stats(info).contains("pubsub_channels:1\r\npubsub_patterns:1\r\n"));
        assertEquals("[news, " + SHARDS + "]", valueOf(publishers.get(0), "PUBSUB", "NUMSUB", "news"),
                label);
        ExecutorService pool = Executors.newFixedThreadPool(publishers.size() + receivers);
        try {
            List<Future<String>> published = new ArrayList<>();
            for (int p = 0; p < publishers.size(); p++) {
                RawResp pub = publishers.get(p);
                int id = p;
                published.add(pool.submit(() -> {
                    for (int i = 0; i < MESSAGES; i++) {
                        String n = pub.call("PUBLISH", "news", id + ":" + i);
                        if (!n.equals(":" + receivers)) {
                            return "publish " + id + ":" + i + " reached " + n + ", not " + receivers;
                        }
                    }
                    return "ok";
                }));
            }
            List<Future<String>> received = new ArrayList<>();
            for (RawResp c : subscribers) {
                received.add(pool.submit(() -> readAll(c, "message", publishers.size())));
            }
            for (RawResp c : patterns) {
                received.add(pool.submit(() -> readAll(c, "pmessage", publishers.size())));
            }
            for (Future<String> f : published) {
                assertEquals("ok", f.get(60, TimeUnit.SECONDS), label);
            }
            for (Future<String> f : received) {
                assertEquals("ok", f.get(60, TimeUnit.SECONDS), label);
            }
        } finally {
            pool.shutdownNow();
            for (List<RawResp> list : byShard.values()) {
                for (RawResp c : list) {
                    c.close();
                }
            }
        }
    }

    private static String stats(RawResp c) {
        try {
            return c.call("INFO", "stats");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String valueOf(RawResp c, String... command) throws Exception {
        c.send(command);
        return c.value();
    }

    /** Reads every publisher's messages and checks each publisher's arrive once, in order. */
    private static String readAll(RawResp c, String kind, int publishers) throws Exception {
        int[] next = new int[publishers];
        for (int n = 0; n < publishers * MESSAGES; n++) {
            String frame = c.value(); // [message, news, 2:17] or [pmessage, ne*, news, 2:17]
            String[] parts = frame.substring(1, frame.length() - 1).split(", ");
            if (!parts[0].equals(kind)) {
                return "expected a " + kind + ", read " + frame;
            }
            String[] idSeq = parts[parts.length - 1].split(":");
            int id = Integer.parseInt(idSeq[0]);
            int seq = Integer.parseInt(idSeq[1]);
            if (seq != next[id]) {
                return "publisher " + id + ": message " + seq + " where " + next[id] + " was due";
            }
            next[id]++;
        }
        return "ok";
    }

    /** Opens connections until each shard has {@code each} of them; the others are closed. */
    static Map<Integer, List<RawResp>> connectionsOnEveryShard(int port, int each) throws Exception {
        Map<Integer, List<RawResp>> byShard = new HashMap<>();
        for (int s = 0; s < SHARDS; s++) {
            byShard.put(s, new ArrayList<>());
        }
        for (int attempt = 0; attempt < 2000 && !full(byShard, each); attempt++) {
            RawResp c = new RawResp(port, 30_000);
            int shard = shardOf(c);
            if (byShard.get(shard).size() < each) {
                byShard.get(shard).add(c);
            } else {
                c.close();
            }
        }
        assertTrue(full(byShard, each), "connections landed on every shard");
        return byShard;
    }

    private static boolean full(Map<Integer, List<RawResp>> byShard, int each) {
        return byShard.values().stream().allMatch(l -> l.size() >= each);
    }

    static int shardOf(RawResp c) throws Exception {
        for (String line : c.call("INFO", "shards").split("\r?\n")) {
            if (line.contains("this_connection=1")) {
                return Integer.parseInt(line.substring(line.indexOf("shard_") + 6, line.indexOf(':')));
            }
        }
        throw new AssertionError("INFO shards names no connection of its own");
    }
}
