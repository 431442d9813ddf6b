package io.shardloop.load;

import java.nio.ByteBuffer;

/**
 * RESP2 and RESP3 replies: finds where one whole reply ends, then checks its type against what the
 * command expects. An incomplete reply is left in the buffer (nothing consumed) to be offered again
 * with more bytes; a complete one is consumed whole. Aggregates (arrays, maps, sets, pushes,
 * attributes) are walked to their end, nested at most {@link #MAX_DEPTH} deep.
 * <p>
 * One instance per connection, on its load loop's thread; allocates nothing.
 */
public final class RespReplyParser implements ResponseParser {
    /** Deepest nesting of aggregates accepted. */
    public static final int MAX_DEPTH = 32;

    private static final int INCOMPLETE = -1;
    private static final int INVALID = -2;

    private final int maxLineBytes;
    private final long maxBulkBytes;
    private String error;
    /** Where the reply being scanned ends; set by {@link #scan}. */
    private int end;

    /**
     * @param maxLineBytes longest simple line (status, error, number) accepted
     * @param maxBulkBytes longest bulk string accepted
     */
    public RespReplyParser(int maxLineBytes, long maxBulkBytes) {
        this.maxLineBytes = maxLineBytes;
        this.maxBulkBytes = maxBulkBytes;
    }

    @Override
    public int parse(ByteBuffer in, int expected) {
        int start = in.position();
        int result = scan(in, start, in.limit(), 0);
        if (result == INCOMPLETE) {
            return NEED_MORE;
        }
        if (result == INVALID) {
            return PROTOCOL_ERROR;
        }
        byte type = in.get(start);
        in.position(end);
        if (type == '-' || type == '!') {
            return ERROR_REPLY;
        }
        return switch (expected) {
            case RequestWriter.EXPECT_BULK_OR_NULL -> type == '$' || type == '_' || isNullArray(in, start) ? OK : WRONG_TYPE;
            case RequestWriter.EXPECT_SIMPLE -> type == '+' ? OK : WRONG_TYPE;
            default -> OK;
        };
    }

    /** RESP2's null array ({@code *-1}) is how some servers say nil. */
    private static boolean isNullArray(ByteBuffer in, int start) {
        return in.get(start) == '*' && in.get(start + 1) == '-';
    }

    /**
     * Scans one reply starting at {@code from}.
     *
     * @return 0 with {@link #end} set, {@link #INCOMPLETE} or {@link #INVALID}.
     */
    private int scan(ByteBuffer in, int from, int limit, int depth) {
        if (from >= limit) {
            return INCOMPLETE;
        }
        if (depth > MAX_DEPTH) {
            return invalid("aggregates nested deeper than " + MAX_DEPTH);
        }
        byte type = in.get(from);
        int lineEnd = findCrLf(in, from + 1, limit);
        if (lineEnd < 0) {
            return lineEnd;
        }
        int next = lineEnd + 2;
        switch (type) {
            case '+', '-', ':', '_', '#', ',', '(' -> {
                end = next;
                return 0;
            }
            case '$', '=', '!' -> {
                long length = parseNumber(in, from + 1, lineEnd);
                if (length == -1 && type == '$') {
                    end = next;
                    return 0;
                }
                if (length < 0 || length > maxBulkBytes) {
                    return invalid("a bad bulk length");
                }
                long bulkEnd = next + length;
                if (bulkEnd + 2 > limit) {
                    return INCOMPLETE;
                }
                if (in.get((int) bulkEnd) != '\r' || in.get((int) bulkEnd + 1) != '\n') {
                    return invalid("a bulk string not ended by CR LF");
                }
                end = (int) bulkEnd + 2;
                return 0;
            }
            case '*', '~', '>', '%', '|' -> {
                long count = parseNumber(in, from + 1, lineEnd);
                if (count == -1 && type == '*') {
                    end = next;
                    return 0;
                }
                if (count < 0 || count > Integer.MAX_VALUE / 2) {
                    return invalid("a bad aggregate length");
                }
                long elements = type == '%' || type == '|' ? count * 2 : count;
                int at = next;
                for (long i = 0; i < elements; i++) {
                    int r = scan(in, at, limit, depth + 1);
                    if (r != 0) {
                        return r;
                    }
                    at = end;
                }
                if (type == '|') {
                    // An attribute is followed by the reply it annotates.
                    return scan(in, at, limit, depth + 1);
                }
                end = at;
                return 0;
            }
            default -> {
                return invalid("unknown reply type byte 0x" + Integer.toHexString(type & 0xff));
            }
        }
    }

    /** Index of the CR of the first CR LF at or after from; INCOMPLETE or INVALID when there is none. */
    private int findCrLf(ByteBuffer in, int from, int limit) {
        int last = Math.min(limit - 1, from + maxLineBytes);
        for (int i = from; i < last; i++) {
            if (in.get(i) == '\r') {
                if (in.get(i + 1) != '\n') {
                    return invalid("a CR not followed by LF");
                }
                return i;
            }
        }
        return limit - from > maxLineBytes ? invalid("a line longer than " + maxLineBytes + " bytes") : INCOMPLETE;
    }

    /** The decimal number in [from, to); Long.MIN_VALUE when it is not one. */
    private static long parseNumber(ByteBuffer in, int from, int to) {
        if (from >= to || to - from > 18) {
            return Long.MIN_VALUE;
        }
        boolean negative = in.get(from) == '-';
        int i = negative ? from + 1 : from;
        if (i == to) {
            return Long.MIN_VALUE;
        }
        long value = 0;
        for (; i < to; i++) {
            byte b = in.get(i);
            if (b < '0' || b > '9') {
                return Long.MIN_VALUE;
            }
            value = value * 10 + (b - '0');
        }
        return negative ? -value : value;
    }

    private int invalid(String why) {
        error = why;
        return INVALID;
    }

    @Override
    public String lastError() {
        return error;
    }

    @Override
    public void reset() {
        // Nothing is kept between calls.
    }
}
