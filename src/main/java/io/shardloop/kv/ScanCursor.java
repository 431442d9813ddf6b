package io.shardloop.kv;

/**
 * SCAN cursors that span shards: the top 16 bits name the shard, the low 48 bits are that shard's
 * own cursor ({@link Keyspace#scan}). A walk starts at 0 (shard 0, start), goes through the
 * shards in order, and ends when the last one returns 0. The whole cursor is an unsigned 64-bit
 * number, as Redis's is.
 */
public final class ScanCursor {
    public static final int SHARD_SHIFT = 48;
    public static final long LOCAL_MASK = (1L << SHARD_SHIFT) - 1;

    private ScanCursor() {
    }

    public static long encode(int shard, long local) {
        return ((long) shard << SHARD_SHIFT) | (local & LOCAL_MASK);
    }

    public static int shard(long cursor) {
        return (int) (cursor >>> SHARD_SHIFT);
    }

    public static long local(long cursor) {
        return cursor & LOCAL_MASK;
    }

    /** The cursor to return after shard {@code shard} answered {@code localNext}. */
    public static long next(int shard, int shardCount, long localNext) {
        if (localNext != 0) {
            return encode(shard, localNext);
        }
        return shard + 1 < shardCount ? encode(shard + 1, 0) : 0;
    }
}
