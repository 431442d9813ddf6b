package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One blocking command (BLPOP...) of a loop's client, from its first run to its one answer: the
 * waiter side of {@link BlockedKeys}. Each run, the first and every one after a wake-up, is a
 * plain submission of the command through {@link KvShard#submit} (here, to the owner, or as a
 * transaction over several shards), so it is atomic wherever the keys live.
 * <pre>
 *   RUNNING (first run)  served            → answered
 *                        not served        → BLOCKED: joins the line of each key (at its owner)
 *   BLOCKED              a key is ready    → RUNNING again
 *                        timeout, UNBLOCK  → answered (null array, or -UNBLOCKED), leaves its lines
 *   RUNNING (again)      served            → answered, leaves its lines (the next waiter is signaled)
 *                        not served        → BLOCKED, declines the key (it keeps its place in line)
 *                        a timeout or UNBLOCK meanwhile waits for the run's answer: an element the
 *                        run took is still the client's
 * </pre>
 * The client reads nothing more meanwhile (the front end holds its input until the answer).
 * <p>
 * Owned by its client's shard: every method but {@link #onReady} and {@link #unblockFromAnyThread}
 * runs on that shard's loop thread; those two only post a task to it.
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
    private static final int DONE = 2;

    private final KvShard kv;
    private final Command command;
    private final CommandArgs args = new CommandArgs();
    private final Client client;
    private final long clientId;
    private final long waitId;
    private final List<Key> keys = new ArrayList<>();
    private final Plan plan = new Plan();
    private final BufferReplyWriter now = new BufferReplyWriter(256);
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final ArrayDeque<Key> readyWhileRunning = new ArrayDeque<>();
    private volatile int state = RUNNING;
    private boolean joined;
    /** The key whose wake-up this run answers, or null for the first run. */
    private Key runFor;
    /** An answer decided while a run was away (timeout, UNBLOCK): given when the run finds nothing. */
    private byte[] endWhenBack;
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
        int n = command.keyCount(this.args);
        for (int i = 0; i < n; i++) {
            int at = command.keyIndex(this.args, i);
            Key k = DbKeys.of(this.args, at); // its line is its database's
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
    }

    public long clientId() {
        return clientId;
    }

    @Override
    public long waitId() {
        return waitId;
    }

    /** The first run. */
    void start() {
        run();
    }

    private void run() {
        state = RUNNING;
        kv.plan(command, args, plan);
        now.reset();
        now.protocol(client.protocol());
        if (kv.submit(command, args, plan, this) && now.length() > 0) {
            onRun(now.buffer(), 0, now.length());
        }
    }

    private void onRun(DirectBuffer reply, int offset, int length) {
        boolean notServed = BlockingCommands.notServed(reply, offset, length)
                || (runFor != null && BlockingCommands.staysBlocked(command, reply, offset, length));
        if (!notServed) {
            answer(reply, offset, length);
            return;
        }
        if (endWhenBack != null) {
            answer(endWhenBack);
            return;
        }
        state = BLOCKED;
        if (!joined) {
            joined = true;
            kv.blocking().waiting(this);
            long ms = BlockingCommands.timeoutMillis(command, args);
            if (ms > 0) {
                timer = kv.scheduleTimer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms), this::onTimeout);
            }
            for (Key k : keys) {
                kv.blocking().blockOn(k, this);
            }
        } else if (runFor != null) {
            kv.blocking().decline(runFor, waitId);
        }
        runFor = null;
        Key next = readyWhileRunning.pollFirst();
        if (next != null) {
            onReadyHere(next);
        }
    }

    /** Called by the owner of a key (under its table's monitor): runs again from a task on this loop. */
    @Override
    public void onReady(Key key) {
        kv.post(() -> onReadyHere(key));
    }

    /** A key this waits on may hold an element: run the command again (on this loop). */
    void onReadyHere(Key key) {
        if (state == DONE) {
            return; // it has left every line already: its leave is on the way
        }
        if (state == RUNNING) {
            readyWhileRunning.addLast(key);
            return;
        }
        runFor = key;
        run();
    }

    private void onTimeout(long nowNanos) {
        timer = -1;
        end(kv.timedOutReply(client.protocol()));
    }

    /** CLIENT UNBLOCK: true when it was waiting; its answer comes from a task on its loop. */
    @Override
    public boolean unblockFromAnyThread(boolean error) {
        if (state == DONE) {
            return false;
        }
        kv.post(() -> end(error ? UNBLOCKED : kv.timedOutReply(client.protocol())));
        return true;
    }

    private void end(byte[] reply) {
        if (state == DONE) {
            return;
        }
        if (state == RUNNING) {
            endWhenBack = reply;
            return;
        }
        answer(reply);
    }

    /** The client is gone: leave every line, answer nothing (an element a run away takes goes back). */
    public void cancel() {
        if (state == DONE) {
            return;
        }
        kv.cancelWait(this);
        finish();
    }

    private void answer(byte[] reply) {
        view.wrap(reply);
        answer(view, 0, reply.length);
    }

    private void answer(DirectBuffer reply, int offset, int length) {
        finish();
        client.onBlockedReply(reply, offset, length);
    }

    private void finish() {
        state = DONE;
        if (timer >= 0) {
            kv.cancelTimer(timer);
            timer = -1;
        }
        if (joined) {
            for (Key k : keys) {
                kv.blocking().leave(k, waitId);
            }
            kv.blocking().doneWaiting(this);
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
        if (state == DONE) {
            // The client hung up while the run was away: what the run took goes back.
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
        if (state != DONE) {
            run();
        }
    }
}
