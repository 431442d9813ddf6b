package io.shardloop.resp;

import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ServerModel;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;
import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.RawResp;
import io.shardloop.testing.RedisServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * redis-server beside every front end of this server: the Redis protocol on the loops in each
 * state mode on 1, 2 and 4 shards, and the thread-per-connection models; and the stores themselves.
 * For tests that hold this server's replies against Redis's, command by command.
 */
final class FrontEnds implements AutoCloseable {
    private final RedisServer redis;
    private final List<AutoCloseable> servers = new ArrayList<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final List<KvGroup> groups = new ArrayList<>();
    private final List<BlockingRespProtocol> threaded = new ArrayList<>();
    private final Map<String, BlockingRespProtocol> threadedByName = new LinkedHashMap<>();

    private FrontEnds() throws Exception {
        redis = RedisServer.start();
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 2, 4}) {
                KvGroup kv = new KvGroup(mode, shards);
                groups.add(kv);
                ShardGroup g = ShardGroup.start(RuntimeConfig.builder(shards).pin(false).build(),
                        List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(kv))));
                servers.add(g);
                ports.put("loops " + mode.name().toLowerCase() + " on " + shards + " shard(s)", g.port(0));
            }
        }
        for (ServerModel model : new ServerModel[] {ServerModel.THREADS, ServerModel.VIRTUAL}) {
            for (StateMode mode : new StateMode[] {StateMode.LOCKED, StateMode.CONCURRENT}) {
                ThreadedConfig config = ThreadedConfig.defaults(model, "127.0.0.1", 0);
                BlockingRespProtocol protocol = new BlockingRespProtocol(config, mode, RespLimits.REDIS_DEFAULTS, null);
                threaded.add(protocol);
                ThreadedServer s = ThreadedServer.start(config, protocol);
                servers.add(s);
                servers.add(protocol);
                ports.put(model.label() + " " + mode.name().toLowerCase(), s.port());
                threadedByName.put(model.label() + " " + mode.name().toLowerCase(), protocol);
            }
        }
    }

    static FrontEnds start() throws Exception {
        return new FrontEnds();
    }

    int redisPort() {
        return redis.port();
    }

    /**
     * Sets {@code notify-keyspace-events} on redis-server (CONFIG SET) and on every front end (the
     * setters CONFIG SET would call), for tests of keyspace notifications.
     */
    void notifyKeyspaceEvents(String classes) throws IOException {
        try (RawResp reference = new RawResp(redis.port())) {
            String reply = reference.call("CONFIG", "SET", "notify-keyspace-events", classes);
            assertTrue(reply.equals("+OK"), "redis-server: " + reply);
        }
        for (KvGroup g : groups) {
            assertTrue(g.notifyKeyspaceEvents(classes) == null, classes);
        }
        for (BlockingRespProtocol p : threaded) {
            assertTrue(p.notifyKeyspaceEvents(classes) == null, classes);
        }
    }

    /** The scripts and libraries of a thread-per-connection front end, by its name in {@link #ports}. */
    io.shardloop.script.ScriptRegistry threadedScripts(String name) {
        return threadedByName.get(name).scripts();
    }

    /** Each front end's name and port, in a stable order. */
    Map<String, Integer> ports() {
        return Collections.unmodifiableMap(ports);
    }

    /**
     * Runs the data commands in order on redis-server, on every front end (a connection each) and on
     * every store, and fails naming each reply that differs from Redis's.
     */
    void assertSequenceAgreesWithRedis(String[][] sequence) throws IOException {
        assertSequenceAgreesWithRedis(sequence, true);
    }

    /**
     * As {@link #assertSequenceAgreesWithRedis(String[][])}, over connections only when
     * {@code stores} is false: for sequences whose commands belong to a connection (MULTI, WATCH).
     */
    void assertSequenceAgreesWithRedis(String[][] sequence, boolean stores) throws IOException {
        List<String> expected = new ArrayList<>();
        try (RawResp reference = new RawResp(redis.port())) {
            for (String[] command : sequence) {
                expected.add(reference.call(command));
            }
        }
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : ports.entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                for (int i = 0; i < sequence.length; i++) {
                    compare(front.getKey(), client.call(sequence[i]), expected.get(i), sequence[i], mismatches);
                }
            }
        }
        for (StateMode mode : stores ? StateMode.values() : new StateMode[0]) {
            for (int shards : new int[] {1, 2, 4}) {
                Store store = mode.create(shards, System::currentTimeMillis);
                for (int i = 0; i < sequence.length; i++) {
                    compare("store " + mode.name().toLowerCase() + " on " + shards, call(store, 2, sequence[i]),
                            expected.get(i), sequence[i], mismatches);
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " replies differ from redis-server's:\n"
                + String.join("\n", mismatches));
    }

    /** Runs one command on a store, in the protocol given, and reads the reply back as the wire does. */
    static String call(Store store, int protocol, String... words) throws IOException {
        BufferReplyWriter out = new BufferReplyWriter();
        out.protocol(protocol);
        store.execute(CommandArgs.of(words), out);
        try (RawResp reader = RawResp.reading(new ByteArrayInputStream(out.toByteArray()))) {
            return reader.read();
        }
    }

    static void compare(String front, String got, String expected, String[] command, List<String> mismatches) {
        if (!got.equals(expected)) {
            mismatches.add(front + ": " + String.join(" ", command) + "\n    redis:     " + expected
                    + "\n    shardloop: " + got);
        }
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
        redis.close();
    }
}
