package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One numbered database of the {@code concurrent} mode ({@link ConcurrentStore}): its shared map,
 * its SCAN walks, its expiry cursor and counters, its watches. The key locks are the store's,
 * shared by every database (a key's stripe does not depend on its database), so a transaction over
 * several databases is atomic too. Thread-safe.
 */
final class ConcurrentDatabase {
    /**
     * A value and its deadline, replaced when either changes, and its {@link ObjectHeader}. The
     * header is a plain int a lookup updates in place: written and read only by the thread holding
     * the key's stripe (and, inside {@code compute}, its bin), whose unlock publishes it.
     */
    static final class Entry {
        private final Object value;
        private final long expireAt;
        int header;

        Entry(Object value, long expireAt, int header) {
            this.value = value;
            this.expireAt = expireAt;
            this.header = header;
        }

        Object value() {
            return value;
        }

        long expireAt() {
            return expireAt;
        }

        boolean expired(long now) {
            return expireAt != Db.NO_EXPIRY && now > expireAt;
        }

        /** A lookup that touches the key: stores the header only when it changes (once a second, or a conversion). */
        void touch(int clock, EncodingThresholds encodings) {
            int h = header;
            int touched = ObjectHeader.touched(h, clock, value, encodings);
            if (touched != h) {
                header = touched;
            }
        }

        /** The header of {@code value} written over this entry now: the same value keeps its conversion. */
        int rewritten(Object next, int clock) {
            return next == value ? (header & ~ObjectHeader.LRU_CLOCK_MAX) | clock : ObjectHeader.fresh(clock);
        }
    }

    /** A ConcurrentHashMap.Node (hash, key, value, next) and its table slot, and the {@link Entry}. */
    private static final long ENTRY_BYTES = MemoryUsage.HASH_MAP_NODE + MemoryUsage.mapSlotPerEntry()
            + ObjectLayout.object(ObjectLayout.REFERENCE + 8 + 4);

    /** Replaced, not cleared, by FLUSHDB: clearing millions of entries in place would hold the caller's loop. */
    private volatile ConcurrentHashMap<Key, Entry> map = new ConcurrentHashMap<>();
    /** Where recent SCAN walks stand: the next cursor a step returned, and the iterator to go on with. */
    private final ConcurrentHashMap<Long, Iterator<Map.Entry<Key, Entry>>> walks = new ConcurrentHashMap<>();
    private static final int MAX_WALKS = 1024;
    private final LongSupplier clock;
    private final ThreadLocal<KeyWindow> windows;
    private final SharedDb shared = new SharedDb();
    private final WatchTable watches = new WatchTable();
    /** Every database of the store, this one among them. */
    private ConcurrentDatabase[] databases;
    /** Its index among them (SELECT's). */
    private final int index;
    /** The store's clients blocked on keys (of every database), told of every put here. */
    private final BlockedKeys blocked;
    /** Where this database's keyspace events go. */
    private final KeyspaceEvents events;
    /** Told of each key that expires here ({@link Store#onExpiry}); null while none is. */
    private ExpiryListener expiryListener;
    private final ReentrantLock expiryLock = new ReentrantLock();
    private Iterator<Map.Entry<Key, Entry>> expiryCursor; // guarded by expiryLock
    /** Entries with a deadline: changed by whoever replaces an entry, with the entry it replaced. */
    private final LongAdder timed = new LongAdder();
    private final LongAdder expired = new LongAdder();
    /** Written under expiryLock, read by INFO on any thread. */
    private volatile long averageTtl;
    /** Redis's server.lruclock: ticked by every shard's timer ({@link #tickLruClock}), read by every lookup. */
    private volatile int lruClock;
    /** The store's thresholds of the compact encodings. */
    private final EncodingThresholds encodings;

    private ConcurrentDatabase(int index, LongSupplier clock, BlockedKeys blocked, KeyspaceEvents events,
                               EncodingThresholds encodings) {
        this.index = index;
        this.encodings = encodings;
        this.lruClock = ObjectHeader.lruClock(clock.getAsLong());
        this.events = events;
        this.clock = clock;
        this.blocked = blocked;
        this.windows = ThreadLocal.withInitial(() -> new KeyWindow(this));
    }

    /** The databases of one store, each reaching the others. */
    static ConcurrentDatabase[] databases(int count, LongSupplier clock, BlockedKeys blocked, KeyspaceEvents events,
                                          EncodingThresholds encodings) {
        ConcurrentDatabase[] dbs = new ConcurrentDatabase[count];
        for (int i = 0; i < count; i++) {
            dbs[i] = new ConcurrentDatabase(i, clock, blocked, events, encodings);
        }
        for (ConcurrentDatabase db : dbs) {
            db.databases = dbs;
        }
        return dbs;
    }

    /** Tells the clients blocked on the key, if any, that it was written ({@link BlockedKeys#written}). */
    private void written(Key key) {
        if (!blocked.isEmpty()) {
            blocked.written(DbKeys.of(index, key.array(), key.offset(), key.length()));
        }
    }

    /** The {@link Db} of this database's multi-key and keyless commands. */
    Db shared() {
        return shared;
    }

    WatchTable watches() {
        return watches;
    }

    /** Runs a command whose keys' stripes this thread holds. */
    void run(Command c, CommandArgs args, ReplySink out) {
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

    /** Redis's serverCron refreshing server.lruclock; every shard's timer calls it, so it writes only a change. */
    void tickLruClock() {
        int now = ObjectHeader.lruClock(clock.getAsLong());
        if (now != lruClock) {
            lruClock = now;
        }
    }

    int expireCycle(long budgetNanos) {
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
                            notify(KeyspaceEvents.EXPIRED, "expired", e.getKey());
                            tellExpired(e.getKey(), false);
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

    long size() {
        return map.mappingCount();
    }

    long timedSize() {
        return timed.sum();
    }

    long expiredKeys() {
        return expired.sum();
    }

    long averageTtl() {
        return averageTtl;
    }

    private void notify(int type, String event, Key key) {
        events.notify(type, event, key, index);
    }

    void onExpiry(ExpiryListener listener) {
        this.expiryListener = listener;
    }

    private void tellExpired(Key key, boolean onLookup) {
        ExpiryListener l = expiryListener;
        if (l != null) {
            l.expired(key, onLookup);
        }
    }

    private int indexOf(Db shared) {
        for (int i = 0; i < databases.length; i++) {
            if (databases[i].shared == shared) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a database of this store");
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
        private final ConcurrentDatabase store;
        private final LongSupplier clock;
        private final Key fieldProbe = Key.probe();
        private Key key;
        private Entry result;

        KeyWindow(ConcurrentDatabase store) {
            this.store = store;
            this.clock = store.clock;
        }

        Entry run(Key k, Entry current, Command c, CommandArgs args, ReplySink out) {
            key = k;
            result = current;
            if (current != null && current.expired(clock.getAsLong())) {
                result = null;
                store.expired.increment(); // found past its deadline: whatever the command leaves replaces it
                store.notify(KeyspaceEvents.EXPIRED, "expired", k);
                store.tellExpired(k, true);
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
            Entry r = result;
            if (r == null) {
                return null;
            }
            r.touch(store.lruClock, store.encodings);
            return r.value();
        }

        @Override
        public Object peek(Key k) {
            return result == null ? null : result.value();
        }

        @Override
        public int header(Key k) {
            return result.header;
        }

        @Override
        public void setHeader(Key k, int header) {
            result.header = header;
        }

        @Override
        public int lruClock() {
            return store.lruClock;
        }

        @Override
        public EncodingThresholds encodings() {
            return store.encodings;
        }

        @Override
        public long expireAt(Key k) {
            return result == null ? NO_EXPIRY : result.expireAt();
        }

        @Override
        public void put(Key k, Object value, long expireAt) {
            if (result == null) {
                store.notify(KeyspaceEvents.NEW, "new", k);
            }
            load(k, value, expireAt);
        }

        @Override
        public void load(Key k, Object value, long expireAt) {
            int clock = store.lruClock;
            result = new Entry(value, expireAt, result == null ? ObjectHeader.fresh(clock) : result.rewritten(value, clock));
            store.written(k);
        }

        @Override
        public void notify(int type, String event, Key k) {
            store.notify(type, event, k);
        }

        @Override
        public void replace(Key k, Object value) {
            result = new Entry(value, result.expireAt(), result.rewritten(value, store.lruClock));
            store.written(k);
        }

        @Override
        public void setExpireAt(Key k, long expireAt) {
            result = new Entry(result.value(), expireAt, result.header);
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
        public Key randomKey() {
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
        public int databases() {
            return store.databases.length;
        }

        @Override
        public Db database(int index) {
            throw new UnsupportedOperationException("a single-key command sees one key");
        }

        @Override
        public void swapKeys(Db other) {
            throw new UnsupportedOperationException("a single-key command sees one key");
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
            Entry e = live(key);
            if (e == null) {
                return null;
            }
            e.touch(lruClock, encodings);
            return e.value();
        }

        @Override
        public Object peek(Key key) {
            Entry e = live(key);
            return e == null ? null : e.value();
        }

        private Entry live(Key key) {
            Entry e = map.get(key);
            if (e != null && e.expired(now())) {
                expire(key, e);
                return null;
            }
            return e;
        }

        @Override
        public int header(Key key) {
            return map.get(key).header;
        }

        @Override
        public void setHeader(Key key, int header) {
            map.get(key).header = header;
        }

        @Override
        public int lruClock() {
            return lruClock;
        }

        @Override
        public EncodingThresholds encodings() {
            return encodings;
        }

        private void expire(Key key, Entry e) {
            if (map.remove(key, e)) {
                replaced(e, null);
                expired.increment();
                ConcurrentDatabase.this.notify(KeyspaceEvents.EXPIRED, "expired", key);
                tellExpired(key, true);
            }
        }

        @Override
        public long expireAt(Key key) {
            Entry e = map.get(key);
            return e == null ? NO_EXPIRY : e.expireAt();
        }

        @Override
        public void put(Key key, Object value, long expireAt) {
            put(key, value, expireAt, true);
        }

        @Override
        public void load(Key key, Object value, long expireAt) {
            put(key, value, expireAt, false);
        }

        private void put(Key key, Object value, long expireAt, boolean notify) {
            Key owned = key.owned();
            Entry before = map.put(owned, replaced(null, new Entry(value, expireAt, ObjectHeader.fresh(lruClock))));
            replaced(before, null);
            boolean wasExpired = before != null && before.expired(now());
            if (wasExpired) {
                expired.increment();
            }
            if (notify && wasExpired) {
                ConcurrentDatabase.this.notify(KeyspaceEvents.EXPIRED, "expired", owned);
            }
            if (notify && (before == null || wasExpired)) {
                ConcurrentDatabase.this.notify(KeyspaceEvents.NEW, "new", owned);
            }
            written(key);
        }

        @Override
        public void notify(int type, String event, Key key) {
            ConcurrentDatabase.this.notify(type, event, key);
        }

        @Override
        public void replace(Key key, Object value) {
            map.computeIfPresent(key, (k, e) -> new Entry(value, e.expireAt(), e.rewritten(value, lruClock)));
            written(key);
        }

        @Override
        public void setExpireAt(Key key, long expireAt) {
            map.computeIfPresent(key, (k, e) -> replaced(e, new Entry(e.value(), expireAt, e.header)));
        }

        @Override
        public boolean remove(Key key) {
            Entry e = map.remove(key);
            replaced(e, null);
            if (e != null && e.expired(now())) {
                expired.increment();
                ConcurrentDatabase.this.notify(KeyspaceEvents.EXPIRED, "expired", key);
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

        /**
         * The map has no random access; its key spliterator splits the table in halves in O(1), so
         * a random descent, each half taken in proportion to its estimated size, reaches a small
         * run of bins in O(log n), and a key is picked from those. About uniform, not exactly: bins
         * hold different numbers of keys. An expired key found is deleted and the descent retried.
         */
        @Override
        public Key randomKey() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long now = now();
            for (int tries = 0; tries < 100 && !map.isEmpty(); tries++) {
                Spliterator<Map.Entry<Key, Entry>> part = map.entrySet().spliterator();
                while (part.estimateSize() > 16) {
                    Spliterator<Map.Entry<Key, Entry>> half = part.trySplit();
                    if (half == null) {
                        break;
                    }
                    long a = half.estimateSize();
                    long b = part.estimateSize();
                    if (a + b > 0 && random.nextLong(a + b) < a) {
                        part = half;
                    }
                }
                List<Map.Entry<Key, Entry>> run = new ArrayList<>();
                part.forEachRemaining(run::add);
                if (run.isEmpty()) {
                    continue;
                }
                Map.Entry<Key, Entry> e = run.get(random.nextInt(run.size()));
                if (!e.getValue().expired(now)) {
                    return e.getKey();
                }
                expire(e.getKey(), e.getValue());
            }
            return null;
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
        public int databases() {
            return databases.length;
        }

        @Override
        public Db database(int index) {
            return databases[index].shared;
        }

        /**
         * Under every key's stripe (SWAPDB is over every key) and both expiry locks, so neither a
         * command nor the expiry cycle sees the exchange half done: the maps and their counters
         * change hands, the walks and expiry cursors start again, the watches stay.
         */
        @Override
        public void swapKeys(Db other) {
            ConcurrentDatabase o = databases[indexOf(other)];
            ConcurrentDatabase self = ConcurrentDatabase.this;
            expiryLock.lock(); // the expiry cycle takes one at a time, with tryLock: no order to keep
            o.expiryLock.lock();
            try {
                ConcurrentHashMap<Key, Entry> m = map;
                map = o.map;
                o.map = m;
                long t = timed.sumThenReset();
                timed.add(o.timed.sumThenReset());
                o.timed.add(t);
                long ttl = averageTtl;
                averageTtl = o.averageTtl;
                o.averageTtl = ttl;
                walks.clear();
                o.walks.clear();
                self.expiryCursor = null;
                o.expiryCursor = null;
            } finally {
                o.expiryLock.unlock();
                expiryLock.unlock();
            }
            if (!blocked.isEmpty()) {
                blocked.databasesSwapped(index, o.index);
            }
        }

        @Override
        public long entryBytes(boolean timed) {
            return ENTRY_BYTES;
        }
    }
}
