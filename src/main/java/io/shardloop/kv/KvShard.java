package io.shardloop.kv;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.mailbox.Mailbox;
import io.shardloop.runtime.mailbox.MessageHandler;
import io.shardloop.runtime.mailbox.ResponseHandler;
import io.shardloop.runtime.shard.Shard;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One shard's access to the key-value data: it runs commands on the keys this shard owns, sends
 * commands for keys other shards own as messages over the mailbox, and answers the commands other
 * shards send it.
 * <p>
 * <b>Ownership.</b> Owned by its shard's loop thread: the keyspace, the executor, the scratch
 * buffers and the table of waiting calls are touched by that thread alone. A command for another
 * shard's keys never touches that shard's data; it is copied, as bytes, into that shard's ring.
 * <p>
 * <b>A call across shards</b>: the command is encoded ({@link CommandCodec}) into this shard's
 * scratch buffer and sent with {@link Mailbox#request}; the owner runs it and replies with the RESP
 * bytes of its answer; the {@link ReplyListener} that asked is resumed on this shard with those
 * bytes. The context of the request is the index of a pooled {@link Call}, so nothing is allocated
 * per call. A command longer than a ring message (a large value) goes through the owner's task queue
 * as a copied byte array instead, and its reply comes back the same way; so does a reply too long for
 * a ring message (GET of a large value) to a command that came over the ring.
 */
public final class KvShard implements MessageHandler, ResponseHandler {
    private static final System.Logger LOG = System.getLogger(KvShard.class.getName());
    /** Message type of a command request; the payload is {@link CommandCodec} bytes. */
    static final int MSG_COMMAND = 1;
    /** Message type of a reply; the payload is the RESP bytes of the answer. */
    static final int MSG_REPLY = 2;
    /** How often the active expiry cycle runs, and how long one may take. */
    private static final long EXPIRE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long EXPIRE_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final byte[] BUSY = "-ERR server busy: too many requests in flight between shards, try again\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    /** Counters of a service, readable from any thread. */
    public static final int KEYS = 0;
    public static final int LOCAL_COMMANDS = 1;
    public static final int REMOTE_COMMANDS_SENT = 2;
    public static final int REMOTE_COMMANDS_SERVED = 3;
    public static final int EXPIRED_KEYS = 4;
    public static final int BUSY_REPLIES = 5;
    private static final int COUNTERS = 6;

    private final KvGroup cluster;
    private final Shard shard;
    private final EventLoop loop;
    private final Mailbox mailbox;
    private final Store shared;
    private final ShardExecutor executor;
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(4096);
    private final BufferReplyWriter localReply = new BufferReplyWriter(256);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final SingleWriterCounters counters = new SingleWriterCounters(COUNTERS);
    private final EventLoop.TimerTask expireCycle = this::expireCycle;
    private Call[] calls = new Call[64];
    private int[] freeCalls = new int[64];
    private int freeCount;

    KvShard(KvGroup cluster, Shard shard, Store shared, LongSupplier clock) {
        this.cluster = cluster;
        this.shard = shard;
        this.loop = shard.loop();
        this.mailbox = shard.mailbox();
        this.shared = shared;
        this.executor = shared == null ? new ShardExecutor(new Keyspace(clock, shard.index(), cluster.shardCount())) : null;
        for (int i = calls.length - 1; i >= 0; i--) {
            calls[i] = new Call();
            freeCalls[freeCount++] = i;
        }
        if (executor != null) {
            mailbox.handler(this);
        }
        if (executor != null || shard.index() == 0) {
            loop.scheduleTimer(System.nanoTime() + EXPIRE_PERIOD_NANOS, expireCycle);
        }
    }

    /** Resumed on the asking shard with the RESP bytes of an answer. */
    public interface ReplyListener {
        void onReply(long token, int part, DirectBuffer reply, int offset, int length);
    }

    public KvGroup cluster() {
        return cluster;
    }

    public int shardIndex() {
        return shard.index();
    }

    public int shardCount() {
        return cluster.shardCount();
    }

    /** True when each shard owns its own keys (and other shards' keys are a message away). */
    public boolean sharded() {
        return executor != null;
    }

    public SingleWriterCounters counters() {
        return counters;
    }

    long publishedKeyCount() {
        return counters.get(KEYS);
    }

    /**
     * Runs a command here and now: on this shard's keys (sharded mode, when it owns them) or on
     * the shared store. The reply is complete in {@code out} when this returns.
     */
    public void executeHere(CommandArgs args, ReplySink out) {
        assert loop.inLoop();
        counters.increment(LOCAL_COMMANDS);
        if (executor != null) {
            executor.execute(args, out);
            counters.set(KEYS, executor.keyspace().size());
        } else {
            shared.execute(args, out);
        }
    }

    /** Runs a command here and returns its reply bytes, valid until the next call (for merging parts). */
    public BufferReplyWriter executeHereToBytes(CommandArgs args) {
        localReply.reset();
        executeHere(args, localReply);
        return localReply;
    }

    /** Sends a whole command to its owner; the listener hears the reply. */
    public void send(int owner, CommandArgs args, ReplyListener listener, long token, int part) {
        int length = CommandCodec.encode(args, scratch, 0);
        sendEncoded(owner, length, listener, token, part);
    }

    /** Sends group {@code g} of a split multi-key command to its owner; the listener hears the reply. */
    public void sendGroup(MultiKeySplit split, int g, CommandArgs args, ReplyListener listener, long token, int part) {
        int length = split.encodeGroup(g, args, scratch, 0);
        sendEncoded(split.shard(g), length, listener, token, part);
    }

    private void sendEncoded(int owner, int length, ReplyListener listener, long token, int part) {
        assert loop.inLoop();
        assert owner != shard.index() : "a shard runs its own commands directly";
        counters.increment(REMOTE_COMMANDS_SENT);
        int call = takeCall(listener, token, part);
        if (length > mailbox.maxPayloadLength()) {
            sendLarge(owner, length, call);
            return;
        }
        long id = mailbox.request(owner, MSG_COMMAND, scratch, 0, length, this, call);
        calls[call].requestId = id;
        if (id < 0) {
            counters.increment(BUSY_REPLIES);
            view.wrap(BUSY);
            deliver(call, view, 0, BUSY.length);
        }
    }

    /** A command too long for a ring message: copied bytes on the owner's task queue, and back. */
    private void sendLarge(int owner, int length, int call) {
        KvShard target = cluster.service(owner);
        if (target == null) {
            view.wrap(BUSY);
            deliver(call, view, 0, BUSY.length);
            return;
        }
        byte[] command = new byte[length];
        scratch.getBytes(0, command);
        target.loop.execute(() -> {
            byte[] reply = target.serveLarge(command);
            loop.execute(() -> {
                view.wrap(reply);
                deliver(call, view, 0, reply.length);
            });
        });
    }

    private byte[] serveLarge(byte[] command) {
        counters.increment(REMOTE_COMMANDS_SERVED);
        BufferReplyWriter reply = executor.executeEncoded(new UnsafeBuffer(command), 0);
        counters.set(KEYS, executor.keyspace().size());
        return reply.toByteArray();
    }

    /** A command from another shard: run it on this shard's keys and reply with the RESP bytes. */
    @Override
    public void onMessage(int type, int sourceShard, long correlationId, DirectBuffer buffer, int offset, int length) {
        if (type != MSG_COMMAND || correlationId == 0) {
            LOG.log(System.Logger.Level.WARNING, shard.name() + ": unexpected message type " + type + " from shard " + sourceShard);
            return;
        }
        counters.increment(REMOTE_COMMANDS_SERVED);
        BufferReplyWriter reply = executor.executeEncoded(buffer, offset);
        counters.set(KEYS, executor.keyspace().size());
        if (reply.length() > mailbox.maxPayloadLength()) {
            replyLarge(sourceShard, correlationId, reply.toByteArray());
            return;
        }
        int rc = mailbox.reply(sourceShard, correlationId, MSG_REPLY, reply.buffer(), 0, reply.length());
        if (rc < 0) {
            // The asking shard would wait forever: this is why the backlog bound must stay generous.
            LOG.log(System.Logger.Level.ERROR, shard.name() + ": reply to shard " + sourceShard + " lost (code " + rc + ")");
        }
    }

    /**
     * A reply too long for a ring message (GET of a large value, KEYS of many): copied bytes on the
     * asking shard's task queue. The asking shard matches it to its call by correlation id.
     */
    private void replyLarge(int sourceShard, long correlationId, byte[] reply) {
        KvShard asker = cluster.service(sourceShard);
        asker.loop.execute(() -> asker.onLargeResponse(correlationId, reply));
    }

    /** A large reply to a request sent over the mailbox: release the request's slot, then resume. */
    private void onLargeResponse(long correlationId, byte[] reply) {
        assert loop.inLoop();
        if (!mailbox.cancel(correlationId)) {
            return; // no longer waited for
        }
        // Rare and already O(reply length): a scan of the calls in flight costs less than the copy.
        for (int i = 0; i < calls.length; i++) {
            if (calls[i].listener != null && calls[i].requestId == correlationId) {
                view.wrap(reply);
                deliver(i, view, 0, reply.length);
                return;
            }
        }
        LOG.log(System.Logger.Level.ERROR, shard.name() + ": large reply for unknown request " + correlationId);
    }

    /** The reply of a command sent by this shard: resume whoever waits for it. */
    @Override
    public void onResponse(long context, int type, DirectBuffer buffer, int offset, int length) {
        deliver((int) context, buffer, offset, length);
    }

    private void deliver(int callIndex, DirectBuffer reply, int offset, int length) {
        Call call = calls[callIndex];
        ReplyListener listener = call.listener;
        long token = call.token;
        int part = call.part;
        releaseCall(callIndex);
        listener.onReply(token, part, reply, offset, length);
    }

    private int takeCall(ReplyListener listener, long token, int part) {
        if (freeCount == 0) {
            int old = calls.length;
            Call[] grown = new Call[old * 2];
            System.arraycopy(calls, 0, grown, 0, old);
            int[] free = new int[old * 2];
            for (int i = grown.length - 1; i >= old; i--) {
                grown[i] = new Call();
                free[freeCount++] = i;
            }
            calls = grown;
            freeCalls = free;
        }
        int index = freeCalls[--freeCount];
        Call call = calls[index];
        call.listener = listener;
        call.token = token;
        call.part = part;
        call.requestId = 0;
        return index;
    }

    private void releaseCall(int index) {
        calls[index].listener = null;
        freeCalls[freeCount++] = index;
    }

    private void expireCycle(long now) {
        int expired = executor != null ? executor.keyspace().expireCycle(EXPIRE_BUDGET_NANOS)
                : shared.expireCycle(EXPIRE_BUDGET_NANOS);
        if (expired > 0) {
            counters.add(EXPIRED_KEYS, expired);
            if (executor != null) {
                counters.set(KEYS, executor.keyspace().size());
            }
        }
        loop.scheduleTimer(System.nanoTime() + EXPIRE_PERIOD_NANOS, expireCycle);
    }

    /** Who waits for a reply: pooled, reused for call after call. */
    private static final class Call {
        ReplyListener listener;
        long token;
        int part;
        /** The mailbox's correlation id of the request, 0 when it went another way. */
        long requestId;
    }
}
