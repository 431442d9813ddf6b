package io.shardloop.kv;

import io.shardloop.persist.AppendLog;
import io.shardloop.resp.codec.CommandArgs;

import java.util.Arrays;
import java.util.HashMap;
import java.util.function.LongSupplier;

/**
 * One shard's keys of one numbered database: a map from key to entry with an absolute deadline, plus two dense arrays that
 * make SCAN cursors and expiry sampling O(1) per step: every entry sits at an index of
 * {@code all}, and every entry with a deadline also at an index of {@code timed} (swap-removal
 * keeps both dense).
 * <p>
 * Expiry is lazy (an access finds an expired key absent and deletes it) and active:
 * {@link #expireCycle(long)}, which the shard calls from a periodic timer, runs Redis's
 * algorithm (sample 20 keys with a deadline, delete the expired, repeat while more than a
 * quarter of the sample had expired, within a time budget).
 * <p>
 * Each entry carries an {@link ObjectHeader} (its access clock, its encoding's conversion) in an int
 * that fits the entry's padding; the LRU clock it reads is a field ticked by {@link #expireCycle},
 * so a lookup pays a compare and, once a second per key, a store.
 * <p>
 * A snapshot (BGSAVE, the log's compaction) is taken without a fork and without stopping the loop:
 * {@link #beginSnapshot} starts a {@link Walk} that saves the entries a few at a time, and until it
 * has passed them, the first access to an entry not yet saved saves it first, as it was (Dragonfly's
 * versioned buckets, per entry). A bit of the entry's header says which snapshot saved it last.
 * <p>
 * Single-threaded: owned by one shard and touched only by its loop thread (in the {@code locked}
 * mode, only under the store's lock). Nothing here is synchronized.
 */
public final class Keyspace implements Db {
    private final WatchTable watches = new WatchTable();
    /** The clients waiting on keys here, told of every put; null where none may wait. */
    private BlockedKeys blocked;
    /** Where this database's keyspace events go ({@link #notify}); off unless the store wires them. */
    private KeyspaceEvents events = KeyspaceEvents.OFF;
    /** Its index among its shard's (or store's) databases: how {@link #blocked} names its keys ({@link DbKeys}). */
    private int index;
    /** Keys sampled per round of the active expiry cycle (Redis: ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
    public static final int EXPIRE_SAMPLE = 20;
    /** An {@link Entry}, its HashMap.Node and table slot, and its slot in {@code all}. */
    private static final long ENTRY_BYTES = ObjectLayout.object(2 * ObjectLayout.REFERENCE + 8 + 4 + 4 + 4)
            + MemoryUsage.HASH_MAP_NODE + MemoryUsage.mapSlotPerEntry() + ObjectLayout.REFERENCE;

    private HashMap<Key, Entry> map = new HashMap<>();
    private final LongSupplier clock;
    private final int shardIndex;
    private final int shardCount;
    private final Key keyProbe = Key.probe();
    private final Key fieldProbe = Key.probe();
    private Entry[] all = new Entry[16];
    private int allSize;
    private Entry[] timed = new Entry[16];
    private int timedSize;
    private long expiredCount;
    private ChangeListener changeListener;
    private ExpiryListener expiryListener;
    private long averageTtl;
    private long random = 0x9E3779B97F4A7C15L;
    /** The databases of this shard, this one among them (SELECT's indices). */
    private Keyspace[] databases;
    /** Whether it holds only the copies a transaction over several shards gathered ({@link GatheredKeys}). */
    private boolean gathered;
    /** The changes of this shard's databases, counted together (Redis's server.dirty). */
    private Changes changes = new Changes();
    /** The append-only log of this shard, or null when nothing is logged. */
    private AppendLog appendLog;
    /** While the log is replayed: no key expires and the clock reads 0 (deadlines in the log are absolute). */
    private boolean loading;
    /** Set by a command that logged its own effects ({@link #propagated}), taken by the executor. */
    private boolean propagated;
    /** The snapshot that has yet to save some of the entries here, or null ({@link Walk}). */
    private Walk walk;
    /** The {@link ObjectHeader#SAVED} bit of an entry the current (or last) snapshot has saved. */
    private int savedMark;

