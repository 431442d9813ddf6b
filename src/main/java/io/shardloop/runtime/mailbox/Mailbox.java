package io.shardloop.runtime.mailbox;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import org.agrona.DirectBuffer;

/**
 * One shard's end of the cross-shard transport: it sends messages to other shards' rings and, as a
 * {@link EventLoop.WorkSource} of the shard's loop, reads the messages sent to it.
 * <p>
 * <b>Ownership.</b> A mailbox belongs to its shard's loop thread: every method MUST be called on
 * that thread (or, for a mailbox whose loop is not running, by the one thread that drives it, as
 * tests and benchmarks do). Nothing here is shared with other threads except the bytes in the rings.
 * <p>
 * <b>Messages are bytes.</b> {@code send} copies the payload into the target's ring; the target's
 * {@link MessageHandler} reads it in place and must not keep the buffer past the call.
 * <p>
 * <b>Wake-ups.</b> On the loop thread, the targets written during a turn are woken once each at
 * the end of that turn; off the loop thread each send wakes its target at once.
 * <p>
 * <b>Full rings.</b> A message that does not fit goes to an ordered local overflow for that target
 * ({@link #QUEUED}), retried on later turns; later messages to that target queue behind it. When
 * the overflow is at its bound the send fails with {@link #BACKLOG_FULL} and nothing is kept.
 * <pre>{@code
 * int rc = mailbox.send(target, TYPE_GET, scratch, 0, length);
 * if (rc < 0) { ... shed the request: answer "busy", close, or retry on a later turn ... }
 * }</pre>
 */
public interface Mailbox extends EventLoop.WorkSource {
    /** Written into the target's ring. */
    int SENT = 1;
    /** Held in this shard's ordered overflow; delivered on a later turn. */
    int QUEUED = 2;
    /** Not sent: the overflow towards that target is at its bound. The caller must handle it. */
    int BACKLOG_FULL = -1;
    /** Not sent: the payload is longer than {@link #maxPayloadLength()}. */
    int TOO_LONG = -2;
    /** Not sent: every pending-request slot is taken (request only). */
    int NO_REQUEST_SLOT = -3;

    /** This mailbox's shard. */
    int shard();

    /** Number of shards it can send to (itself included, though it cannot send to itself). */
    int shardCount();

    MailboxKind kind();

    /** The longest payload a message may carry. */
    int maxPayloadLength();

    /** Sets the handler of incoming one-way messages and requests. Before start or on the loop thread. */
    void handler(MessageHandler handler);

    /**
     * Sends a one-way message.
     *
     * @param type a message type id, at least 1, meaning whatever sender and handler agree on
     * @return {@link #SENT} or {@link #QUEUED}, or a negative failure code
     */
    int send(int target, int type, DirectBuffer payload, int offset, int length);

    /**
     * Sends a request; the target's handler answers with {@link #reply}, and {@code onResponse}
     * runs on this shard with {@code context} when the answer arrives.
     *
     * @return the correlation id (positive), or a negative failure code
     */
    long request(int target, int type, DirectBuffer payload, int offset, int length,
                 ResponseHandler onResponse, long context);

    /**
     * Answers a request received by this shard's handler.
     *
     * @param target        the request's source shard
     * @param correlationId the request's correlation id
     * @return {@link #SENT} or {@link #QUEUED}, or a negative failure code
     */
    int reply(int target, long correlationId, int type, DirectBuffer payload, int offset, int length);

    /** Forgets a pending request: its response, if one comes, is dropped. False if it was not pending. */
    boolean cancel(long correlationId);

    /** Requests sent and not yet answered or cancelled. */
    int pendingRequests();

    /** Messages held in the overflow towards this target. */
    int backlog(int target);

    /** This shard's mailbox counters, indexed by {@link MailboxStats}; readable from any thread. */
    SingleWriterCounters stats();
}
