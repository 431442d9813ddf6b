package io.shardloop.kv;

/**
 * The constants of Redis's RDB value encoding ({@code src/rdb.h} of Redis 7.0) that
 * {@link ValueCodec} and {@link DumpPayload} write and read.
 * <p>
 * A length is written big endian in one of four sizes, told apart by the top two bits of its first
 * byte; the fourth form ({@code 11} then six bits) is not a length but names how a string follows:
 * <pre>
 *   00xxxxxx                      a 6-bit length
 *   01xxxxxx xxxxxxxx             a 14-bit length
 *   10000000 + 4 bytes            a 32-bit length
 *   10000001 + 8 bytes            a 64-bit length
 *   11000000 + 1 byte             a string holding a signed 8-bit integer (in decimal)
 *   11000001 + 2 bytes            ... 16-bit, little endian
 *   11000010 + 4 bytes            ... 32-bit, little endian
 *   11000011 len len bytes        an LZF-compressed string: compressed length, plain length, data
 * </pre>
 */
final class RdbFormat {
    /** The RDB version Redis 7.0 writes in DUMP payloads, and the newest it loads. */
    static final int RDB_VERSION = 10;

    /** A string: a length-prefixed byte string (or an integer or LZF encoding of one). */
    static final int TYPE_STRING = 0;
    /** A list: element count, then the elements as strings. */
    static final int TYPE_LIST = 1;
    /** A set: member count, then the members as strings. */
    static final int TYPE_SET = 2;
    /** A sorted set, scores as text: member count, then (member string, text double) pairs. */
    static final int TYPE_ZSET = 3;
    /** A hash: field count, then (field string, value string) pairs. */
    static final int TYPE_HASH = 4;
    /** A sorted set, scores as 8-byte little-endian IEEE doubles: count, then (member, score) pairs. */
    static final int TYPE_ZSET_2 = 5;
    /** A set of integers: one string holding an intset. */
    static final int TYPE_SET_INTSET = 11;
    /** A small hash: one string holding a listpack of field, value, field, value... */
    static final int TYPE_HASH_LISTPACK = 16;
    /** A small sorted set: one string holding a listpack of member, score, member, score... */
    static final int TYPE_ZSET_LISTPACK = 17;
    /** A list as quicklist nodes: node count, then per node a container kind and a string. */
    static final int TYPE_LIST_QUICKLIST_2 = 18;

    /** A quicklist node holding one element as it is. */
    static final int QUICKLIST_NODE_PLAIN = 1;
    /** A quicklist node holding a listpack of elements. */
    static final int QUICKLIST_NODE_PACKED = 2;

    /** First byte of a 32-bit length. */
    static final int LEN_32BIT = 0x80;
    /** First byte of a 64-bit length. */
    static final int LEN_64BIT = 0x81;
    /** Top two bits of a first byte that names a string encoding rather than a length. */
    static final int ENCODED = 3;
    static final int ENC_INT8 = 0;
    static final int ENC_INT16 = 1;
    static final int ENC_INT32 = 2;
    static final int ENC_LZF = 3;

    /** Text-double markers of {@link #TYPE_ZSET} scores, in place of a length byte. */
    static final int DOUBLE_NEG_INF = 255;
    static final int DOUBLE_POS_INF = 254;
    static final int DOUBLE_NAN = 253;

    private RdbFormat() {
    }
}
