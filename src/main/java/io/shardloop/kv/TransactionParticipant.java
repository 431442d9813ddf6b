package io.shardloop.kv;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.persist.AppendLog;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.runtime.mailbox.Mailbox;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One shard's side of transactions, whoever coordinates them ({@link ShardTransactions}): it
 * takes the intent locks of a transaction's part here and answers when they are granted (after
 * checking the watched keys it owns, and with the values of its keys when the transaction gathers
 * them), runs the part or applies the changes the coordinator sends back, and lets go. It also
 * runs the transactions whose keys all live here ({@link ShardTransactions#MSG_BATCH}, and this
 * shard's own), and the plain commands that must wait for a transaction's locks
 * ({@link #runWhenFree}).
 * <p>
 * <b>On disk.</b> A part that is one of several that write is logged as a tagged record
 * ({@link AppendLog#beginPart}). Every answer leaves once what it tells of is durable
 * ({@link AppendLog#afterDurable}: under appendfsync always, synced, and after no unsettled part).
 * <p>
 * Single-threaded: owned by the shard's loop thread.
 */
final class TransactionParticipant {
    static final byte GRANTED = 0;
    static final byte RETRY = 1;
    static final byte WATCH_CHANGED = 2;
    static final int OVER_EVERYTHING = 1;
    static final int FETCH = 2;

    private final KvGroup group;
    private final Mailbox mailbox;
    private final ShardExecutor executor;
    private final KeyLocks locks;
    private final SingleWriterCounters counters;
    /** Told who writes while a part runs: the writer each part carries, for NOLOOP. */
    private final TrackingShard tracking;
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(1024);
    private final CommandArgs decoded = new CommandArgs();
    private final BufferReplyWriter reply = new BufferReplyWriter(256);
    /** Parts of other shards' transactions held here, by id. */
    private final Map<Long, Participation> participating = new HashMap<>();
    /**
     * Publishes this shard's database sizes (INFO keyspace, DBSIZE's parts): run before an answer
     * leaves, so that whoever learns of the writes reads sizes that count them.
     */
    private final Runnable publishSizes;

    TransactionParticipant(KvGroup group, Mailbox mailbox, ShardExecutor executor, KeyLocks locks,
                           SingleWriterCounters counters, TrackingShard tracking, Runnable publishSizes) {
        this.group = group;
        this.publishSizes = publishSizes;
        this.tracking = tracking;
        this.mailbox = mailbox;
        this.executor = executor;
        this.locks = locks;
        this.counters = counters;
    }

    /** A part of another shard's transaction, held here between the two hops. */
    private static final class Participation {
        final int source;
        final long correlationId;
        final List<Key> watched;
        final long[] codes;
        /** The keys ({@link DbKeys}: with their databases) whose values the coordinator gathers, or null when it does not. */
        final Key[] fetch;
        KeyLocks.Entry entry;

        Participation(int source, long correlationId, List<Key> watched, long[] codes, Key[] fetch) {
            this.source = source;
            this.correlationId = correlationId;
            this.watched = watched;
            this.codes = codes;
            this.fetch = fetch;
        }
    }

    /** The messages of the transactions other shards coordinate; false for a type that is not one. */
    boolean onMessage(int type, int source, long correlationId, DirectBuffer buffer, int offset) {
        switch (type) {
            case ShardTransactions.MSG_BATCH -> onBatch(source, correlationId, buffer, offset);
            case ShardTransactions.MSG_SCHEDULE -> onSchedule(source, correlationId, buffer, offset);
            case ShardTransactions.MSG_RUN -> onRun(source, buffer, offset);
            case ShardTransactions.MSG_ABORT -> {
                Participation p = participating.remove(buffer.getLong(offset));
                if (p != null && p.entry != null) {
                    locks.release(p.entry);
                }
                if (buffer.getByte(offset + 8) == 1) {
                    List<Key> keys = new ArrayList<>();
                    readKeys(buffer, offset + 9, keys);
                    unwatch(keys);
                }
            }
            case ShardTransactions.MSG_APPLY -> {
                long id = buffer.getLong(offset);
                Participation p = participating.remove(id);
                if (p == null) {
                    throw new IllegalStateException("changes to apply for no transaction here: " + id);
                }
                int parts = buffer.getInt(offset + 16);
                int index = buffer.getInt(offset + 20);
                List<Key> unwatch = new ArrayList<>();
                int at = readKeys(buffer, offset + 24, unwatch);
                int count = buffer.getInt(at);
                at += 4;
                tracking.writer(buffer.getLong(offset + 8));
                openPart(id, parts);
                try {
                    for (int j = 0; j < count; j++) {
                        at = GatheredKeys.apply(executor.keyspace(), buffer, at);
                    }
                } finally {
                    executor.endRecord();
                    tracking.writer(TrackingShard.NO_CLIENT);
                }
                unwatch(unwatch);
                locks.release(p.entry);
                // The coordinator's reply waits until the changes are in (and settled, under always).
                message.putLong(0, id);
                message.putInt(8, index);
                sendWhenDurable(source, ShardTransactions.MSG_APPLIED, 12);
            }
            case ShardTransactions.MSG_UNWATCH -> {
                List<Key> keys = new ArrayList<>();
                readKeys(buffer, offset, keys);
                unwatch(keys);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void onSchedule(int source, long correlationId, DirectBuffer buffer, int offset) {
        long id = buffer.getLong(offset);
        int flags = buffer.getByte(offset + 8);
        boolean everything = (flags & OVER_EVERYTHING) != 0;
        int at = offset + 9;
        int n = buffer.getInt(at);
        at += 4;
        Key[] keys = new Key[n];
        Key[] named = new Key[n];
        boolean[] writes = new boolean[n];
        for (int i = 0; i < n; i++) {
            writes[i] = buffer.getByte(at) == 1;
            int len = buffer.getInt(at + 1);
            byte[] k = new byte[len];
            buffer.getBytes(at + 5, k);
            named[i] = Key.wrap(k); // with its database (DbKeys); the locks know the key alone
            keys[i] = DbKeys.name(named[i]);
            at += 5 + len;
        }
        int w = buffer.getInt(at);
        at += 4;
        List<Key> watched = new ArrayList<>(w);
        long[] codes = new long[w];
        for (int i = 0; i < w; i++) {
            codes[i] = buffer.getLong(at);
            int len = buffer.getInt(at + 8);
            byte[] k = new byte[len];
            buffer.getBytes(at + 12, k);
            watched.add(Key.wrap(k));
            at += 12 + len;
        }
        Participation p = new Participation(source, correlationId, watched, codes, (flags & FETCH) != 0 ? named : null);
        p.entry = new KeyLocks.Entry(id, keys, writes, everything, () -> answerSchedule(p));
        int r = locks.acquire(p.entry);
        if (r == KeyLocks.RETRY) {
            answer(source, correlationId, RETRY);
            return;
        }
        participating.put(id, p);
        if (r == KeyLocks.GRANTED) {
            answerSchedule(p);
        }
    }

    private void answerSchedule(Participation p) {
        boolean hold = true;
        for (int i = 0; i < p.watched.size(); i++) {
            hold &= codeOf(p.watched.get(i)) == p.codes[i];
        }
        if (hold && p.fetch != null) {
            message.putByte(0, GRANTED);
            int end = fetch(java.util.Arrays.asList(p.fetch), 1);
            mailbox.reply(p.source, p.correlationId, KvShard.MSG_REPLY, message, 0, end);
            return;
        }
        answer(p.source, p.correlationId, hold ? GRANTED : WATCH_CHANGED);
    }

    private void answer(int source, long correlationId, byte status) {
        message.putByte(0, status);
        mailbox.reply(source, correlationId, KvShard.MSG_REPLY, message, 0, 1);
    }

    private void onRun(int source, DirectBuffer buffer, int offset) {
        long id = buffer.getLong(offset);
        int protocol = buffer.getByte(offset + 8);
        Participation p = participating.remove(id);
        if (p == null) {
            throw new IllegalStateException("a part to run for no transaction here: " + id);
        }
        int index = buffer.getInt(offset + 9);
        long writer = buffer.getLong(offset + 13);
        int parts = buffer.getInt(offset + 21);
        List<Key> unwatch = new ArrayList<>();
        int at = readKeys(buffer, offset + 25, unwatch);
        int count = buffer.getInt(at);
        runPart(buffer, at + 4, count, protocol, writer, id, parts);
        unwatch(unwatch);
        // The answer: the id, the part's index at the coordinator, the count, the replies back to back.
        message.putLong(0, id);
        message.putInt(8, index);
        message.putInt(12, count);
        message.putBytes(16, reply.buffer(), 0, reply.length());
        sendWhenDurable(source, ShardTransactions.MSG_RESULT, 16 + reply.length());
        locks.release(p.entry);
    }

    /**
     * Runs {@code count} encoded commands of a part on this shard's keys, as {@code writer}'s; their
     * replies back to back in the writer returned. The part is logged as transaction
     * {@code transaction}'s, one of {@code parts} (0: an ordinary record, {@link #openPart}).
     */
    BufferReplyWriter runPart(DirectBuffer commands, int offset, int count, int protocol, long writer,
                              long transaction, int parts) {
        reply.reset();
        reply.protocol(protocol);
        int at = offset;
        long before = tracking.writer();
        tracking.writer(writer);
        openPart(transaction, parts);
        try {
            for (int j = 0; j < count; j++) {
                CommandCodec.decode(commands, at, decoded);
                at += CommandCodec.encodedLength(decoded);
                executor.execute(decoded, reply);
            }
        } finally {
            executor.endRecord();
            tracking.writer(before);
        }
        return reply;
    }

    private void onBatch(int source, long correlationId, DirectBuffer buffer, int offset) {
        int protocol = buffer.getByte(offset);
        Transaction tx = Transaction.batch(buffer.getByte(offset + 1) == 1);
        long writer = buffer.getLong(offset + 2);
        int watched = buffer.getInt(offset + 10);
        int at = offset + 14;
        for (int i = 0; i < watched; i++) {
            long code = buffer.getLong(at);
            int len = buffer.getInt(at + 8);
            byte[] k = new byte[len];
            buffer.getBytes(at + 12, k);
            tx.watch(Key.wrap(k), code);
            at += 12 + len;
        }
        int count = buffer.getInt(at);
        at += 4;
        for (int i = 0; i < count; i++) {
            CommandCodec.decode(buffer, at, decoded);
            at += CommandCodec.encodedLength(decoded);
            tx.add(CommandTable.find(decoded), decoded);
        }
        runWhenFree(tx, protocol, writer, r -> mailbox.reply(source, correlationId, KvShard.MSG_REPLY, r.buffer(), 0, r.length()));
    }

    /**
     * Runs a transaction whose keys all live here, now or, when a transaction over several shards
     * holds or waits for one of them, once they are free; {@code deliver} gets the reply.
     */
    void runWhenFree(Transaction tx, int protocol, long writer, Consumer<BufferReplyWriter> deliver) {
        if (!blocks(tx)) {
            whenDurable(deliver, runHere(tx, protocol, writer));
            return;
        }
        counters.increment(KvShard.LOCK_WAITS);
        KeyLocks.Entry[] entry = new KeyLocks.Entry[1];
        entry[0] = entryFor(tx, group.nextTransactionId(), () -> {
            whenDurable(deliver, runHere(tx, protocol, writer));
            locks.release(entry[0]);
        });
        if (locks.acquire(entry[0]) == KeyLocks.GRANTED) {
            entry[0].onGrant.run();
        }
    }

    /**
     * Gives the reply to {@code deliver} once what the log holds now is durable (appendfsync always,
     * {@link ReplyHold}), else at once.
     */
    private void whenDurable(Consumer<BufferReplyWriter> deliver, BufferReplyWriter r) {
        publishSizes.run();
        ReplyHold replies = executor.replies();
        if (!replies.holds()) {
            deliver.accept(r);
            return;
        }
        BufferReplyWriter copy = new BufferReplyWriter(r.length());
        copy.raw(r.buffer().byteArray(), 0, r.length());
        replies.afterDurable(() -> deliver.accept(copy));
    }

    /**
     * Opens the record of transaction {@code transaction}'s part here: an ordinary one when
     * {@code parts} is 0 (no other shard logs a part), else tagged as one of {@code parts}.
     */
    void openPart(long transaction, int parts) {
        AppendLog log = executor.log();
        if (log == null || parts == 0) {
            executor.beginRecord();
            return;
        }
        log.beginPart(transaction, parts);
    }

    /** Sends {@code message[0, length)} one way once what it tells of is durable ({@link ReplyHold#afterDurable}). */
    private void sendWhenDurable(int target, int type, int length) {
        publishSizes.run();
        ReplyHold replies = executor.replies();
        if (!replies.holds()) {
            sendAlways(target, type, message, length);
            return;
        }
        byte[] held = new byte[length];
        message.getBytes(0, held);
        replies.afterDurable(() -> sendAlways(target, type, new UnsafeBuffer(held), length));
    }

    /** Whether a transaction of this shard's keys must wait for the locks of one over several shards. */
    boolean blocks(Transaction tx) {
        if (locks.isEmpty()) {
            return false;
        }
        for (int i = 0; i < tx.size(); i++) {
            if (locks.blocks(tx.command(i), tx.args(i))) {
                return true;
            }
        }
        return false;
    }

    private BufferReplyWriter runHere(Transaction tx, int protocol, long writer) {
        reply.reset();
        reply.protocol(protocol);
        long before = tracking.writer();
        tracking.writer(writer);
        executor.beginRecord();
        try {
            tx.runOn(k -> executor.keyspace(), executor::execute, reply);
        } finally {
            executor.endRecord();
            tracking.writer(before);
        }
        return reply;
    }

    private static KeyLocks.Entry entryFor(Transaction tx, long id, Runnable onGrant) {
        List<Key> keys = new ArrayList<>();
        List<Boolean> writes = new ArrayList<>();
        boolean everything = false;
        for (int i = 0; i < tx.size(); i++) {
            KeyLocks.Entry e = KeyLocks.entryFor(tx.command(i), tx.args(i), 0, null);
            everything |= e.everything;
            for (int k = 0; k < e.keys.length; k++) {
                keys.add(e.keys[k]);
                writes.add(e.writes[k]);
            }
        }
        boolean[] w = new boolean[writes.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = writes.get(i);
        }
        return new KeyLocks.Entry(id, keys.toArray(new Key[0]), w, everything, onGrant);
    }

    /** The code now of a watch ({@link DbKeys}) of this shard. */
    private long codeOf(Key watch) {
        Keyspace ks = executor.keyspace(DbKeys.db(watch));
        Key k = DbKeys.name(watch);
        return ks.watches().code(k, ks.get(k) != null);
    }

    boolean watchesHold(TransactionParts.ShardPart part) {
        for (int i = 0; i < part.watched.size(); i++) {
            if (codeOf(part.watched.get(i)) != part.codes[i]) {
                return false;
            }
        }
        return true;
    }

    /** Drops one watcher of each of these watches ({@link DbKeys}) of this shard. */
    void unwatch(List<Key> watches) {
        for (Key w : watches) {
            executor.keyspace(DbKeys.db(w)).watches().unwatch(DbKeys.name(w));
        }
    }

    /** Writes the keys as this shard holds them ({@link GatheredKeys#write}), each once, at {@code at}; returns the end. */
    private int fetch(List<Key> keys, int at) {
        java.util.Set<Key> seen = new java.util.HashSet<>();
        for (Key k : keys) {
            if (seen.add(k)) {
                at = GatheredKeys.write(executor.keyspace(), k, message, at);
            }
        }
        return at;
    }

    /** The keys as this shard holds them now ({@link GatheredKeys#write}), each once, as a copy. */
    byte[] fetchCopy(List<Key> keys) {
        int end = fetch(keys, 0);
        byte[] copy = new byte[end];
        message.getBytes(0, copy);
        return copy;
    }

    /** Writes a count and the keys at {@code at}; returns the end. */
    static int writeKeys(MutableDirectBuffer dst, List<Key> keys, int at) {
        dst.putInt(at, keys.size());
        at += 4;
        for (Key k : keys) {
            dst.putInt(at, k.length());
            dst.putBytes(at + 4, k.array(), k.offset(), k.length());
            at += 4 + k.length();
        }
        return at;
    }

    /** Reads keys written by {@link #writeKeys} into {@code into}; returns the end. */
    static int readKeys(DirectBuffer buffer, int at, List<Key> into) {
        int n = buffer.getInt(at);
        at += 4;
        for (int i = 0; i < n; i++) {
            int len = buffer.getInt(at);
            byte[] k = new byte[len];
            buffer.getBytes(at + 4, k);
            into.add(Key.wrap(k));
            at += 4 + len;
        }
        return at;
    }

    /** Sends a one-way transaction message; never refused (see {@link Mailbox#sendAlways}). */
    void sendAlways(int target, int type, MutableDirectBuffer payload, int length) {
        if (mailbox.sendAlways(target, type, payload, 0, length) < 0) {
            throw new IllegalStateException("a transaction's message to shard " + target + " was refused");
        }
    }
}
