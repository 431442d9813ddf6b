package io.shardloop.kv;

import io.shardloop.persist.AppendLog;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.DirectBuffer;

/**
 * Runs commands on one shard's {@link Keyspace}s, one per numbered database, each on the database
 * its arguments name ({@link CommandArgs#db()}): those of its own connections whose keys it owns
 * ({@link #execute}), and those that crossed from another shard as bytes ({@link #executeEncoded},
 * whose reply goes back as bytes). A multi-key command reaches each owner as the sub-command
 * holding that owner's keys ({@link MultiKeySplit}).
 * <p>
 * Single-threaded: owned by its shard's loop thread, like the keyspace.
 */
public final class ShardExecutor {
    private final Keyspace[] databases;
    private final CommandArgs decoded = new CommandArgs();
    private final BufferReplyWriter reply = new BufferReplyWriter();
    /** Where the writes go, or null when nothing is logged. */
    private AppendLog log;
    /** Where the replies of this shard wait before they leave ({@link ReplyHold}). */
    private ReplyHold replies = new ReplyHold(null);
    /** The command {@link #execute} ran last, or null when the last one did not resolve. */
    private Command last;
    /** Told after each command ran (client-side caching's invalidations), or null. */
    private java.util.function.BiConsumer<Command, CommandArgs> afterCommand;

    /** @param databases this shard's keyspaces, by database index ({@link Keyspace#databases}) */
    public ShardExecutor(Keyspace[] databases) {
        this.databases = databases;
    }

    /** An executor over one database (tests of one keyspace). */
    public ShardExecutor(Keyspace keyspace) {
        this(new Keyspace[] {keyspace});
    }

    /** Database 0's keyspace. */
    public Keyspace keyspace() {
        return databases[0];
    }

    /** The keyspace of database {@code db}. */
    public Keyspace keyspace(int db) {
        return databases[db];
    }

    /** Every database's keyspace, by index; the array itself (the expiry cycle walks it). */
    public Keyspace[] databases() {
        return databases;
    }

    /** Resolves and runs a command whose keys (if any) this shard owns. */
    public void execute(CommandArgs args, ReplySink out) {
        Command c = args.is(0, CommandTable.WATCH_CODES.name()) ? CommandTable.WATCH_CODES : Router.resolve(args, out);
        last = c;
        if (c == null) {
            return;
        }
        if (c.route() == Command.Route.CONNECTION) {
            Store.rejectConnectionCommand(c, out);
            return;
        }
        execute(c, args, out);
    }

    /**
     * Runs a resolved data or keyless command whose keys (if any) this shard owns; with a log, a
     * command that changed the data is appended to it as its effect ({@link Propagation}), in one
     * record with the deletions of keys it found expired and, for a script, with its calls.
     */
    public void execute(Command c, CommandArgs args, ReplySink out) {
        Keyspace keyspace = databases[args.db()];
        keyspace.watches().beforeCommand(c, args, keyspace);
        AppendLog log = this.log;
        if (log == null) {
            c.handler().execute(keyspace, args, out);
        } else {
            long before = keyspace.changes();
            log.begin();
            try {
                c.handler().execute(keyspace, args, out);
                if (!keyspace.takePropagated() && keyspace.changes() != before && Propagation.logs(c)) {
                    Propagation.append(log, keyspace, c, args);
                }
            } finally {
                log.end();
            }
        }
        if (afterCommand != null) {
            afterCommand.accept(c, args);
        }
    }

    /**
     * Opens a record of the log ({@link AppendLog#begin}): the commands run until {@link
     * #endRecord} are logged together (a transaction, a part of one), replayed whole or not at all.
     */
    void beginRecord() {
        if (log != null) {
            log.begin();
        }
    }

    /** Closes what {@link #beginRecord} opened. */
    void endRecord() {
        if (log != null) {
            log.end();
        }
    }

    /** The log this shard's writes go to, or null. */
    public AppendLog log() {
        return log;
    }

    /** Logs this shard's writes to {@code log} from now on (its databases' expired keys too). */
    void log(AppendLog log) {
        this.log = log;
        for (Keyspace k : databases) {
            k.appendLog(log);
        }
    }

    /** Where this shard's replies wait before they leave: for its log. */
    ReplyHold replies() {
        return replies;
    }

    void replies(ReplyHold hold) {
        this.replies = hold;
    }

    /** Who is told after each command ran, on this executor's thread. */
    void afterCommand(java.util.function.BiConsumer<Command, CommandArgs> listener) {
        afterCommand = listener;
    }

    /** The command the latest {@link #execute} of arguments ran (null when it did not resolve). */
    public Command lastCommand() {
        return last;
    }

    /**
     * Runs a command encoded by {@link CommandCodec} and returns its reply as bytes: [0,
     * {@code length()}) of the returned writer, valid until the next call.
     */
    public BufferReplyWriter executeEncoded(DirectBuffer src, int offset, int protocol) {
        CommandCodec.decode(src, offset, decoded);
        reply.reset();
        reply.protocol(protocol);
        execute(decoded, reply);
        return reply;
    }
}
