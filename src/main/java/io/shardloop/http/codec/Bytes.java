package io.shardloop.http.codec;

import java.nio.charset.StandardCharsets;

/** Comparisons and conversions over byte ranges, so that requests need no strings. */
public final class Bytes {
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

    public static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    public static String string(byte[] buf, int from, int len) {
        return new String(buf, from, len, StandardCharsets.ISO_8859_1);
    }
}
