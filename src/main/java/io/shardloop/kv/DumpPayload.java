package io.shardloop.kv;

import io.shardloop.persist.Crc64;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The serialized value of DUMP and RESTORE, as Redis 7.0 writes it ({@code createDumpPayload} in
 * {@code src/cluster.c}):
 * <pre>
 *   +----------------------------------+-----------------------+-------------------+
 *   | value: type byte + RDB encoding  | RDB version (2, LE)   | CRC-64 (8, LE)    |
 *   +----------------------------------+-----------------------+-------------------+
 * </pre>
 * The CRC ({@link Crc64}) covers everything before it, version included. Stateless.
 */
final class DumpPayload {
    /** Bytes after the value: the version and the CRC. */
    static final int FOOTER_LENGTH = 10;
    /** Offset of the version from the start of the footer. */
    private static final int VERSION_OFFSET = 0;
    /** Offset of the CRC from the start of the footer. */
    private static final int CRC_OFFSET = 2;

    private DumpPayload() {
    }

    /** DUMP's payload for a stored value. */
    static byte[] of(Object value) {
        int valueLength = ValueCodec.encodedLength(value);
        byte[] payload = new byte[valueLength + FOOTER_LENGTH];
        UnsafeBuffer buffer = new UnsafeBuffer(payload);
        ValueCodec.encode(value, buffer, 0);
        buffer.putShort(valueLength + VERSION_OFFSET, (short) RdbFormat.RDB_VERSION, java.nio.ByteOrder.LITTLE_ENDIAN);
        long crc = Crc64.of(buffer, 0, valueLength + CRC_OFFSET);
        buffer.putLong(valueLength + CRC_OFFSET, crc, java.nio.ByteOrder.LITTLE_ENDIAN);
        return payload;
    }

    /**
     * Redis's verifyDumpPayload: a footer there, a version this server reads (up to Redis 7.0's),
     * and a CRC that matches.
     */
    static boolean verify(DirectBuffer payload, int offset, int length) {
        if (length < FOOTER_LENGTH) {
            return false;
        }
        int footer = offset + length - FOOTER_LENGTH;
        int version = payload.getShort(footer + VERSION_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        return version <= RdbFormat.RDB_VERSION
                && Crc64.of(payload, offset, length - FOOTER_LENGTH + CRC_OFFSET)
                == payload.getLong(footer + CRC_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The value of a payload {@link #verify} accepted, read as Redis's RESTORE reads it: from the
     * start of the whole payload, so that a value may run on into the footer, and whatever follows
     * the value is not looked at.
     *
     * @throws ValueCodec.MalformedValueException when it does not hold one.
     */
    static Object value(DirectBuffer payload, int offset, int length) {
        return ValueCodec.read(new RdbInput(payload, offset, length));
    }
}
