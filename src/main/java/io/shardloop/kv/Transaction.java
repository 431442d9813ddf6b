package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.ArrayList;
import java.util.List;

/**
 * Commands that run as one, atomically: those a client queued between MULTI and EXEC, or one
 * command whose keys live on several shards (an MSET, a RENAME). It also carries the keys the
 * client WATCHes, with the {@link WatchTable#code} each had at WATCH: if one changed, an EXEC runs
 * nothing and answers a null array.
 * <p>
 * An EXEC answers an array of its commands' replies; a single command answers its own reply. A
 * connection command queued in a MULTI (CLIENT SETNAME, INFO...) runs, in its place, through the
 * {@link ConnectionSide} of the client, on the client's thread.
 * <p>
 * Built and read by one thread: the client's.
 */
public final class Transaction {
    /** Runs the client's own commands (those routed {@link Command.Route#CONNECTION}) in an EXEC. */
    @FunctionalInterface
    public interface ConnectionSide {
        void execute(Command c, CommandArgs args, ReplySink out);
    }

    private final List<Command> commands = new ArrayList<>();
    private final List<CommandArgs> args = new ArrayList<>();
    private final List<Key> watched = new ArrayList<>();
    private long[] watchCodes = new long[4];
    private final boolean exec;
    private final ConnectionSide connection;

    private Transaction(boolean exec, ConnectionSide connection) {
        this.exec = exec;
        this.connection = connection;
    }

    /** An EXEC: its replies in an array. */
    public static Transaction exec(ConnectionSide connection) {
        return new Transaction(true, connection);
    }

    /** One command, answered with its own reply; {@code args} are copied. */
    public static Transaction single(Command c, CommandArgs args) {
        Transaction t = new Transaction(false, null);
        t.add(c, args);
        return t;
    }

    /** A transaction received whole by the shard that owns its keys; it has no connection commands. */
    static Transaction batch(boolean exec) {
        return new Transaction(exec, null);
    }

    /** Its parts per shard, once planned over several shards ({@link ShardTransactions#prepare}). */
    TransactionParts prepared;

    /** Appends a command (its arguments copied). */
    public void add(Command c, CommandArgs a) {
        CommandArgs copy = new CommandArgs().db(a.db());
        for (int i = 0; i < a.count(); i++) {
            copy.addFrom(a, i);
        }
        commands.add(c);
        args.add(copy);
    }

    /** A key the client watches ({@link DbKeys}: its database and key), with the code it had at WATCH. */
    public void watch(Key key, long code) {
        if (watched.size() == watchCodes.length) {
            watchCodes = java.util.Arrays.copyOf(watchCodes, watchCodes.length * 2);
        }
        watchCodes[watched.size()] = code;
        watched.add(key);
    }

    public boolean isExec() {
        return exec;
    }

    public int size() {
        return commands.size();
    }

    public Command command(int i) {
        return commands.get(i);
    }

    public CommandArgs args(int i) {
        return args.get(i);
    }

    public int watchedCount() {
        return watched.size();
    }

    public Key watchedKey(int i) {
        return watched.get(i);
    }

    public long watchedCode(int i) {
        return watchCodes[i];
    }

    /** Whether a SELECT is among its commands: it decides the database of its client's later commands. */
    public boolean selects() {
        for (Command c : commands) {
            if (c.route() == Command.Route.CONNECTION && c.name().equals("select")) {
                return true;
            }
        }
        return false;
    }

    /** Whether some command may grow the data (refused whole while over maxmemory). */
    public boolean denyOom() {
        for (Command c : commands) {
            if (c.denyOom()) {
                return true;
            }
        }
        return false;
    }

    /** Runs a connection command of an EXEC in its place. */
    void runOnConnection(int i, ReplySink out) {
        if (connection == null) {
            Store.rejectConnectionCommand(commands.get(i), out);
        } else {
            connection.execute(commands.get(i), args.get(i), out);
        }
    }

    /**
     * Runs the whole transaction on this thread, as the shared-state modes, a transaction whose keys
     * share one shard, and the in-process reference store do: the caller makes it atomic (holds the
     * lock, the keys' locks, or is the owner's loop, or the only thread). Checks the watched keys
     * first, on their owners, and lets go of them.
     *
     * @param ownerOf the store holding a watched key (any of its databases)
     * @param data    runs one data command where its keys are
     */
    void runOn(java.util.function.Function<Key, Db> ownerOf, DataRunner data, ReplySink out) {
        boolean hold = true;
        for (int i = 0; i < watched.size(); i++) {
            Key k = DbKeys.name(watched.get(i));
            Db owner = ownerOf.apply(k).database(DbKeys.db(watched.get(i)));
            hold &= owner.watches().code(k, owner.get(k) != null) == watchCodes[i];
            owner.watches().unwatch(k);
        }
        if (!hold) {
            out.nullArray();
            return;
        }
        if (exec) {
            out.arrayHeader(commands.size());
        }
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            if (c.route() == Command.Route.CONNECTION) {
                runOnConnection(i, out);
            } else if (c.route() == Command.Route.LOCAL) {
                c.handler().execute(null, args.get(i), out);
            } else {
                data.run(c, args.get(i), out);
            }
        }
    }

    /** Runs one data command of a transaction, on whatever holds the data. */
    @FunctionalInterface
    interface DataRunner {
        void run(Command c, CommandArgs args, ReplySink out);
    }
}
