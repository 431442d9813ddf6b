package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.ExpandableArrayBuffer;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * The {@code sharded} semantics in one thread, for the contract tests and the benchmarks: N
 * keyspaces, each command planned by the same {@link Router} the server uses and run through the
 * same pieces. A command for another shard is encoded ({@link CommandCodec}), run there by its
 * {@link ShardExecutor} and its reply returned as bytes; a split command's parts are merged
 * ({@link ReplyMerger}). Shard 0 plays the receiving shard. The server runs the same executors on
 * their own loop threads with the messages over the mailbox instead ({@link KvShard}).
 * Not thread-safe.
 */
public final class ShardedReferenceStore implements Store {
    private static final int HOME = 0;

    private final ShardExecutor[] shards;
    private final Plan plan = new Plan();
    private final ReplyMerger merger = new ReplyMerger();
    private final ExpandableArrayBuffer message = new ExpandableArrayBuffer(256);
    private final LongSupplier clock;
    private final BlockedKeys blocked = new BlockedKeys();
    private final EncodingThresholds encodings = new EncodingThresholds();

    public ShardedReferenceStore(int shardCount, int databases, LongSupplier clock) {
        if (shardCount < 1 || shardCount > 1 << 15) {
            throw new IllegalArgumentException("shard count must be in [1, 32768]: " + shardCount);
        }
        this.clock = clock;
        shards = new ShardExecutor[shardCount];
        for (int i = 0; i < shardCount; i++) {
            shards[i] = new ShardExecutor(Keyspace.databases(databases, clock, i, shardCount));
            for (Keyspace k : shards[i].databases()) {
                k.blockedKeys(blocked);
                k.encodings(encodings);
            }
        }
    }

