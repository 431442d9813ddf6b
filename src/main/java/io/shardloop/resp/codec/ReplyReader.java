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

    /**
     * Replays the reply element at {@code at} into a sink, element by element, as the command that
     * produced it wrote it: how a front end that does not speak RESP (HTTP's /kv) receives a reply
     * that crossed shards as bytes. Returns the offset just past the element.
     */
    public static int replay(DirectBuffer b, int at, ReplySink out) {
        byte type = b.getByte(at);
        int lineEnd = at + 1;
        while (b.getByte(lineEnd) != '\r') {
            lineEnd++;
        }
        int next = lineEnd + 2;
        switch (type) {
            case '+' -> out.simple(b.getStringWithoutLengthAscii(at + 1, lineEnd - at - 1));
            case '-' -> out.error(b.getStringWithoutLengthAscii(at + 1, lineEnd - at - 1));
            case ':' -> out.integer(number(b, at));
            case '$' -> {
                long len = number(b, at);
                if (len < 0) {
                    out.nullBulk();
                    return next;
                }
                byte[] value = new byte[(int) len];
                b.getBytes(next, value);
                out.bulk(value, 0, value.length);
                return next + (int) len + 2;
            }
            case '*' -> {
                long count = number(b, at);
                if (count < 0) {
                    out.nullArray();
                    return next;
                }
                out.arrayHeader((int) count);
                for (long k = 0; k < count; k++) {
                    next = replay(b, next, out);
                }
            }
            default -> throw new IllegalArgumentException("not a RESP2 reply: type byte " + type);
        }
        return next;
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
