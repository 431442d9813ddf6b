package io.shardloop.bench;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.*;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The transports underneath, one producer and one consumer: Agrona's byte rings (a 32-byte
 * message copied in and read in place) against JDK queues of object references.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class QueueBenchmark {
    static final int CAPACITY = 256 * 1024;
    static final Integer ITEM = 42;

    @State(Scope.Group)
    public static class Transport {
        @Param({"oneToOneRing", "manyToOneRing", "concurrentLinkedQueue", "arrayBlockingQueue"})
        public String impl;
        RingBuffer ring;
        Queue<Integer> queue;
        final UnsafeBuffer message = new UnsafeBuffer(new byte[32]);
        /** Bounds the unbounded queue, which would otherwise grow without end while the consumer lags. */
        static final long MAX_BACKLOG = 8 * 1024;
        long offered;
        final java.util.concurrent.atomic.AtomicLong polled = new java.util.concurrent.atomic.AtomicLong();

        @Setup(Level.Trial)
        public void setUp() {
            UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH));
            switch (impl) {
                case "oneToOneRing" -> ring = new OneToOneRingBuffer(buffer);
                case "manyToOneRing" -> ring = new ManyToOneRingBuffer(buffer);
                case "concurrentLinkedQueue" -> queue = new ConcurrentLinkedQueue<>();
                case "arrayBlockingQueue" -> queue = new ArrayBlockingQueue<>(CAPACITY / 32);
                default -> throw new IllegalArgumentException(impl);
            }
        }
    }

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Received {
        public long messages;
        final MessageHandler count = (type, buffer, index, length) -> messages++;
    }


    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public boolean offer(Transport t) {
        if (t.ring != null) {
            return t.ring.write(1, t.message, 0, 32);
        }
        if (t.offered - t.polled.getAcquire() >= Transport.MAX_BACKLOG || !t.queue.offer(ITEM)) {
            return false;
        }
        t.offered++;
        return true;
    }

    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public Object poll(Transport t, Received received) {
        if (t.ring != null) {
            t.ring.read(received.count, 1);
            return null;
        }
        Integer item = t.queue.poll();
        if (item != null) {
            received.messages++;
            t.polled.setRelease(t.polled.getPlain() + 1); // only this thread writes it; JMH resets the aux counter

        }
        return item;
    }
}
