package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.ArrayList;
import java.util.List;

/**
 * What one client holds between MULTI and EXEC, and the keys it WATCHes, with Redis 7.0's rules
 * for them: MULTI, EXEC, DISCARD and WATCH run at once, every other command (UNWATCH included) is
 * queued and answered {@code +QUEUED}; a command refused while queueing (unknown, wrong arity, not
 * allowed) makes EXEC answer {@code -EXECABORT} and run nothing; EXEC and DISCARD forget the
 * watches. Every front end that speaks the Redis protocol holds one per connection; how EXEC runs
 * and how WATCH reads a key's code is the store's business.
 * <p>
 * Not thread-safe: owned by its connection.
 */
public final class MultiState {
    static final String NESTED = "ERR MULTI calls can not be nested";
    static final String EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
    static final String DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
    static final String WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed";
    static final String EXEC_ABORT = "EXECABORT Transaction discarded because of previous errors.";

    private final Transaction.ConnectionSide connection;
    private Transaction queued;
    private boolean refused;
    private final List<Key> watched = new ArrayList<>();
    private long[] codes = new long[4];

    /** @param connection runs the client's own commands queued in a MULTI, at EXEC */
    public MultiState(Transaction.ConnectionSide connection) {
        this.connection = connection;
    }

    /** Between MULTI and EXEC or DISCARD. */
    public boolean active() {
        return queued != null;
    }

    /** Commands queued since MULTI, or -1 outside one (CLIENT LIST's multi field). */
    public int queuedCount() {
        return queued == null ? -1 : queued.size();
    }

    /** Whether the command is one of those that act on the transaction itself and run at once. */
    public boolean controls(Command c) {
        return c == CommandTable.MULTI || c == CommandTable.EXEC || c == CommandTable.DISCARD
                || c == CommandTable.WATCH || (c == CommandTable.UNWATCH && !active());
    }

    /** Whether the command runs at once even inside a MULTI (QUIT, RESET) rather than being queued. */
    public static boolean runsAtOnce(Command c) {
        return c.name().equals("quit") || c.name().equals("reset");
    }

    public void multi(ReplySink out) {
        if (active()) {
            out.error(NESTED);
            return;
        }
        queued = Transaction.exec(connection);
        refused = false;
        out.simple("OK");
    }

    /**
     * A command refused before it could run (its error answered by {@link CommandTable#resolve}):
     * an EXEC so refused discards the transaction, as Redis 7.0 does; any other, while queueing,
     * makes EXEC abort. True for the EXEC: then the caller lets go of {@link #takeWatched}.
     */
    public boolean refused(CommandArgs args) {
        if (args.is(0, CommandTable.EXEC.name())) {
            reset();
            return true;
        }
        refused();
        return false;
    }

    /** Queues a command of a MULTI. */
    public void queue(Command c, CommandArgs args, ReplySink out) {
        queued.add(c, args);
        out.simple("QUEUED");
    }

    /** A command was refused while queueing (its error already answered): EXEC will abort. */
    public void refused() {
        if (active()) {
            refused = true;
        }
    }

    /**
     * DISCARD: answers it; returns the watched keys to let go of (empty when there are none), or
     * null when there was no MULTI (the error answered).
     */
    public List<Key> discard(ReplySink out) {
        if (!active()) {
            out.error(DISCARD_WITHOUT_MULTI);
            return null;
        }
        queued = null;
        out.simple("OK");
        return takeWatched();
    }

    /** Whether WATCH may run now; if not, its error is answered. */
    public boolean mayWatch(ReplySink out) {
        if (active()) {
            out.error(WATCH_IN_MULTI);
            return false;
        }
        return true;
    }

    /** A key WATCH registered, with the code its owner gave. */
    public void watched(Key key, long code) {
        if (watched.size() == codes.length) {
            codes = java.util.Arrays.copyOf(codes, codes.length * 2);
        }
        codes[watched.size()] = code;
        watched.add(key);
    }

    /** Forgets the watched keys (UNWATCH, RESET, the client gone) and returns them, to let go of. */
    public List<Key> takeWatched() {
        List<Key> keys = new ArrayList<>(watched);
        watched.clear();
        return keys;
    }

    /** Ends a MULTI without running it (RESET). */
    public void reset() {
        queued = null;
        refused = false;
    }

    /**
     * EXEC: the transaction to run, carrying the watched keys (which it lets go of when it runs);
     * or null, its error answered: no MULTI, or a command was refused while queueing (then the
     * watched keys to let go of are in {@code unwatch}).
     */
    public Transaction exec(ReplySink out, List<Key> unwatch) {
        if (!active()) {
            out.error(EXEC_WITHOUT_MULTI);
            return null;
        }
        Transaction tx = queued;
        queued = null;
        if (refused) {
            out.error(EXEC_ABORT);
            unwatch.addAll(takeWatched());
            return null;
        }
        for (int i = 0; i < watched.size(); i++) {
            tx.watch(watched.get(i), codes[i]);
        }
        watched.clear();
        return tx;
    }

    /**
     * The codes of a WATCH's keys from the owner's reply (an array of integers, {@link #WATCH_CODES}):
     * registers each; false when the reply is an error instead.
     */
    public boolean watchedFromReply(CommandArgs watch, org.agrona.DirectBuffer reply, int offset) {
        if (io.shardloop.resp.codec.ReplyReader.type(reply, offset) != '*') {
            return false;
        }
        int at = io.shardloop.resp.codec.ReplyReader.firstElement(reply, offset);
        for (int i = 1; i < watch.count(); i++) {
            watched(Key.copyOf(watch.array(), watch.offset(i), watch.length(i)),
                    io.shardloop.resp.codec.ReplyReader.number(reply, at));
            at = io.shardloop.resp.codec.ReplyReader.skip(reply, at);
        }
        return true;
    }

    /** The handler of {@link CommandTable#WATCH_CODES}: registers each key and answers its code. */
    static void watchCodes(Db db, CommandArgs args, ReplySink out) {
        out.arrayHeader(args.count() - 1);
        for (int i = 1; i < args.count(); i++) {
            Key k = db.probe(0, args, i);
            out.integer(db.watches().watch(k, db.get(k) != null));
        }
    }
}
