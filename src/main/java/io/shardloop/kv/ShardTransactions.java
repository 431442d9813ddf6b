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
 * Transactions on one shard of the sharded mode: it coordinates those of this shard's clients and
 * takes part in those other shards coordinate. A transaction is a MULTI/EXEC, or one command over
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
 * <b>Credit.</b> Only the first hop is a request (it takes mailbox credit, checked by the caller
 * before anything starts); the second hop and its answer are one-way messages, so a transaction
 * that holds locks never waits for credit, which other commands waiting on those locks could hold.
 * <p>
 * <b>Plain commands</b> over a key a transaction holds or waits for wait in the same line
 * ({@link #runWhenFree}): this shard's own, and those other shards send.
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
    /** One-way: a gathered transaction's changes to this shard's keys; apply them and let go. */
    static final int MSG_APPLY = 10;

    private static final int OVER_EVERYTHING = 1;
    private static final int FETCH = 2;

    private static final byte GRANTED = 0;
    private static final byte RETRY = 1;
    private static final byte WATCH_CHANGED = 2;

    private final KvShard kv;
    private final io.shardloop.metrics.SingleWriterCounters counters;
    private final KvGroup group;
    private final int here;
    private final int shardCount;
    private final Mailbox mailbox;
    private final ShardExecutor executor;
    private final KeyLocks locks;
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(1024);
    private final CommandArgs decoded = new CommandArgs();
    private final BufferReplyWriter reply = new BufferReplyWriter(256);
    private final ReplyMerger merger = new ReplyMerger();
    private final Key probe = Key.probe();
    /** Transactions this shard coordinates, by their current id. */
    private final Map<Long, Coordination> coordinating = new HashMap<>();
    /** Parts of other shards' transactions held here, by id. */
    private final Map<Long, Participation> participating = new HashMap<>();

    ShardTransactions(KvShard kv, int here, Mailbox mailbox, ShardExecutor executor, KeyLocks locks,
                      io.shardloop.metrics.SingleWriterCounters counters) {
        this.counters = counters;
        this.kv = kv;
        this.group = kv.group();
        this.here = here;
        this.shardCount = group.shardCount();
        this.mailbox = mailbox;
        this.executor = executor;
        this.locks = locks;
    }

    // ---- planning -------------------------------------------------------------------------------

    /**
     * Splits the transaction into parts per shard (once; kept in the transaction while it waits for
     * credit) and returns the shards it touches, marked.
     */
    Prepared prepare(Transaction tx) {
        if (tx.prepared != null) {
            return tx.prepared;
        }
        Prepared p = new Prepared(tx, shardCount);
        for (int i = 0; i < tx.size(); i++) {
            Command c = tx.command(i);
            CommandArgs a = tx.args(i);
            switch (c.route()) {
                case CONNECTION, LOCAL -> p.partsOf[i] = new int[0];
                case SINGLE_KEY -> {
                    int k = c.firstKey();
                    p.addWhole(i, Slots.ownerOf(a.array(), a.offset(k), a.length(k), shardCount), c, a, false);
                }
                case SCAN -> {
                    int owner = a.isLong(1) ? ScanCursor.shard(a.parseLong(1, 0)) : here;
                    p.addWhole(i, owner >= 0 && owner < shardCount ? owner : 0, c, a, true);
                }
                case MULTI_KEY -> {
                    MultiKeySplit split = new MultiKeySplit();
                    split.split(a, c.step(), shardCount);
                    p.splits[i] = split;
                    p.partsOf[i] = new int[split.groups()];
                    CommandArgs sub = new CommandArgs();
                    for (int g = 0; g < split.groups(); g++) {
                        split.subCommand(g, a, sub);
                        p.partsOf[i][g] = p.shard(split.shard(g)).add(i, g, c, sub, false);
                    }
                }
                case ALL_SHARDS -> {
                    p.partsOf[i] = new int[shardCount];
                    for (int s = 0; s < shardCount; s++) {
                        p.partsOf[i][s] = p.shard(s).add(i, s, c, a, true);
                    }
                }
                case WHOLE -> {
                    int owner = -1;
                    boolean several = false;
                    for (int n = 0; n < c.keyCount(a); n++) {
                        int k = c.keyIndex(a, n);
                        int o = Slots.ownerOf(a.array(), a.offset(k), a.length(k), shardCount);
                        several |= owner >= 0 && o != owner;
                        owner = o;
                    }
                    if (several) {
                        // Its values gather on this shard, where the whole transaction then runs.
                        p.partsOf[i] = new int[0];
                        p.gathered = true;
                        for (int n = 0; n < c.keyCount(a); n++) {
                            int k = c.keyIndex(a, n);
                            Key key = Key.copyOf(a.array(), a.offset(k), a.length(k));
                            p.shard(Slots.ownerOf(a.array(), a.offset(k), a.length(k), shardCount)).lock(key, c.isWrite());
                        }
                    } else {
                        p.addWhole(i, owner < 0 ? here : owner, c, a, false);
                    }
                }
            }
        }
        for (int w = 0; w < tx.watchedCount(); w++) {
            Key k = tx.watchedKey(w);
            p.shard(Slots.ownerOf(k.array(), k.offset(), k.length(), shardCount)).watch(w, k, tx.watchedCode(w));
        }
        if (p.gathered) {
            for (int i = 0; i < tx.size(); i++) {
                Command.Route r = tx.command(i).route();
                p.outsideGathering[i] = r == Command.Route.ALL_SHARDS || r == Command.Route.SCAN;
            }
        }
        tx.prepared = p;
        return p;
    }

    /** A transaction cut into its parts per shard. */
    static final class Prepared {
        final Transaction tx;
        final boolean[] touched;
        final ShardPart[] byShard;
        final List<ShardPart> parts = new ArrayList<>();
        /** Per command: for each of its parts, its index in its shard's part. */
        final int[][] partsOf;
        /** Per command, the shard of each of its parts. */
        final int[][] shardsOf;
        final MultiKeySplit[] splits;
        /**
         * Whether a command needs values of several shards at once: then the values of every key
         * gather on the coordinator and the whole transaction runs there ({@link GatheredKeys}).
         */
        boolean gathered;
        /** In a gathered transaction, the commands over every key, which cannot gather: answered an error in place. */
        final boolean[] outsideGathering;

        Prepared(Transaction tx, int shardCount) {
            this.tx = tx;
            this.touched = new boolean[shardCount];
            this.byShard = new ShardPart[shardCount];
            this.partsOf = new int[tx.size()][];
            this.shardsOf = new int[tx.size()][];
            this.splits = new MultiKeySplit[tx.size()];
            this.outsideGathering = new boolean[tx.size()];
        }

        ShardPart shard(int s) {
            ShardPart part = byShard[s];
            if (part == null) {
                part = byShard[s] = new ShardPart(s);
                parts.add(part);
                touched[s] = true;
            }
            return part;
        }

        void addWhole(int i, int s, Command c, CommandArgs a, boolean everything) {
            partsOf[i] = new int[] {shard(s).add(i, 0, c, a, everything)};
        }

        /** The one shard touched, or -1 when none is or several are. */
        int onlyShard() {
            return parts.size() == 1 ? parts.get(0).shard : -1;
        }

        int shardOfPart(int i, int p) {
            if (shardsOf[i] == null) {
                shardsOf[i] = new int[partsOf[i].length];
                for (ShardPart part : parts) {
                    for (int j = 0; j < part.count; j++) {
                        if (part.command[j] == i) {
                            shardsOf[i][part.piece[j]] = part.shard;
                        }
                    }
                }
            }
            return shardsOf[i][p];
        }

        /** The longest first-hop message towards one shard (what its credit must cover). */
        int scheduleLength() {
            int n = 0;
            for (ShardPart part : parts) {
                n = Math.max(n, part.scheduleLength());
            }
            return n;
        }
    }

    /** What one shard does for a transaction: its keys and their modes, its watched keys, its commands. */
    static final class ShardPart {
        final int shard;
        final List<Key> keys = new ArrayList<>();
        final List<Boolean> writes = new ArrayList<>();
        boolean everything;
        final List<Key> watched = new ArrayList<>();
        long[] codes = new long[0];
        /** Its sub-commands, encoded one after another ({@link CommandCodec}). */
        final ExpandableArrayBuffer commands = new ExpandableArrayBuffer(128);
        int commandsLength;
        int count;
        int[] command = new int[4];
        int[] piece = new int[4];

        ShardPart(int shard) {
            this.shard = shard;
        }

        int add(int i, int p, Command c, CommandArgs a, boolean overEverything) {
            if (count == command.length) {
                command = java.util.Arrays.copyOf(command, count * 2);
                piece = java.util.Arrays.copyOf(piece, count * 2);
            }
            command[count] = i;
            piece[count] = p;
            commandsLength += CommandCodec.encode(a, commands, commandsLength);
            everything |= overEverything || c.route() == Command.Route.ALL_SHARDS;
            boolean write = c.isWrite();
            for (int n = 0; n < Math.max(0, c.keyCount(a)); n++) {
                int k = c.keyIndex(a, n);
                keys.add(Key.copyOf(a.array(), a.offset(k), a.length(k)));
                writes.add(write);
            }
            return count++;
        }

        /** A key locked with no command of its own here (a gathered command's). */
        void lock(Key k, boolean write) {
            keys.add(k);
            writes.add(write);
        }

        void watch(int w, Key k, long code) {
            watched.add(k);
            codes = java.util.Arrays.copyOf(codes, watched.size());
            codes[watched.size() - 1] = code;
            keys.add(k);
            writes.add(false); // read: the check sees the key as of the transaction's turn
        }

        KeyLocks.Entry entry(long id, Runnable onGrant) {
            boolean[] w = new boolean[writes.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = writes.get(i);
            }
            return new KeyLocks.Entry(id, keys.toArray(new Key[0]), w, everything, onGrant);
        }

        int scheduleLength() {
            int n = 8 + 1 + 4 + 4;
            for (Key k : keys) {
                n += 1 + 4 + k.length();
            }
            for (Key k : watched) {
                n += 8 + 4 + k.length();
            }
            return n;
        }
    }

    // ---- the coordinator --------------------------------------------------------------------------

    /**
     * One transaction over several shards that this shard coordinates. When it must start again
     * and a shard has no credit for its first hop, it waits in the line of the others.
     */
    private final class Coordination implements KvShard.CreditWaiter {
        final Prepared prepared;
        final Consumer<BufferReplyWriter> deliver;
        final int protocol;
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

        Coordination(Prepared prepared, int protocol, Consumer<BufferReplyWriter> deliver) {
            this.prepared = prepared;
            this.protocol = protocol;
            this.deliver = deliver;
            int n = prepared.parts.size();
            this.status = new byte[n];
            this.results = new byte[n][];
            this.resultStart = new int[n][];
            this.resultLength = new int[n][];
            this.fetched = new byte[n][];
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
    void coordinate(Prepared prepared, int protocol, Consumer<BufferReplyWriter> deliver) {
        counters.increment(KvShard.TRANSACTIONS);
        schedule(new Coordination(prepared, protocol, deliver));
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
            ShardPart part = co.prepared.parts.get(n);
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

    private void onLocalGrant(Coordination co, int n, ShardPart part) {
        boolean hold = watchesHold(part);
        if (hold && co.prepared.gathered) {
            int end = fetch(part.keys, 0);
            co.fetched[n] = new byte[end];
            message.getBytes(0, co.fetched[n]);
        }
        onScheduled(co, n, hold ? GRANTED : WATCH_CHANGED);
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
            coordinating.remove(co.id);
            runGathered(co);
            return;
        }
        co.awaiting = co.prepared.parts.size();
        for (int n = 0; n < co.prepared.parts.size(); n++) {
            ShardPart part = co.prepared.parts.get(n);
            if (part.shard == here) {
                runPart(part.commands, 0, part.count, co.protocol);
                unwatch(part.watched);
                KeyLocks.Entry e = co.localEntry;
                co.localEntry = null;
                onResult(co, n, reply.buffer(), 0, reply.length(), part.count);
                locks.release(e);
            } else {
                int length = encodeRun(co.id, co.protocol, n, part);
                sendAlways(part.shard, MSG_RUN, length);
            }
        }
    }

    /**
     * Every shard holds its keys and has sent their values: the transaction runs here on copies,
     * and each shard gets back the keys that changed, applies them and lets go.
     */
    private void runGathered(Coordination co) {
        Prepared p = co.prepared;
        Transaction tx = p.tx;
        GatheredKeys gathered = new GatheredKeys(executor.keyspace()::now);
        for (int n = 0; n < p.parts.size(); n++) {
            byte[] values = co.fetched[n];
            gathered.addAll(new UnsafeBuffer(values), 0, values.length);
        }
        BufferReplyWriter out = new BufferReplyWriter(256);
        out.protocol(co.protocol);
        if (tx.isExec()) {
            out.arrayHeader(tx.size());
        }
        Keyspace scratch = gathered.scratch();
        for (int i = 0; i < tx.size(); i++) {
            Command c = tx.command(i);
            if (p.outsideGathering[i]) {
                out.error(NOT_GATHERED);
            } else if (c.route() == Command.Route.CONNECTION) {
                tx.runOnConnection(i, out);
            } else if (c.route() == Command.Route.LOCAL) {
                c.handler().execute(null, tx.args(i), out);
            } else {
                c.handler().execute(scratch, tx.args(i), out);
            }
        }
        List<ExpandableArrayBuffer> changes = new ArrayList<>();
        int[] lengths = new int[shardCount];
        int[] counts = new int[shardCount];
        for (int s = 0; s < shardCount; s++) {
            changes.add(null);
        }
        gathered.forEachChange((key, written, offset, length) -> {
            int owner = Slots.ownerOf(key.array(), key.offset(), key.length(), shardCount);
            if (changes.get(owner) == null) {
                changes.set(owner, new ExpandableArrayBuffer(256));
            }
            changes.get(owner).putBytes(lengths[owner], written, offset, length);
            lengths[owner] += length;
            counts[owner]++;
        });
        for (ShardPart part : p.parts) {
            int s = part.shard;
            ExpandableArrayBuffer mine = changes.get(s);
            if (s == here) {
                for (int j = 0, at = 0; j < counts[s]; j++) {
                    at = GatheredKeys.apply(executor.keyspace(), mine, at);
                }
                unwatch(part.watched);
                KeyLocks.Entry e = co.localEntry;
                co.localEntry = null;
                locks.release(e);
                continue;
            }
            message.putLong(0, co.id);
            int at = encodeKeys(part.watched, 8);
            message.putInt(at, counts[s]);
            if (mine != null) {
                message.putBytes(at + 4, mine, 0, lengths[s]);
            }
            sendAlways(s, MSG_APPLY, at + 4 + lengths[s]);
        }
        co.deliver.accept(out);
    }

    /** The error of a command over every key in a transaction whose values gather on one shard. */
    static final String NOT_GATHERED = "ERR a command over every key cannot run in a transaction "
            + "with a command over keys of several shards";

    private void abort(Coordination co, int n, boolean over) {
        ShardPart part = co.prepared.parts.get(n);
        if (part.shard == here) {
            if (co.localEntry != null) {
                KeyLocks.Entry e = co.localEntry;
                co.localEntry = null;
                locks.release(e);
            }
            if (over) {
                unwatch(part.watched);
            }
            return;
        }
        if (co.status[n] == RETRY && !over) {
            return; // it holds nothing, and its watches stay for the next try
        }
        message.putLong(0, co.id);
        message.putByte(8, (byte) (over ? 1 : 0));
        int length = encodeKeys(part.watched, 9);
        sendAlways(part.shard, MSG_ABORT, length);
    }

    /** The replies of one shard's part: kept until every part is in, then merged per command. */
    private void onResult(Coordination co, int n, DirectBuffer buffer, int offset, int length, int count) {
        byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        co.results[n] = copy;
        int[] starts = new int[count];
        int[] lengths = new int[count];
        ShardPart part = co.prepared.parts.get(n);
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
            coordinating.remove(co.id);
            finish(co);
        }
    }

    private void finish(Coordination co) {
        Prepared p = co.prepared;
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
                int n = p.parts.indexOf(p.byShard[p.shardOfPart(i, 0)]);
                int j = pieces[0];
                out.raw(co.results[n], co.resultStart[n][j], co.resultLength[n][j]);
            } else {
                merger.begin(c.merge(), pieces.length, p.splits[i]);
                for (int piece = 0; piece < pieces.length; piece++) {
                    int n = p.parts.indexOf(p.byShard[p.shardOfPart(i, piece)]);
                    int j = pieces[piece];
                    view.wrap(co.results[n]);
                    merger.accept(piece, view, co.resultStart[n][j], co.resultLength[n][j]);
                }
                merger.finish(out);
            }
        }
        co.deliver.accept(out);
    }

    // ---- the participant ------------------------------------------------------------------------

    /** A part of another shard's transaction, held here between the two hops. */
    private static final class Participation {
        final int source;
        final long correlationId;
        final List<Key> watched;
        final long[] codes;
        /** The keys whose values the coordinator gathers, or null when it does not. */
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

    /** The transaction messages other shards send; false for a type that is not one. */
    boolean onMessage(int type, int source, long correlationId, DirectBuffer buffer, int offset, int length) {
        switch (type) {
            case MSG_BATCH -> onBatch(source, correlationId, buffer, offset);
            case MSG_SCHEDULE -> onSchedule(source, correlationId, buffer, offset);
            case MSG_RUN -> onRun(source, buffer, offset);
            case MSG_RESULT -> {
                long id = buffer.getLong(offset);
                Coordination co = coordinating.get(id);
                if (co == null) {
                    throw new IllegalStateException("a result for no transaction: " + id);
                }
                int n = buffer.getInt(offset + 8);
                int count = buffer.getInt(offset + 12);
                onResult(co, n, buffer, offset + 16, length - 16, count);
            }
            case MSG_ABORT -> {
                Participation p = participating.remove(buffer.getLong(offset));
                if (p != null && p.entry != null) {
                    locks.release(p.entry);
                }
                if (buffer.getByte(offset + 8) == 1) {
                    List<Key> keys = new ArrayList<>();
                    decodeKeys(buffer, offset + 9, keys);
                    unwatch(keys);
                }
            }
            case MSG_APPLY -> {
                long id = buffer.getLong(offset);
                Participation p = participating.remove(id);
                if (p == null) {
                    throw new IllegalStateException("changes to apply for no transaction here: " + id);
                }
                List<Key> unwatch = new ArrayList<>();
                int at = decodeKeys(buffer, offset + 8, unwatch);
                int count = buffer.getInt(at);
                at += 4;
                for (int j = 0; j < count; j++) {
                    at = GatheredKeys.apply(executor.keyspace(), buffer, at);
                }
                unwatch(unwatch);
                locks.release(p.entry);
            }
            case MSG_UNWATCH -> {
                List<Key> keys = new ArrayList<>();
                decodeKeys(buffer, offset, keys);
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
        boolean[] writes = new boolean[n];
        for (int i = 0; i < n; i++) {
            writes[i] = buffer.getByte(at) == 1;
            int len = buffer.getInt(at + 1);
            byte[] k = new byte[len];
            buffer.getBytes(at + 5, k);
            keys[i] = Key.wrap(k);
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
        Participation p = new Participation(source, correlationId, watched, codes, (flags & FETCH) != 0 ? keys : null);
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
        List<Key> unwatch = new ArrayList<>();
        int at = decodeKeys(buffer, offset + 13, unwatch);
        int count = buffer.getInt(at);
        runPart(buffer, at + 4, count, protocol);
        unwatch(unwatch);
        // The answer: the id, the part's index at the coordinator, the count, the replies back to back.
        message.putLong(0, id);
        message.putInt(8, index);
        message.putInt(12, count);
        message.putBytes(16, reply.buffer(), 0, reply.length());
        sendAlways(source, MSG_RESULT, 16 + reply.length());
        locks.release(p.entry);
    }

    /** Runs {@code count} encoded commands of a part on this shard's keys, their replies back to back in {@link #reply}. */
    private void runPart(DirectBuffer commands, int offset, int count, int protocol) {
        reply.reset();
        reply.protocol(protocol);
        int at = offset;
        for (int j = 0; j < count; j++) {
            CommandCodec.decode(commands, at, decoded);
            at += CommandCodec.encodedLength(decoded);
            executor.execute(decoded, reply);
        }
    }

    // ---- one shard ------------------------------------------------------------------------------

    /**
     * Sends a transaction whose keys all live on one other shard, whole; {@code deliver} gets its
     * reply. Credit was checked by the caller.
     */
    void sendBatch(int owner, Transaction tx, int protocol, Consumer<BufferReplyWriter> deliver) {
        message.putByte(0, (byte) protocol);
        message.putByte(1, (byte) (tx.isExec() ? 1 : 0));
        message.putInt(2, tx.watchedCount());
        int at = 6;
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
        int n = 6 + 4;
        for (int i = 0; i < tx.watchedCount(); i++) {
            n += 12 + tx.watchedKey(i).length();
        }
        for (int i = 0; i < tx.size(); i++) {
            n += CommandCodec.encodedLength(tx.args(i));
        }
        return n;
    }

    private void onBatch(int source, long correlationId, DirectBuffer buffer, int offset) {
        int protocol = buffer.getByte(offset);
        Transaction tx = Transaction.batch(buffer.getByte(offset + 1) == 1);
        int watched = buffer.getInt(offset + 2);
        int at = offset + 6;
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
        runWhenFree(tx, protocol, r -> mailbox.reply(source, correlationId, KvShard.MSG_REPLY, r.buffer(), 0, r.length()));
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

    /**
     * Runs a transaction whose keys all live here, now or, when a transaction over several shards
     * holds or waits for one of them, once they are free; {@code deliver} gets the reply.
     */
    void runWhenFree(Transaction tx, int protocol, Consumer<BufferReplyWriter> deliver) {
        if (!blocks(tx)) {
            deliver.accept(runHere(tx, protocol));
            return;
        }
        counters.increment(KvShard.LOCK_WAITS);
        KeyLocks.Entry[] entry = new KeyLocks.Entry[1];
        entry[0] = entryFor(tx, group.nextTransactionId(), () -> {
            deliver.accept(runHere(tx, protocol));
            locks.release(entry[0]);
        });
        if (locks.acquire(entry[0]) == KeyLocks.GRANTED) {
            entry[0].onGrant.run();
        }
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

    private BufferReplyWriter runHere(Transaction tx, int protocol) {
        reply.reset();
        reply.protocol(protocol);
        tx.runOn(executor.keyspace(), i -> true, executor::execute, reply);
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

    // ---- watches --------------------------------------------------------------------------------

    private long codeOf(Key k) {
        Keyspace ks = executor.keyspace();
        return ks.watches().code(k, ks.get(k) != null);
    }

    private boolean watchesHold(ShardPart part) {
        for (int i = 0; i < part.watched.size(); i++) {
            if (codeOf(part.watched.get(i)) != part.codes[i]) {
                return false;
            }
        }
        return true;
    }

    /** Drops watches: those of this shard's keys here, the others' with one message to each owner. */
    void unwatchEverywhere(List<Key> keys) {
        List<List<Key>> byOwner = new ArrayList<>();
        for (int s = 0; s < shardCount; s++) {
            byOwner.add(new ArrayList<>());
        }
        for (Key k : keys) {
            byOwner.get(Slots.ownerOf(k.array(), k.offset(), k.length(), shardCount)).add(k);
        }
        for (int s = 0; s < shardCount; s++) {
            if (byOwner.get(s).isEmpty()) {
                continue;
            }
            if (s == here) {
                unwatch(byOwner.get(s));
            } else {
                sendAlways(s, MSG_UNWATCH, encodeKeys(byOwner.get(s), 0));
            }
        }
    }

    private void unwatch(List<Key> keys) {
        for (Key k : keys) {
            executor.keyspace().watches().unwatch(k);
        }
    }

    // ---- encoding -------------------------------------------------------------------------------

    private int encodeSchedule(long id, ShardPart part, boolean fetch) {
        message.putLong(0, id);
        message.putByte(8, (byte) ((part.everything ? OVER_EVERYTHING : 0) | (fetch ? FETCH : 0)));
        message.putInt(9, part.keys.size());
        int at = 13;
        for (int i = 0; i < part.keys.size(); i++) {
            Key k = part.keys.get(i);
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

    private int encodeRun(long id, int protocol, int index, ShardPart part) {
        message.putLong(0, id);
        message.putByte(8, (byte) protocol);
        message.putInt(9, index);
        int at = encodeKeys(part.watched, 13);
        message.putInt(at, part.count);
        message.putBytes(at + 4, part.commands, 0, part.commandsLength);
        return at + 4 + part.commandsLength;
    }

    /** Writes a count and the keys at {@code at}; returns the end. */
    private int encodeKeys(List<Key> keys, int at) {
        message.putInt(at, keys.size());
        at += 4;
        for (Key k : keys) {
            message.putInt(at, k.length());
            message.putBytes(at + 4, k.array(), k.offset(), k.length());
            at += 4 + k.length();
        }
        return at;
    }

    /** Reads keys written by {@link #encodeKeys} into {@code into}; returns the end. */
    private static int decodeKeys(DirectBuffer buffer, int at, List<Key> into) {
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

    private void sendAlways(int target, int type, int length) {
        if (mailbox.sendAlways(target, type, message, 0, length) < 0) {
            throw new IllegalStateException("a transaction's message to shard " + target + " was refused");
        }
    }
}
