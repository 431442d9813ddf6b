package io.shardloop.runtime.mailbox;

import org.agrona.BitUtil;
import org.agrona.ExpandableRingBuffer;

/**
 * Tunables of the cross-shard mailboxes.
 *
 * @param kind               ring layout: MPSC (one inbox per shard) or SPSC (one ring per ordered pair)
 * @param ringCapacity       bytes of each ring (a power of two); MPSC allocates N rings, SPSC N×(N−1)
 * @param batchLimit         messages a shard reads from its rings per turn
 * @param maxBacklogBytes    bytes a shard may hold in its local overflow towards one target while
 *                           that target's ring is full (a power of two); past it {@code send} fails
 *                           with {@link Mailbox#BACKLOG_FULL}
 * @param maxPendingRequests requests a shard may have waiting for a response at once
 * @param retryDelayNanos    how long a shard whose overflow made no progress waits before retrying
 */
public record MailboxConfig(MailboxKind kind, int ringCapacity, int batchLimit, int maxBacklogBytes,
                            int maxPendingRequests, long retryDelayNanos) {
    /** The default layout; chosen from the benchmark results in docs/results/mailbox.md. */
    public static final MailboxKind DEFAULT_KIND = MailboxKind.MPSC;

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
        if (!BitUtil.isPowerOfTwo(maxBacklogBytes) || maxBacklogBytes < 1024
                || maxBacklogBytes > ExpandableRingBuffer.MAX_CAPACITY) {
            throw new IllegalArgumentException("mailbox backlog bound must be a power of two between 1024 and "
                    + ExpandableRingBuffer.MAX_CAPACITY + ", got " + maxBacklogBytes);
        }
        if (maxPendingRequests < 1 || maxPendingRequests > PendingRequests.MAX_SLOTS) {
            throw new IllegalArgumentException("mailbox pending requests must be between 1 and "
                    + PendingRequests.MAX_SLOTS + ", got " + maxPendingRequests);
        }
        if (retryDelayNanos < 0) {
            throw new IllegalArgumentException("mailbox retry delay must not be negative");
        }
    }

    public static MailboxConfig defaults() {
        return new MailboxConfig(DEFAULT_KIND, 256 * 1024, 256, 1024 * 1024, 4096, 1_000_000L);
    }

    public MailboxConfig withKind(MailboxKind v) {
        return new MailboxConfig(v, ringCapacity, batchLimit, maxBacklogBytes, maxPendingRequests, retryDelayNanos);
    }

    public MailboxConfig withRingCapacity(int v) {
        return new MailboxConfig(kind, v, batchLimit, maxBacklogBytes, maxPendingRequests, retryDelayNanos);
    }

    public MailboxConfig withBatchLimit(int v) {
        return new MailboxConfig(kind, ringCapacity, v, maxBacklogBytes, maxPendingRequests, retryDelayNanos);
    }

    public MailboxConfig withMaxBacklogBytes(int v) {
        return new MailboxConfig(kind, ringCapacity, batchLimit, v, maxPendingRequests, retryDelayNanos);
    }

    public MailboxConfig withMaxPendingRequests(int v) {
        return new MailboxConfig(kind, ringCapacity, batchLimit, maxBacklogBytes, v, retryDelayNanos);
    }

    public String describe() {
        return "mailbox=" + kind.label() + " mailbox-ring=" + ringCapacity + " mailbox-batch=" + batchLimit
                + " mailbox-backlog=" + maxBacklogBytes + " mailbox-pending=" + maxPendingRequests;
    }
}
