package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

/**
 * The data behind the server, in one of three {@link StateMode}s, all with one contract: execute a
 * parsed command and write its complete reply. Commands routed {@link Command.Route#CONNECTION}
 * (AUTH, HELLO, CLIENT, QUIT, INFO, DEBUG) belong to the connection's {@link Session}; a store
 * given one replies an error.
 */
public interface Store {
    StateMode mode();

    /** Runs one command; the reply is written to {@code out} before this returns. */
    void execute(CommandArgs args, ReplySink out);

    /**
     * One step of active expiry (see {@link Keyspace#expireCycle}), called from a periodic timer.
     *
     * @return keys deleted.
     */
    int expireCycle(long budgetNanos);

    /** Keys held (expired ones not yet collected included). */
    long size();

    /**
     * Resolves a command and answers it when no data is needed (unknown name or wrong arity: the
     * error; LOCAL: run it; CONNECTION: refused here).
     *
     * @return the command when the data must answer it, else null (the reply is written).
     */
    static Command resolveDataCommand(CommandArgs args, ReplySink out) {
        Command c = CommandTable.resolve(args, out);
        if (c == null) {
            return null;
        }
        switch (c.route()) {
            case LOCAL -> c.handler().execute(null, args, out);
            case CONNECTION -> rejectConnectionCommand(c, out);
            default -> {
                return c;
            }
        }
        return null;
    }

    /** The reply for a connection command that reached a store. */
    static void rejectConnectionCommand(Command c, ReplySink out) {
        out.error("ERR '" + c.name() + "' is answered by the connection's session, not the store");
    }
}
