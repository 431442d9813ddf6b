package io.shardloop.bench;

import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The three state modes as plain stores: {@code Store.execute} of GET and SET (1:1) on random keys
 * of a {@value #KEYS}-key space, from as many threads as JMH's {@code -t} gives.
 * <p>
 * {@code locked} and {@code concurrent} are one store shared by every thread. {@code sharded} is one
 * store per thread, each with its own keys: what a shard does for the keys it owns, with no lock and
 * no sharing. It leaves out what the server adds when a key lives on another shard (a mailbox
 * message and back), so it is the upper bound of the sharded mode, not the server's throughput.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StoreBenchmark {
    static final int KEYS = 100_000;

    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"SHARDED", "LOCKED", "CONCURRENT"})
        public StateMode mode;
        Store store;

        @Setup(Level.Trial)
        public void create() {
            store = mode == StateMode.SHARDED ? null : filled(mode);
        }
    }

    @State(Scope.Thread)
    public static class PerThread {
        Store store;
        final CommandArgs[] gets = new CommandArgs[4096];
        final CommandArgs[] sets = new CommandArgs[4096];
        final BufferReplyWriter reply = new BufferReplyWriter(256);
        int next;

        @Setup(Level.Trial)
        public void create(Shared shared) {
            store = shared.store != null ? shared.store : filled(StateMode.SHARDED);
            SplittableRandom random = new SplittableRandom(Thread.currentThread().threadId());
            String value = "v".repeat(64);
            for (int i = 0; i < gets.length; i++) {
                String key = key(random.nextInt(KEYS));
                gets[i] = CommandArgs.of("GET", key);
                sets[i] = CommandArgs.of("SET", key(random.nextInt(KEYS)), value);
            }
        }
    }

    static String key(int i) {
        return String.format("key:%012d", i);
    }

    static Store filled(StateMode mode) {
        Store store = mode.create(1, System::currentTimeMillis);
        BufferReplyWriter reply = new BufferReplyWriter(64);
        String value = "v".repeat(64);
        for (int i = 0; i < KEYS; i++) {
            reply.reset();
            store.execute(CommandArgs.of("SET", key(i), value), reply);
        }
        return store;
    }

    @Benchmark
    public int getOrSet(PerThread t) {
        int i = t.next++ & (t.gets.length - 1);
        t.reply.reset();
        t.store.execute((i & 1) == 0 ? t.gets[i] : t.sets[i], t.reply);
        return t.reply.length();
    }
}
