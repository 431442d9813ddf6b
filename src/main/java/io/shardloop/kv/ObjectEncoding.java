package io.shardloop.kv;

import io.shardloop.resp.codec.Numbers;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The encoding Redis 7.0 would hold a value in, by its default thresholds ({@code redis.conf}),
 * read from the value as it is now: what OBJECT ENCODING answers, and what decides whether
 * SSCAN, HSCAN and ZSCAN return a value whole in one step.
 * <pre>
 *   string   int        an integer as string2l reads it (no sign but '-', no leading zero), 20 bytes at most
 *            embstr     any other string of at most 44 bytes (OBJ_ENCODING_EMBSTR_SIZE_LIMIT)
 *            raw        longer
 *   list     quicklist  always (7.0 has no listpack lists)
 *   set      intset     every member an integer, at most 512 (set-max-intset-entries)
 *            hashtable  otherwise
 *   hash     listpack   at most 512 fields (hash-max-listpack-entries), none and no value over 64 bytes
 *            hashtable  otherwise
 *   zset     listpack   at most 128 members (zset-max-listpack-entries), none over 64 bytes
 *            skiplist   otherwise
 * </pre>
 * Redis converts a value to its big encoding once and never back (a hash that grew past 128 fields
 * stays a hashtable when it shrinks; APPEND and SETRANGE leave a raw string); this model has no
 * history and answers by the content. Stateless.
 */
final class ObjectEncoding {
    static final int EMBSTR_SIZE_LIMIT = 44;
    static final int SET_MAX_INTSET_ENTRIES = 512;
    /** 512, Redis 7.0's built-in default (config.c), though its sample redis.conf says 128. */
    static final int HASH_MAX_LISTPACK_ENTRIES = 512;
    static final int HASH_MAX_LISTPACK_VALUE = 64;
    static final int ZSET_MAX_LISTPACK_ENTRIES = 128;
    static final int ZSET_MAX_LISTPACK_VALUE = 64;
    /** Redis's OBJ_SHARED_INTEGERS: integers below it share one object, whose refcount is INT_MAX. */
    static final long SHARED_INTEGERS = 10000;

    private ObjectEncoding() {
    }

    static String of(Object value) {
        return switch (value) {
            case byte[] s -> isInteger(s) ? "int" : s.length <= EMBSTR_SIZE_LIMIT ? "embstr" : "raw";
            case ArrayDeque<?> l -> "quicklist";
            case MemberSet s -> isIntset(s) ? "intset" : "hashtable";
            case HashMap<?, ?> h -> isSmallHash(h) ? "listpack" : "hashtable";
            case SortedSet z -> isSmallZset(z) ? "listpack" : "skiplist";
            default -> throw new IllegalStateException("unknown value type " + value.getClass());
        };
    }

    /** Whether Redis holds the value compactly, so that its SCAN returns all of it at once. */
    static boolean isCompact(Object value) {
        return switch (value) {
            case MemberSet s -> isIntset(s);
            case HashMap<?, ?> h -> isSmallHash(h);
            case SortedSet z -> isSmallZset(z);
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

    private static boolean isIntset(MemberSet s) {
        if (s.size() > SET_MAX_INTSET_ENTRIES) {
            return false;
        }
        for (int i = 0; i < s.size(); i++) {
            Key m = s.member(i);
            if (!Numbers.isLong(m.array(), m.offset(), m.length())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSmallHash(HashMap<?, ?> h) {
        if (h.size() > HASH_MAX_LISTPACK_ENTRIES) {
            return false;
        }
        for (Map.Entry<?, ?> e : h.entrySet()) {
            if (((Key) e.getKey()).length() > HASH_MAX_LISTPACK_VALUE
                    || ((byte[]) e.getValue()).length > HASH_MAX_LISTPACK_VALUE) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSmallZset(SortedSet z) {
        if (z.size() > ZSET_MAX_LISTPACK_ENTRIES) {
            return false;
        }
        for (SortedSet.Node n = z.first(); n != null; n = n.next()) {
            if (n.member.length() > ZSET_MAX_LISTPACK_VALUE) {
                return false;
            }
        }
        return true;
    }
}
