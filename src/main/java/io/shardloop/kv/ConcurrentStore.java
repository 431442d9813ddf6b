package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The {@code concurrent} mode: one ConcurrentHashMap per database ({@link ConcurrentDatabase})
 * shared by every shard, and key locks. A command holds the locks of the keys it names
 * ({@link KeyStripes}: a fixed array of locks, a key hashed to one, taken in array order so no two
 * commands deadlock), so a multi-key command (MSET, RENAME, SINTERSTORE) and a MULTI/EXEC are
 * atomic; a command over every key (FLUSHDB, SWAPDB) holds them all. The stripes are shared by
 * every database, so a MOVE or a transaction over several databases is atomic too. A single-key
 * command runs whole inside {@code compute} on its key, so a container value is only touched under
 * its key's bin lock too. Thread-safe.
 * <p>
 * Costs the other modes do not pay: an owned key copy and a lambda per single-key command, and
 * SCAN cursors that count positions in the map's iteration order (a key may be missed or repeated
 * if the map is resized between calls). A walk in progress keeps its place: the iterator of each
 * recent cursor is kept, so a step costs its COUNT, not the position it starts from; a cursor whose
 * iterator was dropped (or is used twice at once) walks from the start to its position.
 */
public final class ConcurrentStore implements Store {
    private final ConcurrentDatabase[] databases;
    /** The clients blocked on keys of every database ({@link DbKeys} names), told by every put. */
    private final BlockedKeys blocked = new BlockedKeys();
    /** The data blocked clients are served from, with every stripe held ({@link #serveBlocked}). */
    private final BlockedKeys.Owner owner = BlockedKeys.Owner.ofEverything(
            this::blockedValue, this::run);
    /** The key locks: a command holds the stripes of every key it names, taken in stripe order. */
    private final ReentrantLock[] lockStripes = new ReentrantLock[KeyStripes.COUNT];
    private final ThreadLocal<KeyStripes> stripes = ThreadLocal.withInitial(KeyStripes::new);
    private final EncodingThresholds encodings = new EncodingThresholds();

    public ConcurrentStore(int databases, LongSupplier clock) {
        this(databases, clock, new KeyspaceEvents());
    }

    /** @param events where its databases' keyspace events go (the server's) */
    public ConcurrentStore(int databases, LongSupplier clock, KeyspaceEvents events) {
        if (databases < 1) {
            throw new IllegalArgumentException("at least one database, got " + databases);
        }
        this.databases = ConcurrentDatabase.databases(databases, clock, blocked, events, encodings);
        for (int i = 0; i < lockStripes.length; i++) {
            lockStripes[i] = new ReentrantLock();
        }
    }

    @Override
    public StateMode mode() {
        return StateMode.CONCURRENT;
    }

    @Override
    public EncodingThresholds encodings() {
        return encodings;
    }

    @Override
    public BlockedKeys blocked() {
        return blocked;
    }

    @Override
    public void execute(Command c, CommandArgs args, ReplySink out) {
        KeyStripes held = stripes.get();
        held.clear();
        held.addKeysOf(c, args);
        held.lock(lockStripes);
        boolean served;
        try {
            run(c, args, out);
            served = serveReadyHolding();
        } finally {
            held.unlock(lockStripes);
        }
        if (!served) {
            serveBlocked();
        }
    }

    @Override
    public boolean executeOrBlock(Command c, CommandArgs args, BufferReplyWriter out, BlockedKeys.Waiter w, List<Key> keys) {
        KeyStripes held = stripes.get();
        held.clear();
        held.addKeysOf(c, args);
        held.lock(lockStripes);
        boolean served;
        boolean readyServed;
        try {
            int start = out.length();
            run(c, args, out);
            served = !BlockingCommands.notServed(out.buffer(), start, out.length() - start);
            if (!served) {
                blocked.block(w, keys); // the stripes, then the table's monitor, as a put
            }
            readyServed = serveReadyHolding();
        } finally {
            held.unlock(lockStripes);
        }
        if (!readyServed) {
            serveBlocked();
        }
        return served;
    }

