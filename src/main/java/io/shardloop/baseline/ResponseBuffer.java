package io.shardloop.baseline;

import io.shardloop.http.codec.ByteSink;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The bytes of the responses a blocking connection has ready, written out together: a byte array
 * that grows as needed, filled through {@link #SINK} by the codec's response encoder.
 * <p>
 * Owned by one connection thread.
 */
final class ResponseBuffer {
    /** Appends to the buffer it is given; holds nothing. */
    static final ByteSink<ResponseBuffer> SINK = new ByteSink<>() {
        @Override
        public void writeByte(ResponseBuffer out, int b) {
            out.room(1);
            out.bytes[out.length++] = (byte) b;
        }

        @Override
        public void writeBytes(ResponseBuffer out, byte[] src, int offset, int length) {
            out.room(length);
            System.arraycopy(src, offset, out.bytes, out.length, length);
            out.length += length;
        }
    };

    private byte[] bytes;
    private int length;

    ResponseBuffer(int initialSize) {
        this.bytes = new byte[initialSize];
    }

    int length() {
        return length;
    }

    /** Writes every byte held to the stream and empties the buffer. */
    void writeTo(OutputStream out) throws IOException {
        if (length > 0) {
            int n = length;
            length = 0;
            out.write(bytes, 0, n);
        }
    }

    private void room(int n) {
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
        }
    }
}
