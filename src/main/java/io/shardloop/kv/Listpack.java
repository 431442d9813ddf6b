package io.shardloop.kv;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;

/**
 * Reads a listpack, the compact sequence Redis 7.0 keeps small hashes, sorted sets and list nodes
 * in, and writes into DUMP payloads as it is ({@code src/listpack.c}):
 * <pre>
 *   total bytes (uint32 LE) | element count (uint16 LE, 65535: unknown) | entries | 0xFF
 *   entry: encoding [+ length] + data | back length (the size of encoding and data, 1-5 bytes)
 *     0xxxxxxx               7-bit unsigned integer
 *     10LLLLLL + L bytes      string up to 63 bytes
 *     110xxxxx x             13-bit signed integer
 *     1110LLLL L + L bytes    string up to 4095 bytes
 *     11110000 L(4 LE) + L    string up to 2^32 - 1 bytes
 *     11110001/2/3/4 + 2/3/4/8 bytes LE   16/24/32/64-bit signed integer
 * </pre>
 * Integers read as their decimal text, which is what Redis stored them for. The whole listpack is
 * checked when it is opened (its lengths, every entry's bounds and back length, the count, the end
 * byte), so iterating it cannot fail.
 * <p>
 * One per decode, used by one thread.
 */
final class Listpack {
    private static final int HEADER = 6;
    private static final int COUNT_UNKNOWN = 0xFFFF;
    private static final int END = 0xFF;

    private final byte[] lp;
    private final int count;
    private int position = HEADER;
    private int taken;

    Listpack(byte[] blob) {
        this.lp = blob;
        if (blob.length < HEADER + 1 || uint32(blob, 0) != blob.length || (blob[blob.length - 1] & 0xFF) != END) {
            throw ValueCodec.malformed("listpack header or end");
        }
        int declared = (blob[4] & 0xFF) | (blob[5] & 0xFF) << 8;
        int n = 0;
        int at = HEADER;
        while ((blob[at] & 0xFF) != END) {
            at = validatedNext(at);
            n++;
        }
        if (at != blob.length - 1 || (declared != COUNT_UNKNOWN && declared != n)) {
            throw ValueCodec.malformed("listpack count " + declared + ", found " + n);
        }
        this.count = n;
    }

    int count() {
        return count;
    }

    boolean hasNext() {
        return taken < count;
    }

    /** The next element's bytes (an integer's decimal text). */
    byte[] next() {
        int at = position;
        int b = lp[at] & 0xFF;
        byte[] element;
        if ((b & 0x80) == 0) {
            element = decimal(b);
        } else if ((b & 0xC0) == 0x80) {
            element = copy(at + 1, b & 0x3F);
        } else if ((b & 0xE0) == 0xC0) {
            element = decimal((((b & 0x1F) << 8 | (lp[at + 1] & 0xFF)) << 19) >> 19);
        } else if ((b & 0xF0) == 0xE0) {
            element = copy(at + 2, (b & 0x0F) << 8 | (lp[at + 1] & 0xFF));
        } else if (b == 0xF0) {
            element = copy(at + 5, (int) uint32(lp, at + 1));
        } else {
            int bytes = intBytes(b);
            element = decimal(signedLittleEndian(at + 1, bytes));
        }
        position = validatedNext(at);
        taken++;
        return element;
    }

    /** A RDB_TYPE_HASH_LISTPACK value: field, value pairs. */
    static HashMap<Key, byte[]> hash(byte[] blob) {
        Listpack lp = new Listpack(blob);
        int pairs = pairs(lp);
        HashMap<Key, byte[]> hash = HashCommands.newHash(pairs);
        for (int i = 0; i < pairs; i++) {
            if (hash.putIfAbsent(Key.wrap(lp.next()), lp.next()) != null) {
                throw ValueCodec.malformed("duplicate hash field");
            }
        }
        return hash;
    }

    /** A RDB_TYPE_ZSET_LISTPACK value: member, score pairs, scores as text or integers. */
    static SortedSet sortedSet(byte[] blob) {
        Listpack lp = new Listpack(blob);
        int pairs = pairs(lp);
        SortedSet zset = new SortedSet();
        for (int i = 0; i < pairs; i++) {
            Key member = Key.wrap(lp.next());
            byte[] score = lp.next();
            double d = Scores.parse(score, 0, score.length);
            if (Double.isNaN(d)) {
                throw ValueCodec.malformed("score text " + new String(score, StandardCharsets.ISO_8859_1));
            }
            ValueCodec.addScored(zset, member, d);
        }
        return zset;
    }

    private static int pairs(Listpack lp) {
        if (lp.count % 2 != 0) {
            throw ValueCodec.malformed("listpack of pairs with " + lp.count + " elements");
        }
        return ValueCodec.nonEmpty(lp.count / 2);
    }

    /** Checks the entry at {@code at} lies within the listpack and returns where the next begins. */
    private int validatedNext(int at) {
        int limit = lp.length - 1;
        int b = lp[at] & 0xFF;
        long size;
        if ((b & 0x80) == 0) {
            size = 1;
        } else if ((b & 0xC0) == 0x80) {
            size = 1 + (b & 0x3F);
        } else if ((b & 0xE0) == 0xC0) {
            size = 2;
        } else if ((b & 0xF0) == 0xE0) {
            size = at + 1 < limit ? 2 + ((b & 0x0F) << 8 | (lp[at + 1] & 0xFF)) : Long.MAX_VALUE;
        } else if (b == 0xF0) {
            size = at + 4 < limit ? 5 + uint32(lp, at + 1) : Long.MAX_VALUE;
        } else if (b >= 0xF1 && b <= 0xF4) {
            size = 1 + intBytes(b);
        } else {
            throw ValueCodec.malformed("listpack encoding byte " + b);
        }
        int backlen = backlenSize(size);
        if (size > limit - at - backlen) {
            throw ValueCodec.malformed("listpack entry past its end");
        }
        int back = at + (int) size;
        for (int i = 0; i < backlen; i++) {
            // Big-endian 7-bit groups, every byte but the first with its high bit set.
            int expected = (int) ((size >>> (7 * (backlen - 1 - i))) & 127) | (i == 0 ? 0 : 128);
            if ((lp[back + i] & 0xFF) != expected) {
                throw ValueCodec.malformed("listpack back length");
            }
        }
        return back + backlen;
    }

    private static int backlenSize(long size) {
        return size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
    }

    private static int intBytes(int encoding) {
        return switch (encoding) {
            case 0xF1 -> 2;
            case 0xF2 -> 3;
            case 0xF3 -> 4;
            default -> 8;
        };
    }

    private long signedLittleEndian(int at, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = v << 8 | (lp[at + i] & 0xFF);
        }
        int unused = 64 - 8 * bytes;
        return v << unused >> unused;
    }

    private byte[] copy(int at, int len) {
        byte[] b = new byte[len];
        System.arraycopy(lp, at, b, 0, len);
        return b;
    }

    private static long uint32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    private static byte[] decimal(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }
}
