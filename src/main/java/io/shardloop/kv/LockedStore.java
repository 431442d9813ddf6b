package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The {@code locked} mode: one {@link Keyspace} per database shared by every shard, each command (multi-key
 * ones included, so they are atomic) and each MULTI/EXEC run under one lock. Thread-safe.
 */
public final class LockedStore implements Store {
    private final ReentrantLock lock = new ReentrantLock();
    private final Keyspace[] databases;
    private final BlockedKeys blocked = new BlockedKeys();
    /** The data blocked clients are served from, under {@link #lock}. */
    private final BlockedKeys.Owner owner = BlockedKeys.Owner.ofEverything(
            this::blockedValue, this::run);

    public LockedStore(int databases, LongSupplier clock) {
        this(databases, clock, new KeyspaceEvents());
    }

    /** @param events where its databases' keyspace events go (the server's) */
    public LockedStore(int databases, LongSupplier clock, KeyspaceEvents events) {
        this.databases = Keyspace.databases(databases, clock, 0, 1);
        for (Keyspace k : this.databases) {
            k.blockedKeys(blocked);
            k.keyspaceEvents(events);
        }
    }

    @Override
    public EncodingThresholds encodings() {
        return databases[0].encodings();
    }

    @Override
    public StateMode mode() {
        return StateMode.LOCKED;
    }

    @Override
    public void execute(Command c, CommandArgs args, ReplySink out) {
        lock.lock();
        try {
            run(c, args, out);
            serveReady();
        } finally {
            lock.unlock();
        }
    }

    /** The clients blocked on keys the command just wrote, served before the lock is let go. */
    private void serveReady() {
        if (!blocked.isEmpty() && blocked.hasReady()) {
            blocked.serveReady(owner);
        }
    }

    @Override
    public boolean executeOrBlock(Command c, CommandArgs args, BufferReplyWriter out, BlockedKeys.Waiter w, List<Key> keys) {
        lock.lock();
        try {
            int start = out.length();
            run(c, args, out);
            boolean served = !BlockingCommands.notServed(out.buffer(), start, out.length() - start);
            if (!served) {
                blocked.block(w, keys);
            }
            serveReady();
            return served;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void serveBlocked() {
        lock.lock();
        try {
            serveReady();
        } finally {
            lock.unlock();
        }
    }

    private void run(Command c, CommandArgs args, ReplySink out) {
        Keyspace keyspace = databases[args.db()];
        keyspace.watches().beforeCommand(c, args, keyspace);
        c.handler().execute(keyspace, args, out);
    }

    @Override
    public void execute(Transaction tx, ReplySink out) {
        lock.lock();
        try {
            tx.runOn(k -> databases[0], this::run, out);
            serveReady();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public BlockedKeys blocked() {
        return blocked;
    }

    @Override
    public long watch(Key watch) {
        Keyspace keyspace = databases[DbKeys.db(watch)];
        Key key = DbKeys.name(watch);
        lock.lock();
        try {
            return keyspace.watches().watch(key, keyspace.get(key) != null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void unwatch(Key watch) {
        databases[DbKeys.db(watch)].watches().unwatch(DbKeys.name(watch));
    }

    @Override
    public void onExpiry(ExpiryListener listener) {
        for (Keyspace k : databases) {
            k.onExpiry(listener);
        }
    }

    @Override
    public int expireCycle(long budgetNanos) {
        lock.lock();
        try {
            return Keyspace.expireCycle(databases, budgetNanos);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int databases() {
        return databases.length;
    }

    @Override
    public long size(int db) {
        lock.lock();
        try {
            return databases[db].size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long timedSize(int db) {
        lock.lock();
        try {
            return databases[db].timedSize();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long averageTtl(int db) {
        lock.lock();
        try {
            return databases[db].averageTtl();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long size() {
        lock.lock();
        try {
            long n = 0;
            for (Keyspace keyspace : databases) {
                n += keyspace.size();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long timedSize() {
        lock.lock();
        try {
            long n = 0;
            for (Keyspace keyspace : databases) {
                n += keyspace.timedSize();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long expiredKeys() {
        lock.lock();
        try {
            long n = 0;
            for (Keyspace keyspace : databases) {
                n += keyspace.expiredCount();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long averageTtl() {
        lock.lock();
        try {
            return Keyspace.averageTtl(databases);
        } finally {
            lock.unlock();
        }
    }

    /** The value a blocked client is served from ({@link #owner}): a key named with its database. */
    private Object blockedValue(Key key) {
        return databases[DbKeys.db(key)].get(DbKeys.name(key));
    }
}
