package io.shardloop.kv;

import java.nio.charset.StandardCharsets;

/**
 * Reads an intset, the sorted array of integers Redis 7.0 keeps small all-integer sets in, and
 * writes into DUMP payloads as it is ({@code src/intset.c}):
 * <pre>
 *   width (uint32 LE: 2, 4 or 8 bytes per member) | count (uint32 LE) | members (signed, LE)
 * </pre>
 * Members read as their decimal text, which is what Redis stored them for. Stateless.
 */
final class Intset {
    private static final int HEADER = 8;

    private Intset() {
    }

    /** A RDB_TYPE_SET_INTSET value. */
    static MemberSet set(byte[] blob) {
        if (blob.length < HEADER) {
            throw ValueCodec.malformed("intset header");
        }
        long width = uint32(blob, 0);
        long count = uint32(blob, 4);
        if ((width != 2 && width != 4 && width != 8) || HEADER + width * count != blob.length) {
            throw ValueCodec.malformed("intset of width " + width + " and count " + count + " in " + blob.length + " bytes");
        }
        MemberSet set = new MemberSet();
        int w = (int) width;
        for (int at = HEADER; at < blob.length; at += w) {
            long v = 0;
            for (int i = w - 1; i >= 0; i--) {
                v = v << 8 | (blob[at + i] & 0xFF);
            }
            v = v << (64 - 8 * w) >> (64 - 8 * w);
            if (!set.add(Key.wrap(Long.toString(v).getBytes(StandardCharsets.US_ASCII)))) {
                throw ValueCodec.malformed("duplicate intset member");
            }
        }
        ValueCodec.nonEmpty(set.size());
        return set;
    }

    private static long uint32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }
}
