package io.shardloop.runtime.net;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The bytes a connection has yet to send: a queue of pooled chunks, written to the socket with
 * one gathering write. Empty, it holds no chunk at all, so an idle connection costs no buffer.
 * <p>
 * Every chunk stays in "read mode": {@code position} is the next byte to send and {@code limit}
 * the end of the data; appending writes past {@code limit} with absolute puts and then raises it.
 * <p>
 * Owned by one connection, on its shard's loop thread.
 */
public final class OutboundBuffer {
    private static final byte[] DIGITS = "0123456789".getBytes();
    /** Pieces up to this size are copied by {@link #moveTo} rather than handed over as chunks. */
    private static final int COPY_LIMIT = 1024;

    private final BufferPool pool;
    private final ByteBuffer[] iov;
    /**
     * Set on a held reply's buffer (a place in a {@link ReplyOrder}): its bytes are counted there too,
     * and its first chunk is a small one ({@link BufferPool#SMALL_CHUNK}).
     */
    private final Tally held;
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private ByteBuffer tail;
    private long size;

    /**
     * @param iov scratch array for gathering writes, shared by the shard's connections (the loop
     *            runs one flush at a time).
     */
    public OutboundBuffer(BufferPool pool, ByteBuffer[] iov) {
        this(pool, iov, null);
    }

    /**
     * A buffer that holds one reply for a while (a place in a {@link ReplyOrder}): most replies are a
     * few bytes, so its first chunk is a small one, and its bytes are also counted in {@code held},
     * the total of its connection's held replies.
     */
    public OutboundBuffer(BufferPool pool, ByteBuffer[] iov, Tally held) {
        this.pool = pool;
        this.iov = iov;
        this.held = held;
    }

    /**
     * Where a flush writes: a socket's gathering write, which advances each chunk's position past
     * the bytes it took ({@link java.nio.channels.GatheringByteChannel}'s contract).
     */
    @FunctionalInterface
    public interface Sink {
        /** Takes what it can of the chunks' remaining bytes now; returns how many (0 when full). */
        long write(ByteBuffer[] chunks, int count) throws IOException;
    }

    /** Bytes held in several buffers, kept up to date by each of them. */
    public static final class Tally {
        private long bytes;

        public long bytes() {
            return bytes;
        }
    }

    /** Bytes waiting to be sent. */
    public long size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public OutboundBuffer writeByte(int b) {
        ByteBuffer t = room(1);
        int at = t.limit();
        t.limit(at + 1);
        t.put(at, (byte) b);
        grew(1);
        return this;
    }

    public OutboundBuffer writeBytes(byte[] src) {
        return writeBytes(src, 0, src.length);
    }

    public OutboundBuffer writeBytes(byte[] src, int offset, int length) {
        while (length > 0) {
            ByteBuffer t = room(1);
            int at = t.limit();
            int n = Math.min(length, t.capacity() - at);
            t.limit(at + n);
            t.put(at, src, offset, n);
            offset += n;
            length -= n;
            grew(n);
        }
        return this;
    }

    /** Appends the source's remaining bytes and consumes them. */
    public OutboundBuffer writeBytes(ByteBuffer src) {
        while (src.hasRemaining()) {
            ByteBuffer t = room(1);
            int at = t.limit();
            int n = Math.min(src.remaining(), t.capacity() - at);
            t.limit(at + n);
            t.put(at, src, src.position(), n);
            src.position(src.position() + n);
            grew(n);
        }
        return this;
    }

    /** Appends bytes from an Agrona buffer (a message read in place from a ring). */
    public OutboundBuffer writeBytes(DirectBuffer src, int offset, int length) {
        while (length > 0) {
            ByteBuffer t = room(1);
            int at = t.limit();
            int n = Math.min(length, t.capacity() - at);
            t.limit(at + n);
            src.getBytes(offset, t, at, n);
            offset += n;
            length -= n;
            grew(n);
        }
        return this;
    }

    /** Appends the characters, which must be ASCII, one byte each. */
    public OutboundBuffer writeAscii(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            writeByte(s.charAt(i));
        }
        return this;
    }

    /** Appends the decimal digits of the value, without allocating. */
    public OutboundBuffer writeDecimal(long value) {
        if (value == Long.MIN_VALUE) {
            return writeAscii("-9223372036854775808");
        }
        if (value < 0) {
            writeByte('-');
            value = -value;
        }
        long divisor = 1;
        while (value / divisor >= 10) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            writeByte(DIGITS[(int) ((value / divisor) % 10)]);
        }
        return this;
    }

    /**
     * Writes as much as the sink takes in one gathering write.
     *
     * @return bytes written (0 when the socket is full).
     */
    public long flushTo(Sink sink) throws IOException {
        if (size == 0) {
            return 0;
        }
        int count = 0;
        for (ByteBuffer chunk : chunks) {
            if (count == iov.length) {
                break;
            }
            iov[count++] = chunk;
        }
        long written;
        try {
            written = sink.write(iov, count);
        } finally {
            Arrays.fill(iov, 0, count, null);
        }
        if (written > 0) {
            grew(-written);
            releaseSent();
        }
        return written;
    }

    /**
     * Moves every byte of this buffer to the end of {@code target}; this buffer is left empty. Both
     * must share the shard's pool. Small pieces are copied into the room left in the target's last
     * chunk (so many small held replies do not become many nearly empty chunks on the wire); larger
     * ones change hands without copying.
     */
    public void moveTo(OutboundBuffer target) {
        ByteBuffer chunk;
        while ((chunk = chunks.poll()) != null) {
            int n = chunk.remaining();
            ByteBuffer t = target.tail;
            if (t != null && n <= COPY_LIMIT && t.capacity() - t.limit() >= n) {
                int at = t.limit();
                t.limit(at + n);
                t.put(at, chunk, chunk.position(), n);
                pool.release(chunk);
            } else {
                // Appended after the target's last chunk, it becomes the one to append into next.
                target.chunks.add(chunk);
                target.tail = chunk;
            }
        }
        target.grew(size);
        tail = null;
        grew(-size);
    }

    /** Returns every chunk to the pool and forgets the data (the connection is closing). */
    public void discard() {
        ByteBuffer chunk;
        while ((chunk = chunks.poll()) != null) {
            pool.release(chunk);
        }
        tail = null;
        grew(-size);
    }

    private void releaseSent() {
        ByteBuffer head;
        while ((head = chunks.peek()) != null && !head.hasRemaining()) {
            chunks.poll();
            if (head == tail) {
                tail = null;
            }
            pool.release(head);
        }
    }

    private void grew(long n) {
        size += n;
        if (held != null) {
            held.bytes += n;
        }
    }

    private ByteBuffer room(int needed) {
        ByteBuffer t = tail;
        if (t == null || t.capacity() - t.limit() < needed) {
            t = held != null && t == null && chunks.isEmpty() ? pool.acquireSmall() : pool.acquire();
            chunks.add(t);
            tail = t;
        }
        return t;
    }
}
