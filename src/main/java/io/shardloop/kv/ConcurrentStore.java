package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The {@code concurrent} mode: one ConcurrentHashMap shared by every shard, and key locks. A
 * command holds the locks of the keys it names ({@link KeyStripes}: a fixed array of locks, a key
 * hashed to one, taken in array order so no two commands deadlock), so a multi-key command (MSET,
 * RENAME, SINTERSTORE) and a MULTI/EXEC are atomic; a command over every key (FLUSHDB) holds them
 * all. A single-key command runs whole inside {@code compute} on its key, so a container value is
 * only touched under its key's bin lock too. Thread-safe.
 * <p>
 * Costs the other modes do not pay: an owned key copy and a lambda per single-key command, and
 * SCAN cursors that count positions in the map's iteration order (a key may be missed or repeated
 * if the map is resized between calls). A walk in progress keeps its place: the iterator of each
 * recent cursor is kept, so a step costs its COUNT, not the position it starts from; a cursor whose
 * iterator was dropped (or is used twice at once) walks from the start to its position.
 */
public final class ConcurrentStore implements Store {
    /** A value and its deadline; replaced, never mutated, when either changes. */
    record Entry(Object value, long expireAt) {
        boolean expired(long now) {
            return expireAt != Db.NO_EXPIRY && now > expireAt;
        }
    }

    /** A ConcurrentHashMap.Node (hash, key, value, next) and its table slot, and the {@link Entry} record. */
    private static final long ENTRY_BYTES = MemoryUsage.HASH_MAP_NODE + MemoryUsage.mapSlotPerEntry()
            + ObjectLayout.object(ObjectLayout.REFERENCE + 8);

    /** Replaced, not cleared, by FLUSHDB: clearing millions of entries in place would hold the caller's loop. */
    private volatile ConcurrentHashMap<Key, Entry> map = new ConcurrentHashMap<>();
    /** Where recent SCAN walks stand: the next cursor a step returned, and the iterator to go on with. */
    private final ConcurrentHashMap<Long, Iterator<Map.Entry<Key, Entry>>> walks = new ConcurrentHashMap<>();
    private static final int MAX_WALKS = 1024;
    private final LongSupplier clock;
    private final ThreadLocal<KeyWindow> windows;
    private final SharedDb shared = new SharedDb();
    private final WatchTable watches = new WatchTable();
    private final BlockedKeys blocked = new BlockedKeys(k -> true);
    /** The key locks: a command holds the stripes of every key it names, taken in stripe order. */
    private final ReentrantLock[] lockStripes = new ReentrantLock[KeyStripes.COUNT];
    private final ThreadLocal<KeyStripes> stripes = ThreadLocal.withInitial(KeyStripes::new);
    private final ReentrantLock expiryLock = new ReentrantLock();
    private Iterator<Map.Entry<Key, Entry>> expiryCursor; // guarded by expiryLock
    /** Entries with a deadline: changed by whoever replaces an entry, with the entry it replaced. */
    private final LongAdder timed = new LongAdder();
    private final LongAdder expired = new LongAdder();
    /** Written under expiryLock, read by INFO on any thread. */
    private volatile long averageTtl;

    public ConcurrentStore(LongSupplier clock) {
        this.clock = clock;
        this.windows = ThreadLocal.withInitial(() -> new KeyWindow(this));
        for (int i = 0; i < lockStripes.length; i++) {
            lockStripes[i] = new ReentrantLock();
        }
    }

    @Override
    public StateMode mode() {
        return StateMode.CONCURRENT;
    }

    @Override
    public BlockedKeys blocked() {
        return blocked;
    }

    private void written(Key key) {
        if (!blocked.isEmpty()) {
            blocked.written(key);
        }
    }

    @Override
    public void execute(Command c, CommandArgs args, ReplySink out) {
        KeyStripes held = stripes.get();
        held.clear();
        held.addKeysOf(c, args);
        held.lock(lockStripes);
        try {
            run(c, args, out);
        } finally {
            held.unlock(lockStripes);
        }
    }

    /** Runs a command whose keys' stripes this thread holds. */
    private void run(Command c, CommandArgs args, ReplySink out) {
        watches.beforeCommand(c, args, shared);
        switch (c.route()) {
            case SINGLE_KEY -> {
                KeyWindow w = windows.get();
                int k = c.firstKey();
                Key key = Key.copyOf(args.array(), args.offset(k), args.length(k));
                map.compute(key, (owned, e) -> replaced(e, w.run(owned, e, c, args, out)));
            }
            default -> c.handler().execute(shared, args, out);
        }
    }

