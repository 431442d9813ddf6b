package io.shardloop.kv;

/**
 * What a {@link TrackingClient} needs of the place its tracking lives: the table that remembers its
 * reads, the way to the client it redirects to, and the counts INFO shows. A {@link TrackingShard}
 * on the event loops (one per shard, its loop thread's), or the one {@link LockedTracking} of the
 * thread-per-connection server.
 * <p>
 * The table's monitor guards its clients: each {@link TrackingClient} takes it in the methods its
 * connection calls, and a {@link LockedTracking} holds it wherever it tells a client of an
 * invalidation. On a loop only the loop's thread ever takes it.
 */
abstract class TrackingTable {
    /** Whether a client with this id is connected (a REDIRECT may name it). */
    abstract boolean exists(long id);

    /**
     * How many flushes were told to other shards so far (the shared-state loops' {@code MSG_FLUSHED},
     * which may arrive late); 0 where every flush is told at once.
     */
    long flushes() {
        return 0;
    }

    /** A client turned tracking on. */
    abstract void trackingOn();

    /** A client turned tracking off. */
    abstract void trackingOff();

    /** A client turned BCAST on: it hears of the keys written under its prefixes. */
    abstract void broadcastOn(TrackingClient c);

    abstract void broadcastOff(TrackingClient c);

    /** A BCAST client's prefixes changed: the count INFO shows. */
    abstract void publishPrefixes();

    /** The connection closed: no redirect may name it any more. */
    abstract void disconnect(TrackingClient c);

    /** A tracking client is about to read this key: the table remembers it, before the read runs. */
    abstract void remember(byte[] b, int offset, int length, long client);

    /**
     * An invalidation for a client ({@code redirectedFrom}: the tracking client whose invalidation it
     * is, {@link TrackingShard#NO_CLIENT} for the target's own tracking), of the given kind.
     */
    abstract void notify(long target, long by, long redirectedFrom, byte kind, byte[] b, int offset, int length);
}
