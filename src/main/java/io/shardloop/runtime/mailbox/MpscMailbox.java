package io.shardloop.runtime.mailbox;

import io.shardloop.runtime.loop.EventLoop;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.Arrays;

/**
 * One {@link ManyToOneRingBuffer} inbox per shard: N rings in all. Every other shard writes into
 * a shard's inbox, claiming space with a CAS on the ring's tail; the owner reads one ring.
 * Memory: N × ring capacity. Cost: producers to the same shard contend on one cache line.
 * <p>
 * <b>Ownership.</b> As for every {@link Mailbox}: the owning shard's loop thread only.
 */
public final class MpscMailbox extends RingMailbox {
    private MpscMailbox(int shard, MailboxConfig config, EventLoop[] loops, RingBuffer[] outbound, RingBuffer inbox,
                        LargeLanes lanes) {
        super(shard, config, loops, outbound, new RingBuffer[] {inbox}, lanes);
    }

    @Override
    public MailboxKind kind() {
        return MailboxKind.MPSC;
    }

    /** The mailboxes of all shards, wired to one inbox each. */
    public static MpscMailbox[] create(MailboxConfig config, EventLoop[] loops) {
        int n = loops.length;
        RingBuffer[] inboxes = new RingBuffer[n];
        for (int i = 0; i < n; i++) {
            inboxes[i] = new ManyToOneRingBuffer(newRingBuffer(config));
        }
        LargeLanes lanes = new LargeLanes(n);
        MpscMailbox[] mailboxes = new MpscMailbox[n];
        for (int shard = 0; shard < n; shard++) {
            RingBuffer[] outbound = Arrays.copyOf(inboxes, n);
            outbound[shard] = null;
            mailboxes[shard] = new MpscMailbox(shard, config, loops, outbound, inboxes[shard], lanes);
        }
        return mailboxes;
    }
}
