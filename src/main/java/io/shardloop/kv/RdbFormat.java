package io.shardloop.kv;

/**
 * The constants of Redis's RDB value encoding ({@code src/rdb.h} of Redis 7.0) that
 * {@link ValueCodec} and {@link DumpPayload} write and read, and the opcodes of an RDB file around
 * them ({@link RdbFileWriter}, {@link RdbFileReader}).
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

    /** A module value (Redis 4.0's first form); not read here. */
    static final int TYPE_MODULE = 6;
    /** A module value with opcodes that let a reader skip it; not read here. */
    static final int TYPE_MODULE_2 = 7;
    /** Hash as a zipmap (before Redis 2.6); not read here. */
    static final int TYPE_HASH_ZIPMAP = 9;
    /** List as a ziplist (before Redis 3.2); not read here. */
    static final int TYPE_LIST_ZIPLIST = 10;
    /** Sorted set as a ziplist (before Redis 7.0); not read here. */
    static final int TYPE_ZSET_ZIPLIST = 12;
    /** Hash as a ziplist (before Redis 7.0); not read here. */
    static final int TYPE_HASH_ZIPLIST = 13;
    /** List as a quicklist of ziplists (Redis 3.2 to 6.2); not read here. */
    static final int TYPE_LIST_QUICKLIST = 14;
    /** A stream (Redis 5.0 to 6.2); not read here. */
    static final int TYPE_STREAM_LISTPACKS = 15;
    /** A stream (Redis 7.0); not read here. */
    static final int TYPE_STREAM_LISTPACKS_2 = 19;

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

    // What an RDB file holds around the values (RDB_OPCODE_*): one byte in the place of a value's
    // type byte, then its operands. RdbFileWriter writes them, RdbFileReader reads them.
    /** The first bytes of every RDB file, before four ASCII digits of its version. */
    static final String MAGIC = "REDIS";
    /** A function library: its code as a string (Redis 7.0 GA on). */
    static final int OPCODE_FUNCTION2 = 245;
    /** A function library in the form of Redis 7.0's release candidates; not read here. */
    static final int OPCODE_FUNCTION = 246;
    /** A module's data outside the keyspace; not read here. */
    static final int OPCODE_MODULE_AUX = 247;
    /** The next key's LRU idle time in seconds, as a length. */
    static final int OPCODE_IDLE = 248;
    /** The next key's LFU counter, one byte. */
    static final int OPCODE_FREQ = 249;
    /** An aux field: two strings, name and value. */
    static final int OPCODE_AUX = 250;
    /** The selected database's key count and expiring-key count, two lengths: a sizing hint. */
    static final int OPCODE_RESIZEDB = 251;
    /** The next key's expiry: 8-byte little-endian Unix time in milliseconds. */
    static final int OPCODE_EXPIRETIME_MS = 252;
    /** The next key's expiry: 4-byte little-endian Unix time in seconds (before RDB 3). */
    static final int OPCODE_EXPIRETIME = 253;
    /** The database the following keys go to, as a length. */
    static final int OPCODE_SELECTDB = 254;
    /** The end of the data; from RDB 5 on, an 8-byte little-endian CRC-64 of everything before follows. */
    static final int OPCODE_EOF = 255;
    /** The first RDB version that ends with a checksum. */
    static final int FIRST_CHECKSUMMED_VERSION = 5;

    private RdbFormat() {
    }

    /** What a value type that Redis writes and {@link ValueCodec} does not read holds; null for no such type. */
    static String unsupportedType(int type) {
        return switch (type) {
            case TYPE_MODULE, TYPE_MODULE_2 -> "a module value";
            case TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2 -> "a stream";
            case TYPE_HASH_ZIPMAP -> "a hash as a zipmap";
            case TYPE_LIST_ZIPLIST, TYPE_LIST_QUICKLIST -> "a list of ziplists";
            case TYPE_ZSET_ZIPLIST -> "a sorted set as a ziplist";
            case TYPE_HASH_ZIPLIST -> "a hash as a ziplist";
            default -> null;
        };
    }
}
