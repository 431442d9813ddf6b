package io.shardloop.runtime.mailbox;

import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.runtime.shard.ShardGroup;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real shard loops, bursts of messages from every shard to random others, random pauses in
 * which every loop goes to sleep. A lost wake-up leaves a message unread while its target sleeps:
 * the test fails when any burst is not fully delivered one second after its last send.
 */
class MailboxConcurrentTest {
    private static final int SHARDS = 4;
    private static final int TYPE = 3;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(8);
    private static final int[] BURST_SIZES = {1, 2, 10, 300, 5_000, 40_000};

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldDeliverEveryMessageInOrderWithoutALostWakeup(MailboxKind kind) throws Exception {
        // A small ring, so full rings and the overflow are part of the run.
        MailboxConfig mailbox = MailboxConfig.defaults().withKind(kind).withRingCapacity(16 * 1024)
                .withMaxBacklogBytes(64 * 1024);
        RuntimeConfig config = RuntimeConfig.builder(SHARDS).pin(false).mailbox(mailbox).build();
        AtomicLongArray received = new AtomicLongArray(SHARDS * SHARDS); // [source * SHARDS + target]
        AtomicReference<String> failure = new AtomicReference<>();
        try (ShardGroup group = ShardGroup.start(config, List.of())) {
            Producer[] producers = new Producer[SHARDS];
            CountDownLatch ready = new CountDownLatch(SHARDS);
            for (int s = 0; s < SHARDS; s++) {
                Shard shard = group.shard(s);
                producers[s] = new Producer(shard, s * 7919L);
                shard.loop().execute(() -> {
                    shard.mailbox().handler(new Checker(shard.index(), received, failure));
                    ready.countDown();
                });
            }
            assertTrue(ready.await(5, TimeUnit.SECONDS));

            SplittableRandom random = new SplittableRandom(42);
            long start = System.nanoTime();
            long bursts = 0;
            while (System.nanoTime() - start < RUN_NANOS) {
                CountDownLatch sent = new CountDownLatch(SHARDS);
                for (Producer producer : producers) {
                    producer.startBurst(BURST_SIZES[random.nextInt(BURST_SIZES.length)], sent);
                }
                if (!sent.await(10, TimeUnit.SECONDS)) {
                    StringBuilder state = new StringBuilder();
                    for (int s = 0; s < SHARDS; s++) {
                        Mailbox m = group.shard(s).mailbox();
                        state.append("\nshard ").append(s).append(" remaining=").append(producers[s].remaining)
                                .append(" stats=").append(java.util.Arrays.toString(m.stats().snapshot()))
                                .append(" turns=").append(group.shard(s).loop().stats().turns());
                    }
                    fail("burst " + bursts + " could not be sent:" + state);
                }
                awaitDelivered(producers, received, failure, bursts);
                bursts++;
                if (random.nextInt(4) != 0) {
                    Thread.sleep(random.nextInt(3)); // every loop goes to sleep before the next burst
                }
            }
            long total = 0;
            long wakeups = 0;
            for (int s = 0; s < SHARDS; s++) {
                total += group.shard(s).mailbox().stats().get(MailboxStats.RECEIVED);
                wakeups += group.shard(s).mailbox().stats().get(MailboxStats.WAKEUPS);
            }
            System.out.printf("%s: %d bursts, %d messages, %d wake-up calls%n", kind.label(), bursts, total, wakeups);
            assertNull(failure.get());
        }
    }

