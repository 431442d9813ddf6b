package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The {@code locked} mode: one {@link Keyspace} shared by every shard, each command (multi-key
 * ones included, so they are atomic) and each MULTI/EXEC run under one lock. Thread-safe.
 */
public final class LockedStore implements Store {
    private final ReentrantLock lock = new ReentrantLock();
    private final Keyspace keyspace;
    private final BlockedKeys blocked = new BlockedKeys(k -> true);

    public LockedStore(LongSupplier clock) {
        this.keyspace = new Keyspace(clock);
        keyspace.blockedKeys(blocked);
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
        } finally {
            lock.unlock();
        }
    }

    private void run(Command c, CommandArgs args, ReplySink out) {
        keyspace.watches().beforeCommand(c, args, keyspace);
        c.handler().execute(keyspace, args, out);
    }

    @Override
    public void execute(Transaction tx, ReplySink out) {
        lock.lock();
        try {
            tx.runOn(k -> keyspace, this::run, out);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public BlockedKeys blocked() {
        return blocked;
    }

    @Override
    public long watch(Key key) {
        lock.lock();
        try {
            return keyspace.watches().watch(key, keyspace.get(key) != null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void unwatch(Key key) {
        keyspace.watches().unwatch(key);
    }

    @Override
    public int expireCycle(long budgetNanos) {
        lock.lock();
        try {
            return keyspace.expireCycle(budgetNanos);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long size() {
        lock.lock();
        try {
            return keyspace.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long timedSize() {
        lock.lock();
        try {
            return keyspace.timedSize();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long expiredKeys() {
        lock.lock();
        try {
            return keyspace.expiredCount();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long averageTtl() {
        lock.lock();
        try {
            return keyspace.averageTtl();
        } finally {
            lock.unlock();
        }
    }
}
