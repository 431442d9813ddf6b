package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command in the table, with the wrong number of arguments and against keys of every other
 * type, through every front end (the Redis protocol on the loops in each state mode and on 1, 2 and
 * 4 shards, the thread-per-connection models, the stores themselves) must answer what redis-server
 * answers: the same error text where Redis errs, the same reply where it does not.
 */
class CommandContractTest {
    /**
     * Connection commands and ones whose replies depend on the server, not on the data; WATCH,
     * the connection's (TransactionContractTest holds it against Redis over connections); and DUMP,
     * whose payload for a container is in this server's encoding, not Redis's (DumpRestoreTest
     * restores each into the other instead).
     */
    private static final Set<String> NOT_PROBED_WITH_KEYS = Set.of("auth", "hello", "client", "quit", "info", "debug",
            "command", "config", "select", "ping", "echo", "keys", "scan", "dbsize", "flushdb", "flushall", "spop",
            "watch", "dump", "ssubscribe", "sunsubscribe", "spublish");
    private static final String[][] TYPED = {
        {"SET", "{t}string", "1"},
        {"RPUSH", "{t}list", "1"},
        {"HSET", "{t}hash", "1", "1"},
        {"SADD", "{t}set", "1"},
    };

    private static FrontEnds fronts;

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.close();
    }

    /** Too few arguments, and one too many for a fixed arity. */
    private static List<String[]> arityProbes() {
        List<String[]> probes = new ArrayList<>();
        for (Command c : CommandTable.all()) {
            int arity = c.arity();
            int least = arity > 0 ? arity : -arity;
            if (least >= 2) {
                probes.add(withFiller(c.name(), least - 2));
            }
            if (arity > 0) {
                probes.add(withFiller(c.name(), arity));
            }
        }
        probes.add(new String[] {"MSET", "a", "1", "b", "2", "c"});
        probes.add(new String[] {"MSET", "a"});
        probes.add(new String[] {"NOSUCHCOMMAND", "a", "b"});
        return probes;
    }

    /**
     * Each key command, with the fewest arguments it takes, on a key of every type. The other keys
     * of a command that cannot be split share the typed keys' hash tag, so that they have one owner.
     */
    private static List<String[]> typeProbes() {
        List<String[]> probes = new ArrayList<>();
        for (Command c : CommandTable.all()) {
            if (c.firstKey() != 1 || NOT_PROBED_WITH_KEYS.contains(c.name())) {
                continue;
            }
            int least = Math.abs(c.arity());
            for (String[] typed : TYPED) {
                String[] probe = withFiller(c.name(), Math.max(1, least - 1));
                probe[1] = typed[1];
                if (c.route() == Command.Route.WHOLE) {
                    CommandArgs args = CommandArgs.of(probe);
                    for (int n = 0; n < c.keyCount(args); n++) {
                        int k = c.keyIndex(args, n);
                        if (k != 1) {
                            probe[k] = "{t}" + probe[k];
                        }
                    }
                }
                probes.add(probe);
            }
        }
        return probes;
    }

    private static String[] withFiller(String name, int arguments) {
        String[] p = new String[arguments + 1];
        Arrays.fill(p, "1");
        p[0] = name.toUpperCase();
        return p;
    }

    @Test
    void shouldAnswerWrongArityLikeRedisEverywhere() throws Exception {
        assertAgreesWithRedis(arityProbes());
    }

    @Test
    void shouldAnswerWrongTypesLikeRedisEverywhere() throws Exception {
        assertAgreesWithRedis(typeProbes());
    }

    /** Data commands whose RESP3 replies have their own types (maps, sets, nulls), over keys of several shards. */
    private static final String[][] RESP3_DATA = {
        {"DEL", "r3:a", "r3:b", "r3:c", "r3:d", "r3:h", "r3:s", "r3:l", "r3:x"},
        {"SET", "r3:a", "1"},
        {"GET", "r3:a"},
        {"GET", "r3:nokey"},
        {"MGET", "r3:a", "r3:b", "r3:c", "r3:d", "r3:e", "r3:f"},
        {"HSET", "r3:h", "f1", "v1", "f2", "v2"},
        {"HGETALL", "r3:h"},
        {"HGETALL", "r3:nokey"},
        {"HMGET", "r3:h", "f1", "zz"},
        {"HGET", "r3:h", "zz"},
        {"SADD", "r3:s", "a", "b", "c"},
        {"SMEMBERS", "r3:s"},
        {"SMEMBERS", "r3:nokey"},
        {"SPOP", "r3:nokey", "2"},
        {"SPOP", "r3:nokey"},
        {"SPOP", "r3:s", "3"},
        {"LPOP", "r3:nokey", "2"},
        {"LPOP", "r3:nokey"},
        {"RPUSH", "r3:l", "x", "y"},
        {"LRANGE", "r3:l", "0", "-1"},
        {"MEMORY", "USAGE", "r3:nokey"},
        {"KEYS", "r3:nomatch*"},
        {"TTL", "r3:nokey"},
        {"EXISTS", "r3:a", "r3:b", "r3:c", "r3:a"},
        {"DEL", "r3:a", "r3:b", "r3:c", "r3:h", "r3:l", "r3:x"},
    };

    /** Connection commands answered with RESP3 types, and RESET, after which replies are RESP2 again. */
    private static final String[][] RESP3_CONNECTION = {
        {"CONFIG", "GET", "appendonly"},
        {"CLIENT", "GETNAME"},
        {"HELLO"},
        {"RESET"},
        {"GET", "r3:nokey"},
    };

    @Test
    void shouldAnswerInResp3LikeRedisEverywhere() throws Exception {
        List<String[]> probes = new ArrayList<>(Arrays.asList(RESP3_DATA));
        probes.addAll(Arrays.asList(RESP3_CONNECTION));
        List<String> expected = new ArrayList<>();
        try (RawResp reference = new RawResp(fronts.redisPort())) {
            expected.add(hello3(reference));
            for (String[] probe : probes) {
                expected.add(canonicalHello(reference.call(probe)));
            }
        }
        assertTrue(expected.contains("%0 {}") && expected.contains("~0 {}") && expected.contains("_"),
                "the probes reach RESP3's own types: " + expected);
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                FrontEnds.compare(front.getKey(), hello3(client), expected.get(0), new String[] {"HELLO", "3"},
                        mismatches);
                for (int i = 0; i < probes.size(); i++) {
                    FrontEnds.compare(front.getKey(), canonicalHello(client.call(probes.get(i))), expected.get(i + 1),
                            probes.get(i), mismatches);
                }
            }
        }
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 2, 4}) {
                Store store = mode.create(shards, System::currentTimeMillis);
                for (int i = 0; i < RESP3_DATA.length; i++) {
                    FrontEnds.compare("store " + mode.name().toLowerCase() + " on " + shards,
                            FrontEnds.call(store, 3, RESP3_DATA[i]), expected.get(i + 1), RESP3_DATA[i], mismatches);
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " RESP3 replies differ from redis-server's:\n"
                + String.join("\n", mismatches));
    }

    private static String hello3(RawResp client) throws IOException {
        String hello = canonicalHello(client.call("HELLO", "3"));
        assertTrue(hello.startsWith("%7 {") && hello.contains("$5 proto=:3"), hello);
        return hello;
    }

    /** HELLO's map with the fields that name the server (its version, the client's id) left out. */
    private static String canonicalHello(String reply) {
        return reply.replaceAll("\\$7 version=\\$\\d+ [0-9.]+", "version").replaceAll("\\$2 id=:\\d+", "id");
    }

    private void assertAgreesWithRedis(List<String[]> probes) throws Exception {
        List<String> mismatches = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        try (RawResp reference = new RawResp(fronts.redisPort())) {
            for (String[] probe : probes) {
                expected.add(run(reference, probe));
            }
        }
        long errors = expected.stream().filter(r -> r.startsWith("-")).count();
        assertTrue(probes.size() > 60 && errors > 30, probes.size() + " probes, " + errors + " of them errors in Redis");
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                for (int i = 0; i < probes.size(); i++) {
                    String got = run(client, probes.get(i));
                    if (!got.equals(expected.get(i))) {
                        mismatches.add(front.getKey() + ": " + String.join(" ", probes.get(i)) + "\n    redis:     "
                                + expected.get(i) + "\n    shardloop: " + got);
                    }
                }
            }
        }
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 2, 4}) {
                Store store = mode.create(shards, System::currentTimeMillis);
                for (int i = 0; i < probes.size(); i++) {
                    String got = run(store, probes.get(i));
                    if (!got.equals(expected.get(i))) {
                        mismatches.add("store " + mode.name().toLowerCase() + " on " + shards + ": "
                                + String.join(" ", probes.get(i)) + "\n    redis:     " + expected.get(i)
                                + "\n    shardloop: " + got);
                    }
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " replies differ from redis-server's:\n"
                + String.join("\n", mismatches));
    }

    /** Resets the typed keys, then runs the probe. */
    private static String run(RawResp client, String[] probe) throws IOException {
        for (String[] typed : TYPED) {
            client.call("DEL", typed[1]);
            client.call(typed);
        }
        return client.call(probe);
    }

    private static String run(Store store, String[] probe) throws IOException {
        for (String[] typed : TYPED) {
            call(store, "DEL", typed[1]);
            call(store, typed);
        }
        return call(store, probe);
    }

    private static String call(Store store, String... words) throws IOException {
        return FrontEnds.call(store, 2, words);
    }
}
