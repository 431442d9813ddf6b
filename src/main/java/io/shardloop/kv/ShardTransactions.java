package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplyReader;
import io.shardloop.runtime.mailbox.Mailbox;
import io.shardloop.runtime.mailbox.ResponseHandler;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Transactions on one shard of the sharded mode: it coordinates those of this shard's clients; its
 * {@link TransactionParticipant} takes part in every transaction that touches this shard's keys. A transaction is a MULTI/EXEC, or one command over
 * keys of several shards (MSET, MGET, DEL, FLUSHALL...): {@link Transaction}.
 * <p>
 * <b>One shard, no id.</b> A transaction whose keys (watched ones included) all live on one shard
 * runs there whole, in one turn of that loop, as one message when that shard is another
 * ({@link #MSG_BATCH}). It waits only if a transaction over several shards holds one of its keys.
 * <p>
 * <b>Several shards, two hops.</b> The coordinator draws an id ({@link KvGroup#nextTransactionId})
 * and asks every shard it touches to take intent locks on its keys there ({@link #MSG_SCHEDULE},
 * {@link KeyLocks}); a shard answers when they are granted, after checking the watched keys it owns.
 * When every shard has answered granted, the coordinator sends each its part: the commands, or
 * the pieces of split commands, that belong to it, in order ({@link #MSG_RUN}); each runs them,
 * lets go of its locks and answers the replies ({@link #MSG_RESULT}), which the coordinator merges
 * per command. A shard that had to refuse (a conflicting transaction with a larger id holds its
 * keys) answers retry: the coordinator lets go everywhere ({@link #MSG_ABORT}) and starts again with
 * a new id; a watched key that changed ends the transaction with a null array. Between the two hops
 * the keys are held, so no command sees half a transaction, and every shard runs conflicting
 * transactions in one global order.
 * <p>
 * <b>On disk</b> (appendonly yes). When several parts may write, each is logged on its shard as a
 * record tagged with the transaction's id and the number of such parts, so that the loader keeps
 * a part only with all its partners ({@link io.shardloop.persist.TransactionCut}); a gathered
 * transaction tags the changes it applies on each of several owners. Under appendfsync always the
 * reply waits until no crash can take the transaction back: each part's answer (MSG_RESULT,
 * MSG_APPLIED) leaves once the part is settled ({@link Settlement}: on disk, and kept by the cut of
 * every crash to come), and so does every other reply made on that shard after it; the reply
 * leaves once every part has answered and this shard's log is durable. Settling waits only for
 * syncs, never for a reply, so two transactions logged in opposite orders on two shards never
 * wait for each other.
 * <p>
 * <b>Credit.</b> Only the first hop is a request (it takes mailbox credit, checked by the caller
 * before anything starts); the second hop and its answer are one-way messages, so a transaction
 * that holds locks never waits for credit, which other commands waiting on those locks could hold.
 * <p>
 * <b>Plain commands</b> over a key a transaction holds or waits for wait in the same line
 * ({@link #runWhenFree}): this shard's own, and those other shards send.
 * <p>
 * <b>The writer.</b> Every part carries the client whose command it is when its NOLOOP must be
 * known ({@link TrackingShard#writer}; else {@link TrackingShard#NO_CLIENT}), so that the shards
 * where it writes do not tell that client of its own writes.
 * <p>
 * Single-threaded: owned by the shard's loop thread.
 */
final class ShardTransactions implements ResponseHandler {
    /** Request: a whole transaction for the one shard that owns its keys; answered with its reply. */
    static final int MSG_BATCH = 4;
    /** Request: take a transaction's intent locks here; answered (with a status byte) once granted. */
    static final int MSG_SCHEDULE = 5;
    /** One-way: run the transaction's part here, let go, and answer with {@link #MSG_RESULT}. */
    static final int MSG_RUN = 6;
    /** One-way: the replies of a part, to its coordinator. */
    static final int MSG_RESULT = 7;
    /** One-way: let go of a transaction's locks here, and of its watches if it is over. */
    static final int MSG_ABORT = 8;
    /** One-way: drop watches (UNWATCH, DISCARD, a client gone). */
    static final int MSG_UNWATCH = 9;
    /** One-way: a gathered transaction's changes to this shard's keys; apply them, let go and answer {@link #MSG_APPLIED}. */
    static final int MSG_APPLY = 10;
    /**
     * One-way: a gathered transaction's changes are applied (and settled, under appendfsync always),
     * to its coordinator, whose reply waits for every one: whoever learns of the transaction, on any
     * shard and by any path (INFO's key counts among them), finds its changes there.
     */
    static final int MSG_APPLIED = 11;

    private static final byte GRANTED = TransactionParticipant.GRANTED;
    private static final byte RETRY = TransactionParticipant.RETRY;
    private static final byte WATCH_CHANGED = TransactionParticipant.WATCH_CHANGED;

    private final KvShard kv;
    private final io.shardloop.metrics.SingleWriterCounters counters;
    private final KvGroup group;
    private final int here;
    private final int shardCount;
    private final Mailbox mailbox;
    private final ShardExecutor executor;
    private final KeyLocks locks;
    private final TrackingShard tracking;
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(1024);
    /** Settles the parts of transactions over several shards logged here; null without a log or with one shard. */
    private Settlement settlement;
    private final BufferReplyWriter reply = new BufferReplyWriter(256);
    private final TransactionParticipant participant;
    private final ReplyMerger merger = new ReplyMerger();
    /** Transactions this shard coordinates, by their current id. */
    private final Map<Long, Coordination> coordinating = new HashMap<>();

    ShardTransactions(KvShard kv, int here, Mailbox mailbox, ShardExecutor executor, KeyLocks locks,
                      io.shardloop.metrics.SingleWriterCounters counters, TrackingShard tracking) {
        this.counters = counters;
        this.tracking = tracking;
        this.kv = kv;
        this.group = kv.group();
        this.here = here;
        this.shardCount = group.shardCount();
        this.mailbox = mailbox;
        this.executor = executor;
        this.locks = locks;
        this.participant = new TransactionParticipant(group, mailbox, executor, locks, counters, tracking, kv::publishSizes);
        io.shardloop.persist.AppendLog log = executor.log();
        this.settlement = log == null || shardCount < 2 ? null : new Settlement(here, shardCount, mailbox, log, 0);
    }

    /**
     * The shard's log was turned on or off while serving, while a round held every shard's keys (so
     * no transaction over several shards is between its hops anywhere): from now on its parts are
     * settled by a settlement of that epoch ({@link Settlement}), or not at all (null: the messages
     * of the one before are dropped as they come).
     */
    void log(io.shardloop.persist.AppendLog log, long epoch) {
        settlement = log == null || shardCount < 2 ? null : new Settlement(here, shardCount, mailbox, log, epoch);
    }

    /** This shard's side of every transaction, its own included. */
    TransactionParticipant participant() {
        return participant;
    }

    /**
     * The transaction messages other shards send: the answers to this shard's transactions, and
     * the parts of theirs. False for a type that is not one.
     */
    boolean onMessage(int type, int source, long correlationId, DirectBuffer buffer, int offset, int length) {
        if (settlement != null ? settlement.onMessage(type, source, buffer, offset)
                : type >= Settlement.MSG_WANTED && type <= Settlement.MSG_SETTLED) { // a log turned off
            return true;
        }
        if (type != MSG_RESULT && type != MSG_APPLIED) {
            return participant.onMessage(type, source, correlationId, buffer, offset);
        }
        long id = buffer.getLong(offset);
        Coordination co = coordinating.get(id);
        if (co == null) {
            throw new IllegalStateException("an answer (message " + type + ") for no transaction: " + id);
        }
        if (type == MSG_RESULT) {
            onResult(co, buffer.getInt(offset + 8), buffer, offset + 16, length - 16, buffer.getInt(offset + 12));
        } else {
            onApplied(co, buffer.getInt(offset + 8));
        }
        return true;
    }

    // ---- planning -------------------------------------------------------------------------------

    /**
     * The transaction cut into its parts per shard (once; kept in the transaction while it waits
     * for credit), with the shards it touches marked.
     */
    TransactionParts prepare(Transaction tx) {
        if (tx.prepared == null) {
            tx.prepared = TransactionParts.of(tx, here, shardCount, group.databases());
        }
        return tx.prepared;
    }

    // ---- the coordinator --------------------------------------------------------------------------

    /**
     * One transaction over several shards that this shard coordinates. When it must start again
     * and a shard has no credit for its first hop, it waits in the line of the others.
     */
    private final class Coordination implements KvShard.CreditWaiter {
        final TransactionParts prepared;
        final Consumer<BufferReplyWriter> deliver;
        final int protocol;
        /** The client whose command it is, for NOLOOP; {@link TrackingShard#NO_CLIENT} when none needs it. */
        final long writer;
        long id;
        int awaiting;
        boolean retry;
        boolean changed;
        final byte[] status;
        final byte[][] results;
        final int[][] resultStart;
        final int[][] resultLength;
        KeyLocks.Entry localEntry;
        /** The values each shard sent, in a gathered transaction ({@link GatheredKeys#write}, one after another). */
        final byte[][] fetched;
        /** Per part: the part count its record is tagged with, 0 when it is not tagged. */
        final int[] tags;
        /** The reply, kept while it waits for the disk. */
        BufferReplyWriter reply;

        Coordination(TransactionParts prepared, int protocol, long writer, Consumer<BufferReplyWriter> deliver) {
            this.prepared = prepared;
            this.protocol = protocol;
            this.writer = writer;
            this.deliver = deliver;
            int n = prepared.parts.size();
            this.status = new byte[n];
            this.results = new byte[n][];
            this.resultStart = new int[n][];
            this.resultLength = new int[n][];
            this.fetched = new byte[n][];
            this.tags = new int[n];
            this.plan.spread(prepared.touched);
        }

        final Plan plan = new Plan();

        @Override
        public Plan heldPlan() {
            return plan;
        }

        @Override
        public void onCanSubmit() {
            schedule(this);
        }
    }

    /**
     * Runs a transaction whose parts touch several shards; {@code deliver} gets its reply on this
     * shard's loop. Credit for the first hop to every shard it touches was checked by the caller.
     */
    void coordinate(TransactionParts prepared, int protocol, long writer, Consumer<BufferReplyWriter> deliver) {
        counters.increment(KvShard.TRANSACTIONS);
        schedule(new Coordination(prepared, protocol, writer, deliver));
    }

    private void schedule(Coordination co) {
        int firstHop = co.prepared.scheduleLength();
        if (!kv.hasCredit(co.plan, firstHop)) {
            kv.awaitCredit(co, firstHop); // starting again after others took the credit its answers returned
            return;
        }
        co.id = group.nextTransactionId();
        co.awaiting = co.prepared.parts.size();
        co.retry = false;
        co.changed = false;
        coordinating.put(co.id, co);
        for (int n = 0; n < co.prepared.parts.size(); n++) {
            TransactionParts.ShardPart part = co.prepared.parts.get(n);
            if (part.shard == here) {
                int index = n;
                co.localEntry = part.entry(co.id, () -> onLocalGrant(co, index, part));
                int r = locks.acquire(co.localEntry);
                if (r == KeyLocks.GRANTED) {
                    onLocalGrant(co, n, part);
                } else if (r == KeyLocks.RETRY) {
                    co.localEntry = null;
                    onScheduled(co, n, RETRY);
                }
            } else {
                int length = encodeSchedule(co.id, part, co.prepared.gathered);
                long sent = mailbox.request(part.shard, MSG_SCHEDULE, message, 0, length, this, co.id * shardCount + n);
                if (sent < 0) {
                    throw new IllegalStateException("no credit towards shard " + part.shard + " after it was checked");
                }
            }
        }
    }

    private void onLocalGrant(Coordination co, int n, TransactionParts.ShardPart part) {
        boolean hold = participant.watchesHold(part);
        if (hold && co.prepared.gathered) {
            co.fetched[n] = participant.fetchCopy(part.named);
        }
        onScheduled(co, n, hold ? GRANTED : WATCH_CHANGED);
    }

    /** A participant's answer to the first hop. */
    @Override
    public void onResponse(long context, int type, DirectBuffer buffer, int offset, int length) {
        Coordination co = coordinating.get(context / shardCount);
        if (co == null) {
            throw new IllegalStateException("an answer for no transaction: " + context);
        }
        int n = (int) (context % shardCount);
        byte status = buffer.getByte(offset);
        if (status == GRANTED && co.prepared.gathered) {
            co.fetched[n] = new byte[length - 1];
            buffer.getBytes(offset + 1, co.fetched[n]);
        }
        onScheduled(co, n, status);
    }

    private void onScheduled(Coordination co, int index, byte status) {
        co.status[index] = status;
        co.retry |= status == RETRY;
        co.changed |= status == WATCH_CHANGED;
        if (--co.awaiting > 0) {
            return;
        }
        if (co.changed || co.retry) {
            boolean over = co.changed;
            for (int n = 0; n < co.prepared.parts.size(); n++) {
                abort(co, n, over);
            }
            coordinating.remove(co.id);
            if (over) {
                reply.reset();
                reply.protocol(co.protocol);
                reply.nullArray();
                co.deliver.accept(reply);
            } else {
                counters.increment(KvShard.TRANSACTION_RETRIES);
                schedule(co); // a new id, larger than any in any line
            }
            return;
        }
        if (co.prepared.gathered) {
            runGathered(co);
            return;
        }
        co.awaiting = co.prepared.parts.size();
        int writing = co.prepared.writingParts();
        for (int n = 0; n < co.prepared.parts.size(); n++) {
            co.tags[n] = writing > 1 && co.prepared.parts.get(n).mayWrite ? writing : 0;
        }
        for (int n = 0; n < co.prepared.parts.size(); n++) {
            TransactionParts.ShardPart part = co.prepared.parts.get(n);
            if (part.shard == here) {
                BufferReplyWriter replies = participant.runPart(part.commands, 0, part.count, co.protocol, co.writer,
                        co.id, co.tags[n]);
                participant.unwatch(part.watched);
                KeyLocks.Entry e = co.localEntry;
                co.localEntry = null;
                resultHere(co, n, replies, part.count);
                locks.release(e);
            } else {
                int length = encodeRun(co.id, co.protocol, co.writer, n, part, co.tags[n]);
                sendAlways(part.shard, MSG_RUN, length);
            }
        }
    }

    /** The replies of the part that ran here: counted now, or, for a tagged part, once it is settled. */
    private void resultHere(Coordination co, int n, BufferReplyWriter replies, int count) {
        io.shardloop.persist.AppendLog log = executor.log();
        if (co.tags[n] == 0 || log == null || !log.holdsReplies()) {
            onResult(co, n, replies.buffer(), 0, replies.length(), count);
            return;
        }
        byte[] copy = new byte[replies.length()];
        replies.buffer().getBytes(0, copy);
        log.afterDurable(() -> onResult(co, n, new UnsafeBuffer(copy), 0, copy.length, count));
    }

    /**
     * Every shard holds its keys and has sent their values: the transaction runs here on copies,
     * and each shard gets back the keys that changed, applies them, lets go and answers (under
     * appendfsync always once they are settled: {@link #MSG_APPLIED}); the reply waits for every answer.
     */
    private void runGathered(Coordination co) {
        TransactionParts p = co.prepared;
        Transaction tx = p.tx;
        GatheredKeys gathered = new GatheredKeys(executor.keyspace()::now, executor.databases().length,
                executor.keyspace().events(), executor.keyspace().encodings());
        for (int n = 0; n < p.parts.size(); n++) {
            byte[] values = co.fetched[n];
            gathered.addAll(new UnsafeBuffer(values), 0, values.length);
        }
        BufferReplyWriter out = new BufferReplyWriter(256);
        out.protocol(co.protocol);
        if (tx.isExec()) {
            out.arrayHeader(tx.size());
        }
        for (int i = 0; i < tx.size(); i++) {
            Command c = tx.command(i);
            if (p.outsideGathering[i]) {
                out.error(c.route() == Command.Route.FIRST_SHARD ? LIBRARIES_NOT_GATHERED : NOT_GATHERED);
            } else if (c.route() == Command.Route.CONNECTION) {
                tx.runOnConnection(i, out);
            } else if (c.route() == Command.Route.LOCAL) {
                c.handler().execute(null, tx.args(i), out);
            } else {
                c.handler().execute(gathered.scratch(tx.args(i).db()), tx.args(i), out);
            }
        }
        List<ExpandableArrayBuffer> changes = new ArrayList<>();
        int[] lengths = new int[shardCount];
        int[] counts = new int[shardCount];
        for (int s = 0; s < shardCount; s++) {
            changes.add(null);
        }
        gathered.forEachChange((key, written, offset, length) -> {
            int owner = DbKeys.owner(key, shardCount);
            if (changes.get(owner) == null) {
                changes.set(owner, new ExpandableArrayBuffer(256));
            }
            changes.get(owner).putBytes(lengths[owner], written, offset, length);
            lengths[owner] += length;
            counts[owner]++;
        });
        int changed = 0;
        for (TransactionParts.ShardPart part : p.parts) {
            changed += counts[part.shard] > 0 ? 1 : 0;
        }
        co.reply = out;
        co.awaiting = 1; // until every part is sent
        for (int n = 0; n < p.parts.size(); n++) {
            co.tags[n] = changed > 1 && counts[p.parts.get(n).shard] > 0 ? changed : 0;
        }
        for (int n = 0; n < p.parts.size(); n++) {
            TransactionParts.ShardPart part = p.parts.get(n);
            int s = part.shard;
            ExpandableArrayBuffer mine = changes.get(s);
            if (s == here) {
                tracking.writer(co.writer);
                participant.openPart(co.id, co.tags[n]);
                try {
                    for (int j = 0, at = 0; j < counts[s]; j++) {
                        at = GatheredKeys.apply(executor.keyspace(), mine, at);
                    }
                } finally {
                    executor.endRecord();
                    tracking.writer(TrackingShard.NO_CLIENT);
                }
                participant.unwatch(part.watched);
                KeyLocks.Entry e = co.localEntry;
                co.localEntry = null;
                locks.release(e);
                co.awaiting++;
                io.shardloop.persist.AppendLog log = executor.log();
                int index = n;
                if (co.tags[n] > 0 && log != null && log.holdsReplies()) {
                    log.afterDurable(() -> onApplied(co, index));
                } else {
                    onApplied(co, index);
                }
                continue;
            }
            message.putLong(0, co.id);
            message.putLong(8, co.writer);
            message.putInt(16, co.tags[n]);
            message.putInt(20, n);
            int at = TransactionParticipant.writeKeys(message, part.watched, 24);
            message.putInt(at, counts[s]);
            if (mine != null) {
                message.putBytes(at + 4, mine, 0, lengths[s]);
            }
            sendAlways(s, MSG_APPLY, at + 4 + lengths[s]);
            co.awaiting++; // it answers once its changes are in (and settled)
        }
        onApplied(co, -1);
    }

    /**
     * Part {@code n} of a gathered transaction has applied its changes (settled under appendfsync
     * always; -1: every part is sent); after the last, the reply.
     */
    private void onApplied(Coordination co, int n) {
        if (--co.awaiting == 0) {
            deliver(co, co.reply);
        }
    }

    /** Every answer is in: the reply leaves. */
    private void deliver(Coordination co, BufferReplyWriter out) {
        coordinating.remove(co.id);
        co.deliver.accept(out);
    }

    /** The error of a command over every key in a transaction whose values gather on one shard. */
    static final String NOT_GATHERED = "ERR a command over every key cannot run in a transaction "
            + "with a command over keys of several shards";
    static final String LIBRARIES_NOT_GATHERED = "ERR a change of the function libraries cannot run in a transaction "
            + "with a command over keys of several shards";

    private void abort(Coordination co, int n, boolean over) {
        TransactionParts.ShardPart part = co.prepared.parts.get(n);
        if (part.shard == here) {
            if (co.localEntry != null) {
                KeyLocks.Entry e = co.localEntry;
                co.localEntry = null;
                locks.release(e);
            }
            if (over) {
                participant.unwatch(part.watched);
            }
            return;
        }
        if (co.status[n] == RETRY && !over) {
            return; // it holds nothing, and its watches stay for the next try
        }
        message.putLong(0, co.id);
        message.putByte(8, (byte) (over ? 1 : 0));
        int length = TransactionParticipant.writeKeys(message, part.watched, 9);
        sendAlways(part.shard, MSG_ABORT, length);
    }

    /** The replies of one shard's part: kept until every part is in, then merged per command. */
    private void onResult(Coordination co, int n, DirectBuffer buffer, int offset, int length, int count) {
        byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        co.results[n] = copy;
        int[] starts = new int[count];
        int[] lengths = new int[count];
        TransactionParts.ShardPart part = co.prepared.parts.get(n);
        UnsafeBuffer view = new UnsafeBuffer(copy);
        int at = 0;
        for (int j = 0; j < count; j++) {
            starts[j] = at;
            at = ReplyReader.skip(view, at);
            lengths[j] = at - starts[j];
        }
        co.resultStart[n] = starts;
        co.resultLength[n] = lengths;
        if (part.count != count) {
            throw new IllegalStateException("shard " + part.shard + " answered " + count + " of " + part.count + " commands");
        }
        if (--co.awaiting == 0) {
            finish(co);
        }
    }

    private void finish(Coordination co) {
        TransactionParts p = co.prepared;
        Transaction tx = p.tx;
        BufferReplyWriter out = reply;
        out.reset();
        out.protocol(co.protocol);
        if (tx.isExec()) {
            out.arrayHeader(tx.size());
        }
        UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        for (int i = 0; i < tx.size(); i++) {
            Command c = tx.command(i);
            int[] pieces = p.partsOf[i];
            if (c.route() == Command.Route.CONNECTION) {
                tx.runOnConnection(i, out);
            } else if (c.route() == Command.Route.LOCAL) {
                c.handler().execute(null, tx.args(i), out);
            } else if (c.route() != Command.Route.MULTI_KEY && c.route() != Command.Route.ALL_SHARDS) {
                int n = p.partOf[i][0];
                int j = pieces[0];
                out.raw(co.results[n], co.resultStart[n][j], co.resultLength[n][j]);
            } else {
                merger.begin(c.merge(), pieces.length, p.splits[i]);
                for (int piece = 0; piece < pieces.length; piece++) {
                    int n = p.partOf[i][piece];
                    int j = pieces[piece];
                    view.wrap(co.results[n]);
                    merger.accept(piece, view, co.resultStart[n][j], co.resultLength[n][j]);
                }
                merger.finish(out);
            }
        }
        deliver(co, out);
    }

    // ---- one shard ------------------------------------------------------------------------------

    /**
     * Sends a transaction whose keys all live on one other shard, whole; {@code deliver} gets its
     * reply. Credit was checked by the caller.
     */
    void sendBatch(int owner, Transaction tx, int protocol, long writer, Consumer<BufferReplyWriter> deliver) {
        message.putByte(0, (byte) protocol);
        message.putByte(1, (byte) (tx.isExec() ? 1 : 0));
        message.putLong(2, writer);
        message.putInt(10, tx.watchedCount());
        int at = 14;
        for (int i = 0; i < tx.watchedCount(); i++) {
            Key k = tx.watchedKey(i);
            message.putLong(at, tx.watchedCode(i));
            message.putInt(at + 8, k.length());
            message.putBytes(at + 12, k.array(), k.offset(), k.length());
            at += 12 + k.length();
        }
        message.putInt(at, tx.size());
        at += 4;
        for (int i = 0; i < tx.size(); i++) {
            at += CommandCodec.encode(tx.args(i), message, at);
        }
        long sent = mailbox.request(owner, MSG_BATCH, message, 0, at, batchAnswers, batchAnswers.register(deliver));
        if (sent < 0) {
            throw new IllegalStateException("no credit towards shard " + owner + " after it was checked");
        }
    }

    /** The first-hop length of a batch (what its credit must cover). */
    static int batchLength(Transaction tx) {
        int n = 14 + 4;
        for (int i = 0; i < tx.watchedCount(); i++) {
            n += 12 + tx.watchedKey(i).length();
        }
        for (int i = 0; i < tx.size(); i++) {
            n += CommandCodec.encodedLength(tx.args(i));
        }
        return n;
    }

    /** Who waits for each batch sent: the answers come back in any order. */
    private final BatchAnswers batchAnswers = new BatchAnswers();

    private static final class BatchAnswers implements ResponseHandler {
        private final Map<Long, Consumer<BufferReplyWriter>> waiting = new HashMap<>();
        private final BufferReplyWriter copy = new BufferReplyWriter(256);
        private long next;

        long register(Consumer<BufferReplyWriter> deliver) {
            waiting.put(++next, deliver);
            return next;
        }

        @Override
        public void onResponse(long context, int type, DirectBuffer buffer, int offset, int length) {
            copy.reset();
            copy.raw(bytes(buffer, offset, length), 0, length);
            waiting.remove(context).accept(copy);
        }

        private static byte[] bytes(DirectBuffer buffer, int offset, int length) {
            byte[] b = new byte[length];
            buffer.getBytes(offset, b);
            return b;
        }
    }

    // ---- watches --------------------------------------------------------------------------------

    /** Drops watches: those of this shard's keys here, the others' with one message to each owner. */
    void unwatchEverywhere(List<Key> keys) { // watches, named with their database (DbKeys)
        if (keys.isEmpty()) {
            return; // the common EXEC: nothing was watched
        }
        List<List<Key>> byOwner = new ArrayList<>();
        for (int s = 0; s < shardCount; s++) {
            byOwner.add(new ArrayList<>());
        }
        for (Key k : keys) {
            byOwner.get(DbKeys.owner(k, shardCount)).add(k);
        }
        for (int s = 0; s < shardCount; s++) {
            if (byOwner.get(s).isEmpty()) {
                continue;
            }
            if (s == here) {
                participant.unwatch(byOwner.get(s));
            } else {
                sendAlways(s, MSG_UNWATCH, TransactionParticipant.writeKeys(message, byOwner.get(s), 0));
            }
        }
    }

    // ---- encoding -------------------------------------------------------------------------------

    /** The first hop: per key, whether it is written and the key with its database ({@link DbKeys}); then the watches. */
    private int encodeSchedule(long id, TransactionParts.ShardPart part, boolean fetch) {
        message.putLong(0, id);
        message.putByte(8, (byte) ((part.everything ? TransactionParticipant.OVER_EVERYTHING : 0) | (fetch ? TransactionParticipant.FETCH : 0)));
        message.putInt(9, part.named.size());
        int at = 13;
        for (int i = 0; i < part.named.size(); i++) {
            Key k = part.named.get(i);
            message.putByte(at, (byte) (part.writes.get(i) ? 1 : 0));
            message.putInt(at + 1, k.length());
            message.putBytes(at + 5, k.array(), k.offset(), k.length());
            at += 5 + k.length();
        }
        message.putInt(at, part.watched.size());
        at += 4;
        for (int i = 0; i < part.watched.size(); i++) {
            Key k = part.watched.get(i);
            message.putLong(at, part.codes[i]);
            message.putInt(at + 8, k.length());
            message.putBytes(at + 12, k.array(), k.offset(), k.length());
            at += 12 + k.length();
        }
        return at;
    }

    /** The second hop: the part's commands, with the part count its record is tagged with (0: none). */
    private int encodeRun(long id, int protocol, long writer, int index, TransactionParts.ShardPart part, int parts) {
        message.putLong(0, id);
        message.putByte(8, (byte) protocol);
        message.putInt(9, index);
        message.putLong(13, writer);
        message.putInt(21, parts);
        int at = TransactionParticipant.writeKeys(message, part.watched, 25);
        message.putInt(at, part.count);
        message.putBytes(at + 4, part.commands, 0, part.commandsLength);
        return at + 4 + part.commandsLength;
    }

    private void sendAlways(int target, int type, int length) {
        participant.sendAlways(target, type, message, length);
    }
}
