package io.shardloop.kv;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import static io.shardloop.kv.RdbFormat.ENCODED;
import static io.shardloop.kv.RdbFormat.ENC_INT16;
import static io.shardloop.kv.RdbFormat.ENC_INT32;
import static io.shardloop.kv.RdbFormat.ENC_INT8;
import static io.shardloop.kv.RdbFormat.LEN_32BIT;
import static io.shardloop.kv.RdbFormat.LEN_64BIT;
import static io.shardloop.kv.RdbFormat.QUICKLIST_NODE_PACKED;
import static io.shardloop.kv.RdbFormat.QUICKLIST_NODE_PLAIN;
import static io.shardloop.kv.RdbFormat.TYPE_HASH;
import static io.shardloop.kv.RdbFormat.TYPE_HASH_LISTPACK;
import static io.shardloop.kv.RdbFormat.TYPE_LIST;
import static io.shardloop.kv.RdbFormat.TYPE_LIST_QUICKLIST_2;
import static io.shardloop.kv.RdbFormat.TYPE_SET;
import static io.shardloop.kv.RdbFormat.TYPE_SET_INTSET;
import static io.shardloop.kv.RdbFormat.TYPE_STRING;
import static io.shardloop.kv.RdbFormat.TYPE_ZSET;
import static io.shardloop.kv.RdbFormat.TYPE_ZSET_2;
import static io.shardloop.kv.RdbFormat.TYPE_ZSET_LISTPACK;

/**
 * A stored value ({@link Db}'s types) as bytes and back, in Redis's RDB value encoding: one type
 * byte, then the value ({@link RdbFormat}). The one place values become bytes, for DUMP and
 * RESTORE and for moving values between shards.
 * <p>
 * Writes the plain encodings every Redis version loads; a string as Redis writes one that it does
 * not compress: the canonical decimal text of a 32-bit integer as that integer (RDB_ENC_INT8/16/32),
 * any other as its length and bytes. So a string's payload is byte for byte Redis's up to 20 bytes.
 * <pre>
 *   byte[]                    RDB_TYPE_STRING 0   length, bytes
 *   ArrayDeque&lt;byte[]&gt;       RDB_TYPE_LIST 1     count, then each element, head first
 *   MemberSet                 RDB_TYPE_SET 2      count, then each member
 *   HashMap&lt;Key, byte[]&gt;     RDB_TYPE_HASH 4     count, then field, value, field, value...
 *   SortedSet                 RDB_TYPE_ZSET_2 5   count, then member, 8-byte little-endian score...
 *                                                 from the highest to the lowest, as Redis writes
 * </pre>
 * Reads those, RDB_TYPE_ZSET (text scores), and the compact encodings Redis 7.0 writes for small
 * values: strings as integers or LZF, intsets, hash and sorted-set listpacks and quicklists of
 * listpacks ({@link Listpack}). What it reads is checked as Redis checks it: no empty container, no
 * duplicate member or field, no NaN score, nothing past the bytes given nor left over.
 * <p>
 * Stateless: any thread may call it. A value is read while its owner holds it (the thread running
 * a command on its key); a decoded value is new and owned by the caller.
 */
public final class ValueCodec {
    /** The longest text {@link #asInteger} converts: "-2147483648". */
    private static final int MAX_INTEGER_TEXT = 11;
    /** What {@link #asInteger} returns for a string written as it is: outside 32 bits. */
    private static final long NOT_AN_INTEGER = Long.MIN_VALUE;

    private ValueCodec() {
    }

    /** Bytes that do not hold a value in a form this codec reads. */
    public static final class MalformedValueException extends RuntimeException {
        MalformedValueException(String message) {
            super(message, null, false, false);
        }
    }

    static MalformedValueException malformed(String message) {
        return new MalformedValueException(message);
    }

