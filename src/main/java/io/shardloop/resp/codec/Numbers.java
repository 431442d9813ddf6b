package io.shardloop.resp.codec;

/** Decimal integers in bytes, parsed as strictly as Redis's string2ll, without allocation. */
public final class Numbers {
    private Numbers() {
    }

    public static boolean isLong(byte[] b, int off, int len) {
        return parse(b, off, len, 0L, true) == 1;
    }

    public static long parseLong(byte[] b, int off, int len, long fallback) {
        return parse(b, off, len, fallback, false);
    }

    /** When {@code test} is set returns 1 (valid) or 0 (invalid), else the value or fallback. */
    private static long parse(byte[] b, int off, int len, long fallback, boolean test) {
        if (len == 0 || len > 20) {
            return test ? 0 : fallback;
        }
        int i = off;
        int end = off + len;
        boolean negative = false;
        if (b[i] == '-') {
            negative = true;
            i++;
            if (i == end) {
                return test ? 0 : fallback;
            }
        }
        if (b[i] == '0') {
            if (len == 1) {
                return test ? 1 : 0;
            }
            return test ? 0 : fallback;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return test ? 0 : fallback;
            }
            // Accumulate negatively: the negative range is one larger than the positive one.
            if (v < (Long.MIN_VALUE + d) / 10) {
                return test ? 0 : fallback;
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                return test ? 0 : fallback;
            }
            v = -v;
        }
        return test ? 1 : v;
    }
}
