package io.shardloop.resp;

import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The numbered databases answer as redis-server 7.0 does (src/db.c's selectCommand, moveCommand,
 * swapdbCommand, copyCommand, flushdbCommand; tests/unit/keyspace.tcl's and multi.tcl's cases over
 * SELECT 9), on every front end: the loops in each state mode on 1, 2 and 4 shards (so keys of a
 * database spread over several shards) and the thread-per-connection models. SELECT is the
 * connection's, so the sequences run over connections only.
 */
class DatabasesContractTest {
    private static FrontEnds fronts;

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.close();
    }

    @Test
    void selectChoosesTheDatabaseOfTheConnectionsLaterCommands() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SELECT", "0"}, {"SELECT", "15"}, {"SELECT", "16"}, {"SELECT", "-1"}, {"SELECT", "x"},
            {"SELECT", "99999999999"}, {"SELECT", "1.5"}, {"SELECT", ""},
            {"SELECT", "9"},
            {"SET", "foo", "nine"}, {"MSET", "a", "1", "b", "2", "c", "3", "d", "4"}, {"RPUSH", "list", "x", "y"},
            {"DBSIZE"}, {"GET", "foo"}, {"MGET", "a", "b", "c", "d", "foo"},
            {"SELECT", "0"},
            {"DBSIZE"}, {"GET", "foo"}, {"MGET", "a", "b", "c", "d"}, {"EXISTS", "foo", "a", "list"},
            {"SET", "foo", "zero"},
            {"SELECT", "9"},
            {"GET", "foo"}, {"DEL", "a", "b", "nokey"}, {"DBSIZE"},
            {"RENAME", "c", "c2"}, {"RENAME", "d", "renamed-d"}, {"MGET", "c", "c2", "d", "renamed-d"},
            {"LRANGE", "list", "0", "-1"},
            {"KEYS", "renamed*"}, {"KEYS", "f*"},
            {"SELECT", "0"},
            {"KEYS", "renamed*"}, {"KEYS", "f*"}, {"GET", "foo"}, {"EXISTS", "c2", "renamed-d"},
            {"SELECT", "4"}, {"RANDOMKEY"}, {"SET", "only", "1"}, {"RANDOMKEY"}, {"OBJECT", "ENCODING", "only"},
            {"SELECT", "5"}, {"RANDOMKEY"}, {"OBJECT", "ENCODING", "only"},
            {"RESET"},
            {"GET", "foo"}, {"DBSIZE"},
        }, false);
    }

    @Test
    void scanWalksOnlyTheSelectedDatabase() throws Exception {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp c = new RawResp(front.getValue())) {
                c.call("FLUSHALL");
                c.call("SELECT", "3");
                for (int i = 0; i < 40; i++) {
                    c.call("SET", "three:" + i, "v");
                }
                c.call("SELECT", "0");
                for (int i = 0; i < 10; i++) {
                    c.call("SET", "zero:" + i, "v");
                }
                c.call("SELECT", "3");
                java.util.Set<String> seen = new java.util.TreeSet<>();
                String cursor = "0";
                do {
                    String reply = c.call("SCAN", cursor, "COUNT", "7");
                    // "*2 [$n cursor, *k [$.. key, ...]]"
                    String inner = reply.substring(reply.indexOf('[') + 1);
                    String[] parts = inner.split(", ", 2);
                    cursor = parts[0].substring(parts[0].indexOf(' ') + 1);
                    String batch = parts[1].substring(parts[1].indexOf('[') + 1).replace("]", "");
                    for (String k : batch.split(", ")) {
                        if (!k.isEmpty()) {
                            seen.add(k.substring(k.indexOf(' ') + 1));
                        }
                    }
                } while (!cursor.equals("0"));
                boolean onlyThree = seen.size() == 40 && seen.stream().allMatch(k -> k.startsWith("three:"));
                if (!onlyThree) {
                    failures.add(front.getKey() + ": " + seen.size() + " keys " + seen);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void moveTakesTheKeyAndItsTimeToLiveToAnotherDatabase() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SELECT", "9"},
            {"SET", "mykey", "hello"}, {"EXPIRE", "mykey", "1000"},
            {"MOVE", "mykey", "10"},
            {"EXISTS", "mykey"}, {"SELECT", "10"}, {"GET", "mykey"}, {"TTL", "mykey"},
            {"MOVE", "mykey", "10"}, {"MOVE", "mykey", "16"}, {"MOVE", "mykey", "-1"}, {"MOVE", "mykey", "x"},
            {"MOVE", "mykey", "99999999999"}, {"MOVE", "mykey", "1.5"},
            {"MOVE", "nokey", "9"},
            {"SELECT", "9"}, {"SET", "mykey", "other"}, {"SELECT", "10"},
            {"MOVE", "mykey", "9"}, {"GET", "mykey"},
            {"SELECT", "9"}, {"GET", "mykey"},
            {"RPUSH", "alist", "a", "b"}, {"MOVE", "alist", "0"}, {"SELECT", "0"}, {"LRANGE", "alist", "0", "-1"},
            {"TTL", "alist"},
            {"DBSIZE"}, {"SELECT", "9"}, {"DBSIZE"}, {"SELECT", "10"}, {"DBSIZE"},
        }, false);
    }

    @Test
    void copyWithDbWritesIntoThatDatabase() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SELECT", "9"},
            {"SET", "mykey", "foobar"}, {"PEXPIRE", "mykey", "100000000"},
            {"COPY", "mykey", "mykey", "DB", "9"}, {"COPY", "mykey", "mykey", "DB", "10"},
            {"COPY", "mykey", "mynewkey", "DB", "10"},
            {"COPY", "mykey", "mykey", "DB", "16"}, {"COPY", "mykey", "mykey", "DB", "x"},
            {"COPY", "mykey", "mykey", "DB", "-1"},
            {"COPY", "mykey", "mykey", "DB", "10"},
            {"SET", "mykey", "changed"}, {"COPY", "mykey", "mykey", "DB", "10", "REPLACE"},
            {"SELECT", "10"},
            {"GET", "mykey"}, {"GET", "mynewkey"}, {"EXPIRETIME", "mykey"}, {"DBSIZE"},
            {"SELECT", "9"}, {"GET", "mykey"}, {"DBSIZE"},
        }, false);
    }

    @Test
    void swapdbExchangesTwoDatabasesOnEveryShard() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"MSET", "a", "0", "b", "0", "c", "0", "only-zero", "z"},
            {"SELECT", "9"},
            {"MSET", "a", "9", "b", "9", "c", "9", "d", "9"}, {"SETEX", "timed", "1000", "t"},
            {"SWAPDB", "0", "9"},
            {"MGET", "a", "b", "c", "d", "only-zero", "timed"}, {"DBSIZE"},
            {"SELECT", "0"},
            {"MGET", "a", "b", "c", "d", "only-zero"}, {"TTL", "timed"}, {"DBSIZE"},
            {"SWAPDB", "0", "0"}, {"SWAPDB", "0", "16"}, {"SWAPDB", "-1", "0"}, {"SWAPDB", "x", "0"},
            {"SWAPDB", "0", "y"}, {"SWAPDB", "0"},
            {"SWAPDB", "9", "0"},
            {"MGET", "a", "b", "c", "d", "only-zero"},
            {"FLUSHDB"}, {"DBSIZE"}, {"SELECT", "9"}, {"DBSIZE"},
            {"FLUSHDB", "ASYNC"}, {"FLUSHDB", "bad"}, {"DBSIZE"},
        }, false);
    }

    @Test
    void flushdbEmptiesOneDatabaseAndFlushallEveryOne() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"MSET", "a", "1", "b", "2", "c", "3"},
            {"SELECT", "1"}, {"MSET", "a", "1", "b", "2"},
            {"SELECT", "2"}, {"SET", "a", "1"},
            {"SELECT", "1"}, {"FLUSHDB", "SYNC"}, {"DBSIZE"},
            {"SELECT", "0"}, {"DBSIZE"}, {"SELECT", "2"}, {"DBSIZE"},
            {"FLUSHALL"},
            {"DBSIZE"}, {"SELECT", "0"}, {"DBSIZE"},
        }, false);
    }

    @Test
    void selectInsideMultiDecidesTheDatabaseOfTheCommandsQueuedAfterIt() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"MULTI"},
            {"SET", "foo", "zero"},
            {"SELECT", "9"},
            {"SET", "foo", "nine"},
            {"MSET", "x", "1", "y", "2", "z", "3"},
            {"SELECT", "99"},
            {"GET", "foo"},
            {"SELECT", "10"},
            {"INCR", "counter"},
            {"EXEC"},
            {"GET", "foo"}, {"DBSIZE"},
            {"SELECT", "9"}, {"GET", "foo"}, {"MGET", "x", "y", "z"}, {"DBSIZE"},
            {"SELECT", "0"}, {"GET", "foo"}, {"DBSIZE"},
            {"MULTI"}, {"SELECT", "9"}, {"DISCARD"}, {"GET", "foo"},
            // Commands over keys of several shards in a MULTI over several databases: their values
            // gather from, and go back to, each command's own database.
            {"SELECT", "9"}, {"MSET", "r1", "nine", "c1", "copied"},
            {"SELECT", "3"}, {"MSET", "r1", "three", "c1", "three"},
            {"MULTI"},
            {"RENAME", "r1", "r2"},
            {"SELECT", "9"},
            {"RENAME", "r1", "r3"},
            {"COPY", "c1", "c2", "DB", "3"},
            {"COPY", "c1", "c3", "DB", "4"},
            {"SMOVE", "nosuch", "other", "m"},
            {"EXEC"},
            {"MGET", "r1", "r2", "r3", "c1", "c2", "c3"},
            {"SELECT", "3"}, {"MGET", "r1", "r2", "r3", "c1", "c2", "c3"},
            {"SELECT", "4"}, {"MGET", "r1", "r2", "r3", "c1", "c2", "c3"},
        }, false);
    }

    /** The commands pipelined behind an EXEC run on the database its SELECT left, even while it is away on other shards. */
    @Test
    void commandsPipelinedAfterAnExecWithSelectRunOnTheDatabaseItSelected() throws Exception {
        List<String> failures = new ArrayList<>();
        List<Map.Entry<String, Integer>> all = new ArrayList<>(fronts.ports().entrySet());
        all.add(Map.entry("redis", fronts.redisPort()));
        String[][] pipeline = {
            {"MULTI"}, {"MSET", "p1", "a", "p2", "b", "p3", "c", "p4", "d"}, {"SELECT", "9"}, {"INCR", "n"}, {"EXEC"},
            {"GET", "k"}, {"INCR", "n"}, {"SELECT", "0"}, {"GET", "k"},
            {"MULTI"}, {"SELECT", "9"}, {"MGET", "p1", "p2", "p3", "p4"}, {"EXEC"}, {"SELECT", "3"}, {"GET", "k"},
        };
        for (Map.Entry<String, Integer> front : all) {
            try (RawResp c = new RawResp(front.getValue())) {
                c.call("FLUSHALL");
                c.call("SET", "k", "zero");
                c.call("SELECT", "9");
                c.call("SET", "k", "nine");
                c.call("SELECT", "3");
                c.call("SET", "k", "three");
                c.call("SELECT", "0");
                for (String[] command : pipeline) {
                    c.send(command);
                }
                List<String> replies = new ArrayList<>();
                for (int i = 0; i < pipeline.length; i++) {
                    replies.add(c.read());
                }
                String got = String.join(" | ", replies);
                String expected = "+OK | +QUEUED | +QUEUED | +QUEUED | *3 [+OK, +OK, :1] | $4 nine | :2 | +OK | $4 zero"
                        + " | +OK | +QUEUED | +QUEUED | *2 [+OK, *4 [$-1, $-1, $-1, $-1]] | +OK | $5 three";
                if (!got.equals(expected)) {
                    failures.add(front.getKey() + ": " + got);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void watchedKeysAreKeysOfOneDatabase() throws Exception {
        String[][] seq = new String[][] {
            {"FLUSHALL"},
            {"SELECT", "9"},
            {"SET", "x", "30"},
            {"WATCH", "x"},
            {"SELECT", "0"}, {"SET", "x", "other database"}, {"SELECT", "9"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            {"WATCH", "x"},
            {"SET", "x", "40"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            {"WATCH", "x", "missing"},
            {"SELECT", "0"}, {"FLUSHDB"}, {"SELECT", "9"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            {"WATCH", "x"},
            {"FLUSHDB"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            // SWAPDB touches a watched key that exists in either database.
            {"SET", "x", "1"},
            {"WATCH", "x"},
            {"SWAPDB", "1", "2"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            {"WATCH", "x"},
            {"SWAPDB", "0", "9"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            {"SELECT", "0"}, {"SET", "y", "in zero"}, {"SELECT", "9"},
            {"WATCH", "y"},
            {"SWAPDB", "9", "0"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            {"WATCH", "nowhere"},
            {"SWAPDB", "9", "0"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            // MOVE and COPY ... DB change the key in the database they write.
            {"SELECT", "3"}, {"SET", "m", "1"}, {"SELECT", "4"},
            {"WATCH", "m"},
            {"SELECT", "3"}, {"MOVE", "m", "4"}, {"SELECT", "4"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            {"WATCH", "c"},
            {"COPY", "m", "c", "DB", "5"},
            {"MULTI"}, {"PING"}, {"EXEC"},
            {"SELECT", "5"}, {"WATCH", "c"}, {"SELECT", "4"},
            {"SET", "m", "2"}, {"COPY", "m", "c", "DB", "5", "REPLACE"},
            {"SELECT", "5"},
            {"MULTI"}, {"PING"}, {"EXEC"},
        };
        fronts.assertSequenceAgreesWithRedis(seq, false);
    }

    @Test
    void aWriteByAnotherClientFailsTheExecOnlyInTheWatchedDatabase() throws Exception {
        List<String> failures = new ArrayList<>();
        List<Map.Entry<String, Integer>> all = new ArrayList<>(fronts.ports().entrySet());
        all.add(Map.entry("redis", fronts.redisPort()));
        for (Map.Entry<String, Integer> front : all) {
            try (RawResp watcher = new RawResp(front.getValue()); RawResp other = new RawResp(front.getValue())) {
                watcher.call("FLUSHALL");
                watcher.call("SELECT", "9");
                watcher.call("MSET", "w1", "1", "w2", "2", "w3", "3");
                watcher.call("WATCH", "w1", "w2", "w3");
                other.call("MSET", "w1", "x", "w2", "x", "w3", "x"); // database 0
                watcher.call("MULTI");
                watcher.call("INCR", "w1");
                String ran = watcher.call("EXEC");
                watcher.call("WATCH", "w1", "w2", "w3");
                other.call("SELECT", "9");
                other.call("INCR", "w3");
                watcher.call("MULTI");
                watcher.call("INCR", "w1");
                String failed = watcher.call("EXEC");
                String got = ran + " | " + failed + " | " + watcher.call("MGET", "w1", "w2", "w3")
                        + " | " + other.call("SELECT", "0") + " " + other.call("MGET", "w1", "w2", "w3");
                String expected = "*1 [:2] | *-1 | *3 [$1 2, $1 2, $1 4] | +OK *3 [$1 x, $1 x, $1 x]";
                if (!got.equals(expected)) {
                    failures.add(front.getKey() + ": " + got);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void aScriptsSelectChangesOnlyTheScriptsDatabase() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SELECT", "2"},
            {"EVAL", "redis.call('set', KEYS[1], 'two'); redis.call('select', 9); redis.call('set', KEYS[1], 'nine');"
                + " return redis.call('get', KEYS[1])", "1", "k"},
            {"GET", "k"}, {"DBSIZE"},
            {"SELECT", "9"}, {"GET", "k"},
            {"EVAL", "return redis.pcall('select', 16)", "0"},
            {"EVAL", "return redis.pcall('select', 'x')", "0"},
            {"EVAL", "redis.call('select', 0); return redis.call('exists', KEYS[1])", "1", "k"},
            {"GET", "k"},
            {"EVAL", "redis.call('select', 9); return redis.call('copy', KEYS[1], KEYS[2], 'DB', 0)", "2", "{k}a", "{k}b"},
            {"SET", "{k}a", "nine"},
            {"EVAL", "redis.call('select', 2); return redis.call('copy', KEYS[1], KEYS[2], 'DB', 9)", "2", "{k}a", "{k}b"},
            {"EVAL", "redis.call('select', 9); return redis.call('copy', KEYS[1], KEYS[2], 'DB', 0)", "2", "{k}a", "{k}b"},
            {"EVAL", "redis.call('select', 9); return redis.call('move', KEYS[1], 3)", "1", "{k}a"},
            {"EXISTS", "{k}a", "{k}b"}, {"SELECT", "0"}, {"GET", "{k}b"}, {"SELECT", "3"}, {"GET", "{k}a"},
        }, false);
    }

    @Test
    void dumpRestoreAndRenameStayInTheSelectedDatabase() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SELECT", "7"},
            {"RPUSH", "list", "a", "b", "c"},
            {"EVAL", "return redis.call('restore', KEYS[2], 0, redis.call('dump', KEYS[1]))", "2", "list", "copy"},
            {"LRANGE", "copy", "0", "-1"}, {"DBSIZE"},
            {"RENAME", "copy", "renamed"}, {"RENAMENX", "list", "renamed"}, {"SMOVE", "none", "other", "m"},
            {"KEYS", "ren*"},
            {"SELECT", "8"},
            {"EXISTS", "list", "copy", "renamed"}, {"DBSIZE"},
        }, false);
    }

    @Test
    void infoKeyspaceListsEachDatabaseWithKeys() throws Exception {
        List<String> failures = new ArrayList<>();
        List<Map.Entry<String, Integer>> all = new ArrayList<>(fronts.ports().entrySet());
        all.add(Map.entry("redis", fronts.redisPort()));
        for (Map.Entry<String, Integer> front : all) {
            try (RawResp c = new RawResp(front.getValue())) {
                c.call("FLUSHALL");
                c.call("MSET", "a", "1", "b", "2", "c", "3");
                c.call("SELECT", "9");
                c.call("MSET", "a", "1", "b", "2");
                c.call("SETEX", "t", "1000", "v");
                c.call("SELECT", "12");
                c.call("SET", "x", "1");
                c.call("DEL", "x");
                c.call("SELECT", "9");
                c.call("SET", "moved", "1");
                c.call("MOVE", "moved", "4");
                c.call("SET", "copied", "1");
                c.call("COPY", "copied", "copy", "DB", "4");
                c.call("DEL", "copied");
                String info = c.call("INFO", "keyspace");
                String got = info.replaceAll(",avg_ttl=\\d+", "").replaceAll("^\\S+ ", "").trim();
                String expected = "# Keyspace\\r\\ndb0:keys=3,expires=0\\r\\ndb4:keys=2,expires=0\\r\\ndb9:keys=3,expires=1";
                if (!got.replace("\r\n", "\\r\\n").replaceAll("(\\\\r\\\\n)+$", "").equals(expected)) {
                    failures.add(front.getKey() + ": " + got);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /**
     * SWAPDB is one step for every shard: a client reading or writing all of a database's keys at
     * once (MGET, MSET, over several shards) never sees one shard swapped and another not.
     */
    @Test
    void swapdbIsAtomicWithRespectToCommandsOverSeveralShards() throws Exception {
        List<String> failures = new ArrayList<>();
        String[] keys = new String[12];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "swap:" + i;
        }
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            int port = front.getValue();
            try (RawResp setup = new RawResp(port)) {
                setup.call("FLUSHALL");
                setup.call(msetAll(keys, "zero"));
                setup.call("SELECT", "1");
                setup.call(msetAll(keys, "one"));
            }
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            Thread swapper = new Thread(() -> {
                try (RawResp c = new RawResp(port)) {
                    for (int i = 0; i < 300; i++) {
                        c.call("SWAPDB", "0", "1");
                    }
                } catch (Exception e) {
                    seen.add("swapper: " + e);
                } finally {
                    stop.set(true);
                }
            });
            Thread writer = new Thread(() -> {
                try (RawResp c = new RawResp(port)) {
                    c.call("SELECT", "1");
                    for (int i = 0; !stop.get(); i++) {
                        c.call(msetAll(keys, i % 2 == 0 ? "one" : "zero"));
                    }
                } catch (Exception e) {
                    seen.add("writer: " + e);
                }
            });
            swapper.start();
            writer.start();
            int reads = 0;
            try (RawResp reader = new RawResp(port)) {
                String[] mget = new String[keys.length + 1];
                mget[0] = "MGET";
                System.arraycopy(keys, 0, mget, 1, keys.length);
                while (!stop.get() || reads == 0) {
                    String r = reader.call(mget);
                    reads++;
                    if (!(r.equals(uniform(keys.length, "zero")) || r.equals(uniform(keys.length, "one")))) {
                        seen.add("a torn read: " + r);
                        break;
                    }
                }
            }
            swapper.join(60_000);
            writer.join(60_000);
            if (!seen.isEmpty()) {
                failures.add(front.getKey() + " (" + reads + " reads): " + String.join("; ", seen));
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static String[] msetAll(String[] keys, String value) {
        String[] mset = new String[1 + 2 * keys.length];
        mset[0] = "MSET";
        for (int i = 0; i < keys.length; i++) {
            mset[1 + 2 * i] = keys[i];
            mset[2 + 2 * i] = value;
        }
        return mset;
    }

    private static String uniform(int n, String value) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            parts.add("$" + value.length() + " " + value);
        }
        return "*" + n + " [" + String.join(", ", parts) + "]";
    }
}