    /**
     * The clients blocked on keys the command just wrote, served before its stripes are let go
     * when every other stripe is free now (taken without waiting, so in no order that could
     * deadlock); false when some were not, and {@link #serveBlocked} must take them in order.
     */
    private boolean serveReadyHolding() {
        if (blocked.isEmpty() || !blocked.hasReady()) {
            return true;
        }
        int taken = 0;
        while (taken < lockStripes.length && lockStripes[taken].tryLock()) {
            taken++;
        }
        try {
            if (taken == lockStripes.length) {
                blocked.serveReady(owner);
                return true;
            }
            return false;
        } finally {
            for (int i = taken - 1; i >= 0; i--) {
                lockStripes[i].unlock();
            }
        }
    }

    /**
     * Serves the blocked clients holding every stripe (in stripe order), so no other command runs
     * meanwhile: a waiter's part takes its keys' bins under the table's monitor, which a command
     * holding a bin asks for when it writes a key with waiters. After a command whose stripes could
     * not be joined by all the others at once, a command of another thread may run between the two.
     */
    @Override
    public void serveBlocked() {
        for (ReentrantLock l : lockStripes) {
            l.lock();
        }
        try {
            blocked.serveReady(owner);
        } finally {
            for (int i = lockStripes.length - 1; i >= 0; i--) {
                lockStripes[i].unlock();
            }
        }
    }

    private void run(Command c, CommandArgs args, ReplySink out) {
        databases[args.db()].run(c, args, out);
    }

    @Override
    public void execute(Transaction tx, ReplySink out) {
        KeyStripes held = stripes.get();
        held.clear();
        for (int i = 0; i < tx.size(); i++) {
            held.addKeysOf(tx.command(i), tx.args(i));
        }
        for (int i = 0; i < tx.watchedCount(); i++) {
            held.add(DbKeys.name(tx.watchedKey(i)).hashCode());
        }
        held.lock(lockStripes);
        boolean served;
        try {
            tx.runOn(k -> databases[0].shared(), this::run, out);
            served = serveReadyHolding();
        } finally {
            held.unlock(lockStripes);
        }
        if (!served) {
            serveBlocked();
        }
    }

    @Override
    public long watch(Key watch) {
        ConcurrentDatabase db = databases[DbKeys.db(watch)];
        Key key = DbKeys.name(watch);
        ReentrantLock l = lockStripes[KeyStripes.of(key.hashCode())];
        l.lock();
        try {
            return db.watches().watch(key, db.shared().get(key) != null);
        } finally {
            l.unlock();
        }
    }

    @Override
    public void unwatch(Key watch) {
        databases[DbKeys.db(watch)].watches().unwatch(DbKeys.name(watch));
    }

    @Override
    public void onExpiry(ExpiryListener listener) {
        for (ConcurrentDatabase db : databases) {
            db.onExpiry(listener);
        }
    }

    /**
     * Every database that holds keys in turn, within one budget (the count of timed keys is only
     * near); each one's LRU clock ticked on the way.
     */
    @Override
    public int expireCycle(long budgetNanos) {
        long start = System.nanoTime();
        int n = 0;
        for (ConcurrentDatabase db : databases) {
            db.tickLruClock();
            if (db.size() > 0 || db.averageTtl() != 0) {
                n += db.expireCycle(Math.max(0, budgetNanos - (System.nanoTime() - start)));
            }
        }
        return n;
    }

    @Override
    public int databases() {
        return databases.length;
    }

    @Override
    public long size(int db) {
        return databases[db].size();
    }

    @Override
    public long timedSize(int db) {
        return databases[db].timedSize();
    }

    @Override
    public long averageTtl(int db) {
        return databases[db].averageTtl();
    }

    @Override
    public long size() {
        long n = 0;
        for (ConcurrentDatabase db : databases) {
            n += db.size();
        }
        return n;
    }

    @Override
    public long timedSize() {
        long n = 0;
        for (ConcurrentDatabase db : databases) {
            n += db.timedSize();
        }
        return n;
    }

    @Override
    public long expiredKeys() {
        long n = 0;
        for (ConcurrentDatabase db : databases) {
            n += db.expiredKeys();
        }
        return n;
    }

    @Override
    public long averageTtl() {
        long[] averages = new long[databases.length];
        long[] weights = new long[databases.length];
        for (int i = 0; i < databases.length; i++) {
            averages[i] = databases[i].averageTtl();
            weights[i] = databases[i].timedSize();
        }
        return KvGroup.weightedAverage(averages, weights);
    }

    /** The value a blocked client is served from ({@link #owner}): a key named with its database. */
    private Object blockedValue(Key key) {
        return databases[DbKeys.db(key)].shared().get(DbKeys.name(key));
    }
}
