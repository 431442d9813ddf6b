package io.shardloop.baseline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The bytes a blocking connection has read and not yet parsed, as a {@link ByteBuffer} a sans-I/O
 * parser consumes from. {@link #fill} keeps what the parser left (a partial line) at the front and
 * reads more after it, growing the array up to a limit when the leftover fills it.
 * <p>
 * Owned by one connection thread.
 */
final class ReadWindow {
    private final int maxSize;
    private byte[] array;
    private ByteBuffer buffer;

    ReadWindow(int initialSize, int maxSize) {
        this.maxSize = Math.max(initialSize, maxSize);
        this.array = new byte[initialSize];
        this.buffer = ByteBuffer.wrap(array).limit(0);
    }

    /** Unparsed bytes, from position to limit. */
    ByteBuffer bytes() {
        return buffer;
    }

    /**
     * Blocks until at least one more byte is read after the unparsed ones.
     *
     * @return false at the end of input
     * @throws IOException also when the unparsed bytes already fill {@code maxSize} (a parser that
     *                     never consumes them would otherwise wait forever)
     */
    boolean fill(InputStream in) throws IOException {
        buffer.compact(); // unparsed bytes to the front; position = their count, limit = capacity
        if (!buffer.hasRemaining()) {
            if (array.length >= maxSize) {
                throw new IOException("more than " + maxSize + " unparsed bytes from one client");
            }
            byte[] bigger = new byte[Math.min(maxSize, array.length * 2)];
            System.arraycopy(array, 0, bigger, 0, buffer.position());
            int kept = buffer.position();
            array = bigger;
            buffer = ByteBuffer.wrap(array).position(kept);
        }
        int n = in.read(array, buffer.position(), buffer.remaining());
        if (n < 0) {
            buffer.flip();
            return false;
        }
        buffer.position(buffer.position() + n).flip();
        return true;
    }
}
