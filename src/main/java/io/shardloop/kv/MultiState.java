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
    static final String NOT_IN_MULTI = "ERR Command not allowed inside a transaction";
    static final String EXEC_ABORT = "EXECABORT Transaction discarded because of previous errors.";

    /** What {@link #selectedDb} answers for an index that is not an integer. */
    public static final int NOT_AN_INTEGER = -1;
    /** ... for an integer beyond an int (Redis's getIntFromObject). */
    public static final int NOT_AN_INT = -2;
    /** ... for an int that names no database. */
    public static final int OUT_OF_RANGE = -3;

    private final Transaction.ConnectionSide connection;
    private final int databases;
    /** The database a SELECT queued in this MULTI chose for the commands queued after it; -1 for none. */
    private int queuedDb = -1;
    private Transaction queued;
    private boolean refused;
    private final List<Key> watched = new ArrayList<>();
    private long[] codes = new long[4];

    /**
     * @param connection runs the client's own commands queued in a MULTI, at EXEC
     * @param databases  how many numbered databases there are (a queued SELECT's range)
     */
    public MultiState(Transaction.ConnectionSide connection, int databases) {
        this.connection = connection;
        this.databases = databases;
    }

    /**
     * SELECT's index (argument {@code i}) when it names one of {@code databases}; otherwise
     * {@link #NOT_AN_INTEGER}, {@link #NOT_AN_INT} or {@link #OUT_OF_RANGE}, whose error text is
     * {@link #selectError}.
     */
    public static long selectedDb(CommandArgs args, int i, int databases) {
        if (!args.isLong(i)) {
            return NOT_AN_INTEGER;
        }
        long index = args.parseLong(i, -1);
        if (index < Integer.MIN_VALUE || index > Integer.MAX_VALUE) {
            return NOT_AN_INT;
        }
        return index < 0 || index >= databases ? OUT_OF_RANGE : index;
    }

    /** Redis 7.0's error for what {@link #selectedDb} refused. */
    public static String selectError(long refusal) {
        if (refusal == NOT_AN_INTEGER) {
            return "ERR value is not an integer or out of range";
        }
        if (refusal == NOT_AN_INT) {
            return "ERR value is out of range, value must between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE;
        }
        return "ERR DB index is out of range";
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
        queuedDb = -1;
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

    /**
     * Queues a command of a MULTI, on the database it will run on at EXEC: the connection's, or
     * that of a SELECT queued before it (which runs, in its place, on the connection at EXEC, and
     * succeeds exactly when its index is in range). A command Redis flags no_multi (SAVE,
     * SHUTDOWN) is refused instead, and EXEC will abort; false then.
     */
    public boolean queue(Command c, CommandArgs args, ReplySink out) {
        if (c.hasFlag("no_multi")) {
            out.error(NOT_IN_MULTI);
            refused();
            return false;
        }
        if (queuedDb >= 0) {
            args.db(queuedDb);
        }
        queued.add(c, args);
        if (c.name().equals("select")) {
            long index = selectedDb(args, 1, databases);
            if (index >= 0) {
                queuedDb = (int) index;
            }
        }
        out.simple("QUEUED");
        return true;
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

    /** A watch WATCH registered ({@link DbKeys}: its database and key), with the code its owner gave. */
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
            watched(DbKeys.of(watch, i),
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
