package io.shardloop.runtime.mailbox;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import static io.shardloop.runtime.mailbox.MessageDescriptor.*;

/**
 * What both ring layouts share: encoding into a ring in place, the ordered overflow of a full ring,
 * one wake-up per target per turn, the pending-request registry and the bounded read of the
 * inbound rings. A subclass only says which ring carries a message to each target and which rings
 * this shard reads.
 * <p>
 * <b>Ownership.</b> All state here belongs to the owning shard's loop thread (asserted at every entry
 * point: {@link EventLoop#inLoopOrUnclaimed()}, so a mailbox whose loop never runs may be driven by
 * hand by one thread). The rings are the only shared memory; their memory ordering is Agrona's (claim, write, release-commit; the reader
 * acquires the record length).
 */
abstract sealed class RingMailbox implements Mailbox permits MpscMailbox, SpscMailbox {
    private static final MessageHandler NO_HANDLER = (type, source, id, buffer, offset, length) -> {
        throw new IllegalStateException("no message handler set on this mailbox: message of type " + type + " dropped");
    };

    private final int shard;
    private final MailboxConfig config;
    /** Every shard's loop, indexed by shard; {@code loops[shard]} runs this mailbox. */
    private final EventLoop[] loops;
    private final EventLoop loop;
    /** The ring a message to each target goes into; null at this shard's own index. */
    private final RingBuffer[] outbound;
    /** The rings this shard reads, scanned round-robin. */
    private final RingBuffer[] inbound;
    private final int maxPayloadLength;
    private final SingleWriterCounters stats = MailboxStats.newCounters();
    private final PendingRequests pending;
    private MessageHandler handler = NO_HANDLER;
    private int nextInbound;

    private final ExpandableRingBuffer[] overflow;
    private final int[] backlog;
    private int backlogTotal;
    private final UnsafeBuffer overflowEntry;
    private int drainTarget;
    private int drained;
    private boolean retryDue = true;
    private boolean retryScheduled;

    private final boolean[] wakePending;
    private final int[] wakeTargets;
    private int wakeCount;
    private boolean flushScheduled;

    private final org.agrona.concurrent.MessageHandler onRecord = this::onRecord;
    private final ExpandableRingBuffer.MessageConsumer drainOne = this::drainOne;
    private final EventLoop.TurnEnd flushWakeups = this::flushWakeups;
    private final EventLoop.TimerTask onRetry = this::onRetry;

    RingMailbox(int shard, MailboxConfig config, EventLoop[] loops, RingBuffer[] outbound, RingBuffer[] inbound) {
        int n = loops.length;
        this.shard = shard;
        this.config = config;
        this.loops = loops;
        this.loop = loops[shard];
        this.outbound = outbound;
        this.inbound = inbound;
        int ringMax = config.ringCapacity() / 8 - HEADER_LENGTH; // Agrona's limit: an eighth of the ring
        int overflowMax = config.maxBacklogBytes() - ExpandableRingBuffer.HEADER_LENGTH - OVERFLOW_PAYLOAD_OFFSET;
        this.maxPayloadLength = Math.min(ringMax, overflowMax);
        this.pending = new PendingRequests(config.maxPendingRequests());
        this.overflow = new ExpandableRingBuffer[n];
        this.backlog = new int[n];
        this.overflowEntry = new UnsafeBuffer(new byte[OVERFLOW_PAYLOAD_OFFSET + maxPayloadLength]);
        this.wakePending = new boolean[n];
        this.wakeTargets = new int[n];
    }

