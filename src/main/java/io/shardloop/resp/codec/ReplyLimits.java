package io.shardloop.resp.codec;

/**
 * What {@link RespReplyDecoder} accepts from a server. A declared size past a limit is refused as
 * soon as its header line has arrived, before anything waits for (or is kept of) what it declares.
 *
 * @param maxLineBytes       the text of one line (a simple string, an error, a number), without its
 *                           type byte and CR LF; a longer line is refused before its end arrives
 * @param maxBulkBytes       one bulk string, verbatim string or blob error
 * @param maxAggregateLength elements of one array, set or push, or pairs of one map or attribute
 * @param maxDepth           aggregates open at once (an array inside an array is two), at most 64
 */
public record ReplyLimits(int maxLineBytes, long maxBulkBytes, long maxAggregateLength, int maxDepth) {
    /** The largest aggregate a {@link ReplySink} can be told of. */
    public static final long MAX_SINK_AGGREGATE = Integer.MAX_VALUE;

    /**
     * A client's defaults: 64 KiB lines (Redis's longest inline command), 512 MiB bulk strings
     * (its proto-max-bulk-len), 2^31 - 1 elements, 32 levels of nesting.
     */
    public static final ReplyLimits DEFAULTS = new ReplyLimits(64 * 1024, 512L * 1024 * 1024, MAX_SINK_AGGREGATE, 32);

    public ReplyLimits {
        if (maxLineBytes < 16) {
            throw new IllegalArgumentException("maxLineBytes must be at least 16: " + maxLineBytes);
        }
        if (maxBulkBytes < 0 || maxBulkBytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("maxBulkBytes must be in [0, 2^62]: " + maxBulkBytes);
        }
        if (maxAggregateLength < 0 || maxAggregateLength > Long.MAX_VALUE / 4) {
            throw new IllegalArgumentException("maxAggregateLength must be in [0, 2^61]: " + maxAggregateLength);
        }
        if (maxDepth < 1 || maxDepth > 64) {
            throw new IllegalArgumentException("maxDepth must be in [1, 64]: " + maxDepth);
        }
    }
}
