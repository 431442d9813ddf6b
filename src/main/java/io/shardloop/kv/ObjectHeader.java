package io.shardloop.kv;

/**
 * The int every key's entry carries beside its value, as Redis packs type, encoding and LRU clock
 * into its object header (server.h {@code robj}, evict.c):
 * <pre>
 *   bits  0-23  the LRU clock, seconds, at the key's last access (Redis's LRU_BITS)
 *   bit   24    CONVERTED: the value was seen past its compact encoding's thresholds, and is held
 *               in its big one (hashtable, skiplist) until it is rewritten ({@link ObjectEncoding})
 *   bit   25    SAVED: which snapshot saved the entry last, as a parity ({@link Keyspace.Walk}); its
 *               keyspace alone reads and writes it
 * </pre>
 * The clock itself is kept by each store and ticked by its periodic timer, as Redis's serverCron
 * refreshes server.lruclock, so a lookup reads an int rather than the time. Stateless.
 */
final class ObjectHeader {
    static final int LRU_BITS = 24;
    /** Redis's LRU_CLOCK_MAX: the clock wraps after 2^24 seconds (about 194 days). */
    static final int LRU_CLOCK_MAX = (1 << LRU_BITS) - 1;
    /** Redis's LRU_CLOCK_RESOLUTION, milliseconds. */
    static final long LRU_CLOCK_RESOLUTION = 1000;
    static final int CONVERTED = 1 << LRU_BITS;
    static final int SAVED = 1 << (LRU_BITS + 1);

    private ObjectHeader() {
    }

    /** Redis's getLRUClock: the clock at {@code millis} since the epoch. */
    static int lruClock(long millis) {
        return (int) ((millis / LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX);
    }

    /** The header of a value just written: accessed now, in its compact encoding. */
    static int fresh(int clock) {
        return clock;
    }

    static boolean converted(int header) {
        return (header & CONVERTED) != 0;
    }

    /**
     * What a lookup that touches the key (Redis's lookupKey without LOOKUP_NOTOUCH) leaves: the
     * clock now, and CONVERTED if a container is past a limit of its compact encoding by the O(1)
     * checks ({@link ObjectEncoding#outgrew}; a hash's lengths are checked where the encoding is asked).
     */
    static int touched(int header, int clock, Object value, EncodingThresholds limits) {
        int h = (header & ~LRU_CLOCK_MAX) | clock;
        if ((h & CONVERTED) == 0 && !(value instanceof byte[]) && ObjectEncoding.outgrew(value, limits)) {
            h |= CONVERTED;
        }
        return h;
    }

    /** Redis's estimateObjectIdleTime: milliseconds since the access the header records, across a wrap of the clock. */
    static long idleMillis(int header, int clock) {
        int lru = header & LRU_CLOCK_MAX;
        long ticks = clock >= lru ? clock - lru : clock + (LRU_CLOCK_MAX - lru);
        return ticks * LRU_CLOCK_RESOLUTION;
    }

    /** Redis's objectSetLRUOrLFU for an LRU policy (RESTORE ... IDLETIME): last accessed {@code seconds} ago. */
    static int idleFor(int header, int clock, long seconds) {
        long at = clock - seconds;
        if (at < 0) {
            at += LRU_CLOCK_MAX;
        }
        return (header & ~LRU_CLOCK_MAX) | ((int) at & LRU_CLOCK_MAX);
    }
}