    /** A ring of the configured capacity, on a cache-line-aligned direct buffer. */
    static UnsafeBuffer newRingBuffer(MailboxConfig config) {
        int length = config.ringCapacity() + RingBufferDescriptor.TRAILER_LENGTH;
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, 64));
    }

    @Override
    public int shard() {
        return shard;
    }

    @Override
    public int shardCount() {
        return loops.length;
    }

    @Override
    public int maxPayloadLength() {
        return maxPayloadLength;
    }

    @Override
    public void handler(MessageHandler handler) {
        assert loop.inLoopOrUnclaimed();
        this.handler = handler == null ? NO_HANDLER : handler;
    }

    @Override
    public SingleWriterCounters stats() {
        return stats;
    }

    @Override
    public int pendingRequests() {
        return pending.pending();
    }

    @Override
    public int backlog(int target) {
        return backlog[target];
    }

    // ---- sending -------------------------------------------------------------------------------

    @Override
    public int send(int target, int type, DirectBuffer payload, int offset, int length) {
        return send(target, type, ONE_WAY, 0, payload, offset, length);
    }

    @Override
    public long request(int target, int type, DirectBuffer payload, int offset, int length,
                        ResponseHandler onResponse, long context) {
        assert loop.inLoopOrUnclaimed();
        checkTarget(target);
        if (length > maxPayloadLength) {
            return TOO_LONG;
        }
        long id = pending.register(onResponse, context);
        if (id == 0) {
            return NO_REQUEST_SLOT;
        }
        int rc = send(target, type, REQUEST, id, payload, offset, length);
        if (rc < 0) {
            pending.release(id);
            return rc;
        }
        return id;
    }

    @Override
    public int reply(int target, long correlationId, int type, DirectBuffer payload, int offset, int length) {
        if (correlationId <= 0) {
            throw new IllegalArgumentException("a reply needs the request's correlation id, got " + correlationId);
        }
        return send(target, type, RESPONSE, correlationId, payload, offset, length);
    }

    @Override
    public boolean cancel(long correlationId) {
        assert loop.inLoopOrUnclaimed();
        return pending.release(correlationId);
    }

    private int send(int target, int type, int kind, long correlationId, DirectBuffer payload, int offset, int length) {
        assert loop.inLoopOrUnclaimed();
        checkTarget(target);
        if (type < 1) {
            throw new IllegalArgumentException("message type ids start at 1, got " + type);
        }
        if (length > maxPayloadLength) {
            return TOO_LONG;
        }
        // Behind a backlog a message must queue too, or it would overtake the ones before it.
        if (backlog[target] == 0 && write(outbound[target], type, kind, correlationId, payload, offset, length)) {
            stats.increment(MailboxStats.SENT);
            wake(target);
            return SENT;
        }
        return enqueue(target, type, kind, correlationId, payload, offset, length);
    }

    /** Encodes one record in place in the ring; false when the ring has no room. */
    private boolean write(RingBuffer ring, int type, int kind, long correlationId,
                          DirectBuffer payload, int offset, int length) {
        int index = ring.tryClaim(type, HEADER_LENGTH + length);
        if (index < 0) {
            return false;
        }
        AtomicBuffer buffer = ring.buffer();
        buffer.putInt(index + SOURCE_SHARD_OFFSET, shard);
        buffer.putInt(index + KIND_OFFSET, kind);
        buffer.putLong(index + CORRELATION_ID_OFFSET, correlationId);
        if (length > 0) {
            buffer.putBytes(index + PAYLOAD_OFFSET, payload, offset, length);
        }
        // Release store of the record's length: the reader sees the whole record or none of it.
        ring.commit(index);
        return true;
    }

    private int enqueue(int target, int type, int kind, long correlationId, DirectBuffer payload, int offset, int length) {
        ExpandableRingBuffer queue = overflow[target];
        if (queue == null) {
            // Allocated at its bound the first time this target's ring fills; it never grows after.
            queue = new ExpandableRingBuffer(config.maxBacklogBytes(), config.maxBacklogBytes(), false);
            overflow[target] = queue;
        }
        UnsafeBuffer entry = overflowEntry;
        entry.putInt(OVERFLOW_TYPE_OFFSET, type);
        entry.putInt(OVERFLOW_KIND_OFFSET, kind);
        entry.putLong(OVERFLOW_CORRELATION_ID_OFFSET, correlationId);
        if (length > 0) {
            entry.putBytes(OVERFLOW_PAYLOAD_OFFSET, payload, offset, length);
        }
        if (!fitsContiguously(queue, OVERFLOW_PAYLOAD_OFFSET + length) || !queue.append(entry, 0, OVERFLOW_PAYLOAD_OFFSET + length)) {
            stats.increment(MailboxStats.BACKLOG_FULL);
            return BACKLOG_FULL;
        }
        backlog[target]++;
        backlogTotal++;
        stats.increment(MailboxStats.QUEUED);
        stats.set(MailboxStats.BACKLOG, backlogTotal);
        stats.max(MailboxStats.PEAK_BACKLOG, backlogTotal);
        return QUEUED;
    }

    /**
     * Whether an entry fits in a queue that is at its maximum capacity. ExpandableRingBuffer
     * (Agrona 2.6) at its maximum accepts an entry that fits in the free bytes in total but not
     * before the end of its buffer, and then writes past the end; such an entry counts as not
     * fitting here, so the backlog is bounded a little below its nominal size.
     */
    private static boolean fitsContiguously(ExpandableRingBuffer queue, int entryLength) {
        int capacity = queue.capacity();
        int aligned = org.agrona.BitUtil.align(ExpandableRingBuffer.HEADER_LENGTH + entryLength, ExpandableRingBuffer.HEADER_ALIGNMENT);
        int free = capacity - (int) (queue.tail() - queue.head());
        if (aligned > free) {
            return false;
        }
        int headOffset = (int) queue.head() & (capacity - 1);
        int tailOffset = (int) queue.tail() & (capacity - 1);
        if (tailOffset >= headOffset) {
            int toEnd = capacity - tailOffset;
            return aligned <= toEnd || aligned <= free - toEnd; // at the end, or after a padding entry
        }
        return true;
    }

    private void checkTarget(int target) {
        if (target < 0 || target >= loops.length || target == shard) {
            throw new IllegalArgumentException("shard " + shard + " cannot send to shard " + target
                    + " (shards 0.." + (loops.length - 1) + ", never itself)");
        }
    }

    // ---- wake-ups: at most one per target per turn ----------------------------------------------

    private void wake(int target) {
        if (loop.inLoop()) {
            if (!wakePending[target]) {
                wakePending[target] = true;
                wakeTargets[wakeCount++] = target;
            }
            if (!flushScheduled) {
                flushScheduled = true;
                loop.atTurnEnd(flushWakeups);
            }
        } else {
            // Off the loop there is no turn end to wait for: the record is committed, wake now.
            loops[target].wakeup();
            stats.increment(MailboxStats.WAKEUPS);
        }
    }

    private void flushWakeups() {
        for (int i = 0; i < wakeCount; i++) {
            int target = wakeTargets[i];
            wakePending[target] = false;
            // The records were committed (release) earlier in this turn; wakeup() swaps with a full fence.
            loops[target].wakeup();
        }
        stats.add(MailboxStats.WAKEUPS, wakeCount);
        wakeCount = 0;
        flushScheduled = false;
    }

    // ---- the work source -------------------------------------------------------------------------

    @Override
    public int doWork() {
        assert loop.inLoopOrUnclaimed();
        int work = 0;
        if (backlogTotal > 0 && retryDue) {
            int moved = drainOverflows();
            work += moved;
            if (moved == 0) {
                deferRetry();
            }
        }
        return work + readInbound();
    }

    @Override
    public boolean hasPendingWork() {
        assert loop.inLoopOrUnclaimed();
        if (backlogTotal > 0 && retryDue) {
            return true;
        }
        for (RingBuffer ring : inbound) {
            // size() reads the producer position with acquire semantics; the loop published its
            // sleep deadline (a full fence) just before asking, so a committed record is seen here.
            if (ring.size() > 0) {
                return true;
            }
        }
        return false;
    }

    private int readInbound() {
        int limit = config.batchLimit();
        int read = 0;
        RingBuffer[] rings = inbound;
        int n = rings.length;
        for (int i = 0; i < n && read < limit; i++) {
            RingBuffer ring = rings[nextInbound];
            nextInbound = nextInbound + 1 == n ? 0 : nextInbound + 1;
            read += ring.read(onRecord, limit - read);
        }
        return read;
    }

    private void onRecord(int type, MutableDirectBuffer buffer, int index, int length) {
        stats.increment(MailboxStats.RECEIVED);
        int source = buffer.getInt(index + SOURCE_SHARD_OFFSET);
        int kind = buffer.getInt(index + KIND_OFFSET);
        long correlationId = buffer.getLong(index + CORRELATION_ID_OFFSET);
        int payloadOffset = index + PAYLOAD_OFFSET;
        int payloadLength = length - HEADER_LENGTH;
        try {
            if (kind == RESPONSE) {
                onResponse(type, correlationId, buffer, payloadOffset, payloadLength);
            } else {
                handler.onMessage(type, source, kind == REQUEST ? correlationId : 0, buffer, payloadOffset, payloadLength);
            }
        } catch (RuntimeException e) {
            stats.increment(MailboxStats.HANDLER_ERRORS);
            loop.reportFailure((kind == RESPONSE ? "the response handler" : "the message handler")
                    + ", on a message of type " + type + " from shard " + source + " (dropped)", e);
        }
    }

    private void onResponse(int type, long correlationId, DirectBuffer buffer, int offset, int length) {
        if (!pending.isPending(correlationId)) {
            stats.increment(MailboxStats.STALE_RESPONSES);
            return;
        }
        ResponseHandler continuation = pending.handler(correlationId);
        long context = pending.context(correlationId);
        pending.release(correlationId);
        stats.increment(MailboxStats.RESPONSES);
        continuation.onResponse(context, type, buffer, offset, length);
    }

    // ---- the overflow ----------------------------------------------------------------------------

    private int drainOverflows() {
        int moved = 0;
        for (int target = 0; target < backlog.length; target++) {
            if (backlog[target] == 0) {
                continue;
            }
            drainTarget = target;
            drained = 0;
            overflow[target].consume(drainOne, config.batchLimit());
            backlog[target] -= drained;
            backlogTotal -= drained;
            moved += drained;
            if (drained > 0) {
                wake(target);
            }
        }
        stats.set(MailboxStats.BACKLOG, backlogTotal);
        return moved;
    }

    /** Moves one overflow entry into its ring; false (and the entry stays first) when the ring is full. */
    private boolean drainOne(MutableDirectBuffer buffer, int offset, int length, int headOffset) {
        boolean written = write(outbound[drainTarget], buffer.getInt(offset + OVERFLOW_TYPE_OFFSET),
                buffer.getInt(offset + OVERFLOW_KIND_OFFSET), buffer.getLong(offset + OVERFLOW_CORRELATION_ID_OFFSET),
                buffer, offset + OVERFLOW_PAYLOAD_OFFSET, length - OVERFLOW_PAYLOAD_OFFSET);
        if (written) {
            drained++;
            stats.increment(MailboxStats.SENT);
        }
        return written;
    }

    /**
     * No room anywhere: rather than spin against a full ring, sleep until a retry timer. Off the
     * loop thread (a mailbox driven by hand) every call retries.
     */
    private void deferRetry() {
        if (!loop.inLoop() || config.retryDelayNanos() == 0) {
            return;
        }
        retryDue = false;
        if (!retryScheduled) {
            retryScheduled = true;
            loop.scheduleTimer(System.nanoTime() + config.retryDelayNanos(), onRetry);
        }
    }

    private void onRetry(long nowNanos) {
        retryScheduled = false;
        retryDue = true;
    }
}
