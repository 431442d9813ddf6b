package io.shardloop.runtime.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Fixed-size direct buffers for one shard's outbound data, reused so that steady traffic
 * allocates nothing. At most {@code maxPooled} free chunks are kept; chunks beyond that are left
 * to the collector, so a burst cannot pin memory forever.
 * <p>
 * Owned by one shard: touched by its loop thread alone.
 */
public final class BufferPool {
    private final int chunkSize;
    private final int maxPooled;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;

    public BufferPool(int chunkSize, int maxPooled) {
        this.chunkSize = chunkSize;
        this.maxPooled = maxPooled;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** A cleared chunk (position 0, limit 0: empty, ready to be appended to at its limit). */
    public ByteBuffer acquire() {
        ByteBuffer chunk = free.poll();
        if (chunk == null) {
            chunk = ByteBuffer.allocateDirect(chunkSize);
            allocated++;
        }
        chunk.position(0).limit(0);
        return chunk;
    }

    public void release(ByteBuffer chunk) {
        if (free.size() < maxPooled) {
            free.push(chunk);
        }
    }

    /** Chunks waiting in the pool. */
    public int pooled() {
        return free.size();
    }

    /** Chunks allocated since the start. */
    public long allocated() {
        return allocated;
    }
}
