package io.shardloop.kv;

import io.shardloop.persist.Crc64;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * An {@link RdbInput} over a stream (an RDB file), read through a window of the stream's bytes that
 * it refills as reads run past its end: a file of any size is read with a window of
 * {@link #WINDOW} bytes, grown only while one string needs more, and shrunk back after.
 * <p>
 * It sums the CRC-64 of every byte it has consumed ({@link #checksum}), so that the file's checksum
 * costs no second pass. A read past the end of the stream is a {@link Truncated}; an I/O error an
 * {@link UncheckedIOException} (the decoders it runs under declare none).
 * <p>
 * Where the stream's size is known, lengths and counts are checked against what is left of it, so
 * that a corrupt one cannot size an allocation; where it is not, the window grows by doubling as
 * bytes come in, so it never holds more than twice what the stream had, though a corrupt count can
 * still size a container (a list's or hash's) before its elements fail to come.
 * <p>
 * Used by one thread, the one reading the file.
 */
final class RdbStreamInput extends RdbInput {
    /** The window's usual size. */
    static final int WINDOW = 64 * 1024;
    /** The largest array a JVM allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final InputStream in;
    /** The stream's length in bytes, or -1 when not known. */
    private final long size;
    private final UnsafeBuffer view;
    private byte[] bytes;
    /** The stream offset of {@code bytes[0]}. */
    private long windowStart;
    /** Bytes of the window that hold stream data. */
    private int filled;
    /** The CRC of the stream up to {@code windowStart + summedTo}. */
    private long crc;
    private int summedTo;

    RdbStreamInput(InputStream in, long size) {
        this(in, size, new UnsafeBuffer(new byte[WINDOW]));
    }

    private RdbStreamInput(InputStream in, long size, UnsafeBuffer view) {
        super(view, 0, 0);
        this.in = in;
        this.size = size;
        this.view = view;
        this.bytes = view.byteArray();
    }

    /** A read past the end of the stream. */
    static final class Truncated extends RuntimeException {
        Truncated(String detail) {
            super(detail, null, false, false);
        }
    }

    /** The stream offset of the next byte to read. */
    long offset() {
        return windowStart + position();
    }

    /** Where the stream ends, as far as is known: its size, or the bytes it has given. */
    long endOffset() {
        return size >= 0 ? size : windowStart + filled;
    }

    /** The CRC-64 of every byte before {@link #offset}. */
    long checksum() {
        int at = position();
        crc = Crc64.update(crc, bytes, summedTo, at - summedTo);
        summedTo = at;
        return crc;
    }

    @Override
    int remaining() {
        if (size < 0) {
            return MAX_ARRAY;
        }
        return (int) Math.min(MAX_ARRAY, Math.max(0, size - offset()));
    }

    @Override
    RuntimeException pastEnd(String detail) {
        return new Truncated(detail);
    }

    @Override
    boolean fill(int n) {
        checksum();
        int at = position();
        int kept = filled - at;
        byte[] target = bytes.length > WINDOW && n <= WINDOW && kept <= WINDOW ? new byte[WINDOW] : bytes;
        System.arraycopy(bytes, at, target, 0, kept);
        windowStart += at;
        filled = kept;
        summedTo = 0;
        use(target);
        try {
            while (filled < n) {
                if (filled == bytes.length) {
                    grow(n);
                }
                int read = in.read(bytes, filled, bytes.length - filled);
                if (read < 0) {
                    break;
                }
                filled += read;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            window(0, filled);
        }
        return filled >= n;
    }

    /** Doubles the window towards {@code n} bytes, keeping what it holds. */
    private void grow(int n) {
        int capacity = (int) Math.min(MAX_ARRAY, Math.min(n, 2L * bytes.length));
        if (capacity <= bytes.length) {
            throw ValueCodec.malformed("a string of " + n + " bytes is past what an array holds");
        }
        byte[] larger = new byte[capacity];
        System.arraycopy(bytes, 0, larger, 0, filled);
        use(larger);
    }

    private void use(byte[] array) {
        if (array != bytes) {
            bytes = array;
            view.wrap(array);
        }
    }
}