    /**
     * The changes of a shard's databases: every keyspace event but "new" (which comes with its
     * command's own), FLUSHDB, SWAPDB, each key a transaction over several shards wrote here; a write
     * command that moved it changed the data and is logged. Close to Redis's server.dirty (SET 1,
     * MSET and DEL of n keys n), which save points count; Redis counts some commands by element
     * (LPUSH of n: n), this one per event. Single-threaded, as the keyspaces are.
     */
    static final class Changes {
        long count;
    }
    /** Redis's server.lruclock for this database's entries, ticked by {@link #tickLruClock}. */
    private int lruClock;
    /** The thresholds of the compact encodings, shared by the databases of a store. */
    private EncodingThresholds encodings;

    private static final class Entry {
        final Key key;
        Object value;
        long expireAt = NO_EXPIRY;
        int index;
        int timedIndex = -1;
        int header;

        Entry(Key key, Object value, int header) {
            this.key = key;
            this.value = value;
            this.header = header;
        }
    }

    /**
     * @param clock      milliseconds (System::currentTimeMillis, or a test's controllable clock).
     * @param shardIndex this keyspace's shard, and the count of shards: SCAN cursors carry them.
     */
    public Keyspace(LongSupplier clock, int shardIndex, int shardCount) {
        this.clock = clock;
        this.shardIndex = shardIndex;
        this.shardCount = shardCount;
        this.databases = new Keyspace[] {this};
        this.encodings = new EncodingThresholds();
        this.lruClock = ObjectHeader.lruClock(clock.getAsLong());
    }

