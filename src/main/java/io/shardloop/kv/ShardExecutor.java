package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.DirectBuffer;

/**
 * Runs commands on one shard's {@link Keyspace}: those of its own connections whose keys it owns
 * ({@link #execute}), and those that crossed from another shard as bytes ({@link #executeEncoded},
 * whose reply goes back as bytes). A multi-key command reaches each owner as the sub-command
 * holding that owner's keys ({@link MultiKeySplit}).
 * <p>
 * Single-threaded: owned by its shard's loop thread, like the keyspace.
 */
public final class ShardExecutor {
    private final Keyspace keyspace;
    private final CommandArgs decoded = new CommandArgs();
    private final BufferReplyWriter reply = new BufferReplyWriter();

    public ShardExecutor(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    /** Resolves and runs a command whose keys (if any) this shard owns. */
    public void execute(CommandArgs args, ReplySink out) {
        Command c = args.is(0, CommandTable.WATCH_CODES.name()) ? CommandTable.WATCH_CODES : Router.resolve(args, out);
        if (c == null) {
            return;
        }
        if (c.route() == Command.Route.CONNECTION) {
            Store.rejectConnectionCommand(c, out);
            return;
        }
        execute(c, args, out);
    }

    /** Runs a resolved data or keyless command whose keys (if any) this shard owns. */
    public void execute(Command c, CommandArgs args, ReplySink out) {
        keyspace.watches().beforeCommand(c, args, keyspace);
        c.handler().execute(keyspace, args, out);
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