    @Override
    public void execute(Transaction tx, ReplySink out) {
        KeyStripes held = stripes.get();
        held.clear();
        for (int i = 0; i < tx.size(); i++) {
            held.addKeysOf(tx.command(i), tx.args(i));
        }
        for (int i = 0; i < tx.watchedCount(); i++) {
            held.add(tx.watchedKey(i).hashCode());
        }
        held.lock(lockStripes);
        try {
            tx.runOn(k -> shared, this::run, out);
        } finally {
            held.unlock(lockStripes);
        }
    }

    @Override
    public long watch(Key key) {
        ReentrantLock l = lockStripes[KeyStripes.of(key.hashCode())];
        l.lock();
        try {
            return watches.watch(key, shared.get(key) != null);
        } finally {
            l.unlock();
        }
    }

    @Override
    public void unwatch(Key key) {
        watches.unwatch(key);
    }

    @Override
    public int expireCycle(long budgetNanos) {
        if (!expiryLock.tryLock()) {
            return 0; // another shard's timer is already collecting
        }
        try {
            long start = System.nanoTime();
            long now = clock.getAsLong();
            int total = 0;
            if (timed.sum() == 0) {
                averageTtl = 0;
            }
            while (!map.isEmpty()) {
                int sampled = 0;
                int deleted = 0;
                long ttlSum = 0;
                int ttlSamples = 0;
                while (sampled < Keyspace.EXPIRE_SAMPLE * 4 && !map.isEmpty()) {
                    if (expiryCursor == null || !expiryCursor.hasNext()) {
                        expiryCursor = map.entrySet().iterator();
                    }
                    Map.Entry<Key, Entry> e = expiryCursor.next();
                    Entry entry = e.getValue();
                    sampled++; // walking past keys without a deadline still costs
                    if (entry.expireAt() == Db.NO_EXPIRY) {
                        continue;
                    }
                    if (entry.expired(now)) {
                        if (map.remove(e.getKey(), entry)) {
                            replaced(entry, null);
                            deleted++;
                        }
                    } else if (entry.expireAt() > now) {
                        ttlSum += entry.expireAt() - now;
                        ttlSamples++;
                    }
                }
                total += deleted;
                if (ttlSamples > 0) {
                    averageTtl = Keyspace.runningAverageTtl(averageTtl, ttlSum / ttlSamples);
                }
                if (deleted * 4 <= sampled || System.nanoTime() - start >= budgetNanos) {
                    break;
                }
            }
            expired.add(total);
            return total;
        } finally {
            expiryLock.unlock();
        }
    }

    @Override
    public long size() {
        return map.mappingCount();
    }

    @Override
    public long timedSize() {
        return timed.sum();
    }

    @Override
    public long expiredKeys() {
        return expired.sum();
    }

    @Override
    public long averageTtl() {
        return averageTtl;
    }

    /**
     * Keeps the count of entries with a deadline as {@code before} is replaced by {@code after}
     * (either may be null: inserted, removed). Called with the key's bin locked, or after an atomic
     * remove, so each replacement is counted once. Returns {@code after}.
     */
    private Entry replaced(Entry before, Entry after) {
        boolean was = before != null && before.expireAt() != Db.NO_EXPIRY;
        boolean is = after != null && after.expireAt() != Db.NO_EXPIRY;
        if (was != is) {
            timed.add(is ? 1 : -1);
        }
        return after;
    }

    /**
     * The {@link Db} a single-key command sees inside {@code compute}: the one entry, and the entry
     * to leave behind. One per thread.
     */
    private static final class KeyWindow implements Db {
        private final ConcurrentStore store;
        private final LongSupplier clock;
        private final Key fieldProbe = Key.probe();
        private Key key;
        private Entry result;

        KeyWindow(ConcurrentStore store) {
            this.store = store;
            this.clock = store.clock;
        }

        Entry run(Key k, Entry current, Command c, CommandArgs args, ReplySink out) {
            key = k;
            result = current;
            if (current != null && current.expired(clock.getAsLong())) {
                result = null;
                store.expired.increment(); // found past its deadline: whatever the command leaves replaces it
            }
            c.handler().execute(this, args, out);
            Entry r = result;
            key = null;
            result = null;
            return r;
        }

        @Override
        public long now() {
            return clock.getAsLong();
        }

        @Override
        public Key probe(int slot, CommandArgs args, int i) {
            return slot == 0 ? key : fieldProbe.view(args.array(), args.offset(i), args.length(i));
        }

        @Override
        public Object get(Key k) {
            return result == null ? null : result.value();
        }

        @Override
        public long expireAt(Key k) {
            return result == null ? NO_EXPIRY : result.expireAt();
        }

        @Override
        public void put(Key k, Object value, long expireAt) {
            result = new Entry(value, expireAt);
            store.written(k);
        }

        @Override
        public void replace(Key k, Object value) {
            result = new Entry(value, result.expireAt());
            store.written(k);
        }