    /** The numbered databases of one shard (or of a shared store): {@code count} keyspaces, each reaching the others. */
    public static Keyspace[] databases(int count, LongSupplier clock, int shardIndex, int shardCount) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one database, got " + count);
        }
        Keyspace[] dbs = new Keyspace[count];
        EncodingThresholds encodings = new EncodingThresholds();
        for (int i = 0; i < count; i++) {
            dbs[i] = new Keyspace(clock, shardIndex, shardCount);
            dbs[i].index = i;
            dbs[i].encodings = encodings;
        }
        Changes changes = new Changes();
        for (Keyspace k : dbs) {
            k.databases = dbs;
            k.changes = changes;
        }
        return dbs;
    }

    public Keyspace(LongSupplier clock) {
        this(clock, 0, 1);
    }

    @Override
    public long now() {
        return loading ? 0 : clock.getAsLong();
    }

    /** Changes of this shard's databases so far (see {@link Changes}). */
    long changes() {
        return changes.count;
    }

    /** Counts a change no keyspace event tells (FLUSHDB's, SWAPDB's, a gathered transaction's keys). */
    void changed() {
        changes.count++;
    }

    @Override
    public AppendLog appendLog() {
        return appendLog;
    }

    /** Logs this database's writes, and its expired keys as DELs, to {@code log} (null: none). */
    void appendLog(AppendLog log) {
        this.appendLog = log;
    }

    /** While true, the log is being replayed into this database: no key expires, the clock reads 0. */
    void loading(boolean loading) {
        this.loading = loading;
    }

    @Override
    public void propagated() {
        propagated = true;
    }

    @Override
    public void changedBesideKeys() {
        changed();
    }

    /** Whether the command just run logged its own effects, clearing it. */
    boolean takePropagated() {
        boolean p = propagated;
        propagated = false;
        return p;
    }

    @Override
    public Key probe(int slot, CommandArgs args, int i) {
        return (slot == 0 ? keyProbe : fieldProbe).view(args.array(), args.offset(i), args.length(i));
    }

    @Override
    public Object get(Key key) {
        Entry e = live(key);
        if (e == null) {
            return null;
        }
        int h = e.header;
        int touched = ObjectHeader.touched(h, lruClock, e.value, encodings);
        if (touched != h) { // a store once a second per key at most, or at a conversion
            e.header = touched;
        }
        return e.value;
    }

    @Override
    public Object peek(Key key) {
        Entry e = live(key);
        return e == null ? null : e.value;
    }

    @Override
    public int header(Key key) {
        return map.get(key).header;
    }

    @Override
    public void setHeader(Key key, int header) {
        Entry e = map.get(key);
        e.header = (header & ~ObjectHeader.SAVED) | (e.header & ObjectHeader.SAVED);
    }

    @Override
    public int lruClock() {
        return lruClock;
    }

    /** Redis's serverCron refreshing server.lruclock: the clock that lookups stamp on entries. */
    void tickLruClock() {
        lruClock = ObjectHeader.lruClock(now());
    }

    @Override
    public EncodingThresholds encodings() {
        return encodings;
    }

    /** Shares a store's thresholds (CONFIG SET's) with this database. */
    public void encodings(EncodingThresholds encodings) {
        this.encodings = encodings;
    }

    @Override
    public long expireAt(Key key) {
        Entry e = map.get(key);
        return e == null ? NO_EXPIRY : e.expireAt;
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
        Entry e = map.get(key);
        boolean created = e == null;
        if (e != null && e.expireAt != NO_EXPIRY && isExpired(e, now())) {
            expiredCount++; // overwritten after its deadline: it had expired, as a lookup would have found
            created = true;
            if (notify) {
                notify(KeyspaceEvents.EXPIRED, "expired", e.key);
            }
        }
        if (created && notify) {
            notify(KeyspaceEvents.NEW, "new", key);
        }
        if (e == null) {
            Key owned = key.owned();
            e = new Entry(owned, value, ObjectHeader.fresh(lruClock) | savedMark); // not in a snapshot under way
            map.put(owned, e);
            addToAll(e);
        } else {
            beforeChange(e);
            e.header = rewritten(e, value);
            e.value = value;
        }
        setDeadline(e, expireAt);
        written(key);
    }

    @Override
    public void replace(Key key, Object value) {
        Entry e = map.get(key);
        beforeChange(e);
        e.header = rewritten(e, value);
        e.value = value;
        written(key);
    }

    /** A write's header: accessed now; a new value starts in its compact encoding, the same one keeps its own. */
    private int rewritten(Entry e, Object value) {
        return e.value == value ? (e.header & ~ObjectHeader.LRU_CLOCK_MAX) | lruClock
                : ObjectHeader.fresh(lruClock) | (e.header & ObjectHeader.SAVED);
    }

    /**
     * Tells the clients blocked on keys of this keyspace's database of every put
     * ({@link BlockedKeys#written}), which names them with the database ({@link DbKeys}).
     */
    public void blockedKeys(BlockedKeys blocked) {
        this.blocked = blocked;
    }

    /**
     * Told of the changes no write command of this shard's executor makes itself (client-side
     * caching's invalidations): keys deleted because their deadline passed, and keys a transaction
     * over several shards wrote.
     */
    interface ChangeListener extends ExpiryListener {
        /** A transaction over several shards wrote the key (or removed it) here. */
        void applied(Key key);
    }

    void onChange(ChangeListener listener) {
        this.changeListener = listener;
        this.expiryListener = listener;
    }

    /** Only the keys that expire, for a shared store ({@link Store#onExpiry}). */
    void onExpiry(ExpiryListener listener) {
        this.expiryListener = listener;
    }

    /** A transaction over several shards wrote the key here ({@link GatheredKeys#apply}). */
    void applied(Key key) {
        if (changeListener != null) {
            changeListener.applied(key);
        }
    }

    private void expired(Entry e, boolean onLookup) {
        AppendLog log = appendLog;
        if (log != null) { // Redis propagates an expired key's deletion as a DEL
            log.command(index, 2);
            log.arg("DEL");
            log.arg(e.key.array(), e.key.offset(), e.key.length());
            log.endCommand();
        }
        if (expiryListener != null) {
            expiryListener.expired(e.key, onLookup);
        }
    }

    /** Publishes this database's keyspace events through {@code events} (the store's, or the server's). */
    public void keyspaceEvents(KeyspaceEvents events) {
        this.events = events;
    }

    /** Where this database's keyspace events go. */
    KeyspaceEvents events() {
        return events;
    }

    @Override
    public void notify(int type, String event, Key key) {
        if (type != KeyspaceEvents.NEW) { // a new key's event comes with its command's: SET is one change, as in Redis
            changes.count++;
        }
        events.notify(type, event, key, index);
    }

    private void written(Key key) {
        BlockedKeys b = blocked;
        if (b != null && !b.isEmpty()) {
            b.written(DbKeys.of(index, key.array(), key.offset(), key.length()));
        }
    }

    @Override
    public void setExpireAt(Key key, long expireAt) {
        Entry e = map.get(key);
        beforeChange(e);
        setDeadline(e, expireAt);
    }

    @Override
    public boolean remove(Key key) {
        Entry e = live(key);
        if (e == null) {
            return false;
        }
        delete(e);
        return true;
    }

    @Override
    public long size() {
        return allSize;
    }

    /** Keys with a deadline (Redis's "expires" count in INFO keyspace). */
    public int timedSize() {
        return timedSize;
    }

    /** Keys deleted because their deadline had passed, found on access or by the cycle (INFO's expired_keys). */
    public long expiredCount() {
        return expiredCount;
    }

    /**
     * Redis's running estimate of the time left to keys with a deadline, in milliseconds: each
     * {@link #expireCycle} weighs the mean of its sample's live keys at 2% against the estimate
     * before. 0 when no key has a deadline, or before the first cycle.
     */
    public long averageTtl() {
        return averageTtl;
    }

    /** O(1): the old map and arrays are left to the collector (clearing a map of millions in place holds the loop). */
    @Override
    public void clear() {
        changed();
        if (walk != null) {
            walk.detach(all, allSize); // the snapshot goes on over the entries given up, which nothing reaches now
            walk = null;
        }
        map = new HashMap<>();
        all = new Entry[16];
        allSize = 0;
        timed = new Entry[16];
        timedSize = 0;
        averageTtl = 0;
    }

    @Override
    public int shardIndex() {
        return shardIndex;
    }

    @Override
    public int shardCount() {
        return shardCount;
    }

    /**
     * Walks {@code all} from the top down: cursor c means "indices below c are left" (0 = start).
     * Deleting swaps the last entry, already visited, into the hole, and inserting appends above
     * the cursor, so a key present for the whole walk is returned at least once.
     */
    @Override
    public long scan(long cursor, int count, KeyVisitor visitor) {
        long now = now();
        int i = (int) (cursor == 0 ? allSize : Math.min(cursor, allSize)) - 1;
        for (int visited = 0; i >= 0 && visited < count; i--, visited++) {
            Entry e = all[i];
            if (!isExpired(e, now)) {
                visitor.visit(e.key, e.value);
            }
        }
        return i < 0 ? 0 : i + 1;
    }

    /** O(1) a try: a random slot of {@code all}; an expired key there is deleted and another tried. */
    @Override
    public Key randomKey() {
        long now = now();
        while (allSize > 0) {
            Entry e = all[nextRandom(allSize)];
            if (!isExpired(e, now)) {
                return e.key;
            }
            delete(e);
            expiredCount++;
            expired(e, false);
            notify(KeyspaceEvents.EXPIRED, "expired", e.key);
        }
        return null;
    }

    /** Gets every entry with its deadline, expired ones too. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(Key key, Object value, long expireAt);
    }

    /** Visits every entry, expired or not, with its deadline (a change of shard count at start-up). */
    void forEachEntry(EntryVisitor visitor) {
        for (int i = 0; i < allSize; i++) {
            Entry e = all[i];
            visitor.visit(e.key, e.value, e.expireAt);
        }
    }

    /** Keys held in all of a shard's databases. */
    static long size(Keyspace[] databases) {
        long n = 0;
        for (Keyspace k : databases) {
            n += k.allSize;
        }
        return n;
    }

    @Override
    public void forEachKey(KeyVisitor visitor) {
        long now = now();
        for (int i = 0; i < allSize; i++) {
            Entry e = all[i];
            if (!isExpired(e, now)) {
                visitor.visit(e.key, e.value);
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

    /** Marks these databases as holding gathered copies: only the keys a transaction named are here. */
    static void markGathered(Keyspace[] dbs) {
        for (Keyspace k : dbs) {
            k.gathered = true;
        }
    }

    /** Whether this holds only the copies of the keys a transaction over several shards gathered. */
    boolean gathered() {
        return gathered;
    }

    @Override
    public Keyspace database(int index) {
        return databases[index];
    }

    /** O(1): the maps and index arrays change hands; the watch tables and the counts of expired keys stay. */
    @Override
    public void swapKeys(Db other) {
        changed();
        Keyspace o = (Keyspace) other;
        HashMap<Key, Entry> m = map;
        map = o.map;
        o.map = m;
        Entry[] a = all;
        all = o.all;
        o.all = a;
        int n = allSize;
        allSize = o.allSize;
        o.allSize = n;
        Entry[] t = timed;
        timed = o.timed;
        o.timed = t;
        n = timedSize;
        timedSize = o.timedSize;
        o.timedSize = n;
        long ttl = averageTtl;
        averageTtl = o.averageTtl;
        o.averageTtl = ttl;
        Walk w = walk; // a snapshot's walk goes with the entries it walks, and saves them under their database then
        walk = o.walk;
        o.walk = w;
        if (walk != null) {
            walk.owner = this;
        }
        if (o.walk != null) {
            o.walk.owner = o;
        }
        if (blocked != null && !blocked.isEmpty()) {
            blocked.databasesSwapped(index, o.index);
        }
    }

    @Override
    public long entryBytes(boolean timed) {
        return ENTRY_BYTES + (timed ? ObjectLayout.REFERENCE : 0); // a timed entry has a slot in timed too
    }

    /**
     * Active expiry, Redis's algorithm: sample {@link #EXPIRE_SAMPLE} keys with a deadline, delete
     * those past it, and go again while more than 25% of the sample had expired and the budget
     * lasts.
     *
     * @return keys deleted.
     */
    public int expireCycle(long budgetNanos) {
        long start = System.nanoTime();
        long now = now();
        lruClock = ObjectHeader.lruClock(now);
        int total = 0;
        if (timedSize == 0) {
            averageTtl = 0;
        }
        while (timedSize > 0) {
            int sampled = Math.min(EXPIRE_SAMPLE, timedSize);
            int expired = 0;
            long ttlSum = 0;
            int ttlSamples = 0;
            for (int k = 0; k < sampled && timedSize > 0; k++) {
                Entry e = timed[nextRandom(timedSize)];
                if (isExpired(e, now)) {
                    delete(e);
                    expired++;
                    expired(e, false);
                    notify(KeyspaceEvents.EXPIRED, "expired", e.key);
                } else if (e.expireAt > now) {
                    ttlSum += e.expireAt - now;
                    ttlSamples++;
                }
            }
            total += expired;
            if (ttlSamples > 0) {
                averageTtl = runningAverageTtl(averageTtl, ttlSum / ttlSamples);
            }
            if (expired * 4 <= sampled || System.nanoTime() - start >= budgetNanos) {
                break;
            }
        }
        expiredCount += total;
        return total;
    }

    /**
     * The active expiry cycle over every database of a shard (or of a shared store), within one
     * budget: each database in turn, with what the ones before it left of the budget. Ticks each
     * one's LRU clock on the way.
     */
    public static int expireCycle(Keyspace[] databases, long budgetNanos) {
        long start = System.nanoTime();
        int n = 0;
        for (Keyspace k : databases) {
            k.tickLruClock();
            if (k.timedSize > 0 || k.averageTtl != 0) {
                n += k.expireCycle(Math.max(0, budgetNanos - (System.nanoTime() - start)));
            }
        }
        return n;
    }

    /** The estimate of the time left to keys with a deadline over several databases: each one's, weighed by its timed keys. */
    public static long averageTtl(Keyspace[] databases) {
        long[] averages = new long[databases.length];
        long[] weights = new long[databases.length];
        for (int i = 0; i < databases.length; i++) {
            averages[i] = databases[i].averageTtl;
            weights[i] = databases[i].timedSize;
        }
        return KvGroup.weightedAverage(averages, weights);
    }

    /** Redis's update of avg_ttl (expire.c): the new sample's mean at 2%, the estimate so far at 98%. */
    static long runningAverageTtl(long estimate, long sampleMean) {
        long before = estimate == 0 ? sampleMean : estimate;
        return before / 50 * 49 + sampleMean / 50;
    }

    private Entry live(Key key) {
        Entry e = map.get(key);
        if (e != null) {
            beforeChange(e); // any access: a write may follow a read in the same command
        }
        if (e != null && e.expireAt != NO_EXPIRY && isExpired(e, now())) {
            delete(e);
            expiredCount++;
            expired(e, true);
            notify(KeyspaceEvents.EXPIRED, "expired", e.key);
            return null;
        }
        return e;
    }

    /** Redis's rule: a key expires once the clock is past its deadline. */
    private boolean isExpired(Entry e, long now) {
        return e.expireAt != NO_EXPIRY && now > e.expireAt && !loading;
    }

    private void delete(Entry e) {
        beforeChange(e);
        map.remove(e.key);
        setDeadline(e, NO_EXPIRY);
        int last = --allSize;
        Entry moved = all[last];
        all[e.index] = moved;
        moved.index = e.index;
        all[last] = null;
    }

    private void addToAll(Entry e) {
        if (allSize == all.length) {
            all = Arrays.copyOf(all, allSize * 2);
        }
        e.index = allSize;
        all[allSize++] = e;
    }

    private void setDeadline(Entry e, long expireAt) {
        if (expireAt == NO_EXPIRY) {
            if (e.timedIndex >= 0) {
                int last = --timedSize;
                Entry moved = timed[last];
                timed[e.timedIndex] = moved;
                moved.timedIndex = e.timedIndex;
                timed[last] = null;
                e.timedIndex = -1;
            }
        } else if (e.timedIndex < 0) {
            if (timedSize == timed.length) {
                timed = Arrays.copyOf(timed, timedSize * 2);
            }
            e.timedIndex = timedSize;
            timed[timedSize++] = e;
        }
        e.expireAt = expireAt;
    }

    // ---- snapshots ----------------------------------------------------------------------------

    /** Where a snapshot's entries go, each once, as they were when it began. */
    @FunctionalInterface
    interface SnapshotSink {
        void save(int db, Key key, Object value, long expireAt);
    }

    /** Saves the entry first if a snapshot under way has not: it is about to be read, changed or removed. */
    private void beforeChange(Entry e) {
        Walk w = walk;
        if (w != null && (e.header & ObjectHeader.SAVED) != w.mark) {
            w.save(e);
        }
    }

    /**
     * Begins a snapshot of this database as it is now: every entry goes to {@code sink} once, through
     * the walk's {@link Walk#step}s or on its first access before them. One snapshot at a time.
     */
    Walk beginSnapshot(SnapshotSink sink) {
        if (walk != null) {
            throw new IllegalStateException("a snapshot of database " + index + " is under way");
        }
        savedMark ^= ObjectHeader.SAVED; // every entry here now reads as not saved, every new one as saved
        walk = new Walk(this, sink, index, savedMark, allSize, now());
        return walk;
    }

    /**
     * A snapshot's pass over one database's entries, from the top of {@code all} down: entries at
     * and above the cursor are saved (an insert lands above it and is new; a delete moves the top
     * entry, saved, into its hole), those below are saved when the cursor reaches them unless an
     * access saved them first. It follows the entries through SWAPDB, and keeps the ones FLUSHDB gave
     * up. On the keyspace's thread.
     */
    static final class Walk {
        /** The keyspace whose entries these are now, or null once they were given up ({@link #detach}). */
        private Keyspace owner;
        private Entry[] detached;
        private SnapshotSink sink;
        private final int db;
        private final int mark;
        private final long startedAt;
        private int cursor;
        private long saved;

        private Walk(Keyspace owner, SnapshotSink sink, int db, int mark, int size, long startedAt) {
            this.owner = owner;
            this.sink = sink;
            this.db = db;
            this.mark = mark;
            this.cursor = size;
            this.startedAt = startedAt;
        }

        /**
         * Saves up to {@code max} more entries; true when every entry is saved (the walk is over).
         */
        boolean step(int max) {
            Entry[] entries = owner != null ? owner.all : detached;
            if (owner != null) {
                cursor = Math.min(cursor, owner.allSize);
            }
            for (int n = 0; cursor > 0 && n < max; n++) {
                Entry e = entries[--cursor];
                if ((e.header & ObjectHeader.SAVED) != mark) {
                    save(e);
                }
            }
            if (cursor > 0) {
                return false;
            }
            if (owner != null) {
                owner.walk = null;
            }
            owner = null;
            detached = null;
            return true;
        }

        /** From now on entries are only marked saved, not given to the sink (a snapshot that failed). */
        void abandon() {
            sink = null;
        }

        /** Entries saved so far (the keys written, expired ones not counted). */
        long saved() {
            return saved;
        }

        private void save(Entry e) {
            e.header = (e.header & ~ObjectHeader.SAVED) | mark;
            if (sink != null && (e.expireAt == NO_EXPIRY || e.expireAt >= startedAt)) {
                saved++;
                sink.save(db, e.key, e.value, e.expireAt);
            }
        }

        /** The keyspace gave its entries up (FLUSHDB): the ones below the cursor are saved from the old array. */
        private void detach(Entry[] entries, int size) {
            detached = entries;
            cursor = Math.min(cursor, size);
            owner = null;
        }
    }

    private int nextRandom(int bound) {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return (int) ((x >>> 1) % bound);
    }
}
