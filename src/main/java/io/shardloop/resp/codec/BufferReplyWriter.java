package io.shardloop.resp.codec;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Encodes replies into a growable buffer: the form a reply takes to cross shards as bytes, and
 * what tests read. {@link #reset()} makes it reusable without allocation.
 * <p>
 * Not thread-safe: one owner at a time.
 */
public final class BufferReplyWriter extends RespWriter {
    private final ExpandableArrayBuffer buffer;
    private int length;

    public BufferReplyWriter() {
        this(256);
    }

    public BufferReplyWriter(int initialCapacity) {
        buffer = new ExpandableArrayBuffer(initialCapacity);
    }

    public BufferReplyWriter reset() {
        length = 0;
        return this;
    }

    /** Forgets what was written past {@code length} bytes (a reply the client asked not to get). */
    public void truncate(int newLength) {
        length = Math.min(length, newLength);
    }

    /** Bytes written since the last reset. */
    public int length() {
        return length;
    }

    /** The backing buffer; the reply is bytes [0, length()). */
    public MutableDirectBuffer buffer() {
        return buffer;
    }

    /** The backing array (an ExpandableArrayBuffer is heap-backed); the reply is [0, length()). */
    public byte[] array() {
        return buffer.byteArray();
    }

    public byte[] toByteArray() {
        byte[] copy = new byte[length];
        buffer.getBytes(0, copy);
        return copy;
    }

    /** The reply as text (ISO-8859-1): for tests and diagnostics. */
    @Override
    public String toString() {
        return new String(buffer.byteArray(), 0, length, StandardCharsets.ISO_8859_1);
    }

    @Override
    protected void put(int b) {
        buffer.putByte(length++, (byte) b);
    }

    @Override
    protected void put(byte[] src, int offset, int len) {
        buffer.putBytes(length, src, offset, len);
        length += len;
    }
}