    /** The number of bytes {@link #encode} writes for a value. */
    public static int encodedLength(Object value) {
        long total = 1 + switch (value) {
            case byte[] s -> stringLength(s, 0, s.length);
            case ArrayDeque<?> list -> {
                long sum = lengthSize(list.size());
                for (Object e : list) {
                    byte[] b = (byte[]) e;
                    sum += stringLength(b, 0, b.length);
                }
                yield sum;
            }
            case MemberSet set -> {
                long sum = lengthSize(set.size());
                for (int i = 0; i < set.size(); i++) {
                    sum += keyLength(set.member(i));
                }
                yield sum;
            }
            case HashMap<?, ?> hash -> {
                long sum = lengthSize(hash.size());
                for (Map.Entry<?, ?> e : hash.entrySet()) {
                    byte[] v = (byte[]) e.getValue();
                    sum += keyLength((Key) e.getKey()) + stringLength(v, 0, v.length);
                }
                yield sum;
            }
            case SortedSet zset -> {
                long sum = lengthSize(zset.size());
                for (SortedSet.Node n = zset.first(); n != null; n = n.next()) {
                    sum += keyLength(n.member) + Double.BYTES;
                }
                yield sum;
            }
            default -> throw unknownType(value);
        };
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("value encodes to " + total + " bytes, past a buffer's 2 GiB");
        }
        return (int) total;
    }

    /**
     * Writes a value, type byte first, at {@code offset}; an expandable buffer grows to fit, any
     * other must have {@link #encodedLength} bytes there.
     *
     * @return the number of bytes written.
     */
    @SuppressWarnings("unchecked")
    public static int encode(Object value, MutableDirectBuffer dst, int offset) {
        int at = offset;
        switch (value) {
            case byte[] s -> {
                dst.putByte(at++, (byte) TYPE_STRING);
                at = putString(dst, at, s, 0, s.length);
            }
            case ArrayDeque<?> list -> {
                dst.putByte(at++, (byte) TYPE_LIST);
                at += putLength(dst, at, list.size());
                for (byte[] e : (ArrayDeque<byte[]>) list) {
                    at = putString(dst, at, e, 0, e.length);
                }
            }
            case MemberSet set -> {
                dst.putByte(at++, (byte) TYPE_SET);
                at += putLength(dst, at, set.size());
                for (int i = 0; i < set.size(); i++) {
                    at = putKey(dst, at, set.member(i));
                }
            }
            case HashMap<?, ?> hash -> {
                dst.putByte(at++, (byte) TYPE_HASH);
                at += putLength(dst, at, hash.size());
                for (Map.Entry<Key, byte[]> e : ((HashMap<Key, byte[]>) hash).entrySet()) {
                    at = putKey(dst, at, e.getKey());
                    byte[] v = e.getValue();
                    at = putString(dst, at, v, 0, v.length);
                }
            }
            case SortedSet zset -> {
                dst.putByte(at++, (byte) TYPE_ZSET_2);
                at += putLength(dst, at, zset.size());
                for (SortedSet.Node n = zset.last(); n != null; n = n.previous()) {
                    at = putKey(dst, at, n.member);
                    dst.putDouble(at, n.score, ByteOrder.LITTLE_ENDIAN);
                    at += Double.BYTES;
                }
            }
            default -> throw unknownType(value);
        }
        return at - offset;
    }

    /**
     * Reads the value of exactly {@code length} bytes at {@code offset}, type byte first.
     *
     * @throws MalformedValueException when the bytes are not one well-formed value.
     */
    public static Object decode(DirectBuffer src, int offset, int length) {
        RdbInput in = new RdbInput(src, offset, length);
        Object value = read(in);
        if (in.remaining() != 0) {
            throw malformed(in.remaining() + " bytes after the value");
        }
        return value;
    }

    /** Reads one value, type byte first, leaving the cursor after it. */
    static Object read(RdbInput in) {
        return read(in, in.readUnsignedByte());
    }

    /** Whether {@link #read} reads values of this RDB type. */
    static boolean reads(int type) {
        return switch (type) {
            case TYPE_STRING, TYPE_LIST, TYPE_SET, TYPE_ZSET, TYPE_ZSET_2, TYPE_HASH, TYPE_SET_INTSET,
                 TYPE_HASH_LISTPACK, TYPE_ZSET_LISTPACK, TYPE_LIST_QUICKLIST_2 -> true;
            default -> false;
        };
    }

    /** Reads one value of a type whose byte was read already, leaving the cursor after it. */
    static Object read(RdbInput in, int type) {
        return switch (type) {
            case TYPE_STRING -> in.readString();
            case TYPE_LIST -> readList(in);
            case TYPE_SET -> readSet(in);
            case TYPE_ZSET, TYPE_ZSET_2 -> readSortedSet(in, type == TYPE_ZSET_2);
            case TYPE_HASH -> readHash(in);
            case TYPE_SET_INTSET -> Intset.set(in.readString());
            case TYPE_HASH_LISTPACK -> Listpack.hash(in.readString());
            case TYPE_ZSET_LISTPACK -> Listpack.sortedSet(in.readString());
            case TYPE_LIST_QUICKLIST_2 -> readQuicklist(in);
            default -> throw malformed("RDB type " + type + " is not one this server reads");
        };
    }

    /** Bytes of a length in RDB length encoding. */
    static int lengthSize(long len) {
        return len < 1 << 6 ? 1 : len < 1 << 14 ? 2 : len <= 0xFFFF_FFFFL ? 5 : 9;
    }

    /** Writes a length ({@code >= 0}) in RDB length encoding; returns the bytes written. */
    static int putLength(MutableDirectBuffer dst, int at, long len) {
        if (len < 1 << 6) {
            dst.putByte(at, (byte) len);
            return 1;
        }
        if (len < 1 << 14) {
            dst.putByte(at, (byte) (0x40 | (len >>> 8)));
            dst.putByte(at + 1, (byte) len);
            return 2;
        }
        if (len <= 0xFFFF_FFFFL) {
            dst.putByte(at, (byte) LEN_32BIT);
            dst.putInt(at + 1, (int) len, ByteOrder.BIG_ENDIAN);
            return 5;
        }
        dst.putByte(at, (byte) LEN_64BIT);
        dst.putLong(at + 1, len, ByteOrder.BIG_ENDIAN);
        return 9;
    }

    private static long stringLength(byte[] b, int off, int len) {
        long asInteger = asInteger(b, off, len);
        if (asInteger != NOT_AN_INTEGER) {
            return asInteger == (byte) asInteger ? 2 : asInteger == (short) asInteger ? 3 : 5;
        }
        return lengthSize(len) + (long) len;
    }

    private static long keyLength(Key k) {
        return stringLength(k.array(), k.offset(), k.length());
    }

    /**
     * A key and its value as an RDB file holds them: the value's type byte, the key as a string,
     * then the value; an expandable buffer grows to fit.
     *
     * @return the number of bytes written.
     */
    static int encodeEntry(byte[] key, int keyOffset, int keyLength, Object value, MutableDirectBuffer dst, int offset) {
        int keyBytes = (int) stringLength(key, keyOffset, keyLength);
        // The value goes keyBytes further on, so that its type byte lands on the key's last byte:
        // it is moved to the front before the key is written over it.
        int valueBytes = encode(value, dst, offset + keyBytes);
        dst.putByte(offset, dst.getByte(offset + keyBytes));
        putString(dst, offset + 1, key, keyOffset, keyLength);
        return keyBytes + valueBytes;
    }

    /**
     * A string: as an integer encoding when Redis would write one, else its length and bytes.
     *
     * @return the offset after it.
     */
    static int putString(MutableDirectBuffer dst, int at, byte[] b, int off, int len) {
        long v = asInteger(b, off, len);
        if (v == NOT_AN_INTEGER) {
            at += putLength(dst, at, len);
            dst.putBytes(at, b, off, len);
            return at + len;
        }
        if (v == (byte) v) {
            dst.putByte(at, (byte) (ENCODED << 6 | ENC_INT8));
            dst.putByte(at + 1, (byte) v);
            return at + 2;
        }
        if (v == (short) v) {
            dst.putByte(at, (byte) (ENCODED << 6 | ENC_INT16));
            dst.putShort(at + 1, (short) v, ByteOrder.LITTLE_ENDIAN);
            return at + 3;
        }
        dst.putByte(at, (byte) (ENCODED << 6 | ENC_INT32));
        dst.putInt(at + 1, (int) v, ByteOrder.LITTLE_ENDIAN);
        return at + 5;
    }

    /**
     * Redis's rdbTryIntegerEncoding: the value of a string of at most 11 bytes that is the canonical
     * decimal text of a 32-bit integer (no sign but '-', no leading zero, not "-0"), which Redis
     * writes as the integer; else {@link #NOT_AN_INTEGER}.
     */
    private static long asInteger(byte[] b, int off, int len) {
        if (len == 0 || len > MAX_INTEGER_TEXT) {
            return NOT_AN_INTEGER;
        }
        int end = off + len;
        int i = off;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        if (i == end || (b[i] == '0' && (negative || end - i > 1))) {
            return NOT_AN_INTEGER;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return NOT_AN_INTEGER;
            }
            v = v * 10 + d;
        }
        v = negative ? -v : v;
        return v == (int) v ? v : NOT_AN_INTEGER;
    }

    private static int putKey(MutableDirectBuffer dst, int at, Key k) {
        return putString(dst, at, k.array(), k.offset(), k.length());
    }

    private static ArrayDeque<byte[]> readList(RdbInput in) {
        int n = nonEmpty(in.readCount(1));
        ArrayDeque<byte[]> list = new ArrayDeque<>(n);
        for (int i = 0; i < n; i++) {
            list.addLast(in.readString());
        }
        return list;
    }

    private static MemberSet readSet(RdbInput in) {
        int n = nonEmpty(in.readCount(1));
        MemberSet set = new MemberSet();
        for (int i = 0; i < n; i++) {
            if (!set.add(Key.wrap(in.readString()))) {
                throw malformed("duplicate set member");
            }
        }
        return set;
    }

    private static HashMap<Key, byte[]> readHash(RdbInput in) {
        int n = nonEmpty(in.readCount(2));
        HashMap<Key, byte[]> hash = HashCommands.newHash(n);
        for (int i = 0; i < n; i++) {
            Key field = Key.wrap(in.readString());
            if (hash.putIfAbsent(field, in.readString()) != null) {
                throw malformed("duplicate hash field");
            }
        }
        return hash;
    }

    private static SortedSet readSortedSet(RdbInput in, boolean binaryScores) {
        int n = nonEmpty(in.readCount(binaryScores ? 1 + Double.BYTES : 2));
        SortedSet zset = new SortedSet();
        for (int i = 0; i < n; i++) {
            Key member = Key.wrap(in.readString());
            double score = binaryScores ? in.readBinaryDouble() : in.readTextDouble();
            addScored(zset, member, score);
        }
        return zset;
    }

    /** Adds a decoded (member, score) pair, refusing what Redis's loader refuses. */
    static void addScored(SortedSet zset, Key member, double score) {
        if (Double.isNaN(score)) {
            throw malformed("NaN score");
        }
        if (zset.node(member) != null) {
            throw malformed("duplicate sorted-set member");
        }
        zset.insert(member, score);
    }

    /** RDB_TYPE_LIST_QUICKLIST_2: nodes, each one element as it is or a listpack of elements. */
    private static ArrayDeque<byte[]> readQuicklist(RdbInput in) {
        int nodes = nonEmpty(in.readCount(2));
        ArrayDeque<byte[]> list = new ArrayDeque<>();
        for (int i = 0; i < nodes; i++) {
            long container = in.readLength();
            byte[] data = in.readString();
            if (data.length == 0) {
                throw malformed("empty quicklist node");
            }
            if (container == QUICKLIST_NODE_PLAIN) {
                list.addLast(data);
            } else if (container == QUICKLIST_NODE_PACKED) {
                Listpack lp = new Listpack(data);
                while (lp.hasNext()) {
                    list.addLast(lp.next());
                }
            } else {
                throw malformed("quicklist container " + container);
            }
        }
        return nonEmpty(list);
    }

    static int nonEmpty(int count) {
        if (count == 0) {
            throw malformed("empty container");
        }
        return count;
    }

    private static <T extends java.util.Collection<?>> T nonEmpty(T c) {
        if (c.isEmpty()) {
            throw malformed("empty container");
        }
        return c;
    }

    private static IllegalArgumentException unknownType(Object value) {
        return new IllegalArgumentException("not a stored value: " + (value == null ? null : value.getClass()));
    }
}
