package io.shardloop.bench;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.loop.NioPoller;
import io.shardloop.runtime.mailbox.Mailbox;
import io.shardloop.runtime.mailbox.MailboxConfig;
import io.shardloop.runtime.mailbox.MailboxKind;
import io.shardloop.runtime.mailbox.Mailboxes;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.*;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Producers send 32-byte messages to shard 0 through their own mailboxes; one thread drains shard
 * 0's mailbox. "receive" counts messages read (the throughput); "send" counts send calls, failed
 * ones included. The loops are not run: the benchmark threads drive the mailboxes, so each send
 * also pays the off-loop wake-up (a getAndSet on the target's state, which stays AWAKE).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class MailboxThroughputBenchmark {
    static final int PAYLOAD = 32;

    @State(Scope.Group)
    public static class Shards {
        @Param({"mpsc", "spsc"})
        public String kind;
        Mailbox[] mailboxes;
        EventLoop[] loops;
        final AtomicInteger nextProducer = new AtomicInteger(1);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            loops = new EventLoop[3];
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new EventLoop("bench-" + i, new NioPoller(), 0);
            }
            mailboxes = Mailboxes.create(MailboxConfig.defaults().withKind(MailboxKind.parse(kind)), loops);
            mailboxes[0].handler((type, source, id, buffer, offset, length) -> { });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (EventLoop loop : loops) {
                loop.stop();
                loop.run();
            }
        }
    }

    @State(Scope.Thread)
    public static class Producer {
        Mailbox mailbox;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);

        @Setup(Level.Trial)
        public void setUp(Shards shards) {
            mailbox = shards.mailboxes[shards.nextProducer.getAndIncrement()];
        }
    }

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Received {
        public long messages;
    }

    private static int send(Producer p) {
        int rc = p.mailbox.send(0, 1, p.payload, 0, PAYLOAD);
        if (rc != Mailbox.SENT) {
            p.mailbox.doWork(); // moves the overflow into the ring once there is room
        }
        return rc;
    }

    @Benchmark
    @Group("oneProducer")
    @GroupThreads(1)
    public int send1(Producer p) {
        return send(p);
    }

    @Benchmark
    @Group("oneProducer")
    @GroupThreads(1)
    public void receive1(Shards shards, Received received) {
        received.messages += shards.mailboxes[0].doWork();
    }

    @Benchmark
    @Group("twoProducers")
    @GroupThreads(2)
    public int send2(Producer p) {
        return send(p);
    }

    @Benchmark
    @Group("twoProducers")
    @GroupThreads(1)
    public void receive2(Shards shards, Received received) {
        received.messages += shards.mailboxes[0].doWork();
    }
}
