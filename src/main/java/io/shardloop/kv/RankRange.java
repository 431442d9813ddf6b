package io.shardloop.kv;

/**
 * An inclusive range of positions in a list or a sorted set, read as LRANGE, LTRIM, ZRANGE and
 * ZREMRANGEBYRANK read their start and stop: negative counts from the end, the start clamped to 0,
 * the stop to the last position; empty when the start comes after the stop or past the end.
 *
 * @param first the first position, 0 ≤ first ≤ last
 * @param last  the last position, below the size
 */
record RankRange(long first, long last) {
    /** The range, or null when it holds no position. */
    static RankRange of(long start, long stop, long size) {
        if (start < 0) {
            start = Math.max(0, size + start);
        }
        if (stop < 0) {
            stop = size + stop;
        }
        if (start > stop || start >= size) {
            return null;
        }
        return new RankRange(start, Math.min(stop, size - 1));
    }

    /** Positions in the range. */
    long count() {
        return last - first + 1;
    }
}
