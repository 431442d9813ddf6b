package io.shardloop.resp;

import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH answer as redis-server 7.0 does (the cases of its
 * tests/unit/multi.tcl that do not need replication or SELECT), on every front end: the loops in
 * each state mode on 1, 2 and 4 shards (so keys of several shards, watched keys of several shards),
 * and the thread-per-connection models. Some cases need a second client, or time to pass.
 */
class TransactionContractTest {
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
    void execRunsTheQueuedCommandsInOrderAndAnswersEachInItsPlace() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"MULTI"},
            {"RPUSH", "mylist", "a"},
            {"RPUSH", "mylist", "b"},
            {"RPUSH", "mylist", "c"},
            {"LRANGE", "mylist", "0", "-1"},
            {"EXEC"},
            {"MULTI"},
            {"SET", "k1", "1"}, {"SET", "k2", "2"}, {"SET", "k3", "3"}, {"SET", "k4", "4"},
            {"INCR", "k1"}, {"INCRBY", "k4", "10"}, {"APPEND", "k2", "x"},
            {"MGET", "k1", "k2", "k3", "k4", "nokey"},
            {"MSET", "a", "1", "b", "2", "c", "3", "d", "4"},
            {"DEL", "a", "b", "nokey"},
            {"EXISTS", "a", "b", "c", "d"},
            {"PING"}, {"ECHO", "hi"},
            {"DBSIZE"},
            {"EXEC"},
            {"MGET", "k1", "k2", "k3", "k4", "a", "b", "c", "d"},
            {"MULTI"},
            {"EXEC"},
        }, false);
    }

    @Test
    void errorsAtRunTimeAreAnsweredInPlaceAndTheOtherCommandsStillApply() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"MULTI"},
            {"SET", "foo", "bar"},
            {"LPUSH", "foo", "x"},
            {"INCR", "foo"},
            {"SET", "other", "1"},
            {"INCR", "other"},
            {"EXEC"},
            {"MGET", "foo", "other"},
        }, false);
    }

    @Test
    void aCommandRefusedWhileQueueingAbortsTheWholeTransaction() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"MULTI"},
            {"SET", "foo1", "bar1"},
            {"NON-EXISTING-COMMAND"},
            {"SET", "foo2", "bar2"},
            {"EXEC"},
            {"EXISTS", "foo1", "foo2"},
            {"MULTI"},
            {"SET", "foo1", "bar1"},
            {"GET"},
            {"EXEC"},
            {"EXISTS", "foo1"},
            {"PING"},
            {"MULTI"},
            {"EXEC"},
        }, false);
    }

    @Test
    void nestingAndMisplacedCommandsAreErrorsThatLeaveTheTransactionOpen() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"EXEC"},
            {"DISCARD"},
            {"MULTI"},
            {"MULTI"},
            {"WATCH", "x"},
            {"SET", "x", "1"},
            {"EXEC"},
            {"GET", "x"},
            {"MULTI", "extra"},
            {"EXEC", "extra"},
            {"WATCH"},
            {"MULTI"},
            {"UNWATCH"},
            {"EXEC"},
        }, false);
    }

    @Test
    void discardRunsNothingAndForgetsTheWatches() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"RPUSH", "mylist", "a"},
            {"MULTI"},
            {"RPUSH", "mylist", "b"},
            {"DISCARD"},
            {"LRANGE", "mylist", "0", "-1"},
            // DISCARD clears the dirty flag and the watches.
            {"WATCH", "x"},
            {"SET", "x", "10"},
            {"MULTI"},
            {"DISCARD"},
            {"MULTI"},
            {"INCR", "x"},
            {"EXEC"},
            {"WATCH", "x"},
            {"SET", "x", "10"},
            {"MULTI"},
            {"DISCARD"},
            {"SET", "x", "10"},
            {"MULTI"},
            {"INCR", "x"},
            {"EXEC"},
        }, false);
    }

    @Test
    void watchedKeysChangedBeforeExecMakeItAnswerNull() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            // not modified: runs
            {"WATCH", "x", "y", "z"},
            {"WATCH", "k"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            // 1 key of 1 watched, and of 5 watched on several shards
            {"SET", "x", "30"},
            {"WATCH", "x"},
            {"SET", "x", "40"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            {"SET", "x", "30"},
            {"WATCH", "a", "b", "x", "k", "z"},
            {"SET", "x", "40"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            // after a successful EXEC, and after a failed one, the key is no longer watched
            {"SET", "x", "30"},
            {"WATCH", "x"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            {"SET", "x", "40"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            {"WATCH", "x"},
            {"SET", "x", "50"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            {"SET", "x", "60"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            // UNWATCH
            {"SET", "x", "30"},
            {"WATCH", "x"},
            {"SET", "x", "40"},
            {"UNWATCH"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            {"UNWATCH"},
            // a deleted key, a key of another type, an INCR in the transaction itself
            {"SET", "d", "1"},
            {"WATCH", "d"},
            {"DEL", "d"},
            {"MULTI"},
            {"SET", "d", "2"},
            {"EXEC"},
            {"GET", "d"},
            {"WATCH", "n"},
            {"MULTI"},
            {"INCR", "n"},
            {"INCR", "n"},
            {"EXEC"},
            {"GET", "n"},
        }, false);
    }

    @Test
    void flushTouchesTheWatchedKeysThatExistAndNoOthers() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "x", "30"},
            {"WATCH", "x"},
            {"FLUSHALL"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            {"DEL", "x"},
            {"WATCH", "x"},
            {"FLUSHALL"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            {"SET", "x", "30"},
            {"WATCH", "x"},
            {"FLUSHDB"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
            {"WATCH", "x"},
            {"FLUSHDB"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
        }, false);
    }

    @Test
    void connectionCommandsQueuedInAMultiRunInTheirPlace() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"MULTI"},
            {"SET", "a", "1"},
            {"CLIENT", "SETNAME", "txclient"},
            {"CLIENT", "GETNAME"},
            {"GET", "a"},
            {"EXEC"},
            {"CLIENT", "GETNAME"},
        }, false);
    }

    /** A script over keys of several shards runs as one transaction over them, alone or inside a MULTI. */
    @Test
    void scriptsOverKeysOfSeveralShardsRunAtomicallyOnGatheredValues() throws Exception {
        String script = "redis.call('SET', KEYS[1], ARGV[1]) redis.call('INCR', KEYS[2]) "
                + "redis.call('RPUSH', KEYS[3], ARGV[1]) return redis.call('MGET', KEYS[1], KEYS[2])";
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "b", "10"},
            {"EVAL", script, "3", "a", "b", "c", "5"},
            {"EVAL", script, "3", "d", "e", "f", "7"},
            {"MGET", "a", "b", "d", "e"},
            {"LRANGE", "c", "0", "-1"},
            {"EVAL", "return redis.call('GET', KEYS[1]) .. redis.call('GET', KEYS[2])", "2", "a", "d"},
            {"EVAL", "redis.call('DEL', KEYS[1]) return redis.call('EXISTS', KEYS[1], KEYS[2])", "2", "a", "b"},
            {"EVAL_RO", "return redis.call('SET', KEYS[1], 'x')", "2", "a", "b"},
            {"EVAL", "return redis.call('LPUSH', KEYS[1], 'x')", "2", "b", "d"},
            {"MGET", "a", "b", "d"},
        });
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"MULTI"},
            {"EVAL", script, "3", "a", "b", "c", "1"},
            {"RENAME", "a", "z"},
            {"EVAL", "return redis.call('INCRBY', KEYS[1], ARGV[1])", "1", "b", "41"},
            {"MGET", "z", "b", "a"},
            {"EXEC"},
            {"SET", "w", "1"},
            {"WATCH", "w"},
            {"EVAL", "return redis.call('INCR', KEYS[1])", "2", "w", "other"},
            {"MULTI"},
            {"PING"},
            {"EXEC"},
        }, false);
    }

    /**
     * A client's pipeline keeps its order on every key across its transactions over several
     * shards: a command after one, over one of its keys, runs after it; commands over other keys
     * need not wait (and pipelined transactions over disjoint keys are in flight together).
     */
    @Test
    void aPipelineKeepsItsOrderOnTheKeysOfItsTransactions() throws Exception {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp c = new RawResp(front.getValue())) {
                c.call("FLUSHALL");
                int rounds = 300;
                for (int i = 0; i < rounds; i++) {
                    c.send("MSET", "pa", "m" + i, "pb", "m" + i, "pc", "m" + i, "other" + i, "v");
                    c.send("SET", "pa", "s" + i);
                    c.send("MULTI");
                    c.send("INCR", "pn");
                    c.send("SET", "pb", "x" + i);
                    c.send("EXEC");
                    c.send("APPEND", "pc", "+");
                }
                for (int i = 0; i < rounds * 7; i++) {
                    c.read();
                }
                String got = c.call("MGET", "pa", "pb", "pc", "pn", "other0", "other" + (rounds - 1));
                String expected = "*6 [$4 s" + (rounds - 1) + ", $4 x" + (rounds - 1) + ", $5 m" + (rounds - 1)
                        + "+, $3 " + rounds + ", $1 v, $1 v]";
                if (!got.equals(expected)) {
                    failures.add(front.getKey() + ": " + got + " (expected " + expected + ")");
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** Another client's write to a watched key, from another connection (so, often, another shard). */
    @Test
    void aWriteByAnotherClientFailsTheExecOfTheWatcher() throws Exception {
        List<String> failures = new ArrayList<>();
        List<Map.Entry<String, Integer>> all = new ArrayList<>(fronts.ports().entrySet());
        all.add(Map.entry("redis", fronts.redisPort()));
        for (Map.Entry<String, Integer> front : all) {
            try (RawResp watcher = new RawResp(front.getValue()); RawResp other = new RawResp(front.getValue())) {
                watcher.call("FLUSHALL");
                watcher.call("SET", "w1", "1");
                watcher.call("WATCH", "w1", "w2", "w3");
                other.call("INCR", "w1");
                watcher.call("MULTI");
                watcher.call("SET", "w2", "x");
                String failed = watcher.call("EXEC");
                watcher.call("WATCH", "w1", "w2", "w3");
                other.call("GET", "w1"); // a read is no change
                watcher.call("MULTI");
                watcher.call("SET", "w2", "x");
                String ran = watcher.call("EXEC");
                other.call("SET", "w3", "y");
                String after = watcher.call("MGET", "w1", "w2", "w3");
                String got = failed + " | " + ran + " | " + after;
                String expected = "*-1 | *1 [+OK] | *3 [$1 2, $1 x, $1 y]";
                if (!got.equals(expected)) {
                    failures.add(front.getKey() + ": " + got);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** Redis 7.0: a watched key that expires before EXEC fails it; one already expired at WATCH does not. */
    @Test
    void expiryCountsAsAChangeOnlyForAKeyThatWasLiveAtWatch() throws Exception {
        List<String> failures = new ArrayList<>();
        List<Map.Entry<String, Integer>> all = new ArrayList<>(fronts.ports().entrySet());
        all.add(Map.entry("redis", fronts.redisPort()));
        for (Map.Entry<String, Integer> front : all) {
            try (RawResp c = new RawResp(front.getValue())) {
                c.call("FLUSHALL");
                c.call("SET", "e", "1", "PX", "50");
                c.call("WATCH", "e");
                Thread.sleep(120);
                c.call("MULTI");
                c.call("INCR", "e");
                String expired = c.call("EXEC");
                c.call("SET", "s", "1", "PX", "1");
                Thread.sleep(20);
                c.call("WATCH", "s");
                c.call("MULTI");
                c.call("PING");
                String stale = c.call("EXEC");
                String got = expired + " | " + stale;
                if (!got.equals("*-1 | *1 [+PONG]")) {
                    failures.add(front.getKey() + ": " + got);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
