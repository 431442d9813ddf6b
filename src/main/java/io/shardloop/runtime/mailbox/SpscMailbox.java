package io.shardloop.runtime.mailbox;

import io.shardloop.runtime.loop.EventLoop;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * One {@link OneToOneRingBuffer} per ordered pair of shards: N×(N−1) rings. A producer owns its
 * ring to each target outright (no CAS, plain ordered stores); the consumer scans its N−1 inbound
 * rings round-robin, which costs a little per turn per shard even when they are empty.
 * Memory: N × (N−1) × ring capacity.
 * <p>
 * <b>Ownership.</b> As for every {@link Mailbox}: the owning shard's loop thread only.
 */
public final class SpscMailbox extends RingMailbox {
    private SpscMailbox(int shard, MailboxConfig config, EventLoop[] loops, RingBuffer[] outbound, RingBuffer[] inbound,
                         LargeLanes lanes) {
        super(shard, config, loops, outbound, inbound, lanes);
    }

    @Override
    public MailboxKind kind() {
        return MailboxKind.SPSC;
    }

    /** The mailboxes of all shards, wired with one ring per ordered pair. */
    public static SpscMailbox[] create(MailboxConfig config, EventLoop[] loops) {
        int n = loops.length;
        RingBuffer[][] rings = new RingBuffer[n][n]; // rings[from][to]
        for (int from = 0; from < n; from++) {
            for (int to = 0; to < n; to++) {
                if (from != to) {
                    rings[from][to] = new OneToOneRingBuffer(newRingBuffer(config));
                }
            }
        }
        LargeLanes lanes = new LargeLanes(n);
        SpscMailbox[] mailboxes = new SpscMailbox[n];
        for (int shard = 0; shard < n; shard++) {
            RingBuffer[] inbound = new RingBuffer[Math.max(0, n - 1)];
            for (int from = 0, k = 0; from < n; from++) {
                if (from != shard) {
                    inbound[k++] = rings[from][shard];
                }
            }
            mailboxes[shard] = new SpscMailbox(shard, config, loops, rings[shard], inbound, lanes);
        }
        return mailboxes;
    }
}
