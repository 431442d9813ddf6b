package io.shardloop.resp.codec;

/**
 * The explicit limits of the RESP parser. A frame that declares a size past a limit is refused
 * before anything is allocated for it, and the connection is then closed.
 *
 * @param maxBulkLength   largest bulk string accepted, in bytes (Redis: proto-max-bulk-len, 512 MB).
 * @param maxArguments    most arguments in one multibulk command (Redis 6: 1024 * 1024).
 * @param maxInlineLength longest inline command or header line, in bytes (Redis: 64 KiB).
 */
public record RespLimits(long maxBulkLength, int maxArguments, int maxInlineLength) {
    public static final RespLimits REDIS_DEFAULTS = new RespLimits(512L * 1024 * 1024, 1024 * 1024, 64 * 1024);

    public RespLimits {
        if (maxBulkLength < 1 || maxBulkLength > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBulkLength must be in [1, 2^31 - 17]: " + maxBulkLength);
        }
        if (maxArguments < 1) {
            throw new IllegalArgumentException("maxArguments must be positive: " + maxArguments);
        }
        if (maxInlineLength < 16) {
            throw new IllegalArgumentException("maxInlineLength must be at least 16: " + maxInlineLength);
        }
    }
}
