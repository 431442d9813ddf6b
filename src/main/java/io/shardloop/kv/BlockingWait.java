package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One blocking command (BLPOP...) of a loop's client, from its first run to its one answer: the
 * waiter side of {@link BlockedKeys}. The first run is a plain submission of the command through
 * {@link KvShard#submit} (here, to the owner, or as a transaction over several shards), so it is
 * atomic wherever the keys live. After that the owners of its keys serve it: the first owner to
 * serve it runs the command's part for its key there, right after the push, and hands the answer
 * over (a task on this loop, or {@link ShardBlocking#MSG_SERVED}).
 * <pre>
 *   RUNNING    (first run)   served              → answered
 *              (keys all on one other shard: BLOCKED at once, and the owner runs it: what it found
 *              comes as a serve's answer, or it joins the lines there)
 *                            not served          → BLOCKED: joins the lines of its keys (at their owners);
 *                                                  counted blocked once every owner has it in line
 *   BLOCKED    an owner claims it                → SERVED (from any thread, one compare-and-set)
 *              timeout, UNBLOCK, hang-up         → DONE: answered (null array, -UNBLOCKED, nothing), leaves its lines
 *   SERVED     its answer is here                → answered, leaves its lines; a move whose
 *                                                  destination is on another shard → MOVING
 *   MOVING     the popped element pushed there   → answered with it
 *              the destination holds another type → RETURNING: the element pushed back onto its source
 *   RETURNING  pushed back                       → answered WRONGTYPE
 * </pre>
 * An answer an owner sends for a wait already ended goes back where it came from
 * ({@link BlockingCommands#giveBack}). The client reads nothing more meanwhile (the front end
 * holds its input until the answer).
 * <p>
 * Owned by its client's shard: every method but {@link #claim}, {@link #served} and
 * {@link #unblockFromAnyThread} runs on that shard's loop thread; those change the state with one
 * compare-and-set and post the rest to the loop.
 */
public final class BlockingWait implements KvShard.Submitter, BlockedKeys.Waiter, BlockedClients.Blocked {
    /** The front end's side: its client's answer. */
    public interface Client {
        /** The command's one answer (served, timed out or unblocked), on the loop thread. */
        void onBlockedReply(DirectBuffer reply, int offset, int length);

        /** The RESP version its replies are written in. */
        int protocol();
    }

    private static final byte[] UNBLOCKED = Errors.encoded("-UNBLOCKED client unblocked via CLIENT UNBLOCK");
    private static final int RUNNING = 0;
    private static final int BLOCKED = 1;
    private static final int SERVED = 2;
    private static final int MOVING = 3;
    private static final int RETURNING = 4;
    private static final int DONE = 5;

    private final KvShard kv;
    private final Command command;
    private final CommandArgs args = new CommandArgs();
    private final Client client;
    private final long clientId;
    private final long waitId;
    private final List<Key> keys;
    private final Plan plan = new Plan();
    private final BufferReplyWriter now = new BufferReplyWriter(256);
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private boolean joined;
    /** Owners of other shards that have not yet said the wait is in their lines. */
    private int joinsAway;
    /** Whether it is counted blocked ({@link ShardBlocking#inEveryLine}). */
    private boolean counted;
    /** What runs now: the command itself, or the push of a move's element (held while credit is short). */
    private Command running;
    private CommandArgs runningArgs;
    /** A move's popped element, as the bulk it answers; then the answer kept while it goes back. */
    private byte[] pending;
    private long timer = -1;
    private long tokens;

    BlockingWait(KvShard kv, Command command, CommandArgs args, long clientId, Client client) {
        this.kv = kv;
        this.command = command;
        this.client = client;
        this.clientId = clientId;
        this.waitId = kv.blocking().nextWaitId();
        for (int i = 0; i < args.count(); i++) {
            this.args.addFrom(args, i);
        }
        this.args.db(args.db());
        this.keys = BlockingCommands.waitedKeys(command, this.args); // its lines are its database's
    }

    public long clientId() {
        return clientId;
    }

    @Override
    public long waitId() {
        return waitId;
    }

    @Override
    public Command command() {
        return command;
    }

    @Override
    public CommandArgs args() {
        return args;
    }

    /**
     * The first run: through {@link KvShard#submit} in the sharded mode; in the shared-state modes
     * the run and the joining of the lines in one hold of the store's locks.
     */
    void start() {
        if (kv.sharded()) {
            kv.plan(command, args, plan);
            if (plan.kind() == Plan.Kind.OWNER && !kv.refusesForMemory(command)) {
                startAtOwner(plan.owner());
            } else {
                run(command, args);
            }
            return;
        }
        state.set(BLOCKED); // claimable from the moment it joins, inside the run
        now.reset();
        now.protocol(client.protocol());
        if (kv.runOrBlock(command, args, now, this, keys)) {
            answer(now.buffer(), 0, now.length());
        } else {
            blocked(false);
        }
    }

    private void run(Command c, CommandArgs a) {
        running = c;
        runningArgs = a;
        kv.plan(c, a, plan);
        now.reset();
        now.protocol(client.protocol());
        if (kv.submit(c, a, plan, this) && now.length() > 0) {
            onRun(now.buffer(), 0, now.length());
        }
    }

    private void onRun(DirectBuffer reply, int offset, int length) {
        switch (state.get()) {
            case RUNNING -> onFirstRun(reply, offset, length);
            case MOVING -> onPushed(reply, offset, length);
            case RETURNING -> answer(pending);
            default -> throw new IllegalStateException("a run answered in state " + state.get());
        }
    }

    private void onFirstRun(DirectBuffer reply, int offset, int length) {
        if (!BlockingCommands.notServed(reply, offset, length)) {
            answer(reply, offset, length);
            return;
        }
        state.set(BLOCKED); // before it joins a line: an owner may claim it at once
        blocked(true);
    }

    /**
     * Every key on one other shard: the owner runs the command and, finding nothing, has it join
     * its lines in the same step ({@link ShardBlocking#MSG_BLOCK}); its answer, if it found
     * something, comes as an owner's serve does.
     */
    private void startAtOwner(int owner) {
        state.set(BLOCKED);
        joined = true;
        kv.blocking().waiting(this);
        long ms = BlockingCommands.timeoutMillis(command, args);
        if (ms > 0) {
            timer = kv.scheduleTimer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms), this::onTimeout);
        }
        joinsAway = 1;
        kv.blocking().runOrBlockAt(owner, this);
    }

    /** The first run found nothing: it waits, in the lines of its keys (joined now, or by the run). */
    private void blocked(boolean join) {
        joined = true;
        kv.blocking().waiting(this);
        long ms = BlockingCommands.timeoutMillis(command, args);
        if (ms > 0) {
            timer = kv.scheduleTimer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms), this::onTimeout);
        }
        if (join) {
            joinsAway = kv.blocking().blockOn(this, keys);
        }
        countWhenInEveryLine();
    }

    /** An owner of another shard has it in its lines. */
    void onJoined() {
        joinsAway--;
        countWhenInEveryLine();
    }

    private void countWhenInEveryLine() {
        if (joinsAway == 0 && !counted && state.get() == BLOCKED) {
            counted = true;
            kv.blocking().inEveryLine(this);
        }
    }

    /** An owner takes it to serve it (any thread): only a wait still blocked may be served. */
    @Override
    public boolean claim() {
        return state.compareAndSet(BLOCKED, SERVED);
    }

    /** The answer of an owner that claimed it (any thread, under the owner's table): on to this loop. */
    @Override
    public void served(Key key, DirectBuffer reply, int offset, int length) {
        byte[] copy = new byte[length];
        reply.getBytes(offset, copy);
        // On the owner's thread: what it took is logged there, so the answer leaves once that is durable.
        ReplyHold.whenDurable(() -> kv.post(() -> onServedHere(key, new UnsafeBuffer(copy), 0, copy.length)));
    }

    /** An owner served it (it was claimed): the answer, or a move's push to its destination first. */
    void onServedHere(Key key, DirectBuffer reply, int offset, int length) {
        if (BlockingCommands.popsOnly(command, args, kv.shardCount(), kv.sharded())
                && !BlockingCommands.isError(reply, offset, length)) {
            pending = new byte[length];
            reply.getBytes(offset, pending);
            state.set(MOVING);
            CommandArgs push = BlockingCommands.pushToDestination(command, args, reply, offset);
            run(CommandTable.find(push), push);
            return;
        }
        answer(reply, offset, length);
    }

    /** The move's push answered: the element is the answer, or, refused, it goes back first. */
    private void onPushed(DirectBuffer reply, int offset, int length) {
        if (!BlockingCommands.isError(reply, offset, length)) {
            answer(pending);
            return;
        }
        view.wrap(pending);
        CommandArgs back = BlockingCommands.pushBackToSource(command, args, view, 0);
        pending = new byte[length];
        reply.getBytes(offset, pending);
        state.set(RETURNING);
        run(CommandTable.find(back), back);
    }

    private void onTimeout(long nowNanos) {
        timer = -1;
        if (state.compareAndSet(BLOCKED, DONE)) {
            answer(kv.timedOutReply(client.protocol()));
        }
    }

    /** CLIENT UNBLOCK: true when it was still waiting; its answer comes from a task on its loop. */
    @Override
    public boolean unblockFromAnyThread(boolean error) {
        if (!state.compareAndSet(BLOCKED, DONE)) {
            return false;
        }
        byte[] reply = error ? UNBLOCKED : kv.timedOutReply(client.protocol());
        kv.post(() -> answer(reply));
        return true;
    }

    /**
     * The client is gone: a wait still blocked leaves every line and answers nothing; a run away
     * gives back what it takes; an answer on its way is dropped by the front end.
     */
    public void cancel() {
        if (state.get() == RUNNING) {
            state.set(DONE);
            kv.cancelWait(this);
            finish();
        } else if (state.compareAndSet(BLOCKED, DONE)) {
            finish();
        }
    }

    private void answer(byte[] reply) {
        view.wrap(reply);
        answer(view, 0, reply.length);
    }

    private void answer(DirectBuffer reply, int offset, int length) {
        state.set(DONE);
        finish();
        client.onBlockedReply(reply, offset, length);
    }

    private void finish() {
        if (timer >= 0) {
            kv.cancelTimer(timer);
            timer = -1;
        }
        if (joined) {
            joined = false;
            kv.blocking().leave(this, keys);
            kv.blocking().doneWaiting(this, counted);
            counted = false;
        }
    }

    // ---- KvShard.Submitter: each run -----------------------------------------------------------

    @Override
    public ReplySink replyNow() {
        return now;
    }

    @Override
    public long defer() {
        return ++tokens;
    }

    @Override
    public void onReply(long token, DirectBuffer reply, int offset, int length) {
        if (state.get() == DONE) {
            // The client hung up while its first run was away: what the run took goes back.
            if (!BlockingCommands.notServed(reply, offset, length)) {
                CommandArgs back = BlockingCommands.giveBack(command, args, reply, offset);
                if (back != null) {
                    kv.runDetached(back);
                }
            }
            return;
        }
        onRun(reply, offset, length);
    }

    @Override
    public int protocol() {
        return client.protocol();
    }

    @Override
    public PendingTransactions pendingTransactions() {
        return null; // its client reads nothing until the answer anyway
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
        if (state.get() != DONE) {
            run(running, runningArgs);
        }
    }
}
