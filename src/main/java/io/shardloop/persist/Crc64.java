package io.shardloop.persist;

import org.agrona.DirectBuffer;

/**
 * Redis's CRC-64 ({@code src/crc64.c}): the Jones polynomial 0xad93d23594c935a9, bits reflected in
 * and out, starting from 0 and not inverted at the end; "123456789" sums to 0xe9c6d914c4b8d9ca.
 * Computed a byte at a time from a 256-entry table of the reflected polynomial. Stateless: a CRC
 * over several pieces is carried from one call of {@link #update} to the next.
 */
public final class Crc64 {
    /** 0xad93d23594c935a9 with its 64 bits reversed, as a reflected CRC shifts right. */
    private static final long REFLECTED_POLYNOMIAL = 0x95AC9329AC4BC9B5L;
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ REFLECTED_POLYNOMIAL : crc >>> 1;
            }
            TABLE[i] = crc;
        }
    }

    private Crc64() {
    }

    /** The CRC of {@code length} bytes at {@code offset}. */
    public static long of(DirectBuffer buffer, int offset, int length) {
        return update(0, buffer, offset, length);
    }

    /** The CRC of what {@code crc} covered followed by {@code length} bytes at {@code offset}. */
    public static long update(long crc, DirectBuffer buffer, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = TABLE[(int) (crc ^ buffer.getByte(i)) & 0xFF] ^ (crc >>> 8);
        }
        return crc;
    }

    /** The same over a byte array. */
    public static long update(long crc, byte[] bytes, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = TABLE[(int) (crc ^ bytes[i]) & 0xFF] ^ (crc >>> 8);
        }
        return crc;
    }
}