        @Override
        public void setExpireAt(Key k, long expireAt) {
            result = new Entry(result.value(), expireAt);
        }

        @Override
        public boolean remove(Key k) {
            boolean was = result != null;
            result = null;
            return was;
        }

        @Override
        public long size() {
            throw new UnsupportedOperationException("a single-key command sees one key");
        }

        @Override
        public void clear() {
            throw new UnsupportedOperationException("a single-key command sees one key");
        }

        @Override
        public int shardIndex() {
            return 0;
        }

        @Override
        public int shardCount() {
            return 1;
        }

        @Override
        public long scan(long cursor, int count, KeyVisitor visitor) {
            throw new UnsupportedOperationException("a single-key command sees one key");
        }

        @Override
        public void forEachKey(KeyVisitor visitor) {
            throw new UnsupportedOperationException("a single-key command sees one key");
        }

        @Override
        public WatchTable watches() {
            return store.watches;
        }

        @Override
        public long entryBytes(boolean timed) {
            return ENTRY_BYTES;
        }
    }

    /** The {@link Db} of multi-key and keyless commands: each call one atomic map operation. */
    private final class SharedDb implements Db {
        @Override
        public long now() {
            return clock.getAsLong();
        }

        @Override
        public Key probe(int slot, CommandArgs args, int i) {
            return Key.probe().view(args.array(), args.offset(i), args.length(i));
        }

        @Override
        public Object get(Key key) {
            Entry e = map.get(key);
            if (e != null && e.expired(now())) {
                expire(key, e);
                return null;
            }
            return e == null ? null : e.value();
        }

        private void expire(Key key, Entry e) {
            if (map.remove(key, e)) {
                replaced(e, null);
                expired.increment();
            }
        }

        @Override
        public long expireAt(Key key) {
            Entry e = map.get(key);
            return e == null ? NO_EXPIRY : e.expireAt();
        }

        @Override
        public void put(Key key, Object value, long expireAt) {
            Entry before = map.put(key.owned(), replaced(null, new Entry(value, expireAt)));
            replaced(before, null);
            if (before != null && before.expired(now())) {
                expired.increment();
            }
            written(key);
        }

        @Override
        public void replace(Key key, Object value) {
            map.computeIfPresent(key, (k, e) -> new Entry(value, e.expireAt()));
            written(key);
        }

        @Override
        public void setExpireAt(Key key, long expireAt) {
            map.computeIfPresent(key, (k, e) -> replaced(e, new Entry(e.value(), expireAt)));
        }

        @Override
        public boolean remove(Key key) {
            Entry e = map.remove(key);
            replaced(e, null);
            if (e != null && e.expired(now())) {
                expired.increment();
                return false;
            }
            return e != null;
        }

        @Override
        public long size() {
            return map.mappingCount();
        }

        /**
         * Swaps in an empty map in O(1). The count of timed entries restarts at 0; a write racing the
         * FLUSHDB on the old map may still move it by one, which is the price of not walking millions
         * of entries on the caller's loop.
         */
        @Override
        public void clear() {
            map = new ConcurrentHashMap<>();
            timed.reset();
            walks.clear();
            expiryLock.lock();
            try {
                expiryCursor = null; // it walks the old map, and would keep all of it
            } finally {
                expiryLock.unlock();
            }
        }

        @Override
        public int shardIndex() {
            return 0;
        }

        @Override
        public int shardCount() {
            return 1;
        }

        @Override
        public long scan(long cursor, int count, KeyVisitor visitor) {
            long now = now();
            Iterator<Map.Entry<Key, Entry>> it = cursor == 0 ? null : walks.remove(cursor);
            if (it == null) {
                it = map.entrySet().iterator();
                for (long skipped = 0; skipped < cursor && it.hasNext(); skipped++) {
                    it.next();
                }
            }
            long position = cursor;
            for (int visited = 0; visited < count && it.hasNext(); visited++, position++) {
                Map.Entry<Key, Entry> e = it.next();
                if (!e.getValue().expired(now)) {
                    visitor.visit(e.getKey(), e.getValue().value());
                }
            }
            if (!it.hasNext()) {
                return 0;
            }
            if (walks.size() >= MAX_WALKS) {
                walks.clear(); // walks abandoned half way must not crowd out the ones going on
            }
            walks.put(position, it);
            return position;
        }

        @Override
        public void forEachKey(KeyVisitor visitor) {
            long now = now();
            for (Map.Entry<Key, Entry> e : map.entrySet()) {
                if (!e.getValue().expired(now)) {
                    visitor.visit(e.getKey(), e.getValue().value());
                }
            }
        }

        @Override
        public WatchTable watches() {
            return watches;
        }

        @Override
        public long entryBytes(boolean timed) {
            return ENTRY_BYTES;
        }
    }
}
