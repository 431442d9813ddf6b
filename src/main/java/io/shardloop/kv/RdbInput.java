package io.shardloop.kv;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.shardloop.kv.RdbFormat.ENCODED;
import static io.shardloop.kv.RdbFormat.ENC_INT16;
import static io.shardloop.kv.RdbFormat.ENC_INT32;
import static io.shardloop.kv.RdbFormat.ENC_INT8;
import static io.shardloop.kv.RdbFormat.ENC_LZF;
import static io.shardloop.kv.RdbFormat.LEN_32BIT;
import static io.shardloop.kv.RdbFormat.LEN_64BIT;

/**
 * A cursor over RDB-encoded bytes ({@link RdbFormat}): lengths, strings in any of their encodings,
 * doubles. Every read is bounds-checked against the end it was given, and anything that does not
 * parse throws {@link ValueCodec.MalformedValueException}, so that a corrupt payload can never read
 * past its bytes nor make it allocate more than the bytes could hold.
 * <p>
 * One per decode, used by one thread. A {@link RdbStreamInput} reads a file the same way through a
 * window it refills ({@link #fill}).
 */
sealed class RdbInput permits RdbStreamInput {
    private final DirectBuffer buffer;
    private int end;
    private int position;
    /** Set by {@link #readLengthOrEncoding()}: whether the value read names a string encoding. */
    private boolean encoded;

    RdbInput(DirectBuffer buffer, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buffer.capacity()) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length
                    + " capacity " + buffer.capacity());
        }
        this.buffer = buffer;
        this.position = offset;
        this.end = offset + length;
    }

    int position() {
        return position;
    }

    /** The bytes that may still be read: a bound for lengths and counts read. */
    int remaining() {
        return end - position;
    }

    /**
     * Called when fewer than {@code n} bytes are left before the end: a streaming input brings
     * more into its buffer (moving them with {@link #window}) and says whether {@code n} are there
     * now. These bytes are all there are.
     */
    boolean fill(int n) {
        return false;
    }

    /** The error for a read that runs past the bytes there are (a streaming input: a truncated file). */
    RuntimeException pastEnd(String detail) {
        return ValueCodec.malformed(detail);
    }

    /** For {@link #fill}: the bytes to read now lie at {@code position} up to {@code end} of the buffer. */
    final void window(int position, int end) {
        this.position = position;
        this.end = end;
    }

    /** A 4-byte little-endian signed integer. */
    int readLittleEndianInt() {
        require(4);
        int v = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
        position += 4;
        return v;
    }

    /** An 8-byte little-endian signed integer. */
    long readLittleEndianLong() {
        require(8);
        long v = buffer.getLong(position, ByteOrder.LITTLE_ENDIAN);
        position += 8;
        return v;
    }

    int readUnsignedByte() {
        require(1);
        return buffer.getByte(position++) & 0xFF;
    }

    /** A length ({@link RdbFormat}); a string encoding here is malformed. */
    long readLength() {
        long len = readLengthOrEncoding();
        if (encoded) {
            throw ValueCodec.malformed("a string encoding where a length was expected");
        }
        return len;
    }

    /**
     * A count of things each taking at least {@code minBytes} of what is left: checked against
     * the bytes left, so that a corrupt count cannot size an allocation.
     */
    int readCount(int minBytes) {
        long n = readLength();
        if (n > remaining() / minBytes) {
            throw pastEnd("count " + n + " exceeds the " + remaining() + " bytes left");
        }
        return (int) n;
    }

    /** A length, or (with {@link #encoded} set) the number of a string encoding. */
    private long readLengthOrEncoding() {
        int first = readUnsignedByte();
        int kind = first >>> 6;
        encoded = kind == ENCODED;
        if (kind == 0 || kind == ENCODED) {
            return first & 0x3F;
        }
        if (kind == 1) {
            return ((first & 0x3F) << 8) | readUnsignedByte();
        }
        if (first == LEN_32BIT) {
            require(4);
            long len = buffer.getInt(position, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
            position += 4;
            return len;
        }
        if (first == LEN_64BIT) {
            require(8);
            long len = buffer.getLong(position, ByteOrder.BIG_ENDIAN);
            position += 8;
            if (len < 0) {
                throw ValueCodec.malformed("64-bit length above 2^63");
            }
            return len;
        }
        throw ValueCodec.malformed("unknown length encoding " + first);
    }

    /** A string in any of its encodings: plain, integer (as its decimal text) or LZF. */
    byte[] readString() {
        long len = readLengthOrEncoding();
        if (!encoded) {
            return readBytes(checkedLength(len));
        }
        switch ((int) len) {
            case ENC_INT8 -> {
                require(1);
                return decimal(buffer.getByte(position++));
            }
            case ENC_INT16 -> {
                require(2);
                short v = buffer.getShort(position, ByteOrder.LITTLE_ENDIAN);
                position += 2;
                return decimal(v);
            }
            case ENC_INT32 -> {
                require(4);
                int v = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
                position += 4;
                return decimal(v);
            }
            case ENC_LZF -> {
                int compressed = checkedLength(readLength());
                long plain = readLength();
                require(compressed);
                // No LZF stream grows more than 88-fold: a 3-byte back reference copies at most 264 bytes.
                if (plain == 0 || plain > (long) compressed * 88) {
                    throw ValueCodec.malformed("LZF lengths " + compressed + " -> " + plain);
                }
                byte[] out = new byte[(int) plain];
                if (!Lzf.decompress(buffer, position, compressed, out)) {
                    throw ValueCodec.malformed("LZF data does not decompress to its length");
                }
                position += compressed;
                return out;
            }
            default -> throw ValueCodec.malformed("unknown string encoding " + len);
        }
    }

    /** An 8-byte little-endian IEEE double (RDB_TYPE_ZSET_2's scores). */
    double readBinaryDouble() {
        require(8);
        double d = buffer.getDouble(position, ByteOrder.LITTLE_ENDIAN);
        position += 8;
        return d;
    }

    /** A double as text after a length byte, or one of the infinity and NaN markers (RDB_TYPE_ZSET's scores). */
    double readTextDouble() {
        int len = readUnsignedByte();
        switch (len) {
            case RdbFormat.DOUBLE_NEG_INF:
                return Double.NEGATIVE_INFINITY;
            case RdbFormat.DOUBLE_POS_INF:
                return Double.POSITIVE_INFINITY;
            case RdbFormat.DOUBLE_NAN:
                return Double.NaN;
            default:
                byte[] text = readBytes(len);
                double d = Scores.parse(text, 0, text.length);
                if (Double.isNaN(d)) {
                    throw ValueCodec.malformed("score text " + new String(text, StandardCharsets.ISO_8859_1));
                }
                return d;
        }
    }

    private byte[] readBytes(int len) {
        require(len);
        byte[] b = new byte[len];
        buffer.getBytes(position, b);
        position += len;
        return b;
    }

    private int checkedLength(long len) {
        if (len > remaining()) {
            throw pastEnd("string length " + len + " exceeds the " + remaining() + " bytes left");
        }
        return (int) len;
    }

    private void require(int n) {
        if (n > end - position && !fill(n)) {
            throw pastEnd("truncated: " + n + " bytes needed, " + (end - position) + " left");
        }
    }

    private static byte[] decimal(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }
}
