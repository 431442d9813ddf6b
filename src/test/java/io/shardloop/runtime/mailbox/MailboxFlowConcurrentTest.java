package io.shardloop.runtime.mailbox;

import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.runtime.shard.ShardGroup;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shard asks every other one, as fast as its credit lets it, with payloads from a few bytes
 * to far more than a ring record, while each owner answers with replies of other random sizes:
 * little credit, small rings and a small reply backlog make every path run (waiting for credit,
 * the overflow, parking, the lanes beside the rings). Every response is checked byte for byte
 * against the request it answers, and every request is answered.
 */
class MailboxFlowConcurrentTest {
    private static final int TYPE = 3;
    private static final int SHARDS = 3;
    private static final int REQUESTS_PER_PAIR = 3_000;

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldAnswerEveryRequestWholeUnderTightCredit(MailboxKind kind) throws IOException, InterruptedException {
        MailboxConfig mailbox = MailboxConfig.defaults().withKind(kind).withRingCapacity(16 * 1024).withCredits(8)
                .withCreditBytes(64 * 1024).withReplyBacklogBytes(16 * 1024);
        RuntimeConfig config = RuntimeConfig.builder(SHARDS).pin(false).mailbox(mailbox).build();
        CountDownLatch done = new CountDownLatch(SHARDS);
        AtomicLong answered = new AtomicLong();
        try (ShardGroup group = ShardGroup.start(config, List.of())) {
            Asker[] askers = new Asker[SHARDS];
            CountDownLatch listening = new CountDownLatch(SHARDS);
            for (int s = 0; s < SHARDS; s++) {
                Shard shard = group.shard(s);
                askers[s] = new Asker(shard, done, answered);
                Asker asker = askers[s];
                shard.loop().execute(() -> {
                    asker.listen();
                    listening.countDown();
                });
            }
            assertTrue(listening.await(10, TimeUnit.SECONDS));
            for (int s = 0; s < SHARDS; s++) {
                Asker asker = askers[s];
                group.shard(s).loop().execute(asker::start);
            }
            assertTrue(done.await(120, TimeUnit.SECONDS), "not every request was answered: " + answered.get()
                    + " of " + (long) SHARDS * (SHARDS - 1) * REQUESTS_PER_PAIR);
            assertEquals((long) SHARDS * (SHARDS - 1) * REQUESTS_PER_PAIR, answered.get());
            long waits = 0;
            long large = 0;
            long parked = 0;
            for (int s = 0; s < SHARDS; s++) {
                waits += group.stats().get(s).mailboxCounter(MailboxStats.CREDIT_WAITS);
                large += group.stats().get(s).mailboxCounter(MailboxStats.LARGE);
                parked += group.stats().get(s).mailboxCounter(MailboxStats.PARKED);
            }
            assertTrue(waits > 0 && large > 0 && parked > 0, "credit waits " + waits + ", large messages " + large
                    + ", parked requests " + parked + ": every path ran");
        }
    }

    /** A request's bytes, and its answer's, follow from (source, target, sequence): both ends can check them. */
    private static int requestLength(long seed) {
        return (int) (new SplittableRandom(seed).nextInt(20) == 0 ? 40_000 + seed % 60_000 : 8 + seed % 3_000);
    }

    private static int replyLength(long seed) {
        return (int) (new SplittableRandom(~seed).nextInt(10) == 0 ? 30_000 + seed % 50_000 : 8 + seed % 2_000);
    }

    private static byte at(long seed, int i) {
        return (byte) (seed * 31 + i);
    }

    private static long seed(int source, int target, long seq) {
        return (source * 1_000_003L + target) * 10_000_019L + seq;
    }

    /** One shard: answers what others ask, and asks each other shard its share, on its own loop. */
    private static final class Asker implements MessageHandler, ResponseHandler, CreditListener {
        private final Shard shard;
        private final Mailbox mailbox;
        private final CountDownLatch done;
        private final AtomicLong answered;
        private final long[] sent = new long[SHARDS];
        private final long[] received = new long[SHARDS];
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[200_000]);
        private int finishedTargets;

        Asker(Shard shard, CountDownLatch done, AtomicLong answered) {
            this.shard = shard;
            this.mailbox = shard.mailbox();
            this.done = done;
            this.answered = answered;
        }

        void listen() {
            mailbox.handler(this);
            mailbox.creditListener(this);
        }

        void start() {
            for (int t = 0; t < SHARDS; t++) {
                if (t != shard.index()) {
                    askWhileCredit(t);
                }
            }
        }

        private void askWhileCredit(int target) {
            while (sent[target] < REQUESTS_PER_PAIR) {
                long seed = seed(shard.index(), target, sent[target]);
                int length = requestLength(seed);
                scratch.putLong(0, seed);
                for (int i = 8; i < length; i++) {
                    scratch.putByte(i, at(seed, i));
                }
                long id = mailbox.request(target, TYPE, scratch, 0, length, this, target);
                if (id == Mailbox.NO_CREDIT) {
                    return; // onCredit comes when an answer returns credit
                }
                sent[target]++;
            }
        }

        @Override
        public void onCredit(int target) {
            askWhileCredit(target);
        }

        /** A request from another shard: check it, answer with the reply its seed names. */
        @Override
        public void onMessage(int type, int source, long correlationId, DirectBuffer buffer, int offset, int length) {
            long seed = buffer.getLong(offset);
            assertEquals(requestLength(seed), length, "request length");
            for (int i = 8; i < length; i++) {
                if (buffer.getByte(offset + i) != at(seed, i)) {
                    throw new AssertionError("request byte " + i + " of seed " + seed);
                }
            }
            int reply = replyLength(seed);
            UnsafeBuffer out = new UnsafeBuffer(new byte[reply]);
            out.putLong(0, seed);
            for (int i = 8; i < reply; i++) {
                out.putByte(i, at(~seed, i));
            }
            mailbox.reply(source, correlationId, TYPE, out, 0, reply);
        }

        /** The answer to one of ours: check it against the request it answers, in order per target. */
        @Override
        public void onResponse(long context, int type, DirectBuffer buffer, int offset, int length) {
            int target = (int) context;
            long seed = buffer.getLong(offset);
            assertEquals(seed(shard.index(), target, received[target]), seed, "answers arrive in request order per target");
            assertEquals(replyLength(seed), length, "reply length");
            for (int i = 8; i < length; i++) {
                if (buffer.getByte(offset + i) != at(~seed, i)) {
                    throw new AssertionError("reply byte " + i + " of seed " + seed);
                }
            }
            received[target]++;
            answered.incrementAndGet();
            if (received[target] == REQUESTS_PER_PAIR && ++finishedTargets == SHARDS - 1) {
                done.countDown();
            }
        }
    }
}
