package io.shardloop.kv;

import java.util.function.LongSupplier;

/** How the data is held across shards: the comparison the server exists to make. */
public enum StateMode {
    /** Each shard owns the keys of its slots in its own {@link Keyspace}; no locks. */
    SHARDED,
    /** One {@link Keyspace} shared by all shards, every command under one lock. */
    LOCKED,
    /** One shared map on ConcurrentHashMap; read-modify-write commands atomic per key. */
    CONCURRENT;

    /**
     * A store in this mode.
     *
     * @param shards how many shards (only {@link #SHARDED} uses it).
     * @param clock  milliseconds.
     */
    public Store create(int shards, LongSupplier clock) {
        return create(shards, KvGroup.DEFAULT_DATABASES, clock);
    }

    /** A store in this mode with {@code databases} numbered databases (SELECT 0 to databases - 1). */
    public Store create(int shards, int databases, LongSupplier clock) {
        return create(shards, databases, clock, new KeyspaceEvents());
    }

    /**
     * As {@link #create(int, int, LongSupplier)}, its keyspace events going through {@code events}
     * (the server's); the {@link #SHARDED} reference store, one thread for tests, sends none.
     */
    public Store create(int shards, int databases, LongSupplier clock, KeyspaceEvents events) {
        return switch (this) {
            case SHARDED -> new ShardedReferenceStore(shards, databases, clock);
            case LOCKED -> new LockedStore(databases, clock, events);
            case CONCURRENT -> new ConcurrentStore(databases, clock, events);
        };
    }
}
