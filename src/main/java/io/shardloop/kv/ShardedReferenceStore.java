package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.ExpandableArrayBuffer;

import java.util.function.LongSupplier;

/**
 * The {@code sharded} mode, run in one thread: N keyspaces, each command routed to its owners
 * exactly as the server routes it between shards, through the same pieces. A command for
 * another shard is encoded ({@link CommandCodec}), run there by its {@link ShardExecutor} and its
 * reply returned as bytes; multi-key commands are split by owner ({@link MultiKeySplit}) and the
 * parts merged ({@link ReplyMerger}); KEYS, DBSIZE and FLUSHDB go to every shard; SCAN goes to
 * the shard its cursor names ({@link ScanCursor}). Shard 0 plays the receiving shard.
 * <p>
 * This is the reference of the sharded semantics and what the contract tests run; the server runs
 * the same executors on their own loop threads with the messages over the mailbox instead.
 * Not thread-safe.
 */
public final class ShardedReferenceStore implements Store {
    private static final int HOME = 0;

    private final ShardExecutor[] shards;
    private final MultiKeySplit split = new MultiKeySplit();
    private final ReplyMerger merger = new ReplyMerger();
    private final ExpandableArrayBuffer message = new ExpandableArrayBuffer(256);

    public ShardedReferenceStore(int shardCount, LongSupplier clock) {
        if (shardCount < 1 || shardCount > 1 << 15) {
            throw new IllegalArgumentException("shard count must be in [1, 32768]: " + shardCount);
        }
        shards = new ShardExecutor[shardCount];
        for (int i = 0; i < shardCount; i++) {
            shards[i] = new ShardExecutor(new Keyspace(clock, i, shardCount));
        }
    }

    /** Shard {@code i}'s executor (and through it its keyspace). */
    public ShardExecutor shard(int i) {
        return shards[i];
    }

    public int shardCount() {
        return shards.length;
    }

    @Override
    public StateMode mode() {
        return StateMode.SHARDED;
    }

    @Override
    public void execute(CommandArgs args, ReplySink out) {
        Command c = Store.resolveDataCommand(args, out);
        if (c == null) {
            return;
        }
        switch (c.route()) {
            case SINGLE_KEY -> {
                int owner = Slots.ownerOf(args.array(), args.offset(1), args.length(1), shards.length);
                runOn(owner, args, out);
            }
            case SCAN -> {
                long cursor;
                try {
                    cursor = Long.parseUnsignedLong(args.string(1));
                } catch (NumberFormatException e) {
                    cursor = 0; // the shard replies the error
                }
                int owner = ScanCursor.shard(cursor);
                runOn(owner < shards.length ? owner : HOME, args, out);
            }
            case MULTI_KEY -> multiKey(c, args, out);
            case ALL_SHARDS -> allShards(c, args, out);
        }
    }

    private void multiKey(Command c, CommandArgs args, ReplySink out) {
        if ((args.count() - 1) % c.step() != 0) {
            out.error("ERR wrong number of arguments for '" + c.name() + "' command");
            return;
        }
        split.split(args, c.step(), shards.length);
        if (split.groups() == 1) {
            runOn(split.shard(0), args, out); // one owner: no split, and atomic as in Redis
            return;
        }
        merger.begin(c.merge(), split.groups(), split);
        for (int g = 0; g < split.groups(); g++) {
            split.encodeGroup(g, args, message, 0);
            BufferReplyWriter reply = shards[split.shard(g)].executeEncoded(message, 0);
            merger.accept(g, reply.buffer(), 0, reply.length());
        }
        merger.finish(out);
    }

    private void allShards(Command c, CommandArgs args, ReplySink out) {
        if (shards.length == 1) {
            shards[0].execute(args, out);
            return;
        }
        merger.begin(c.merge(), shards.length, null);
        CommandCodec.encode(args, message, 0);
        for (int s = 0; s < shards.length; s++) {
            BufferReplyWriter reply = shards[s].executeEncoded(message, 0);
            merger.accept(s, reply.buffer(), 0, reply.length());
        }
        merger.finish(out);
    }

    /** Runs on the owner: directly when it is the receiving shard, else as bytes there and back. */
    private void runOn(int owner, CommandArgs args, ReplySink out) {
        if (owner == HOME) {
            shards[HOME].execute(args, out);
            return;
        }
        CommandCodec.encode(args, message, 0);
        BufferReplyWriter reply = shards[owner].executeEncoded(message, 0);
        out.raw(reply.array(), 0, reply.length());
    }

    @Override
    public int expireCycle(long budgetNanos) {
        int n = 0;
        for (ShardExecutor s : shards) {
            n += s.keyspace().expireCycle(budgetNanos);
        }
        return n;
    }

    @Override
    public long size() {
        long n = 0;
        for (ShardExecutor s : shards) {
            n += s.keyspace().size();
        }
        return n;
    }
}
