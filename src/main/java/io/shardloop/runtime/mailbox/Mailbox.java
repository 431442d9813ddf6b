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
 * tests and benchmarks do). Nothing here is shared with other threads except the bytes in the rings
 * (and, for payloads too long for a ring record, the copied bytes of the pair's lane).
 * <p>
 * <b>Messages are bytes.</b> {@code send}, {@code request} and {@code reply} copy the payload; the
 * target's {@link MessageHandler} reads it in place and must not keep the buffer past the call. A
 * payload longer than {@link #maxPayloadLength()} still goes in order, as a handle in the ring and
 * its bytes beside it.
 * <p>
 * <b>Wake-ups.</b> On the loop thread, the targets written during a turn are woken once each at
 * the end of that turn; off the loop thread each send wakes its target at once.
 * <p>
 * <b>Flow control: a reply is never lost.</b>
 * <ul>
 *   <li>A request takes credit towards its target: one of {@link MailboxConfig#credits()} requests
 *       in flight and its length out of {@link MailboxConfig#creditBytes()}; it returns when the
 *       response arrives. Without credit {@link #request} refuses with {@link #NO_CREDIT} and sends
 *       nothing; the {@link CreditListener} hears when credit returns. Callers hold the work back
 *       (backpressure), they never drop it.</li>
 *   <li>A response always goes: into the asker's ring, or, while that ring is full, into this
 *       shard's ordered overflow towards it, retried every turn.</li>
 *   <li>While more than {@link MailboxConfig#replyBacklogBytes()} of responses wait for an asker's
 *       ring, the requests that asker sends are parked here, in order, and run once the responses
 *       drain: what waits is bounded by the asker's credit, never by luck.</li>
 *   <li>A one-way message that finds the ring full joins the same overflow; past
 *       {@link MailboxConfig#maxBacklogBytes()} of backlog towards a target it is refused with
 *       {@link #BACKLOG_FULL}.</li>
 * </ul>
 * <pre>{@code
 * long id = mailbox.request(target, TYPE_GET, scratch, 0, length, this, context);
 * if (id == Mailbox.NO_CREDIT) { ... hold the work, stop reading its client, retry onCredit ... }
 * }</pre>
 */
public interface Mailbox extends EventLoop.WorkSource {
    /** Written into the target's ring. */
    int SENT = 1;
    /** Held in this shard's ordered overflow; delivered on a later turn. */
    int QUEUED = 2;
    /** A one-way message not sent: the overflow towards that target is at its bound. */
    int BACKLOG_FULL = -1;
    /** A request not sent: no credit towards that target now (see {@link CreditListener}). */
    int NO_CREDIT = -3;

    /** This mailbox's shard. */
    int shard();

    /** Number of shards it can send to (itself included, though it cannot send to itself). */
    int shardCount();

    MailboxKind kind();

    /** The longest payload carried inside a ring record; longer ones travel beside the ring. */
    int maxPayloadLength();

    /** Sets the handler of incoming one-way messages and requests. Before start or on the loop thread. */
    void handler(MessageHandler handler);

    /** Sets who hears that credit returned to a target. Before start or on the loop thread. */
    void creditListener(CreditListener listener);

    /**
     * Sends a one-way message.
     *
     * @param type a message type id, at least 1, meaning whatever sender and handler agree on
     * @return {@link #SENT} or {@link #QUEUED}, or {@link #BACKLOG_FULL}
     */
    int send(int target, int type, DirectBuffer payload, int offset, int length);

    /**
     * Sends a one-way message that is never refused: past the backlog bound it still joins the
     * overflow. For protocols that bound their own messages (a transaction's second hop, sent while
     * it holds locks that others wait for, must not wait for anything).
     *
     * @return {@link #SENT} or {@link #QUEUED}
     */
    int sendAlways(int target, int type, DirectBuffer payload, int offset, int length);

    /** Whether a request of this payload length to the target would be given credit now. */
    boolean hasCredit(int target, int length);

    /** Asks the {@link CreditListener} to be told when credit to the target next returns. */
    void awaitCredit(int target);

    /**
     * Sends a request; the target's handler answers with {@link #reply}, and {@code onResponse}
     * runs on this shard with {@code context} when the answer arrives.
     *
     * @return the correlation id (positive), or {@link #NO_CREDIT}
     */
    long request(int target, int type, DirectBuffer payload, int offset, int length,
                 ResponseHandler onResponse, long context);

    /**
     * Answers a request received by this shard's handler. Never refused.
     *
     * @param target        the request's source shard
     * @param correlationId the request's correlation id
     * @return {@link #SENT} or {@link #QUEUED}
     */
    int reply(int target, long correlationId, int type, DirectBuffer payload, int offset, int length);

    /**
     * Forgets a pending request's continuation: its response, when it comes, is dropped (and its
     * credit returns then). False if it was not pending or already cancelled.
     */
    boolean cancel(long correlationId);

    /** Requests sent and not yet answered (cancelled ones included). */
    int pendingRequests();

    /** Requests in flight to this target. */
    int inFlight(int target);

    /** Messages held in the overflow towards this target. */
    int backlog(int target);

    /** Requests received from this source and parked until the responses to it drain. */
    int parked(int source);

    /** This shard's mailbox counters, indexed by {@link MailboxStats}; readable from any thread. */
    SingleWriterCounters stats();
}