    private static void awaitDelivered(Producer[] producers, AtomicLongArray received,
                                       AtomicReference<String> failure, long burst) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (int source = 0; source < SHARDS; source++) {
            for (int target = 0; target < SHARDS; target++) {
                long expected = producers[source].sentTo[target]; // visible: the burst's latch counted down after
                while (received.get(source * SHARDS + target) < expected) {
                    if (System.nanoTime() > deadline) {
                        fail("burst " + burst + ": shard " + target + " left " + (expected - received.get(source * SHARDS + target))
                                + " message(s) from shard " + source + " unread for a second (lost wake-up?)");
                    }
                    Thread.onSpinWait();
                }
            }
        }
        assertNull(failure.get());
    }

    /** Sends a burst from its shard's loop thread, a chunk per turn, to random other shards. */
    private static final class Producer implements Runnable {
        private final Shard shard;
        private final SplittableRandom random;
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final long[] sentTo = new long[SHARDS];
        private volatile int remaining;
        private CountDownLatch done;

        Producer(Shard shard, long seed) {
            this.shard = shard;
            this.random = new SplittableRandom(seed);
        }

        void startBurst(int messages, CountDownLatch done) {
            shard.loop().execute(() -> {
                this.remaining = messages;
                this.done = done;
                run();
            });
        }

        @Override
        public void run() {
            assert shard.loop().inLoop();
            Mailbox mailbox = shard.mailbox();
            for (int chunk = random.nextInt(1, 512); chunk > 0 && remaining > 0; chunk--) {
                int target = random.nextInt(SHARDS - 1);
                target = target >= shard.index() ? target + 1 : target;
                int length = random.nextInt(9, 64); // the sequence, then at least its check byte
                payload.putLong(0, sentTo[target]);
                payload.putByte(length - 1, (byte) sentTo[target]);
                int rc = mailbox.send(target, TYPE, payload, 0, length);
                if (rc == Mailbox.BACKLOG_FULL) {
                    break; // the backlog is at its bound: try again next turn, same sequence
                }
                assertTrue(rc > 0, "send failed: " + rc);
                sentTo[target]++;
                remaining--;
            }
            if (remaining > 0) {
                shard.loop().execute(this);
            } else {
                done.countDown();
            }
        }
    }

    /** Checks on the target's thread that each source's messages arrive whole and in order. */
    private static final class Checker implements MessageHandler {
        private final int shard;
        private final AtomicLongArray received;
        private final AtomicReference<String> failure;
        private final long[] next = new long[SHARDS];

        Checker(int shard, AtomicLongArray received, AtomicReference<String> failure) {
            this.shard = shard;
            this.received = received;
            this.failure = failure;
        }

        @Override
        public void onMessage(int type, int source, long correlationId, org.agrona.DirectBuffer buffer, int offset, int length) {
            long seq = buffer.getLong(offset);
            if (type != TYPE || seq != next[source] || buffer.getByte(offset + length - 1) != (byte) seq) {
                failure.compareAndSet(null, "shard " + shard + " got seq " + seq + " from shard " + source
                        + ", expected " + next[source]);
            }
            next[source]++;
            received.setRelease(source * SHARDS + shard, next[source]);
        }
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldRunTheContinuationOnTheRequestingShardWithTheAnswer(MailboxKind kind) throws IOException, InterruptedException {
        RuntimeConfig config = RuntimeConfig.builder(2).pin(false)
                .mailbox(MailboxConfig.defaults().withKind(kind)).build();
        try (ShardGroup group = ShardGroup.start(config, List.of())) {
            Shard requester = group.shard(0);
            Shard answerer = group.shard(1);
            UnsafeBuffer answer = new UnsafeBuffer(new byte[8]);
            CountDownLatch ready = new CountDownLatch(1);
            answerer.loop().execute(() -> {
                answerer.mailbox().handler((type, source, id, buffer, offset, length) -> {
                    answer.putLong(0, buffer.getLong(offset) + 1);
                    answerer.mailbox().reply(source, id, type, answer, 0, 8);
                });
                ready.countDown();
            });
            assertTrue(ready.await(5, TimeUnit.SECONDS));
            int rounds = 1000;
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<String> failure = new AtomicReference<>();
            UnsafeBuffer question = new UnsafeBuffer(new byte[8]);
            ResponseHandler[] next = new ResponseHandler[1];
            next[0] = (context, type, buffer, offset, length) -> {
                if (!requester.loop().inLoop() || buffer.getLong(offset) != context + 1) {
                    failure.compareAndSet(null, "round " + context + ": answer " + buffer.getLong(offset)
                            + " on thread " + Thread.currentThread().getName());
                }
                if (context + 1 == rounds) {
                    done.countDown();
                    return;
                }
                question.putLong(0, context + 1);
                requester.mailbox().request(1, TYPE, question, 0, 8, next[0], context + 1);
            };
            requester.loop().execute(() -> {
                question.putLong(0, 0);
                assertTrue(requester.mailbox().request(1, TYPE, question, 0, 8, next[0], 0) > 0);
            });
            assertTrue(done.await(10, TimeUnit.SECONDS), "round trips did not finish");
            assertNull(failure.get());
            CountDownLatch checked = new CountDownLatch(1);
            requester.loop().execute(() -> {
                assertEquals(0, requester.mailbox().pendingRequests());
                checked.countDown();
            });
            assertTrue(checked.await(1, TimeUnit.SECONDS));
        }
    }
}
