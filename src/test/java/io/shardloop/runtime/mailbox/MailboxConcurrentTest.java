package io.shardloop.runtime.mailbox;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.loop.LoopFailureExtension;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.Await;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real shard loops, bursts of messages from every shard to random others, and between most bursts
 * a pause until every loop has gone to sleep. A lost wake-up leaves a message unread while its
 * target sleeps: the test fails when any burst is not fully delivered one second after its last
 * send. The checks on the loops (order, payload, thread) are assertions there, which fail the test.
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
        try (ShardGroup group = ShardGroup.start(config, List.of())) {
            Producer[] producers = new Producer[SHARDS];
            CountDownLatch ready = new CountDownLatch(SHARDS);
            for (int s = 0; s < SHARDS; s++) {
                Shard shard = group.shard(s);
                producers[s] = new Producer(shard, s * 7919L);
                shard.loop().execute(() -> {
                    shard.mailbox().handler(new Checker(shard.index(), received));
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
                if (!awaitSent(sent)) {
                    StringBuilder state = new StringBuilder();
                    for (int s = 0; s < SHARDS; s++) {
                        Mailbox m = group.shard(s).mailbox();
                        state.append("\nshard ").append(s).append(" remaining=").append(producers[s].remaining)
                                .append(" stats=").append(java.util.Arrays.toString(m.stats().snapshot()))
                                .append(" turns=").append(group.shard(s).loop().stats().turns());
                    }
                    fail("burst " + bursts + " could not be sent:" + state);
                }
                awaitDelivered(producers, received, bursts);
                bursts++;
                if (random.nextInt(4) != 0) {
                    awaitAllAsleep(group); // otherwise the next burst races the loops going to sleep
                }
            }
            long total = 0;
            long wakeups = 0;
            for (int s = 0; s < SHARDS; s++) {
                total += group.shard(s).mailbox().stats().get(MailboxStats.RECEIVED);
                wakeups += group.shard(s).mailbox().stats().get(MailboxStats.WAKEUPS);
            }
            System.out.printf("%s: %d bursts, %d messages, %d wake-up calls%n", kind.label(), bursts, total, wakeups);
        }
    }

    /** Waits up to 10 s for a burst to be sent, failing at once if a check on a loop failed. */
    private static boolean awaitSent(CountDownLatch sent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sent.await(50, TimeUnit.MILLISECONDS)) {
            LoopFailureExtension.assertNoFailureYet();
            if (System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    /** Waits until every loop has ended its turn: asleep, or about to be, with nothing to do. */
    private static void awaitAllAsleep(ShardGroup group) {
        for (int s = 0; s < SHARDS; s++) {
            EventLoop loop = group.shard(s).loop();
            Await.until(loop.name() + " to end its turn", Duration.ofSeconds(5), () -> loop.stats().turnStartNanos() == 0);
        }
    }

    private static void awaitDelivered(Producer[] producers, AtomicLongArray received, long burst) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (int source = 0; source < SHARDS; source++) {
            for (int target = 0; target < SHARDS; target++) {
                long expected = producers[source].sentTo[target]; // visible: the burst's latch counted down after
                while (received.get(source * SHARDS + target) < expected) {
                    LoopFailureExtension.assertNoFailureYet(); // a failed check stops its loop: say so, not "lost wake-up"
                    if (System.nanoTime() > deadline) {
                        fail("burst " + burst + ": shard " + target + " left " + (expected - received.get(source * SHARDS + target))
                                + " message(s) from shard " + source + " unread for a second (lost wake-up?)");
                    }
                    Thread.onSpinWait();
                }
            }
        }
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
        private final long[] next = new long[SHARDS];

        Checker(int shard, AtomicLongArray received) {
            this.shard = shard;
            this.received = received;
        }

        @Override
        public void onMessage(int type, int source, long correlationId, org.agrona.DirectBuffer buffer, int offset, int length) {
            long seq = buffer.getLong(offset);
            assertEquals(TYPE, type);
            assertEquals(next[source], seq, () -> "shard " + shard + ": sequence from shard " + source);
            assertEquals((byte) seq, buffer.getByte(offset + length - 1), () -> "shard " + shard + ": last byte of "
                    + seq + " from shard " + source);
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
            UnsafeBuffer question = new UnsafeBuffer(new byte[8]);
            ResponseHandler[] next = new ResponseHandler[1];
            next[0] = (context, type, buffer, offset, length) -> {
                assertTrue(requester.loop().inLoop(), "the continuation runs on the requesting shard");
                assertEquals(context + 1, buffer.getLong(offset), () -> "the answer of round " + context);
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
            CountDownLatch checked = new CountDownLatch(1);
            requester.loop().execute(() -> {
                assertEquals(0, requester.mailbox().pendingRequests());
                checked.countDown();
            });
            assertTrue(checked.await(1, TimeUnit.SECONDS));
        }
    }
}
