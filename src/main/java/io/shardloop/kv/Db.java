package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

/**
 * What commands see of one numbered database of a store: live values by key, with expiry. Values are {@code byte[]}
 * (string), {@link java.util.HashMap}{@code <Key, byte[]>} (hash), {@link java.util.ArrayDeque}
 * {@code <byte[]>} (list) and {@link MemberSet} (set); containers are mutated
 * in place by the command holding them, and a container left empty must be removed.
 * <p>
 * Expired keys are never returned: an access finds them absent (and deletes them).
 * Implementations: {@link Keyspace} (one thread), and the per-key window of {@link ConcurrentStore}.
 */
public interface Db {
    /** {@link #expireAt} of a key without a time to live. */
    long NO_EXPIRY = -1;

    /** The clock, in milliseconds. */
    long now();

    /**
     * A lookup key over argument {@code i}, valid until the next call; {@link #put} copies it.
     * {@code slot} 0 is for keys, 1 for hash fields and set members, so both can be held at once.
     */
    Key probe(int slot, CommandArgs args, int i);

    /** The live value, or null; found, the key's access time is now (Redis's lookupKey). */
    Object get(Key key);

    /**
     * As {@link #get}, leaving the key's access time as it was: Redis's LOOKUP_NOTOUCH, for the
     * commands that only look (TYPE, EXISTS, TTL and its kin, OBJECT, MEMORY USAGE).
     */
    Object peek(Key key);

    /** The {@link ObjectHeader} of a key {@link #get} or {@link #peek} just found: its access clock and flags. */
    int header(Key key);

    /** Replaces the {@link ObjectHeader} of an existing key (RESTORE's IDLETIME, a conversion seen). */
    void setHeader(Key key, int header);

    /** The store's LRU clock ({@link ObjectHeader#lruClock}), as its timer last ticked it. */
    int lruClock();

    /** The thresholds of the compact encodings in force ({@link ObjectEncoding}). */
    EncodingThresholds encodings();

    /** The deadline of a key {@link #get} just found, or {@link #NO_EXPIRY}. */
    long expireAt(Key key);

    /** Inserts or replaces, with the given deadline ({@link #NO_EXPIRY} for none). */
    void put(Key key, Object value, long expireAt);

    /**
     * As {@link #put}, for a value copied from elsewhere (the keys a transaction over several shards
     * gathers, and what it sends back): no keyspace event, not even {@code new}.
     */
    void load(Key key, Object value, long expireAt);

    /**
     * Redis's notifyKeyspaceEvent on a key of this database: an event of class {@code type} (a
     * {@link KeyspaceEvents} flag) named {@code event}, published if that class is on. While
     * notifications are off it costs one volatile read. {@link #put} reports {@code new} itself when
     * it creates a key, and a lookup that finds a key past its deadline {@code expired}; commands
     * report the rest, after the change, in Redis's order.
     */
    void notify(int type, String event, Key key);

    /** Replaces the value of an existing key, keeping its deadline. */
    void replace(Key key, Object value);

    /** Sets (or with {@link #NO_EXPIRY} clears) the deadline of an existing key. */
    void setExpireAt(Key key, long expireAt);

    /** @return whether the key was there (and alive). */
    boolean remove(Key key);

    /** Live keys, counting those expired but not yet collected (as Redis's DBSIZE does). */
    long size();

    void clear();

    /** Shard index and count, which SCAN writes into its cursor. */
    int shardIndex();

    int shardCount();

    /**
     * One step of SCAN over this store's keys.
     *
     * @param cursor local cursor, 0 to start.
     * @param count  about how many keys to visit.
     * @return the next local cursor, 0 when the walk is over.
     */
    long scan(long cursor, int count, KeyVisitor visitor);

    /**
     * A random live key (RANDOMKEY), each about equally likely, or null when the store holds none.
     * An expired key found on the way is deleted, as a lookup would.
     */
    Key randomKey();

    /** Visits every live key (KEYS). */
    void forEachKey(KeyVisitor visitor);

    /**
     * The heap this store spends to hold one key beside the key and its value (its entry object,
     * the map's node and table slot, index slots), for MEMORY USAGE ({@link MemoryUsage}).
     */
    long entryBytes(boolean timed);

    /** The versions of this store's watched keys (WATCH, EXEC). */
    WatchTable watches();

    /** How many numbered databases the store has (the {@code databases} setting). */
    int databases();

    /**
     * Database {@code index} of the same store and shard, as its commands see it: where MOVE and
     * COPY ... DB write, what FLUSHALL and SWAPDB reach, where a script's SELECT goes. An index
     * below {@link #databases()}.
     */
    Db database(int index);

    /**
     * SWAPDB on this shard: this database and {@code other} (another of {@link #database}'s)
     * exchange their keys; the watches stay with their database index, as Redis keeps them.
     */
    void swapKeys(Db other);

    /**
     * The append-only log this database's writes go to, or null: a command whose effects differ
     * from its arguments (SPOP's random members) writes them there itself and calls
     * {@link #propagated}.
     */
    default io.shardloop.persist.AppendLog appendLog() {
        return null;
    }

    /** The command running logged its own effects: the executor does not log it again. */
    default void propagated() {
    }

    /**
     * The command running changed something no key holds (the function libraries): counted as a
     * change of the data, as Redis counts it in server.dirty, so that the command is logged.
     */
    default void changedBesideKeys() {
    }

    @FunctionalInterface
    interface KeyVisitor {
        void visit(Key key, Object value);
    }
}
