package io.shardloop.resp;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transactions hold under real concurrency, in every state mode on 2 and 4 shards: invariants that
 * half a transaction would break. Ten counters on keys of different shards move together (MULTI of
 * ten INCRs, MSET of all ten, a script that increments all ten) while readers check, with MULTI/EXEC and with MGET, that they are
 * always equal; and increments made with WATCH, GET, MULTI, SET, EXEC (retried when EXEC answers
 * null) lose no update.
 */
class TransactionConcurrencyTest {
    private static final int KEYS = 10;
    private static final long RUN_MILLIS = 1_500;

    @Test
    void countersOnEveryShardMoveTogetherUnderMultiExecAndMset() throws Exception {
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {2, 4}) {
                try (ShardGroup g = start(mode, shards)) {
                    checkCountersMoveTogether(g.port(0), mode + " on " + shards);
                }
            }
        }
    }

    @Test
    void watchedIncrementsLoseNoUpdate() throws Exception {
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {2, 4}) {
                try (ShardGroup g = start(mode, shards)) {
                    checkWatchedIncrements(g.port(0), mode + " on " + shards);
                }
            }
        }
    }

    private static ShardGroup start(StateMode mode, int shards) throws Exception {
        return ShardGroup.start(RuntimeConfig.builder(shards).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, shards)))));
    }

    private static String[] keys() {
        String[] k = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            k[i] = "counter:" + i;
        }
        return k;
    }

    private static void checkCountersMoveTogether(int port, String label) throws Exception {
        String[] keys = keys();
        try (RawResp setup = new RawResp(port)) {
            setup.call("FLUSHALL");
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<String> broken = Collections.synchronizedList(new ArrayList<>());
        AtomicLong reads = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        String script = "for i = 1, #KEYS do redis.call('INCR', KEYS[i]) end return #KEYS";
        for (int w = 0; w < 3; w++) {
            int writer = w;
            threads.add(Thread.ofPlatform().start(() -> run(port, label, broken, c -> {
                long n = 0;
                while (!stop.get()) {
                    if (writer == 2) { // a script over the ten keys of several shards
                        String[] eval = new String[3 + KEYS];
                        eval[0] = "EVAL";
                        eval[1] = script;
                        eval[2] = Integer.toString(KEYS);
                        System.arraycopy(keys, 0, eval, 3, KEYS);
                        String r = c.call(eval);
                        if (!r.equals(":" + KEYS)) {
                            broken.add(label + ": EVAL answered " + r);
                        }
                    } else if (writer == 0 || n % 3 != 0) {
                        c.send("MULTI");
                        for (String k : keys) {
                            c.send("INCR", k);
                        }
                        c.send("EXEC");
                        c.read();
                        for (int i = 0; i < KEYS; i++) {
                            c.read();
                        }
                        String exec = c.read();
                        if (!exec.startsWith("*" + KEYS + " [")) {
                            broken.add(label + ": EXEC answered " + exec);
                        }
                    } else {
                        String[] mset = new String[1 + 2 * KEYS];
                        mset[0] = "MSET";
                        for (int i = 0; i < KEYS; i++) {
                            mset[1 + 2 * i] = keys[i];
                            mset[2 + 2 * i] = Long.toString(1_000_000 + n);
                        }
                        c.call(mset);
                    }
                    n++;
                    writes.incrementAndGet();
                }
            })));
        }
        for (int r = 0; r < 2; r++) {
            boolean withMulti = r == 0;
            threads.add(Thread.ofPlatform().start(() -> run(port, label, broken, c -> {
                String[] mget = new String[KEYS + 1];
                mget[0] = "MGET";
                System.arraycopy(keys, 0, mget, 1, KEYS);
                while (!stop.get()) {
                    String values;
                    if (withMulti) {
                        c.send("MULTI");
                        c.send(mget);
                        c.send("EXEC");
                        c.read();
                        c.read();
                        values = c.read();
                    } else {
                        values = c.call(mget);
                    }
                    if (!allEqual(values)) {
                        broken.add(label + (withMulti ? ": MULTI MGET read " : ": MGET read ") + values);
                        return;
                    }
                    reads.incrementAndGet();
                }
            })));
        }
        Thread.sleep(RUN_MILLIS);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken.subList(0, Math.min(5, broken.size()))));
        assertTrue(reads.get() > 10 && writes.get() > 10, label + ": too little ran: " + reads + " reads, " + writes + " writes");
    }

    /** Whether every value in an MGET reply (canonical form, possibly inside an EXEC's array) is the same. */
    private static boolean allEqual(String reply) {
        String inner = reply.startsWith("*1 [") ? reply.substring(4, reply.length() - 1) : reply;
        if (!inner.startsWith("*" + KEYS + " [")) {
            return false;
        }
        String[] values = inner.substring(inner.indexOf('[') + 1, inner.length() - 1).split(", ");
        for (String v : values) {
            if (!v.equals(values[0])) {
                return false;
            }
        }
        return values.length == KEYS;
    }

    private static void checkWatchedIncrements(int port, String label) throws Exception {
        try (RawResp setup = new RawResp(port)) {
            setup.call("FLUSHALL");
            setup.call("SET", "watched", "0");
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<String> broken = Collections.synchronizedList(new ArrayList<>());
        AtomicLong done = new AtomicLong();
        AtomicLong retried = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> run(port, label, broken, c -> {
                while (!stop.get()) {
                    c.call("WATCH", "watched", "other:" + Thread.currentThread().threadId());
                    String got = c.call("GET", "watched");
                    long v = Long.parseLong(got.substring(got.indexOf(' ') + 1));
                    c.call("MULTI");
                    c.call("SET", "watched", Long.toString(v + 1));
                    String exec = c.call("EXEC");
                    if (exec.equals("*1 [+OK]")) {
                        done.incrementAndGet();
                    } else if (exec.equals("*-1")) {
                        retried.incrementAndGet();
                    } else {
                        broken.add(label + ": EXEC answered " + exec);
                        return;
                    }
                }
            })));
        }
        Thread.sleep(RUN_MILLIS);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
        try (RawResp check = new RawResp(port)) {
            assertEquals("$" + Long.toString(done.get()).length() + " " + done.get(), check.call("GET", "watched"),
                    label + ": increments made (" + retried + " retried)");
        }
        assertTrue(done.get() > 10, label + ": too few increments: " + done);
    }

    private interface ClientWork {
        void run(RawResp c) throws Exception;
    }

    private static void run(int port, String label, List<String> broken, ClientWork work) {
        try (RawResp c = new RawResp(port, 10_000)) {
            work.run(c);
        } catch (Exception e) {
            broken.add(label + ": client failed: " + e);
        }
    }
}
