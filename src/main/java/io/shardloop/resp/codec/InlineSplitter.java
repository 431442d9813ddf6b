package io.shardloop.resp.codec;

import java.nio.ByteBuffer;

/**
 * Splits an inline command line into arguments with the rules of Redis's sdssplitargs: words
 * separated by blanks, "double quotes" with escapes (\n \r \t \b \a \\ \" \xHH), 'single quotes'
 * with only \' escaped; a closing quote must be followed by a blank or the end of the line.
 * <p>
 * Owned by one parser (one connection's thread).
 */
final class InlineSplitter {

    /** @return false when quotes are unbalanced. Arguments are appended to {@code out}. */
    boolean split(ByteBuffer in, int from, int to, CommandArgs out) {
        int p = from;
        while (true) {
            while (p < to && isSpace(in.get(p))) {
                p++;
            }
            if (p >= to) {
                return true;
            }
            boolean inDouble = false;
            boolean inSingle = false;
            // An argument is never longer than what is left of the line.
            int at = out.reserve(to - p);
            byte[] dst = out.array();
            int w = at;
            out.beginGrowingArgument();
            boolean done = false;
            while (!done) {
                if (inDouble) {
                    if (p >= to) {
                        return false;
                    }
                    byte c = in.get(p);
                    if (c == '\\' && p + 3 < to && in.get(p + 1) == 'x'
                            && hex(in.get(p + 2)) >= 0 && hex(in.get(p + 3)) >= 0) {
                        dst[w++] = (byte) (hex(in.get(p + 2)) * 16 + hex(in.get(p + 3)));
                        p += 3;
                    } else if (c == '\\' && p + 1 < to) {
                        p++;
                        byte e = in.get(p);
                        dst[w++] = switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> e;
                        };
                    } else if (c == '"') {
                        if (p + 1 < to && !isSpace(in.get(p + 1))) {
                            return false;
                        }
                        done = true;
                    } else {
                        dst[w++] = c;
                    }
                } else if (inSingle) {
                    if (p >= to) {
                        return false;
                    }
                    byte c = in.get(p);
                    if (c == '\\' && p + 1 < to && in.get(p + 1) == '\'') {
                        p++;
                        dst[w++] = '\'';
                    } else if (c == '\'') {
                        if (p + 1 < to && !isSpace(in.get(p + 1))) {
                            return false;
                        }
                        done = true;
                    } else {
                        dst[w++] = c;
                    }
                } else {
                    if (p >= to) {
                        break;
                    }
                    byte c = in.get(p);
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> dst[w++] = c;
                    }
                }
                if (p < to) {
                    p++;
                }
            }
            out.appendCommitted(w - at);
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
