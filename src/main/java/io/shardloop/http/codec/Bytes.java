package io.shardloop.http.codec;

import java.nio.charset.StandardCharsets;

/** Comparisons and conversions over byte ranges, so that requests need no strings. */
public final class Bytes {
    /** Returned by {@link #parseDecimal} for a range that is empty or holds something other than digits. */
    public static final long NOT_DECIMAL = -1;
    /** Returned by {@link #parseDecimal} for a number over the maximum. */
    public static final long OVER_MAXIMUM = -2;

    private Bytes() {
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code buf[from, from + expected.length)} equals {@code expected}; the caller checked the bounds. */
    public static boolean equals(byte[] buf, int from, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (buf[from + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Like {@link #equals} with ASCII letters compared case-insensitively; {@code lower} is lower case. */
    public static boolean equalsIgnoreCase(byte[] buf, int from, int len, byte[] lower) {
        if (len != lower.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (toLower(buf[from + i]) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the comma-separated list {@code buf[from, from+len)} holds the token (case-insensitive). */
    public static boolean listContains(byte[] buf, int from, int len, byte[] lowerToken) {
        int end = from + len;
        int i = from;
        while (i < end) {
            while (i < end && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == ',')) {
                i++;
            }
            int start = i;
            while (i < end && buf[i] != ',') {
                i++;
            }
            int stop = i;
            while (stop > start && (buf[stop - 1] == ' ' || buf[stop - 1] == '\t')) {
                stop--;
            }
            if (stop > start && equalsIgnoreCase(buf, start, stop - start, lowerToken)) {
                return true;
            }
        }
        return false;
    }

    /** The first index in {@code [from, to)} that is not optional whitespace (SP or HTAB), or {@code to}. */
    public static int skipOws(byte[] buf, int from, int to) {
        while (from < to && (buf[from] == ' ' || buf[from] == '\t')) {
            from++;
        }
        return from;
    }

    /** The end of {@code [from, to)} without its trailing optional whitespace. */
    public static int trimOws(byte[] buf, int from, int to) {
        while (to > from && (buf[to - 1] == ' ' || buf[to - 1] == '\t')) {
            to--;
        }
        return to;
    }

    /**
     * The decimal number {@code buf[from, to)} (digits only: no sign, no whitespace), read left to
     * right: {@link #OVER_MAXIMUM} as soon as it passes {@code max} (so no length overflows), or
     * {@link #NOT_DECIMAL} at the first byte that is not a digit.
     */
    public static long parseDecimal(byte[] buf, int from, int to, long max) {
        if (from >= to) {
            return NOT_DECIMAL;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                return NOT_DECIMAL;
            }
            if (d > max || value > (max - d) / 10) {
                return OVER_MAXIMUM;
            }
            value = value * 10 + d;
        }
        return value;
    }

    public static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    public static String string(byte[] buf, int from, int len) {
        return new String(buf, from, len, StandardCharsets.ISO_8859_1);
    }
}
