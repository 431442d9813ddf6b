package io.shardloop.runtime.net;

import org.agrona.BufferUtil;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers for one shard's outbound data, reused so that steady traffic allocates nothing:
 * chunks of {@code chunkSize} for what a connection sends, and small ones of {@link #SMALL_CHUNK}
 * for a reply held in its place in line behind an earlier one (most replies are a few bytes, and
 * a connection may hold hundreds of them).
 * <p>
 * At most {@code maxPooled} free chunks of each size are kept. A chunk given back past that is
 * freed at once rather than left to the collector: a direct buffer's memory returns only when the
 * collector finds its object, and a collector with little heap pressure may not look for a long
 * time, while bursts of traffic take and give back chunks by the thousand.
 * <p>
 * Owned by one shard: touched by its loop thread alone.
 */
public final class BufferPool {
    /** Bytes of a small chunk (a held reply's first piece), when chunks are larger than that. */
    public static final int SMALL_CHUNK = 512;

    private final int chunkSize;
    private final int smallSize;
    private final int maxPooled;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> freeSmall = new ArrayDeque<>();
    private long allocated;

    public BufferPool(int chunkSize, int maxPooled) {
        this.chunkSize = chunkSize;
        this.smallSize = Math.min(SMALL_CHUNK, chunkSize);
        this.maxPooled = maxPooled;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** A cleared chunk (position 0, limit 0: empty, ready to be appended to at its limit). */
    public ByteBuffer acquire() {
        return take(free, chunkSize);
    }

    /** A cleared small chunk, for the first bytes of a held reply. */
    public ByteBuffer acquireSmall() {
        return smallSize == chunkSize ? acquire() : take(freeSmall, smallSize);
    }

    public void release(ByteBuffer chunk) {
        ArrayDeque<ByteBuffer> pool = chunk.capacity() == chunkSize ? free : freeSmall;
        if (pool.size() < maxPooled) {
            pool.push(chunk);
        } else {
            BufferUtil.free(chunk); // nobody else holds it: its memory goes back now, not at some collection
        }
    }

    /** Chunks waiting in the pool, of both sizes. */
    public int pooled() {
        return free.size() + freeSmall.size();
    }

    /** Chunks allocated since the start, of both sizes. */
    public long allocated() {
        return allocated;
    }

    private ByteBuffer take(ArrayDeque<ByteBuffer> pool, int size) {
        ByteBuffer chunk = pool.poll();
        if (chunk == null) {
            chunk = ByteBuffer.allocateDirect(size);
            allocated++;
        }
        chunk.position(0).limit(0);
        return chunk;
    }
}
