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

import java.util.ArrayDeque;

import static io.shardloop.runtime.mailbox.MessageDescriptor.*;

/**
 * What both ring layouts share: encoding into a ring in place, payloads too long for a record
 * beside the ring, the ordered overflow of a full ring, credit per target, parking the requests of
 * an asker whose responses are backed up, one wake-up per target per turn, the pending-request
 * registry and the bounded read of the inbound rings. A subclass only says which ring carries a
 * message to each target and which rings this shard reads.
 * <p>
 * <b>Ownership.</b> All state here belongs to the owning shard's loop thread (asserted at every entry
 * point: {@link EventLoop#inLoopOrUnclaimed()}, so a mailbox whose loop never runs may be driven by
 * hand by one thread). The rings and the large-payload lanes are the only shared memory; the rings'
 * memory ordering is Agrona's (claim, write, release-commit; the reader acquires the record
 * length), the lanes' is in {@link LargeLanes}.
 * <p>
 * <b>Why nothing is lost and nothing deadlocks.</b> No shard ever stops reading its rings. A
 * response that finds the asker's ring full waits in this shard's overflow, which is retried every
 * turn, and the asker keeps reading its ring, so it drains. What the overflows can hold is bounded
 * at the source: an asker has at most {@code credits} requests in flight per target, and an owner
 * holding more than {@code replyBacklogBytes} of responses for an asker parks that asker's new
 * requests (copied, in order) instead of running them.
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
    private final LargeLanes lanes;
    private final int maxPayloadLength;
    private final SingleWriterCounters stats = MailboxStats.newCounters();
    private final PendingRequests pending;
    private MessageHandler handler = NO_HANDLER;
    private CreditListener creditListener;
    private int nextInbound;

    // Credit towards each target.
    private final int[] inFlight;
    private final long[] inFlightBytes;
    /** A request to this target was refused for credit: tell the listener when credit returns. */
    private final boolean[] starved;
    private final boolean[] creditReturned;
    private boolean creditsToAnnounce;

    // The ordered overflow towards each target.
    private final MessageQueue[] overflow;
    private int backlogTotal;
    private int drainTarget;
    private boolean retryDue = true;
    private boolean retryScheduled;

    // Requests from each asker, parked while responses to it are backed up.
    private final MessageQueue[] parked;
    /** Large payloads of parked requests, in the order of their entries, per asker. */
    private final ArrayDeque<byte[]>[] parkedLarge;
    private int parkedTotal;
    private int unparkSource;
    private int unparked;

    private final UnsafeBuffer entryScratch;
    private final UnsafeBuffer largeHandle = new UnsafeBuffer(new byte[LARGE_HANDLE_LENGTH]);
    private final UnsafeBuffer largeView = new UnsafeBuffer(0, 0);

    private final boolean[] wakePending;
    private final int[] wakeTargets;
    private int wakeCount;
    private boolean flushScheduled;

    private final org.agrona.concurrent.MessageHandler onRecord = this::onRecord;
    private final ExpandableRingBuffer.MessageConsumer drainOne = this::drainOne;
    private final ExpandableRingBuffer.MessageConsumer unparkOne = this::unparkOne;
    private final EventLoop.TurnEnd flushWakeups = this::flushWakeups;
    private final EventLoop.TimerTask onRetry = this::onRetry;

    @SuppressWarnings("unchecked")
    RingMailbox(int shard, MailboxConfig config, EventLoop[] loops, RingBuffer[] outbound, RingBuffer[] inbound,
                LargeLanes lanes) {
        int n = loops.length;
        this.shard = shard;
        this.config = config;
        this.loops = loops;
        this.loop = loops[shard];
        this.outbound = outbound;
        this.inbound = inbound;
        this.lanes = lanes;
        this.maxPayloadLength = config.ringCapacity() / 8 - HEADER_LENGTH; // Agrona's limit: an eighth of the ring
        this.pending = new PendingRequests(Math.max(1, config.credits() * (n - 1)));
        this.inFlight = new int[n];
        this.inFlightBytes = new long[n];
        this.starved = new boolean[n];
        this.creditReturned = new boolean[n];
        this.entryScratch = new UnsafeBuffer(new byte[ENTRY_PAYLOAD_OFFSET + maxPayloadLength]);
        this.overflow = new MessageQueue[n];
        this.parked = new MessageQueue[n];
        this.parkedLarge = new ArrayDeque[n];
        for (int i = 0; i < n; i++) {
            overflow[i] = new MessageQueue(entryScratch);
            parked[i] = new MessageQueue(entryScratch);
            parkedLarge[i] = new ArrayDeque<>();
        }
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
    public void creditListener(CreditListener listener) {
        this.creditListener = listener;
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
    public int inFlight(int target) {
        return inFlight[target];
    }

    @Override
    public int backlog(int target) {
        return overflow[target].count();
    }

    @Override
    public int parked(int source) {
        return parked[source].count();
    }

    // ---- sending -------------------------------------------------------------------------------

    @Override
    public int send(int target, int type, DirectBuffer payload, int offset, int length) {
        checkTarget(target);
        if (overflow[target].bytes() >= config.maxBacklogBytes()) {
            stats.increment(MailboxStats.BACKLOG_FULL);
            return BACKLOG_FULL;
        }
        return send(target, type, ONE_WAY, 0, payload, offset, length);
    }

    @Override
    public int sendAlways(int target, int type, DirectBuffer payload, int offset, int length) {
        checkTarget(target);
        return send(target, type, ONE_WAY, 0, payload, offset, length);
    }

    @Override
    public boolean hasCredit(int target, int length) {
        return inFlight[target] < config.credits()
                && (inFlightBytes[target] == 0 || inFlightBytes[target] + length <= config.creditBytes());
    }

    @Override
    public void awaitCredit(int target) {
        checkTarget(target);
        starved[target] = true;
    }

    @Override
    public long request(int target, int type, DirectBuffer payload, int offset, int length,
                        ResponseHandler onResponse, long context) {
        assert loop.inLoopOrUnclaimed();
        checkTarget(target);
        if (!hasCredit(target, length)) {
            starved[target] = true;
            stats.increment(MailboxStats.CREDIT_WAITS);
            return NO_CREDIT;
        }
        long id = pending.register(onResponse, context, target, length);
        if (id == 0) {
            throw new IllegalStateException("no pending-request slot although credit was left");
        }
        inFlight[target]++;
        inFlightBytes[target] += length;
        stats.increment(MailboxStats.IN_FLIGHT);
        send(target, type, REQUEST, id, payload, offset, length);
        return id;
    }

    @Override
    public int reply(int target, long correlationId, int type, DirectBuffer payload, int offset, int length) {
        if (correlationId <= 0) {
            throw new IllegalArgumentException("a reply needs the request's correlation id, got " + correlationId);
        }
        checkTarget(target);
        return send(target, type, RESPONSE, correlationId, payload, offset, length);
    }

    @Override
    public boolean cancel(long correlationId) {
        assert loop.inLoopOrUnclaimed();
        return pending.cancel(correlationId);
    }

    private int send(int target, int type, int kind, long correlationId, DirectBuffer payload, int offset, int length) {
        assert loop.inLoopOrUnclaimed();
        if (type < 1) {
            throw new IllegalArgumentException("message type ids start at 1, got " + type);
        }
        DirectBuffer body = payload;
        int bodyOffset = offset;
        int bodyLength = length;
        if (length > maxPayloadLength) {
            // Too long for a record: the bytes go beside the ring, a handle holds their place in line.
            byte[] copy = new byte[length];
            payload.getBytes(offset, copy);
            lanes.offer(shard, target, copy);
            largeHandle.putInt(0, length);
            body = largeHandle;
            bodyOffset = 0;
            bodyLength = LARGE_HANDLE_LENGTH;
            kind |= LARGE;
            stats.increment(MailboxStats.LARGE);
        }
        // Behind a backlog a message must queue too, or it would overtake the ones before it.
        MessageQueue queue = overflow[target];
        if (queue.isEmpty() && write(outbound[target], type, kind, correlationId, body, bodyOffset, bodyLength)) {
            stats.increment(MailboxStats.SENT);
            wake(target);
            return SENT;
        }
        if (!queue.append(type, kind, correlationId, body, bodyOffset, bodyLength, length)) {
            // Credit and parking bound the overflow far below this; reaching it is a defect, said loudly.
            throw new IllegalStateException("shard-" + shard + ": overflow towards shard " + target
                    + " is at its maximum size");
        }
        backlogTotal++;
        stats.increment(MailboxStats.QUEUED);
        stats.set(MailboxStats.BACKLOG, backlogTotal);
        stats.max(MailboxStats.PEAK_BACKLOG, backlogTotal);
        return QUEUED;
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
            loops[target].wakeup();
            stats.increment(MailboxStats.WAKEUPS);
        }
    }

    private void flushWakeups() {
        for (int i = 0; i < wakeCount; i++) {
            int target = wakeTargets[i];
            wakePending[target] = false;
            // The records were committed earlier in this turn; wakeup() swaps with a full fence.
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
        if (parkedTotal > 0) {
            work += unpark();
        }
        work += readInbound();
        announceCredit();
        return work;
    }

    @Override
    public boolean hasPendingWork() {
        assert loop.inLoopOrUnclaimed();
        if ((backlogTotal > 0 && retryDue) || creditsToAnnounce || (parkedTotal > 0 && anyUnparkable())) {
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
        int kindField = buffer.getInt(index + KIND_OFFSET);
        long correlationId = buffer.getLong(index + CORRELATION_ID_OFFSET);
        int kind = kindField & KIND_MASK;
        DirectBuffer body = buffer;
        int bodyOffset = index + PAYLOAD_OFFSET;
        int bodyLength = length - HEADER_LENGTH;
        byte[] large = null;
        if ((kindField & LARGE) != 0) {
            large = lanes.poll(source, shard);
            largeView.wrap(large);
            body = largeView;
            bodyOffset = 0;
            bodyLength = large.length;
        }
        if (kind == RESPONSE) {
            onResponse(type, correlationId, body, bodyOffset, bodyLength);
        } else if (kind == REQUEST && (!parked[source].isEmpty() || repliesBackedUp(source))) {
            park(source, type, correlationId, buffer, index + PAYLOAD_OFFSET, length - HEADER_LENGTH, kindField, large);
        } else {
            deliver(type, source, kind == REQUEST ? correlationId : 0, body, bodyOffset, bodyLength);
        }
    }

    private void deliver(int type, int source, long correlationId, DirectBuffer buffer, int offset, int length) {
        try {
            handler.onMessage(type, source, correlationId, buffer, offset, length);
        } catch (RuntimeException e) {
            stats.increment(MailboxStats.HANDLER_ERRORS);
            loop.reportFailure("the message handler, on a message of type " + type + " from shard " + source
                    + " (dropped)", e);
        }
    }

    private void onResponse(int type, long correlationId, DirectBuffer buffer, int offset, int length) {
        if (!pending.isPending(correlationId)) {
            throw new IllegalStateException("shard-" + shard + ": a response to request " + correlationId
                    + ", which is not pending");
        }
        ResponseHandler continuation = pending.handler(correlationId);
        long context = pending.context(correlationId);
        int target = pending.target(correlationId);
        inFlight[target]--;
        inFlightBytes[target] -= pending.requestBytes(correlationId);
        pending.release(correlationId);
        stats.add(MailboxStats.IN_FLIGHT, -1);
        if (starved[target]) {
            starved[target] = false;
            creditReturned[target] = true;
            creditsToAnnounce = true;
        }
        if (continuation == null) {
            stats.increment(MailboxStats.STALE_RESPONSES);
            return;
        }
        stats.increment(MailboxStats.RESPONSES);
        try {
            continuation.onResponse(context, type, buffer, offset, length);
        } catch (RuntimeException e) {
            stats.increment(MailboxStats.HANDLER_ERRORS);
            loop.reportFailure("the continuation of request " + correlationId + " to shard " + target, e);
        }
    }

    private void announceCredit() {
        if (!creditsToAnnounce) {
            return;
        }
        creditsToAnnounce = false;
        for (int target = 0; target < creditReturned.length; target++) {
            if (creditReturned[target]) {
                creditReturned[target] = false;
                if (creditListener != null) {
                    creditListener.onCredit(target);
                }
            }
        }
    }

    // ---- parking the requests of an asker whose responses are backed up ---------------------------

    private boolean repliesBackedUp(int asker) {
        return overflow[asker].bytes() > config.replyBacklogBytes();
    }

    private void park(int source, int type, long correlationId, DirectBuffer record, int offset, int length,
                      int kindField, byte[] large) {
        MessageQueue queue = parked[source];
        // The entry keeps the record's own payload: a large request's handle, its bytes kept beside.
        if (!queue.append(type, kindField, correlationId, record, offset, length, large == null ? length : large.length)) {
            throw new IllegalStateException("shard-" + shard + ": parked requests from shard " + source
                    + " are at their maximum size");
        }
        if (large != null) {
            parkedLarge[source].add(large);
        }
        parkedTotal++;
        stats.increment(MailboxStats.PARKED);
        stats.set(MailboxStats.PARKED_NOW, parkedTotal);
    }

    private boolean anyUnparkable() {
        for (int source = 0; source < parked.length; source++) {
            if (!parked[source].isEmpty() && !repliesBackedUp(source)) {
                return true;
            }
        }
        return false;
    }

    private int unpark() {
        int done = 0;
        for (int source = 0; source < parked.length; source++) {
            if (parked[source].isEmpty() || repliesBackedUp(source)) {
                continue;
            }
            unparkSource = source;
            unparked = 0;
            parked[source].consume(unparkOne, config.batchLimit());
            done += unparked;
        }
        stats.set(MailboxStats.PARKED_NOW, parkedTotal);
        return done;
    }

    /** Runs one parked request; false (it stays first) once the responses to its asker back up again. */
    private boolean unparkOne(MutableDirectBuffer buffer, int offset, int length, int headOffset) {
        int source = unparkSource;
        if (repliesBackedUp(source)) {
            return false;
        }
        int type = buffer.getInt(offset + ENTRY_TYPE_OFFSET);
        int kindField = buffer.getInt(offset + ENTRY_KIND_OFFSET);
        long correlationId = buffer.getLong(offset + ENTRY_CORRELATION_ID_OFFSET);
        int payloadLength = length - ENTRY_PAYLOAD_OFFSET;
        parkedTotal--;
        unparked++;
        if ((kindField & LARGE) != 0) {
            byte[] large = parkedLarge[source].poll();
            parked[source].taken(large.length);
            largeView.wrap(large);
            deliver(type, source, correlationId, largeView, 0, large.length);
        } else {
            parked[source].taken(payloadLength);
            deliver(type, source, correlationId, buffer, offset + ENTRY_PAYLOAD_OFFSET, payloadLength);
        }
        return true;
    }

    // ---- the overflow ----------------------------------------------------------------------------

    private int drainOverflows() {
        int moved = 0;
        for (int target = 0; target < overflow.length; target++) {
            MessageQueue queue = overflow[target];
            if (queue.isEmpty()) {
                continue;
            }
            drainTarget = target;
            int before = queue.count();
            queue.consume(drainOne, config.batchLimit());
            int drained = before - queue.count();
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
        int kind = buffer.getInt(offset + ENTRY_KIND_OFFSET);
        int payloadLength = length - ENTRY_PAYLOAD_OFFSET;
        boolean written = write(outbound[drainTarget], buffer.getInt(offset + ENTRY_TYPE_OFFSET), kind,
                buffer.getLong(offset + ENTRY_CORRELATION_ID_OFFSET), buffer, offset + ENTRY_PAYLOAD_OFFSET, payloadLength);
        if (written) {
            long logical = (kind & LARGE) != 0 ? buffer.getInt(offset + ENTRY_PAYLOAD_OFFSET) : payloadLength;
            overflow[drainTarget].taken(logical);
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
