package io.shardloop.http.codec;

/**
 * How to append bytes to a destination of type {@code T} that this package does not know: a
 * connection's outbound buffer on an event loop, a byte array on a blocking thread. The destination
 * is an argument, so one stateless sink (a constant) serves every destination of its type and an
 * encoder such as {@link ResponseEncoder} allocates nothing to write into it.
 */
public interface ByteSink<T> {
    void writeByte(T out, int b);

    void writeBytes(T out, byte[] src, int offset, int length);

    default void writeBytes(T out, byte[] src) {
        writeBytes(out, src, 0, src.length);
    }

    /** The characters, which must be ASCII, one byte each. */
    default void writeAscii(T out, CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            writeByte(out, s.charAt(i));
        }
    }

    /** The decimal digits of a value that is not negative, without allocating. */
    default void writeDecimal(T out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative: " + value);
        }
        long divisor = 1;
        while (value / divisor >= 10) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            writeByte(out, '0' + (int) ((value / divisor) % 10));
        }
    }
}
