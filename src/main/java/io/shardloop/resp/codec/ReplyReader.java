package io.shardloop.resp.codec;

import org.agrona.DirectBuffer;

/**
 * Walks one complete, well-formed RESP2 reply (as {@link RespWriter} produced it) without
 * allocating: the gathering side of a split command reads partial replies with it. Only the
 * top level and the elements of a flat array are needed, so nested arrays are skipped whole.
 */
public final class ReplyReader {
    private ReplyReader() {
    }

    /** The type byte of the reply at {@code at}: '+', '-', ':', '$' or '*'. */
    public static byte type(DirectBuffer b, int at) {
        return b.getByte(at);
    }

    /** The number after the type byte (an integer reply's value, a bulk's length, an array's count). */
    public static long number(DirectBuffer b, int at) {
        int i = at + 1;
        boolean negative = b.getByte(i) == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        byte c;
        while ((c = b.getByte(i)) != '\r') {
            v = v * 10 + (c - '0');
            i++;
        }
        return negative ? -v : v;
    }

    /** The offset just past the reply element that starts at {@code at}. */
    public static int skip(DirectBuffer b, int at) {
        byte type = b.getByte(at);
        int lineEnd = at + 1;
        while (b.getByte(lineEnd) != '\r') {
            lineEnd++;
        }
        int next = lineEnd + 2;
        switch (type) {
            case '$' -> {
                long len = number(b, at);
                return len < 0 ? next : next + (int) len + 2;
            }
            case '*' -> {
                long count = number(b, at);
                for (long k = 0; k < count; k++) {
                    next = skip(b, next);
                }
                return next;
            }
            default -> {
                return next;
            }
        }
    }

    /** The offset of an array's first element (past its header). */
    public static int firstElement(DirectBuffer b, int at) {
        int lineEnd = at + 1;
        while (b.getByte(lineEnd) != '\r') {
            lineEnd++;
        }
        return lineEnd + 2;
    }
}