    @Override
    public EncodingThresholds encodings() {
        return encodings;
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
    public void execute(Command c, CommandArgs args, ReplySink out) {
        Router.plan(c, args, HOME, shards.length, true, plan);
        switch (plan.kind()) {
            case HERE -> shards[HOME].execute(c, args, out);
            case OWNER -> {
                CommandCodec.encode(args, message, 0);
                BufferReplyWriter reply = shards[plan.owner()].executeEncoded(message, 0, out.protocol());
                out.raw(reply.array(), 0, reply.length());
            }
            case SPLIT -> {
                MultiKeySplit split = plan.split();
                merger.begin(c.merge(), split.groups(), split);
                for (int g = 0; g < split.groups(); g++) {
                    split.encodeGroup(g, args, message, 0);
                    BufferReplyWriter reply = shards[split.shard(g)].executeEncoded(message, 0, out.protocol());
                    merger.accept(g, reply.buffer(), 0, reply.length());
                }
                merger.finish(out);
            }
            case SPREAD -> {
                // Keys of several shards that one command needs together: gathered, run, given back.
                GatheredKeys gathered = new GatheredKeys(clock, databases(), KeyspaceEvents.OFF, encodings);
                for (int n = 0; n < c.keyCount(args); n++) {
                    int k = c.keyIndex(args, n);
                    Key key = DbKeys.of(KeyCommands.keyDb(c, args, n, databases()), args.array(), args.offset(k), args.length(k));
                    int end = GatheredKeys.write(ownerOf(DbKeys.name(key)), key, message, 0);
                    gathered.addAll(message, 0, end);
                }
                c.handler().execute(gathered.scratch(args.db()), args, out);
                gathered.forEachChange((key, written, offset, length) ->
                        GatheredKeys.apply(ownerOf(DbKeys.name(key)), written, offset));
            }
            case ALL -> {
                merger.begin(c.merge(), shards.length, null);
                CommandCodec.encode(args, message, 0);
                for (int s = 0; s < shards.length; s++) {
                    BufferReplyWriter reply = shards[s].executeEncoded(message, 0, out.protocol());
                    merger.accept(s, reply.buffer(), 0, reply.length());
                }
                merger.finish(out);
            }
        }
    }

    /** Runs the commands one after another: atomic, with one thread over every shard. */
    @Override
    public void execute(Transaction tx, ReplySink out) {
        tx.runOn(this::ownerOf, this::execute, out);
    }

    @Override
    public BlockedKeys blocked() {
        return blocked;
    }

    @Override
    public boolean executeOrBlock(Command c, CommandArgs args, BufferReplyWriter out, BlockedKeys.Waiter w, List<Key> keys) {
        int start = out.length();
        execute(c, args, out);
        if (!BlockingCommands.notServed(out.buffer(), start, out.length() - start)) {
            return true;
        }
        blocked.block(w, keys);
        serveBlocked();
        return false;
    }

    /** Serves the clients blocked on its keys, from the shard that owns each (one thread over every shard). */
    @Override
    public void serveBlocked() {
        blocked.serveReady(BlockedKeys.Owner.ofEverything(
                key -> ownerOf(DbKeys.name(key)).database(DbKeys.db(key)).get(DbKeys.name(key)), this::execute));
    }

    @Override
    public long watch(Key watch) {
        Key key = DbKeys.name(watch);
        Keyspace owner = ownerOf(key).database(DbKeys.db(watch));
        return owner.watches().watch(key, owner.get(key) != null);
    }

    @Override
    public void unwatch(Key watch) {
        Key key = DbKeys.name(watch);
        ownerOf(key).database(DbKeys.db(watch)).watches().unwatch(key);
    }

    private Keyspace ownerOf(Key key) {
        return shards[Slots.ownerOf(key.array(), key.offset(), key.length(), shards.length)].keyspace();
    }

    @Override
    public void onExpiry(ExpiryListener listener) {
        for (ShardExecutor s : shards) {
            for (Keyspace k : s.databases()) {
                k.onExpiry(listener);
            }
        }
    }

    @Override
    public int expireCycle(long budgetNanos) {
        int n = 0;
        for (ShardExecutor s : shards) {
            for (int db = 0; db < s.databases().length; db++) {
                n += s.keyspace(db).expireCycle(budgetNanos);
            }
        }
        return n;
    }

    @Override
    public int databases() {
        return shards[0].databases().length;
    }

    @Override
    public long size(int db) {
        long n = 0;
        for (ShardExecutor s : shards) {
            n += s.keyspace(db).size();
        }
        return n;
    }

    @Override
    public long timedSize(int db) {
        long n = 0;
        for (ShardExecutor s : shards) {
            n += s.keyspace(db).timedSize();
        }
        return n;
    }

    @Override
    public long averageTtl(int db) {
        long[] averages = new long[shards.length];
        long[] weights = new long[shards.length];
        for (int i = 0; i < shards.length; i++) {
            averages[i] = shards[i].keyspace(db).averageTtl();
            weights[i] = shards[i].keyspace(db).timedSize();
        }
        return KvGroup.weightedAverage(averages, weights);
    }

    @Override
    public long size() {
        long n = 0;
        for (ShardExecutor s : shards) {
            for (int db = 0; db < s.databases().length; db++) {
                n += s.keyspace(db).size();
            }
        }
        return n;
    }

    @Override
    public long timedSize() {
        long n = 0;
        for (ShardExecutor s : shards) {
            for (int db = 0; db < s.databases().length; db++) {
                n += s.keyspace(db).timedSize();
            }
        }
        return n;
    }

    @Override
    public long expiredKeys() {
        long n = 0;
        for (ShardExecutor s : shards) {
            for (int db = 0; db < s.databases().length; db++) {
                n += s.keyspace(db).expiredCount();
            }
        }
        return n;
    }

    @Override
    public long averageTtl() {
        long[] averages = new long[databases()];
        long[] weights = new long[databases()];
        for (int db = 0; db < averages.length; db++) {
            averages[db] = averageTtl(db);
            weights[db] = timedSize(db);
        }
        return KvGroup.weightedAverage(averages, weights);
    }
}
