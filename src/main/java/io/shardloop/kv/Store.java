package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.List;

/**
 * The data behind the server, in one of three {@link StateMode}s, all with one contract: execute a
 * command, on the numbered database its arguments name ({@link CommandArgs#db()}), and write its
 * complete reply. Commands routed {@link Command.Route#CONNECTION} (AUTH,
 * HELLO, CLIENT, QUIT, RESET, SELECT, INFO, CONFIG, DEBUG) belong to the connection; a store given one
 * replies an error.
 */
public interface Store {
    StateMode mode();

    /** Resolves and runs one command ({@link Router#resolve}); the reply is in {@code out} when this returns. */
    default void execute(CommandArgs args, ReplySink out) {
        Command c = Router.resolve(args, out);
        if (c == null) {
            return;
        }
        switch (c.route()) {
            case LOCAL -> c.handler().execute(null, args, out);
            case CONNECTION -> rejectConnectionCommand(c, out);
            default -> execute(c, args, out);
        }
    }

    /** Runs a data command already resolved by {@link Router#resolve}. */
    void execute(Command c, CommandArgs args, ReplySink out);

    /**
     * Runs a transaction whole and atomically (checking its watched keys first) and writes its
     * reply: an EXEC's array, or a null array when a watched key changed.
     */
    void execute(Transaction tx, ReplySink out);

    /**
     * The clients blocked on this store's keys (BLPOP...), which every put under a key tells;
     * thread-safe here, since every thread of the front end shares the store. Keys are named with
     * their database ({@link DbKeys}).
     */
    BlockedKeys blocked();

    /**
     * Serves the clients blocked on keys written since they were last served
     * ({@link BlockedKeys#serveReady}), holding the locks the data needs: what a client that has
     * just joined the lines asks, in case a key already holds something. Every {@code execute}
     * serves them itself after its command or transaction.
     */
    void serveBlocked();

    /**
     * A blocking command's first run ({@link BlockingCommands}): runs it and, when it finds
     * nothing, has the waiter join the lines of these keys before the store's locks are let go, so
     * no command runs between the two, as Redis blocks a client inside its command.
     *
     * @return true when it was served (its reply appended to {@code out}); false when the waiter is
     *         in line ({@code out} then holds the not-served reply)
     */
    boolean executeOrBlock(Command c, CommandArgs args, BufferReplyWriter out, BlockedKeys.Waiter w, List<Key> keys);

    /**
     * WATCH: registers one more watcher of the key and returns its {@link WatchTable#code} now.
     *
     * @param watch the database and the key ({@link DbKeys})
     */
    long watch(Key watch);

    /** Drops one watcher of the key ({@link DbKeys}: its database and key). */
    void unwatch(Key watch);

    /**
     * Who is told of each key that expires here, on the thread that found it (a command's lookup,
     * the expiry cycle); set once, before the store serves.
     */
    void onExpiry(ExpiryListener listener);

    /** How many numbered databases it has (SELECT 0 to this less one). */
    int databases();

    /** Keys of one database (INFO keyspace's {@code keys}). */
    long size(int db);

    /** Keys with a time to live in one database (INFO keyspace's {@code expires}). */
    long timedSize(int db);

    /** The estimate of the time left to one database's keys with a time to live, ms. */
    long averageTtl(int db);

    /**
     * One step of active expiry (see {@link Keyspace#expireCycle}), called from a periodic timer.
     *
     * @return keys deleted.
     */
    int expireCycle(long budgetNanos);

    /** The thresholds of the compact encodings its databases hold values by (CONFIG SET's). */
    EncodingThresholds encodings();

    /** Keys held in every database (expired ones not yet collected included). */
    long size();

    /** Keys with a time to live (INFO keyspace's {@code expires}). */
    long timedSize();

    /** Keys deleted because their time to live had passed, found on access or by the cycle, since start. */
    long expiredKeys();

    /** The running estimate of the time left to keys with a time to live, ms ({@link Keyspace#averageTtl}). */
    long averageTtl();

    /** The reply for a connection command that reached a store. */
    static void rejectConnectionCommand(Command c, ReplySink out) {
        out.error("ERR '" + c.name() + "' is answered by the connection's session, not the store");
    }
}
