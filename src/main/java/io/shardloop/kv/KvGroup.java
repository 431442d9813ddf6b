package io.shardloop.kv;

import io.shardloop.metrics.ProcessMemory;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.script.ScriptRegistry;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The key-value data of one server, over all its shards, in one {@link StateMode}. Every protocol
 * that reaches the data (RESP, HTTP's /kv) goes through the {@link KvShard} of its own shard,
 * created here the first time a protocol asks for it on that shard's thread.
 * <p>
 * Shared across shards on purpose, and only this: the array of services (each written once, by its
 * own shard, read by others only to post work to that shard's loop) and, in the shared-state modes,
 * the store itself, which is thread-safe by construction; the counter that gives transactions
 * over several shards their one global order ({@link #nextTransactionId}); and the count of MONITOR
 * clients, which every command reads to know whether to feed them; and the
 * {@code notify-keyspace-events} classes ({@link KeyspaceEvents}), which every write reads; and
 * the server's scripts and function libraries ({@link ScriptRegistry}, thread-safe), which each
 * shard's loop binds to itself.
 */
public final class KvGroup {
    private final StateMode mode;
    private final int shards;
    private final Store shared;
    private final LongSupplier clock;
    private final AtomicReferenceArray<KvShard> services;
    /** Changed by CONFIG SET maxmemory; read by every shard before a write (volatile). */
    private volatile long maxMemory;
    private final int databases;
    /** Redis's default {@code databases}. */
    public static final int DEFAULT_DATABASES = 16;
    private final java.util.concurrent.atomic.AtomicLong transactionIds = new java.util.concurrent.atomic.AtomicLong();
    private final BlockedClients blockedClients = new BlockedClients();
    /** MONITOR clients on every shard, counted by the shards' {@link PubSubRegistry}s. */
    private final java.util.concurrent.atomic.AtomicInteger monitors = new java.util.concurrent.atomic.AtomicInteger();
    /** Clients with CLIENT TRACKING on, over every shard: INFO's tracking_clients, and zero lets a write skip tracking. */
    private final java.util.concurrent.atomic.AtomicInteger trackingClients = new java.util.concurrent.atomic.AtomicInteger();
    /** The shared-state modes: flushes told to the other shards' tracking so far, numbered from 1. */
    private final java.util.concurrent.atomic.AtomicLong trackingFlushes = new java.util.concurrent.atomic.AtomicLong();
    /** The shared-state modes: the tracking of the shard whose loop is this thread. */
    private final ThreadLocal<TrackingShard> trackingOnThisThread = new ThreadLocal<>();
    /** notify-keyspace-events: each shard's loop binds its pub/sub to it, and every store's databases report to it. */
    private final KeyspaceEvents keyspaceEvents = new KeyspaceEvents();
    /** The thresholds of the compact encodings (CONFIG SET's): the shared store's, or every shard's databases'. */
    private final EncodingThresholds encodings;
    private final Durability durability;
    /** This server's script cache and function libraries: its own, not another server's in the same JVM. */
    private final ScriptRegistry scripts = new ScriptRegistry();
    private final io.shardloop.persist.Shutdown shutdown;

    /** The default {@code maxmemory}: three quarters of the largest heap the JVM may have. */
    public static long defaultMaxMemory() {
        return ProcessMemory.maxHeap() / 4 * 3;
    }

    public KvGroup(StateMode mode, int shards) {
        this(mode, shards, defaultMaxMemory());
    }

    /** @param maxMemory bytes past which commands that may grow the data are refused with -OOM (0: no limit) */
    public KvGroup(StateMode mode, int shards, long maxMemory) {
        this(mode, shards, System::currentTimeMillis, maxMemory);
    }

    public KvGroup(StateMode mode, int shards, LongSupplier clock) {
        this(mode, shards, clock, defaultMaxMemory());
    }

    public KvGroup(StateMode mode, int shards, LongSupplier clock, long maxMemory) {
        this(mode, shards, clock, maxMemory, DEFAULT_DATABASES);
    }

    /** @param databases how many numbered databases (SELECT 0 to databases - 1) */
    public KvGroup(StateMode mode, int shards, LongSupplier clock, long maxMemory, int databases) {
        this(mode, shards, clock, maxMemory, databases, io.shardloop.persist.PersistenceConfig.defaults());
    }

    /** @param persistence what is kept on disk (the shards' logs, snapshots) */
    public KvGroup(StateMode mode, int shards, LongSupplier clock, long maxMemory, int databases,
                   io.shardloop.persist.PersistenceConfig persistence) {
        if (databases < 1) {
            throw new IllegalArgumentException("at least one database, got " + databases);
        }
        this.databases = databases;
        if (maxMemory < 0) {
            throw new IllegalArgumentException("maxmemory must not be negative, got " + maxMemory);
        }
        this.mode = mode;
        this.shards = shards;
        this.clock = clock;
        this.maxMemory = maxMemory;
        this.shared = mode == StateMode.SHARDED ? null : mode.create(shards, databases, clock, keyspaceEvents);
        if (shared != null) {
            shared.onExpiry(this::expiredOnThisThread);
        }
        this.encodings = shared == null ? new EncodingThresholds() : shared.encodings();
        this.services = new AtomicReferenceArray<>(shards);
        this.durability = new Durability(persistence, shards, databases, clock, transactionIds, scripts);
        this.shutdown = new io.shardloop.persist.Shutdown(mode == StateMode.SHARDED ? durability.commands()
                : io.shardloop.persist.DiskControl.NONE);
    }

    /** SHUTDOWN over this data: saves it first where it is kept on disk; what stops the server is set by who runs it. */
    public io.shardloop.persist.Shutdown shutdown() {
        return shutdown;
    }

    /**
     * After the shards' loops ended: each log writes and syncs what is left and closes (a shard
     * still running, named in {@code running}, is left alone).
     */
    public void closeLogs(java.util.List<String> running) {
        for (int s = 0; s < shards; s++) {
            KvShard service = services.get(s);
            if (service == null || service.log() == null || running.contains(service.name())) {
                continue;
            }
            try {
                service.log().close();
            } catch (java.io.IOException e) {
                java.util.logging.Logger.getLogger(KvGroup.class.getName()).severe(
                        "shard " + s + ": closing its append-only file failed: " + e.getMessage());
            }
        }
    }

    /** This server's script cache, function libraries and running scripts. */
    public ScriptRegistry scripts() {
        return scripts;
    }

    /** What is kept on disk, and what was read back at start. */
    public Durability durability() {
        return durability;
    }

    /**
     * The error of a shard's log that cannot be written now, or null when every log is fine: while
     * there is one, write commands are refused with -MISCONF (reads go on).
     */
    public String diskError() {
        for (int s = 0; s < shards; s++) {
            KvShard service = services.get(s);
            String error = service == null ? null : service.diskError();
            if (error != null) {
                return error;
            }
        }
        return null;
    }

    /** The thresholds of the compact encodings every store of the group holds values by. */
    public EncodingThresholds encodings() {
        return encodings;
    }

    /** Redis's maxmemory with the noeviction policy: the limit, or 0 for none. */
    public long maxMemory() {
        return maxMemory;
    }

    /** CONFIG SET maxmemory: the new limit (0: none), for every shard's next command. */
    public void maxMemory(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxmemory must not be negative, got " + bytes);
        }
        maxMemory = bytes;
    }

    /**
     * Whether commands that may grow the data must be refused: what the process holds (the heap
     * after the latest collection and the direct buffers, {@link ProcessMemory#liveBytes()}) is over
     * maxmemory. Any thread; one volatile read.
     */
    public boolean overMaxMemory() {
        return maxMemory > 0 && ProcessMemory.liveBytes() > maxMemory;
    }

    /**
     * The next id of the one global order of transactions over several shards ({@link KeyLocks}):
     * larger than every id drawn before, on any shard.
     */
    long nextTransactionId() {
        return transactionIds.incrementAndGet();
    }

    /** How many numbered databases (the {@code databases} setting). */
    public int databases() {
        return databases;
    }

    /** Keys of one database over all shards, as last published (INFO keyspace). */
    public long databaseKeyCount(int db) {
        if (shared != null) {
            return shared.size(db);
        }
        return overShards(s -> s.publishedKeyCount(db));
    }

    /** Keys with a time to live of one database over all shards (INFO keyspace's {@code expires}). */
    public long timedKeyCount(int db) {
        if (shared != null) {
            return shared.timedSize(db);
        }
        return overShards(s -> s.publishedTimedCount(db));
    }

    /** The estimate of the time left to one database's keys with a time to live, ms. */
    public long averageTtl(int db) {
        if (shared != null) {
            return shared.averageTtl(db);
        }
        long[] averages = new long[shards];
        long[] weights = new long[shards];
        for (int i = 0; i < shards; i++) {
            KvShard s = services.get(i);
            if (s != null) {
                averages[i] = s.publishedAverageTtl(db);
                weights[i] = s.publishedTimedCount(db);
            }
        }
        return weightedAverage(averages, weights);
    }

    /**
     * Sets {@code notify-keyspace-events} from Redis's class letters (the {@code serve} option; where
     * CONFIG SET hooks in): null when done, else Redis's error text ({@link KeyspaceEvents#INVALID}).
     * Any thread; every shard sees the new classes from its next write on.
     */
    public String notifyKeyspaceEvents(String classes) {
        return keyspaceEvents.set(classes);
    }

    /** {@code notify-keyspace-events} as Redis renders it (CONFIG GET). */
    public String notifyKeyspaceEvents() {
        return keyspaceEvents.get();
    }

    /** The server's keyspace events, which the shards' stores report to. */
    KeyspaceEvents keyspaceEvents() {
        return keyspaceEvents;
    }

    /** The count of MONITOR clients the shards' registries share. */
    java.util.concurrent.atomic.AtomicInteger monitors() {
        return monitors;
    }

    /** The count of clients with tracking on that the shards share. */
    java.util.concurrent.atomic.AtomicInteger trackingClients() {
        return trackingClients;
    }

    /**
     * The shared-state modes: a key of the shared store expired on this thread (a command's lookup on
     * a shard's loop, or shard 0's expiry cycle); that shard's tracking tells the key's trackers.
     */
    private void expiredOnThisThread(Key key, boolean onLookup) {
        TrackingShard t = trackingOnThisThread.get();
        if (t != null) {
            t.expired(key, onLookup);
        }
    }

    /** The count of flushes the shared-state modes' shards told one another ({@link TrackingShard#MSG_FLUSHED}). */
    java.util.concurrent.atomic.AtomicLong trackingFlushes() {
        return trackingFlushes;
    }

    /** The calling thread is this shard's loop: the shared store's expiries found on it go to its tracking. */
    void bindTrackingToThisThread(TrackingShard tracking) {
        trackingOnThisThread.set(tracking);
    }

    /** INFO's tracking_clients, tracking_total_keys, tracking_total_items and tracking_total_prefixes. Any thread. */
    public long[] trackingTotals() {
        long[] totals = {trackingClients.get(), 0, 0, 0};
        for (int s = 0; s < shards; s++) {
            KvShard service = services.get(s);
            if (service != null) {
                service.tracking().addTotals(totals);
            }
        }
        return totals;
    }

    public StateMode mode() {
        return mode;
    }

    /** The clients blocked in BLPOP and the others now, on every shard (CLIENT UNBLOCK, INFO). */
    public BlockedClients blockedClients() {
        return blockedClients;
    }

    public int shardCount() {
        return shards;
    }

    /** The service of this shard; created on first use. Call on the shard's own thread. */
    public KvShard forShard(Shard shard) {
        // Protocols call this from forShard, on the shard's thread before its loop starts turning.
        assert shard.loop().inLoop() || Thread.currentThread().getName().equals(shard.name());
        KvShard service = services.get(shard.index());
        if (service == null) {
            service = new KvShard(this, shard, shared, clock);
            services.set(shard.index(), service);
        }
        return service;
    }

    /** Another shard's service, or null before that shard has started. Read it; post work to its loop only. */
    KvShard service(int shard) {
        return services.get(shard);
    }

    /** A shard's service for reading its counters, or null before that shard has started. Any thread. */
    public KvShard serviceOrNull(int shard) {
        return services.get(shard);
    }

    /** Keys over all shards, as last published by each (approximate while writes are in flight). */
    public long keyCount() {
        if (shared != null) {
            return shared.size();
        }
        return overShards(KvShard::publishedKeyCount);
    }

    /** Keys with a time to live over all shards (INFO keyspace's {@code expires}). */
    public long timedKeyCount() {
        return shared != null ? shared.timedSize() : sum(KvShard.EXPIRES);
    }

    /** Keys deleted because their time to live had passed, over all shards (INFO's {@code expired_keys}). */
    public long expiredKeyCount() {
        return shared != null ? shared.expiredKeys() : sum(KvShard.EXPIRED_KEYS);
    }

    /** The estimate of the time left to keys with a time to live, ms: each shard's, weighed by its timed keys. */
    public long averageTtl() {
        if (shared != null) {
            return shared.averageTtl();
        }
        long[] averages = new long[shards];
        long[] weights = new long[shards];
        for (int i = 0; i < shards; i++) {
            KvShard s = services.get(i);
            if (s != null) {
                averages[i] = s.counters().get(KvShard.AVG_TTL);
                weights[i] = s.counters().get(KvShard.EXPIRES);
            }
        }
        return weightedAverage(averages, weights);
    }

    /** The mean of averages weighed by counts (0 when every count is 0); doubles, so large products cannot overflow. */
    static long weightedAverage(long[] averages, long[] weights) {
        double sum = 0;
        long total = 0;
        for (int i = 0; i < averages.length; i++) {
            sum += (double) averages[i] * weights[i];
            total += weights[i];
        }
        return total == 0 ? 0 : (long) (sum / total);
    }

    private long sum(int counter) {
        return overShards(s -> s.counters().get(counter));
    }

    /** A figure summed over the shards started so far. */
    private long overShards(ToLongFunction<KvShard> figure) {
        long total = 0;
        for (int i = 0; i < shards; i++) {
            KvShard s = services.get(i);
            if (s != null) {
                total += figure.applyAsLong(s);
            }
        }
        return total;
    }

    /** Keys of one shard, as last published (sharded mode), or 0. */
    public long keyCount(int shard) {
        KvShard s = services.get(shard);
        return s == null || shared != null ? 0 : s.publishedKeyCount();
    }
}
