package io.shardloop.kv;

import io.shardloop.resp.codec.Numbers;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The encoding Redis 7.0 holds a value in, by the thresholds in force ({@link EncodingThresholds},
 * which CONFIG SET changes): what OBJECT ENCODING answers, and what decides whether SSCAN, HSCAN and
 * ZSCAN return a value whole in one step.
 * <pre>
 *   string   int        an integer as string2l reads it (no sign but '-', no leading zero), 20 bytes at most
 *            embstr     any other string of at most 44 bytes (OBJ_ENCODING_EMBSTR_SIZE_LIMIT)
 *            raw        longer
 *   list     quicklist  always (7.0 has no listpack lists)
 *   set      intset     every member an integer, at most set-max-intset-entries (512)
 *            hashtable  otherwise
 *   hash     listpack   at most hash-max-listpack-entries fields (512), none and no value over
 *                       hash-max-listpack-value bytes (64)
 *            hashtable  otherwise
 *   zset     listpack   at most zset-max-listpack-entries members (128), none over
 *                       zset-max-listpack-value bytes (64)
 *            skiplist   otherwise
 * </pre>
 * Redis converts a container to its big encoding when a write takes it past a threshold, and never
 * back (a hash that grew past the limit stays a hashtable when it shrinks, or when the limit is
 * raised), until the value is rewritten. Sets and sorted sets remember what converts them for good
 * themselves (a non-integer member, the longest member: {@link MemberSet#heldNonInteger},
 * {@link SortedSet#longestMember}); for every container the key's {@link ObjectHeader} keeps a
 * CONVERTED bit, which every lookup that touches the key sets once the container is past a limit
 * by those O(1) checks (a hash: by its size), and asking the encoding sets once any limit is
 * passed, a hash's lengths included. So a hash that held a field or value past
 * hash-max-listpack-value and lost it with no asking in between reads listpack; and a limit
 * lowered by CONFIG SET converts a container at its next lookup, where Redis waits for its next
 * write. Strings are read as they are now: APPEND and SETRANGE, which leave Redis a raw string, are
 * not remembered. Stateless.
 */
final class ObjectEncoding {
    static final int EMBSTR_SIZE_LIMIT = 44;
    /** Redis's OBJ_SHARED_INTEGERS: integers below it share one object, whose refcount is INT_MAX. */
    static final long SHARED_INTEGERS = 10000;

    private ObjectEncoding() {
    }

    /** OBJECT ENCODING of the key {@code db.get} or {@code db.peek} just found holding {@code value}. */
    static String of(Db db, Key key, Object value) {
        return switch (value) {
            case byte[] s -> isInteger(s) ? "int" : s.length <= EMBSTR_SIZE_LIMIT ? "embstr" : "raw";
            case ArrayDeque<?> l -> "quicklist";
            case MemberSet s -> isCompact(db, key, s) ? "intset" : "hashtable";
            case HashMap<?, ?> h -> isCompact(db, key, h) ? "listpack" : "hashtable";
            case SortedSet z -> isCompact(db, key, z) ? "listpack" : "skiplist";
            default -> throw new IllegalStateException("unknown value type " + value.getClass());
        };
    }

    /**
     * Whether Redis holds the key's container compactly, so that its SCAN returns all of it at
     * once. Found past a threshold, the key is marked converted (see the class comment).
     */
    static boolean isCompact(Db db, Key key, Object value) {
        if (value instanceof byte[] || value instanceof ArrayDeque<?>) {
            return false;
        }
        int header = db.header(key);
        if (ObjectHeader.converted(header)) {
            return false;
        }
        if (fits(value, db.encodings())) {
            return true;
        }
        db.setHeader(key, header | ObjectHeader.CONVERTED);
        return false;
    }

    /**
     * Whether a container is past a limit of its compact encoding by what is O(1) to read (a hash's
     * size; a set's or sorted set's every limit); false for strings and lists.
     */
    static boolean outgrew(Object value, EncodingThresholds limits) {
        return switch (value) {
            case MemberSet s -> !isIntset(s, limits);
            case HashMap<?, ?> h -> h.size() > limits.hashMaxListpackEntries();
            case SortedSet z -> !isSmallZset(z, limits);
            default -> false;
        };
    }

    /** Whether a container, as it is now, is within every threshold of its compact encoding. */
    static boolean fits(Object value, EncodingThresholds limits) {
        return switch (value) {
            case MemberSet s -> isIntset(s, limits);
            case HashMap<?, ?> h -> isSmallHash(h, limits);
            case SortedSet z -> isSmallZset(z, limits);
            default -> false;
        };
    }

    /** OBJECT REFCOUNT: a shared integer's INT_MAX, else 1 (a value is never shared here). */
    static long refcount(Object value) {
        if (value instanceof byte[] s && isInteger(s)) {
            long n = Numbers.parseLong(s, 0, s.length, -1);
            if (n >= 0 && n < SHARED_INTEGERS) {
                return Integer.MAX_VALUE;
            }
        }
        return 1;
    }

    static boolean isInteger(byte[] s) {
        return s.length <= 20 && Numbers.isLong(s, 0, s.length);
    }

    private static boolean isIntset(MemberSet s, EncodingThresholds limits) {
        return !s.heldNonInteger() && s.size() <= limits.setMaxIntsetEntries();
    }

    private static boolean isSmallHash(HashMap<?, ?> h, EncodingThresholds limits) {
        if (h.size() > limits.hashMaxListpackEntries()) {
            return false;
        }
        long max = limits.hashMaxListpackValue();
        for (Map.Entry<?, ?> e : h.entrySet()) {
            if (((Key) e.getKey()).length() > max || ((byte[]) e.getValue()).length > max) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSmallZset(SortedSet z, EncodingThresholds limits) {
        return z.size() <= limits.zsetMaxListpackEntries() && z.longestMember() <= limits.zsetMaxListpackValue();
    }
}
