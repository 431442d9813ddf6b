package io.shardloop.kv;

import io.shardloop.metrics.ProcessMemory;
import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.persist.AppendLog;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.mailbox.CreditListener;
import io.shardloop.runtime.mailbox.Mailbox;
import io.shardloop.runtime.mailbox.MessageHandler;
import io.shardloop.runtime.mailbox.ResponseHandler;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.script.ScriptEngine;
import io.shardloop.script.ScriptRegistry;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One shard's access to the key-value data: the coordinator of the commands of this shard's
 * connections, and the owner that answers the commands other shards send it.
 * <p>
 * <b>Ownership.</b> Owned by its shard's loop thread: the keyspace, the executor, the scratch
 * buffers, the calls in flight and the queue of waiting connections are touched by that thread
 * alone. A command for another shard's keys never touches that shard's data; it is copied, as
 * bytes, into that shard's ring.
 * <p>
 * <b>Running a command</b> ({@link #submit}): the front end resolves it and has the {@link Router}
 * plan it, then submits. {@link Plan.Kind#HERE} runs at once into {@link Submitter#replyNow()}
 * (or, when a transaction over several shards holds one of its keys, as soon as it lets go).
 * Otherwise every shard the command touches must have credit in the mailbox <i>before any part
 * runs</i>. A command for one other shard goes there as a request; one over several shards (a
 * split MSET, FLUSHALL, a RENAME across shards) and an EXEC over several run as a transaction over
 * them ({@link ShardTransactions}), atomically. The reply, merged when there are parts, reaches
 * {@link Submitter#onReply} with the token of the place in line the submitter gave
 * ({@link Submitter#defer()}).
 * <p>
 * <b>Backpressure, fairly.</b> Without credit {@link #submit} returns false and the submitter
 * holds the command (and stops reading its client) until {@link Submitter#onCanSubmit()}. Waiting
 * submitters form one queue, first come first served: when credit returns, the queue is walked in
 * order and each waiter whose shards all have credit is let through, with the commands its
 * connection has already received up to its fair share of the credit (the credit per target over
 * the waiters in line, at least one); a waiter that cannot go yet keeps the shards it needs from
 * those behind it, so none waits forever. While a shard has waiters,
 * a new command for it queues behind them (no one jumps the line). Nobody is ever answered "busy".
 * <p>
 * <b>Pub/sub.</b> PUBLISH, SPUBLISH and PUBSUB are submitted like any command: they run here and
 * on the shards with subscribers ({@link PubSubShard}), as plain requests, after the same credit
 * check and in the same line of waiters; the mailbox's messages of pub/sub are handed to it first.
 * <p>
 * <b>maxmemory</b> (the noeviction policy): while the process holds more than the limit, a command
 * that may grow the data is answered {@code -OOM} here, before any part of it runs.
 * <p>
 * <b>Blocked clients</b> (BLPOP and the others, {@link #block}): the owner of a key keeps its
 * line of waiters ({@link BlockedKeys}) and serves them itself right after each command,
 * transaction or message that put a value under the key, before it runs the next; a waiter of
 * another shard joins, leaves and gets its answer by one-way messages ({@link ShardBlocking}), a
 * waiter of this shard without any. A waiting command's first run is a plain {@link #submit}.
 * <p>
 * <b>KEYS</b> walks the keyspace with SCAN steps of {@link #KEYS_STEP} keys, one step per loop
 * turn or per message, so it never holds a loop for long; the keys are deduplicated and answered
 * together. Unlike Redis's it is not a snapshot: keys written during the walk may or may not be in it.
 */
public final class KvShard implements MessageHandler, ResponseHandler, CreditListener {
    /** Message type of a command request; the payload is {@link CommandCodec} bytes. */
    static final int MSG_COMMAND = 1;
    /** A command request whose reply is to be written in RESP3 (its client said HELLO 3). */
    static final int MSG_COMMAND_RESP3 = 3;
    /** Message type of a reply; the payload is the RESP bytes of the answer. */
    static final int MSG_REPLY = 2;
    /** Keys a KEYS walk visits per step. */
    static final int KEYS_STEP = 10_000;
    /** How often the active expiry cycle runs, and how long one may take. */
    private static final long EXPIRE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long EXPIRE_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Counters of a shard's key-value work, readable from any thread. */
    public static final int KEYS = 0;
    public static final int LOCAL_COMMANDS = 1;
    public static final int REMOTE_COMMANDS_SENT = 2;
    public static final int REMOTE_COMMANDS_SERVED = 3;
    /** Keys deleted because their time to live had passed, lazily or by the cycle (sharded mode). */
    public static final int EXPIRED_KEYS = 4;
    /** Commands that waited for credit towards another shard. */
    public static final int CREDIT_WAITS = 5;
    /** Connections waiting for credit now. */
    public static final int WAITING = 6;
    /** Keys with a time to live (sharded mode). */
    public static final int EXPIRES = 7;
    /** The keyspace's running estimate of the time left to its keys with one, ms (sharded mode). */
    public static final int AVG_TTL = 8;
    /** Transactions over several shards this shard coordinated (MULTI/EXEC, and commands like MSET over several). */
    public static final int TRANSACTIONS = 9;
    /** Times one of those had to start again with a new id (a conflicting transaction with a larger id held a key). */
    public static final int TRANSACTION_RETRIES = 10;
    /** Commands and single-shard transactions here that waited for a transaction's key locks. */
    public static final int LOCK_WAITS = 11;
    /** Clients of this shard blocked in BLPOP and the others now. */
    public static final int BLOCKED_CLIENTS = 12;
    /** Clients blocked on this shard's keys that it served (a push made a key ready). */
    public static final int BLOCKED_WAKEUPS = 13;
    private static final int COUNTERS = 14;
    /** Per database, after {@link #COUNTERS}: its keys, its keys with a time to live, its average TTL (sharded mode). */
    private static final int DB_KEYS = 0;
    private static final int DB_EXPIRES = 1;
    private static final int DB_AVG_TTL = 2;
    private static final int PER_DB = 3;

    /** A front end's side of a command: where its reply goes, and how it waits. */
    public interface Submitter extends CreditWaiter {
        /** Where the reply goes when it is known at once. */
        ReplySink replyNow();

        /** A place in line for a reply that comes later; its token comes back with the reply. */
        long defer();

        /** The later reply, whole, as RESP bytes, on this shard's loop thread. */
        void onReply(long token, DirectBuffer reply, int offset, int length);

        /** The RESP version its replies are written in, 2 or 3; the same for a reply sent later. */
        int protocol();

        /**
         * Where a submitter keeps the transactions over several shards it has in flight, so that
         * it holds back a later command over their keys until their reply ({@link
         * PendingTransactions}); or null for a submitter that reads nothing more from its client
         * until such a reply is in ({@link #holdInputUntil}).
         */
        PendingTransactions pendingTransactions();

        /**
         * Reads nothing more from its client until the reply of that token is in: a transaction
         * over several shards is then a fence in its client's pipeline, so nothing after it runs
         * before it, even when it has to start again. Called when {@link #pendingTransactions} is null.
         */
        void holdInputUntil(long token);
    }

    /** Something waiting in the queue for credit towards the shards of its plan. */
    public interface CreditWaiter {
        /** The plan of the command held while waiting. */
        Plan heldPlan();

        /** Credit is there for the held command: submit it again now (it is let through). */
        void onCanSubmit();
    }

    private final KvGroup group;
    private final Shard shard;
    private final int here;
    private final int shardCount;
    private final EventLoop loop;
    private final Mailbox mailbox;
    private final Store shared;
    private final ShardExecutor executor;
    /** This shard's append-only log, or null when nothing is logged; set on this loop when CONFIG SET turns it on, read by the stop's thread. */
    private volatile AppendLog log;
    /** Where this shard's replies wait: for the log's sync (appendfsync always). */
    private final ReplyHold replies;
    /** appendfsync always: a reply made aside, to leave now or later ({@link #executeHeld}). */
    private final BufferReplyWriter heldReply = new BufferReplyWriter(256);
    private final KeyLocks locks = new KeyLocks();
    private final ShardTransactions transactions;
    private final PubSubShard pubsub;
    private final ConnectionQuestions connectionQuestions;
    private final TrackingShard tracking;
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(4096);
    private final CommandArgs waitingCommand = new CommandArgs();
    private final SingleWriterCounters counters;
    /** What {@link #publishSizes} last published of each database, to keep the totals by difference. */
    private final long[] publishedKeys;
    private final long[] publishedExpires;
    private final long[] publishedExpired;
    private final EventLoop.TimerTask expireCycle = this::expireCycle;
    /** The clients waiting on this shard's keys (sharded mode), or the shared store's. */
    private final BlockedKeys blockedKeys;
    /** This shard's side of the clients blocked in BLPOP and the others ({@link ShardBlocking}). */
    private final ShardBlocking blocking;

    private Call[] calls = new Call[64];
    private int[] freeCalls = new int[64];
    private int freeCallCount;

    // The queue of submitters waiting for credit (see the class comment).
    private ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private ArrayDeque<Waiter> kept = new ArrayDeque<>();
    private final int[] waitersByShard;
    private final boolean[] blocked;
    private CreditWaiter granting;
    /** Commands the waiter being let through may still send on its pass. */
    private int grantLeft;
    private final int creditsPerTarget;
    /** How long a script may hold another shard's loop before commands for it are answered -BUSY. */
    private final long busyAfterMillis;
    private boolean grantScheduled;
    private boolean walking;
    private final EventLoop.TurnEnd grantWaiters = this::grantWaiters;
    private boolean serveScheduled;
    private final EventLoop.TurnEnd serveAtTurnEnd = () -> {
        serveScheduled = false;
        serveBlocked();
    };
    private final Runnable grantNextTurn = this::grantWaiters;

    /** One waiter in line: who, and the length of the command it holds (what its credit must cover). */
    private record Waiter(CreditWaiter who, int length) {
    }

    KvShard(KvGroup group, Shard shard, Store shared, LongSupplier clock) {
        this.group = group;
        this.shard = shard;
        this.here = shard.index();
        this.shardCount = group.shardCount();
        this.loop = shard.loop();
        this.mailbox = shard.mailbox();
        this.shared = shared;
        this.counters = new SingleWriterCounters(COUNTERS + PER_DB * group.databases());
        this.publishedKeys = new long[group.databases()];
        this.publishedExpires = new long[group.databases()];
        this.publishedExpired = new long[group.databases()];
        Keyspace[] loaded = shared == null ? group.durability().takeLoaded(here) : null;
        this.executor = shared == null ? new ShardExecutor(loaded != null ? loaded
                : Keyspace.databases(group.databases(), clock, here, shardCount)) : null;
        ShardDisk disk = executor == null ? null : group.durability().openShard(shard, executor.databases(), locks);
        this.log = disk == null ? null : disk.log();
        this.replies = disk == null ? new ReplyHold(null) : disk.replies();
        if (log != null) {
            executor.log(log);
        }
        if (executor != null) {
            executor.replies(replies);
        }
        this.tracking = new TrackingShard(group, here, shared == null, loop, mailbox);
        this.transactions = executor == null ? null
                : new ShardTransactions(this, here, mailbox, executor, locks, counters, tracking);
        this.pubsub = new PubSubShard(group, here, mailbox);
        if (disk != null) {
            disk.onLog((now, epoch) -> {
                log = now;
                executor.log(now);
                transactions.log(now, epoch);
            });
        }
        if (executor != null) {
            executor.afterCommand(tracking::afterCommand);
            for (Keyspace k : executor.databases()) {
                k.onChange(tracking);
            }
        } else {
            group.bindTrackingToThisThread(tracking); // the shared store's keys that expire on this loop
        }
        group.keyspaceEvents().bindThisThread(pubsub::publishEvent); // the events of commands this loop runs
        ScriptPubSub.bindThisThread(pubsub::runWithin); // the PUBLISHes of scripts this loop runs
        ScriptEngine.bindThisThread(group.scripts()); // this server's scripts and libraries
        MonitorFeed.bindThisThread(new MonitorFeed.Feed() { // the commands of scripts this loop runs
            @Override
            public boolean anyMonitor() {
                return pubsub.registry().anyMonitor();
            }

            @Override
            public void feed(byte[] line, int offset, int length) {
                pubsub.feedMonitors(line, offset, length);
            }
        });
        this.creditsPerTarget = shard.group().config().mailbox().credits();
        this.busyAfterMillis = shard.group().config().stall().threshold().toMillis();
        this.waitersByShard = new int[shardCount];
        this.blocked = new boolean[shardCount];
        for (int i = calls.length - 1; i >= 0; i--) {
            calls[i] = new Call();
            freeCalls[freeCallCount++] = i;
        }
        this.connectionQuestions = new ConnectionQuestions(mailbox, here, shardCount);
        Runnable serve;
        if (executor != null) {
            blockedKeys = new BlockedKeys(this::serveBlockedSoon);
            BlockedKeys.Owner owner = new KeysHere();
            serve = () -> blockedKeys.serveReady(owner);
            for (Keyspace k : executor.databases()) {
                k.blockedKeys(blockedKeys);
                k.keyspaceEvents(group.keyspaceEvents());
                k.encodings(group.encodings());
            }
        } else {
            blockedKeys = shared.blocked();
            serve = shared::serveBlocked;
        }
        this.blocking = new ShardBlocking(this, shard.name(), here, shardCount, executor != null, blockedKeys, serve,
                mailbox, group.blockedClients(), counters);
        mailbox.handler(this); // pub/sub and the questions about connections cross shards in every state mode
        mailbox.creditListener(this);
        if (executor != null || here == 0) {
            loop.scheduleTimer(System.nanoTime() + EXPIRE_PERIOD_NANOS, expireCycle);
        }
    }

    public KvGroup group() {
        return group;
    }

    public int shardIndex() {
        return here;
    }

    public int shardCount() {
        return shardCount;
    }

    /** True when each shard owns its own keys (and other shards' keys are a message away). */
    public boolean sharded() {
        return executor != null;
    }

    public SingleWriterCounters counters() {
        return counters;
    }

    /** This shard's side of pub/sub and MONITOR. */
    public PubSubShard pubsub() {
        return pubsub;
    }

    /** How this shard's front end asks the other shards about their connections, and answers theirs. */
    public ConnectionQuestions connectionQuestions() {
        return connectionQuestions;
    }

    /** This shard's side of client-side caching (CLIENT TRACKING). */
    public TrackingShard tracking() {
        return tracking;
    }

    long publishedKeyCount() {
        return counters.get(KEYS);
    }

    /** Redis's -OOM error, encoded: for a front end that refuses a command while queueing it. */
    public static byte[] oomReply() {
        return Errors.OOM.clone();
    }

    /** The error of this shard's log when it cannot be written now, else null. Any thread. */
    String diskError() {
        return log == null ? null : log.failure();
    }

    /** The shard's name (its loop thread's). */
    String name() {
        return shard.name();
    }

    /** This shard's append-only log, or null when nothing is logged. */
    AppendLog log() {
        return log;
    }

    /** Plans a resolved data command for this shard (see {@link Router#plan}). */
    public void plan(Command c, CommandArgs args, Plan plan) {
        Router.plan(c, args, here, shardCount, sharded(), plan);
    }

    // ---- the coordinator: commands of this shard's connections ---------------------------------

    /**
     * Runs a resolved, planned data command, or sends it (or its parts) to its owners.
     *
     * @return true when it ran or was sent; false when it must wait for credit: nothing of it ran,
     *         and {@link Submitter#onCanSubmit()} comes when it may be submitted again
     */
    public boolean submit(Command c, CommandArgs args, Plan plan, Submitter who) {
        assert loop.inLoop();
        if (c.route() == Command.Route.CONNECTION) {
            return fanOut(c, args, plan, who); // the connection answers its other commands itself
        }
        if (group.overMaxMemory() && c.denyOom()) {
            who.replyNow().raw(Errors.OOM); // before any part runs, on any shard
            return true;
        }
        if (refusesForDisk(c, who)) {
            return true;
        }
        if (c == CommandTable.KEYS_COMMAND) {
            new KeysWalk(who, who.defer(), args).step();
            return true;
        }
        if (plan.kind() != Plan.Kind.HERE && scriptHolds(plan)) {
            who.replyNow().raw(Errors.BUSY);
            return true;
        }
        if (plan.kind() == Plan.Kind.HERE) {
            if (executor != null && !locks.isEmpty() && locks.blocks(c, args)) {
                long token = who.defer(); // a transaction over several shards holds one of its keys
                transactions.participant().runWhenFree(Transaction.single(c, args), who.protocol(), tracking.writer(),
                        r -> deliver(who, token, r));
                return true;
            }
            if (replies.aside()) {
                executeHeld(c, args, who);
            } else {
                executeHere(c, args, who.replyNow());
            }
            return true;
        }
        TransactionParts spread = null;
        int length;
        if (plan.kind() == Plan.Kind.OWNER) {
            length = CommandCodec.encodedLength(args);
        } else { // atomic across the shards: a transaction of one command, whose first hop the credit must cover
            spread = transactions.prepare(Transaction.single(c, args));
            length = spread.scheduleLength();
        }
        if (!mayGoFirst(who, plan) || !creditFor(plan, length)) {
            waitInLine(who, plan, length);
            return false;
        }
        usePass(who);
        long token = who.defer();
        switch (plan.kind()) {
            case OWNER -> {
                send(plan.owner(), CommandCodec.encode(args, scratch, 0), who.protocol(), call(who, token, null));
                if (c.route() == Command.Route.FIRST_SHARD) {
                    who.holdInputUntil(token); // a fence: the FCALL after a FUNCTION LOAD finds the library
                }
            }
            case SPLIT, ALL, SPREAD -> {
                keepOrder(who, token, spread);
                transactions.coordinate(spread, who.protocol(), tracking.writer(), r -> deliver(who, token, r));
            }
            case HERE -> throw new IllegalStateException("ran above");
        }
        return true;
    }

    /**
     * PUBLISH, SPUBLISH, PUBSUB: run here and on the other shards with subscribers
     * ({@link PubSubShard}), once each of those has credit; while one has none it waits in line with
     * the other commands (as a command over every shard: it asks at most those).
     */
    private boolean fanOut(Command c, CommandArgs args, Plan plan, Submitter who) {
        if (!PubSubShard.fansOut(c)) {
            throw new IllegalArgumentException("'" + c.name() + "' is answered by the connection");
        }
        int length = CommandCodec.encodedLength(args);
        plan.all();
        if (!mayGoFirst(who, plan) || !pubsub.hasCredit(length)) {
            waitInLine(who, plan, length);
            return false;
        }
        usePass(who);
        pubsub.run(c, args, who);
        return true;
    }

    /**
     * Whether a shard the plan needs is held by a script that has run past the stall threshold:
     * the command is answered -BUSY rather than queued behind it (Redis answers so while a script
     * runs past its busy threshold). SCRIPT KILL, which runs where it arrives, stops it.
     */
    private boolean scriptHolds(Plan plan) {
        ScriptRegistry scripts = group.scripts();
        if (!scripts.busy()) {
            return false;
        }
        for (int s = 0; s < shardCount; s++) {
            if (s != here && plan.touches(s, here, shardCount)) {
                KvShard other = group.serviceOrNull(s);
                Thread t = other == null ? null : other.loop.thread();
                if (t != null && scripts.runningMillisOn(t) > busyAfterMillis) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A transaction's reply: its part here may have changed any database's sizes. */
    private void deliver(Submitter who, long token, BufferReplyWriter reply) {
        publishSizes();
        if (!replies.holds()) {
            who.onReply(token, reply.buffer(), 0, reply.length());
            return;
        }
        byte[] bytes = copy(reply);
        replies.afterDurable(() -> who.onReply(token, new UnsafeBuffer(bytes), 0, bytes.length));
    }

    /**
     * appendfsync always: runs the command into a reply of its own, which leaves at once when nothing
     * holds it, or takes its place in line and leaves after the sync that covers what the log holds
     * now (this command's write, or one its read saw).
     */
    private void executeHeld(Command c, CommandArgs args, Submitter who) {
        heldReply.reset();
        heldReply.protocol(who.protocol());
        executeHere(c, args, heldReply);
        replyHeld(who, Propagation.logs(c));
    }

    /**
     * The reply in {@link #heldReply}: now, or in its place in line once the log is synced. While
     * the disk fails, a read's reply leaves at once (reads go on; it may show a write not yet on disk).
     */
    private void replyHeld(Submitter who, boolean write) {
        if (write ? !replies.holds() : !replies.holdsRead()) {
            who.replyNow().raw(heldReply.buffer().byteArray(), 0, heldReply.length());
            return;
        }
        long token = who.defer();
        byte[] bytes = copy(heldReply);
        replies.afterDurable(() -> who.onReply(token, new UnsafeBuffer(bytes), 0, bytes.length));
    }

    private static byte[] copy(BufferReplyWriter reply) {
        byte[] bytes = new byte[reply.length()];
        reply.buffer().getBytes(0, bytes);
        return bytes;
    }

    /**
     * Plans an EXEC: the shards its commands and watched keys touch, marked in {@code plan} (which
     * then holds it while it waits for credit, as {@link #submit} does for a command).
     */
    public void plan(Transaction tx, Plan plan) {
        if (executor == null) {
            plan.here();
            return;
        }
        TransactionParts p = transactions.prepare(tx);
        int only = p.onlyShard();
        if (p.parts.isEmpty() || only == here) {
            plan.here();
        } else if (only >= 0 && !hasConnectionCommands(tx)) {
            plan.owner(only);
        } else {
            plan.spread(p.touched);
        }
    }

    private static boolean hasConnectionCommands(Transaction tx) {
        for (int i = 0; i < tx.size(); i++) {
            if (tx.command(i).route() == Command.Route.CONNECTION) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs an EXEC planned by {@link #plan(Transaction, Plan)}: here, as one message to the one
     * shard that owns its keys, or over several shards (a fence in its client's pipeline).
     *
     * @return false when it must wait for credit, as {@link #submit}
     */
    public boolean submit(Transaction tx, Plan plan, Submitter who) {
        assert loop.inLoop();
        if (group.overMaxMemory() && tx.denyOom()) {
            who.replyNow().raw(Errors.OOM);
            return true;
        }
        for (int i = 0; i < tx.size(); i++) {
            if (refusesForDisk(tx.command(i), who)) {
                return true;
            }
        }
        if (executor == null) {
            counters.increment(LOCAL_COMMANDS);
            shared.execute(tx, who.replyNow());
            for (int i = 0; i < tx.size(); i++) {
                tracking.afterCommand(tx.command(i), tx.args(i));
            }
            return true;
        }
        if (plan.kind() != Plan.Kind.HERE && scriptHolds(plan)) {
            who.replyNow().raw(Errors.BUSY);
            return true;
        }
        if (plan.kind() == Plan.Kind.HERE) {
            counters.increment(LOCAL_COMMANDS);
            if (!transactions.participant().blocks(tx)) {
                boolean hold = replies.aside();
                if (hold) {
                    heldReply.reset();
                    heldReply.protocol(who.protocol());
                }
                executor.beginRecord();
                try {
                    tx.runOn(k -> executor.keyspace(), executor::execute, hold ? heldReply : who.replyNow());
                } finally {
                    executor.endRecord();
                }
                if (hold) {
                    replyHeld(who, true);
                }
                publishSizes();
                serveBlocked();
            } else {
                long token = who.defer();
                transactions.participant().runWhenFree(tx, who.protocol(), tracking.writer(), r -> deliver(who, token, r));
            }
            return true;
        }
        int length = plan.kind() == Plan.Kind.OWNER ? ShardTransactions.batchLength(tx)
                : transactions.prepare(tx).scheduleLength();
        if (!mayGoFirst(who, plan) || !creditFor(plan, length)) {
            waitInLine(who, plan, length);
            return false;
        }
        usePass(who);
        long token = who.defer();
        counters.increment(REMOTE_COMMANDS_SENT);
        if (plan.kind() == Plan.Kind.OWNER) {
            transactions.sendBatch(plan.owner(), tx, who.protocol(), tracking.writer(), r -> deliver(who, token, r));
            if (changesLibraries(tx)) {
                who.holdInputUntil(token);
            }
        } else {
            TransactionParts parts = transactions.prepare(tx);
            keepOrder(who, token, parts);
            transactions.coordinate(parts, who.protocol(), tracking.writer(), r -> deliver(who, token, r));
        }
        return true;
    }

    /**
     * A transaction over several shards is in flight: the submitter keeps its client's order around
     * it. One with a SELECT is a fence: the database of every later command depends on it; and one
     * that changes the function libraries: every later FCALL does.
     */
    private static void keepOrder(Submitter who, long token, TransactionParts parts) {
        PendingTransactions pending = who.pendingTransactions();
        if (pending != null && !parts.tx.selects() && !changesLibraries(parts.tx)) {
            pending.add(token, parts);
        } else {
            who.holdInputUntil(token);
        }
    }

    /** Whether a transaction changes the function libraries: then it is a fence, as such a command is. */
    private static boolean changesLibraries(Transaction tx) {
        for (int i = 0; i < tx.size(); i++) {
            if (tx.command(i).route() == Command.Route.FIRST_SHARD) {
                return true;
            }
        }
        return false;
    }

    /**
     * WATCH in the shared-state modes: registers the key on the shared store and returns its code.
     * In the sharded mode a WATCH is a command to the keys' owners ({@link CommandTable#WATCH_COMMAND}).
     */
    public long watchShared(Key key) {
        return shared.watch(key);
    }

    /** Drops watches this shard's client held (UNWATCH, DISCARD, RESET, a client gone). */
    public void unwatch(java.util.List<Key> keys) {
        if (keys.isEmpty()) {
            return;
        }
        if (executor == null) {
            for (Key k : keys) {
                shared.unwatch(k);
            }
            return;
        }
        transactions.unwatchEverywhere(keys);
    }

    /**
     * Holds a transaction that must start again until every shard it touches has credit for its
     * first hop: it queues with the other waiters ({@link ShardTransactions}).
     */
    void awaitCredit(CreditWaiter who, int length) {
        enqueue(who, who.heldPlan(), length);
    }

    /** Whether every shard the plan touches has credit for a request of that length now. */
    boolean hasCredit(Plan plan, int length) {
        return creditFor(plan, length);
    }

    /** Forgets a waiter whose connection closed. */
    public void cancelWait(CreditWaiter who) {
        if (waiting.removeIf(w -> w.who() == who) || kept.removeIf(w -> w.who() == who)) {
            releaseWaiterShards(who.heldPlan());
            counters.set(WAITING, waiting.size() + kept.size());
        }
    }

    /**
     * Runs a resolved command here and now: on this shard's keys (sharded mode, when it owns them)
     * or on the shared store. The reply is complete in {@code out} when this returns.
     */
    public void executeHere(Command c, CommandArgs args, ReplySink out) {
        assert loop.inLoop();
        counters.increment(LOCAL_COMMANDS);
        if (executor != null) {
            executor.execute(c, args, out);
            publishSizesAfter(c, args.db());
            serveBlocked();
        } else {
            shared.execute(c, args, out);
            tracking.afterCommand(c, args);
        }
    }

    /**
     * Sends the {@code length} bytes encoded in {@link #scratch}, to be answered in the given RESP
     * version; credit was checked by the caller.
     */
    private void send(int owner, int length, int protocol, int call) {
        counters.increment(REMOTE_COMMANDS_SENT);
        tracking.beforeSend(owner);
        int type = protocol == 3 ? MSG_COMMAND_RESP3 : MSG_COMMAND;
        long id = mailbox.request(owner, type, scratch, 0, length, this, call);
        if (id < 0) {
            throw new IllegalStateException(shard.name() + ": no credit towards shard " + owner + " after it was checked");
        }
    }

    /** A reply from an owner: resume whoever waits for it. */
    @Override
    public void onResponse(long context, int type, DirectBuffer buffer, int offset, int length) {
        int index = (int) context;
        Call c = calls[index];
        Submitter who = c.who;
        long token = c.token;
        KeysWalk walk = c.walk;
        releaseCall(index);
        if (walk != null) {
            walk.onStepReply(buffer, offset, length);
        } else {
            who.onReply(token, buffer, offset, length);
        }
        serveBlocked();
    }

    // ---- credit and the queue of waiters ----------------------------------------------------------

    private boolean creditFor(Plan plan, int length) {
        for (int s = 0; s < shardCount; s++) {
            if (s != here && plan.touches(s, here, shardCount) && !mailbox.hasCredit(s, length)) {
                return false;
            }
        }
        return true;
    }

    private boolean hasWaitersFor(Plan plan) {
        for (int s = 0; s < shardCount; s++) {
            if (waitersByShard[s] > 0 && s != here && plan.touches(s, here, shardCount)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a command of {@code who} may go before the waiters for credit: none waits for the
     * shards its plan touches, or {@code who} holds a pass. A waiter let through keeps its pass
     * while its callback runs: the commands its connection has already received go too, up to its
     * share (its turn in line, round robin).
     */
    private boolean mayGoFirst(CreditWaiter who, Plan plan) {
        return (who == granting && grantLeft > 0) || !hasWaitersFor(plan);
    }

    /** A command of {@code who} goes: one of its pass's commands, if it holds one. */
    private void usePass(CreditWaiter who) {
        if (who == granting && grantLeft > 0) {
            grantLeft--;
        }
    }

    /** A command of {@code who} may not go: it queues behind the others, and a pass it held is over. */
    private void waitInLine(CreditWaiter who, Plan plan, int length) {
        if (who == granting) {
            granting = null;
        }
        enqueue(who, plan, length);
    }

    private void enqueue(CreditWaiter who, Plan plan, int length) {
        for (int s = 0; s < shardCount; s++) {
            if (s != here && plan.touches(s, here, shardCount)) {
                waitersByShard[s]++;
                mailbox.awaitCredit(s);
            }
        }
        waiting.addLast(new Waiter(who, length));
        counters.increment(CREDIT_WAITS);
        counters.set(WAITING, waiting.size() + kept.size());
        if (creditFor(plan, length)) {
            scheduleGrant(); // credit is there, only the line was not empty: walk it
        }
    }

    private void releaseWaiterShards(Plan plan) {
        for (int s = 0; s < shardCount; s++) {
            if (s != here && plan.touches(s, here, shardCount)) {
                waitersByShard[s]--;
            }
        }
    }

    @Override
    public void onCredit(int target) {
        if (waitersByShard[target] > 0) {
            scheduleGrant();
        }
    }

    private void scheduleGrant() {
        if (!grantScheduled) {
            grantScheduled = true;
            if (walking) {
                loop.execute(grantNextTurn); // never walk twice in one turn: credit only returns between turns
            } else {
                loop.atTurnEnd(grantWaiters);
            }
        }
    }

    /**
     * Walks the waiters in order. One that has credit on every shard it needs goes; one that does not
     * keeps those shards from everyone behind it, so the oldest waiter of each shard goes first.
     */
    private void grantWaiters() {
        grantScheduled = false;
        walking = true;
        java.util.Arrays.fill(blocked, false);
        ArrayDeque<Waiter> scanning = waiting;
        waiting = new ArrayDeque<>(); // who queues while we walk goes behind everyone walked
        int share = Math.max(1, creditsPerTarget / Math.max(1, scanning.size())); // a fair share each
        try {
            Waiter w;
            while ((w = scanning.pollFirst()) != null) {
                Plan plan = w.who().heldPlan();
                if (anyBlocked(plan) || !creditFor(plan, w.length())) {
                    block(plan);
                    kept.addLast(w);
                    continue;
                }
                releaseWaiterShards(plan);
                granting = w.who();
                grantLeft = share;
                try {
                    w.who().onCanSubmit();
                } finally {
                    granting = null;
                }
            }
        } finally {
            walking = false;
            kept.addAll(waiting);
            waiting = kept;
            kept = scanning;
            counters.set(WAITING, waiting.size());
            for (int s = 0; s < shardCount; s++) {
                if (waitersByShard[s] > 0 && s != here) {
                    mailbox.awaitCredit(s); // the notice is one-shot: those still waiting need the next one
                }
            }
        }
    }

    private boolean anyBlocked(Plan plan) {
        for (int s = 0; s < shardCount; s++) {
            if (blocked[s] && plan.touches(s, here, shardCount)) {
                return true;
            }
        }
        return false;
    }

    private void block(Plan plan) {
        for (int s = 0; s < shardCount; s++) {
            if (s != here && plan.touches(s, here, shardCount)) {
                blocked[s] = true;
            }
        }
    }

    // ---- the owner: commands other shards send -----------------------------------------------------

    /**
     * A message from another shard: a command to run on this shard's keys (replied with the RESP
     * bytes), or one of the other kinds; then the waiters of the keys it wrote are served.
     */
    @Override
    public void onMessage(int type, int sourceShard, long correlationId, DirectBuffer buffer, int offset, int length) {
        handleMessage(type, sourceShard, correlationId, buffer, offset, length);
        serveBlocked();
    }

    private void handleMessage(int type, int sourceShard, long correlationId, DirectBuffer buffer, int offset, int length) {
        if (pubsub.onMessage(type, sourceShard, correlationId, buffer, offset, length)) {
            return;
        }
        if (connectionQuestions.onMessage(type, sourceShard, buffer, offset, length)) {
            return;
        }
        if (tracking.onMessage(type, sourceShard, buffer, offset, length)) {
            return;
        }
        if (blocking.onMessage(type, sourceShard, buffer, offset, length)) {
            return;
        }
        if (transactions != null && transactions.onMessage(type, sourceShard, correlationId, buffer, offset, length)) {
            publishSizes();
            return;
        }
        if ((type != MSG_COMMAND && type != MSG_COMMAND_RESP3) || correlationId == 0 || executor == null) {
            throw new IllegalStateException(shard.name() + ": unexpected message type " + type + " from shard " + sourceShard);
        }
        counters.increment(REMOTE_COMMANDS_SERVED);
        tracking.runningFrom(sourceShard); // its NOLOOP writer, if the sender named one
        int protocol = type == MSG_COMMAND_RESP3 ? 3 : 2;
        if (!locks.isEmpty()) {
            CommandCodec.decode(buffer, offset, waitingCommand);
            Command c = CommandTable.find(waitingCommand);
            if (c != null && locks.blocks(c, waitingCommand)) {
                // A transaction over several shards holds one of its keys: it runs when they are free.
                transactions.participant().runWhenFree(Transaction.single(c, waitingCommand), protocol, tracking.writer(),
                        r -> mailbox.reply(sourceShard, correlationId, MSG_REPLY, r.buffer(), 0, r.length()));
                tracking.writer(TrackingShard.NO_CLIENT);
                return;
            }
        }
        BufferReplyWriter reply = executor.executeEncoded(buffer, offset, protocol);
        tracking.writer(TrackingShard.NO_CLIENT);
        publishSizesAfter(executor.lastCommand(), buffer.getInt(offset + CommandDescriptor.DB_OFFSET));
        if (!replies.holds()) {
            mailbox.reply(sourceShard, correlationId, MSG_REPLY, reply.buffer(), 0, reply.length());
            return;
        }
        byte[] bytes = copy(reply); // the reply leaves once what it tells of is on disk
        replies.afterDurable(() -> mailbox.reply(sourceShard, correlationId, MSG_REPLY, new UnsafeBuffer(bytes), 0, bytes.length));
    }

    /**
     * After a command on database {@code db}: its sizes; or every database's after one that may
     * reach others (FLUSHALL and SWAPDB over every key; MOVE, COPY ... DB and scripts among the
     * commands over several keys).
     */
    private void publishSizesAfter(Command c, int db) {
        if (c != null && (c.route() == Command.Route.ALL_SHARDS || c.route() == Command.Route.WHOLE
                || c.name().equals("move") || c.name().equals("copy"))) { // MOVE, COPY ... DB n: another database changed too
            publishSizes();
        } else {
            publishSizes(db);
        }
    }

    /** Publishes the sizes of every database (after a transaction, an expiry cycle). */
    void publishSizes() {
        for (int db = 0; db < publishedKeys.length; db++) {
            publishSizes(db);
        }
    }

    /** Publishes the sizes of one database, and the shard's totals moved by its difference. */
    private void publishSizes(int db) {
        Keyspace keyspace = executor.keyspace(db);
        long keys = keyspace.size();
        long expires = keyspace.timedSize();
        long expired = keyspace.expiredCount();
        if (keys != publishedKeys[db] || expires != publishedExpires[db]) {
            counters.set(KEYS, counters.get(KEYS) + keys - publishedKeys[db]);
            counters.set(EXPIRES, counters.get(EXPIRES) + expires - publishedExpires[db]);
            counters.set(COUNTERS + PER_DB * db + DB_KEYS, keys);
            counters.set(COUNTERS + PER_DB * db + DB_EXPIRES, expires);
            publishedKeys[db] = keys;
            publishedExpires[db] = expires;
        }
        if (expired != publishedExpired[db]) {
            counters.set(EXPIRED_KEYS, counters.get(EXPIRED_KEYS) + expired - publishedExpired[db]);
            publishedExpired[db] = expired;
        }
    }

    /** Keys of one database on this shard, as last published (sharded mode). */
    long publishedKeyCount(int db) {
        return counters.get(COUNTERS + PER_DB * db + DB_KEYS);
    }

    /** Keys with a time to live of one database on this shard, as last published (sharded mode). */
    long publishedTimedCount(int db) {
        return counters.get(COUNTERS + PER_DB * db + DB_EXPIRES);
    }

    /** The average TTL of one database on this shard, as last published (sharded mode). */
    long publishedAverageTtl(int db) {
        return counters.get(COUNTERS + PER_DB * db + DB_AVG_TTL);
    }

    // ---- blocked clients (BLPOP and the others) ---------------------------------------------------

    /**
     * Runs a blocking command of a client outside a MULTI: at once, then, if it found nothing, it
     * waits until an owner of one of its keys serves it or its time runs out; the one answer
     * reaches the client.
     * The wait it returns ends when {@link BlockingWait#cancel} is called for a client gone.
     */
    public BlockingWait block(Command c, CommandArgs args, long clientId, BlockingWait.Client client) {
        assert loop.inLoop();
        BlockingWait w = new BlockingWait(this, c, args, clientId, client);
        w.start();
        return w;
    }

    /**
     * Shared-state modes: a blocking command's first run and, finding nothing, its waiter's joining
     * the lines, under the same locks ({@link Store#executeOrBlock}).
     *
     * @return true when it was served (its reply in {@code out})
     */
    boolean runOrBlock(Command c, CommandArgs args, BufferReplyWriter out, BlockedKeys.Waiter w, java.util.List<Key> keys) {
        assert loop.inLoop() && executor == null;
        if (group.overMaxMemory() && c.denyOom()) {
            out.raw(Errors.OOM);
            return true;
        }
        counters.increment(LOCAL_COMMANDS);
        boolean served = shared.executeOrBlock(c, args, out, w, keys);
        tracking.afterCommand(c, args);
        return served;
    }

    /**
     * Redis's refusal of writes while the append-only file cannot be written (disk full, I/O error):
     * {@code -MISCONF Errors writing to the AOF file: <why>}, the reply of {@code who}; reads go on.
     */
    private boolean refusesForDisk(Command c, Submitter who) {
        if (!Propagation.logs(c) && !Propagation.mayWriteScript(c)) {
            return false;
        }
        String error = group.diskError();
        if (error == null) {
            return false;
        }
        who.replyNow().error("MISCONF Errors writing to the AOF file: " + error); // asked only now: it takes a place in line
        return true;
    }

    /** Whether the command is refused -OOM now (maxmemory), before any part of it runs. */
    boolean refusesForMemory(Command c) {
        return group.overMaxMemory() && c.denyOom();
    }

    /**
     * Sharded mode: the first run of a blocking command of another shard's client whose keys are
     * all here, now or, when a transaction over several shards holds one of them, once they are
     * free; {@code then} gets its reply, before anything else runs here.
     */
    void firstRunForAnotherShard(Command c, CommandArgs args, int protocol, java.util.function.Consumer<BufferReplyWriter> then) {
        counters.increment(REMOTE_COMMANDS_SERVED);
        if (!locks.isEmpty() && locks.blocks(c, args)) {
            transactions.participant().runWhenFree(Transaction.single(c, args), protocol, TrackingShard.NO_CLIENT, then);
            return;
        }
        BufferReplyWriter reply = new BufferReplyWriter(64);
        reply.protocol(protocol);
        executor.execute(c, args, reply);
        publishSizes(args.db());
        then.accept(reply);
    }

    /** This shard's side of the blocked clients: BlockingWait's lines and answers. */
    ShardBlocking blocking() {
        return blocking;
    }

    /**
     * Sharded mode: serves the waiters of this shard's keys written since they were last served
     * ({@link BlockedKeys#serveReady}); called right after each command, transaction and message
     * that may have written, before the next runs. One volatile read while nobody waits.
     */
    private void serveBlocked() {
        if (executor != null && !blockedKeys.isEmpty() && blockedKeys.hasReady()) {
            blocking.serveHere();
        }
    }

    /** A key became ready: served at the end of this turn at the latest, whatever wrote it. */
    private void serveBlockedSoon() {
        if (serveScheduled) {
            return;
        }
        serveScheduled = true;
        if (loop.inLoop()) {
            loop.atTurnEnd(serveAtTurnEnd);
        } else {
            loop.execute(serveAtTurnEnd::onTurnEnd);
        }
    }

    /** This shard's keys, as its blocked clients are served from them (sharded mode, on the loop). */
    private final class KeysHere implements BlockedKeys.Owner {
        @Override
        public Object valueOf(Key key) {
            return executor.keyspace(DbKeys.db(key)).get(DbKeys.name(key));
        }

        @Override
        public boolean owns(Key key) {
            return DbKeys.owner(key, shardCount) == here;
        }

        @Override
        public boolean mayRun(Command c, CommandArgs args) {
            return locks.isEmpty() || !locks.blocks(c, args);
        }

        @Override
        public void run(Command c, CommandArgs args, ReplySink out) {
            counters.increment(LOCAL_COMMANDS);
            executor.execute(c, args, out);
            publishSizes(args.db());
        }
    }

    /**
     * Runs a command that nobody waits for the answer of (what a blocked client that hung up had
     * taken, going back), through the same paths as any command, holding it while credit is short.
     */
    void runDetached(CommandArgs command) {
        Command c = CommandTable.find(command);
        if (c == null) {
            throw new IllegalStateException("not a command: " + command.string(0));
        }
        new Detached(c, command).submit();
    }

    /** The submitter of a command whose answer is dropped. */
    private final class Detached implements Submitter {
        private final Command command;
        private final CommandArgs args;
        private final Plan plan = new Plan();
        private final BufferReplyWriter dropped = new BufferReplyWriter(64);

        Detached(Command command, CommandArgs args) {
            this.command = command;
            this.args = args;
        }

        void submit() {
            plan(command, args, plan);
            dropped.reset();
            KvShard.this.submit(command, args, plan, this);
        }

        @Override
        public ReplySink replyNow() {
            return dropped;
        }

        @Override
        public long defer() {
            return 0;
        }

        @Override
        public void onReply(long token, DirectBuffer reply, int offset, int length) {
        }

        @Override
        public int protocol() {
            return 2;
        }

        @Override
        public PendingTransactions pendingTransactions() {
            return null;
        }

        @Override
        public void holdInputUntil(long token) {
        }

        @Override
        public Plan heldPlan() {
            return plan;
        }

        @Override
        public void onCanSubmit() {
            submit();
        }
    }

    long scheduleTimer(long deadlineNanos, EventLoop.TimerTask task) {
        return loop.scheduleTimer(deadlineNanos, task);
    }

    void cancelTimer(long id) {
        loop.cancelTimer(id);
    }

    /** Runs a task on this shard's loop (from any thread). */
    void post(Runnable task) {
        loop.execute(task);
    }

    byte[] timedOutReply(int protocol) {
        return protocol == 3 ? BlockingCommands.TIMED_OUT_RESP3 : BlockingCommands.TIMED_OUT_RESP2;
    }

    // ---- pooled calls and gathers -----------------------------------------------------------------

    private int call(Submitter who, long token, KeysWalk walk) {
        if (freeCallCount == 0) {
            int old = calls.length;
            Call[] grown = new Call[old * 2];
            System.arraycopy(calls, 0, grown, 0, old);
            int[] free = new int[old * 2];
            for (int i = grown.length - 1; i >= old; i--) {
                grown[i] = new Call();
                free[freeCallCount++] = i;
            }
            calls = grown;
            freeCalls = free;
        }
        int index = freeCalls[--freeCallCount];
        Call c = calls[index];
        c.who = who;
        c.token = token;
        c.walk = walk;
        return index;
    }

    private void releaseCall(int index) {
        Call c = calls[index];
        c.who = null;
        c.walk = null;
        freeCalls[freeCallCount++] = index;
    }

    private void expireCycle(long now) {
        if (group.maxMemory() > 0) {
            ProcessMemory.refresh(); // the direct-buffer part of the maxmemory figure, ten times a second
        }
        if (executor != null) {
            Keyspace[] databases = executor.databases();
            Keyspace.expireCycle(databases, EXPIRE_BUDGET_NANOS);
            publishSizes();
            for (int db = 0; db < databases.length; db++) {
                counters.set(COUNTERS + PER_DB * db + DB_AVG_TTL, databases[db].averageTtl());
            }
            counters.set(AVG_TTL, Keyspace.averageTtl(databases));
        } else {
            shared.expireCycle(EXPIRE_BUDGET_NANOS); // the shared store counts what it expires itself
        }
        loop.scheduleTimer(System.nanoTime() + EXPIRE_PERIOD_NANOS, expireCycle);
    }

    /** Who waits for a reply: pooled, reused for call after call. */
    private static final class Call {
        /** The submitter of a whole command, or null for a walk's step. */
        Submitter who;
        long token;
        KeysWalk walk;
    }

    /**
     * KEYS as a walk of SCAN steps over every shard in cursor order: one step per turn here, or one
     * message to the owner of the cursor's shard, so no loop is held for the whole keyspace.
     */
    private final class KeysWalk implements CreditWaiter {
        private final Submitter who;
        private final long token;
        private final byte[] pattern;
        private final int db;
        private final java.util.LinkedHashSet<Key> found = new java.util.LinkedHashSet<>();
        private final CommandArgs step = new CommandArgs();
        private final Plan plan = new Plan();
        private final BufferReplyWriter stepReply = new BufferReplyWriter(256);
        private long cursor;
        private int stepShard;

        KeysWalk(Submitter who, long token, CommandArgs keys) {
            this.who = who;
            this.token = token;
            this.pattern = keys.copy(1);
            this.db = keys.db();
        }

        void step() {
            step.clear();
            step.db(db);
            step.add("SCAN").add(Long.toUnsignedString(cursor)).add("MATCH").add(pattern)
                    .add("COUNT").add(Integer.toString(KEYS_STEP));
            stepShard = sharded() ? ScanCursor.shard(cursor) : here;
            if (stepShard == here) {
                stepReply.reset();
                executeHere(CommandTable.SCAN_COMMAND, step, stepReply);
                onStepReply(stepReply.buffer(), 0, stepReply.length());
                return;
            }
            plan.owner(stepShard);
            int length = CommandCodec.encodedLength(step);
            if (hasWaitersFor(plan) || !mailbox.hasCredit(stepShard, length)) {
                enqueue(this, plan, length);
                return;
            }
            send(stepShard, CommandCodec.encode(step, scratch, 0), 2, call(null, 0, this)); // an array of keys either way
        }

        @Override
        public Plan heldPlan() {
            return plan;
        }

        @Override
        public void onCanSubmit() {
            send(stepShard, CommandCodec.encode(step, scratch, 0), 2, call(null, 0, this));
        }

        void onStepReply(DirectBuffer reply, int offset, int length) {
            if (ScanReply.isError(reply, offset)) {
                who.onReply(token, reply, offset, length);
                return;
            }
            cursor = ScanReply.read(reply, offset, found);
            if (cursor != 0) {
                loop.execute(this::step); // yield to I/O between steps
                return;
            }
            BufferReplyWriter out = new BufferReplyWriter(64);
            out.arrayHeader(found.size());
            for (Key k : found) {
                out.bulk(k.array(), k.offset(), k.length());
            }
            who.onReply(token, out.buffer(), 0, out.length());
        }
    }
}
