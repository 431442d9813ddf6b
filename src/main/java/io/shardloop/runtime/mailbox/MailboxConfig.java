package io.shardloop.runtime.mailbox;

import org.agrona.BitUtil;

/**
 * Tunables of the cross-shard mailboxes.
 *
 * @param kind              ring layout: MPSC (one inbox per shard) or SPSC (one ring per ordered pair)
 * @param ringCapacity      bytes of each ring (a power of two); MPSC allocates N rings, SPSC N×(N−1).
 *                          A payload up to an eighth of it (less the header) travels inside the ring
 * @param batchLimit        messages a shard reads from its rings per turn (and moves from each
 *                          overflow, and runs of each asker's parked requests)
 * @param maxBacklogBytes   bytes of overflow towards one target past which a one-way message is
 *                          refused with {@link Mailbox#BACKLOG_FULL}; requests and responses are
 *                          bounded by credit instead and never refused for backlog
 * @param credits           requests a shard may have in flight to one target at once
 * @param creditBytes       request payload bytes a shard may have in flight to one target (a request
 *                          longer than this still goes, alone)
 * @param replyBacklogBytes response bytes a shard may hold for one asker whose ring is full before it
 *                          parks that asker's further requests
 * @param retryDelayNanos   how long a shard whose overflow made no progress waits before retrying
 */
public record MailboxConfig(MailboxKind kind, int ringCapacity, int batchLimit, int maxBacklogBytes,
                            int credits, long creditBytes, long replyBacklogBytes, long retryDelayNanos) {
    /** The default layout; chosen from the benchmark results in docs/results/mailbox.md. */
    public static final MailboxKind DEFAULT_KIND = MailboxKind.MPSC;
    /** The most requests in flight per target that a shard may be given. */
    public static final int MAX_CREDITS = 1 << 16;

    public MailboxConfig {
        if (kind == null) {
            throw new IllegalArgumentException("mailbox kind is required (mpsc or spsc)");
        }
        if (!BitUtil.isPowerOfTwo(ringCapacity) || ringCapacity < 1024) {
            throw new IllegalArgumentException("mailbox ring capacity must be a power of two >= 1024, got " + ringCapacity);
        }
        if (batchLimit < 1) {
            throw new IllegalArgumentException("mailbox batch limit must be at least 1, got " + batchLimit);
        }
        if (maxBacklogBytes < 1024) {
            throw new IllegalArgumentException("mailbox backlog bound must be at least 1024 bytes, got " + maxBacklogBytes);
        }
        if (credits < 1 || credits > MAX_CREDITS) {
            throw new IllegalArgumentException("mailbox credits must be between 1 and " + MAX_CREDITS + ", got " + credits);
        }
        if (creditBytes < 1024) {
            throw new IllegalArgumentException("mailbox credit bytes must be at least 1024, got " + creditBytes);
        }
        if (replyBacklogBytes < 1024) {
            throw new IllegalArgumentException("mailbox reply backlog must be at least 1024 bytes, got " + replyBacklogBytes);
        }
        if (retryDelayNanos < 0) {
            throw new IllegalArgumentException("mailbox retry delay must not be negative");
        }
    }

    /** 256 KiB rings, 256 messages a turn, 1024 requests and 1 MiB of them in flight per target, 1 MiB of replies held per asker. */
    public static MailboxConfig defaults() {
        return new MailboxConfig(DEFAULT_KIND, 256 * 1024, 256, 1024 * 1024, 1024, 1L << 20, 1L << 20, 1_000_000L);
    }

    public MailboxConfig withKind(MailboxKind v) {
        return new MailboxConfig(v, ringCapacity, batchLimit, maxBacklogBytes, credits, creditBytes, replyBacklogBytes, retryDelayNanos);
    }

    public MailboxConfig withRingCapacity(int v) {
        return new MailboxConfig(kind, v, batchLimit, maxBacklogBytes, credits, creditBytes, replyBacklogBytes, retryDelayNanos);
    }

    public MailboxConfig withBatchLimit(int v) {
        return new MailboxConfig(kind, ringCapacity, v, maxBacklogBytes, credits, creditBytes, replyBacklogBytes, retryDelayNanos);
    }

    public MailboxConfig withMaxBacklogBytes(int v) {
        return new MailboxConfig(kind, ringCapacity, batchLimit, v, credits, creditBytes, replyBacklogBytes, retryDelayNanos);
    }

    public MailboxConfig withCredits(int v) {
        return new MailboxConfig(kind, ringCapacity, batchLimit, maxBacklogBytes, v, creditBytes, replyBacklogBytes, retryDelayNanos);
    }

    public MailboxConfig withCreditBytes(long v) {
        return new MailboxConfig(kind, ringCapacity, batchLimit, maxBacklogBytes, credits, v, replyBacklogBytes, retryDelayNanos);
    }

    public MailboxConfig withReplyBacklogBytes(long v) {
        return new MailboxConfig(kind, ringCapacity, batchLimit, maxBacklogBytes, credits, creditBytes, v, retryDelayNanos);
    }

    public String describe() {
        return "mailbox=" + kind.label() + " mailbox-ring=" + ringCapacity + " mailbox-batch=" + batchLimit
                + " mailbox-backlog=" + maxBacklogBytes + " mailbox-credits=" + credits
                + " mailbox-credit-bytes=" + creditBytes + " mailbox-reply-backlog=" + replyBacklogBytes;
    }
}
