package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

/**
 * Sorted-set scores read as Redis reads them, with C's strtod grammar: an optional sign, then
 * decimal digits with an optional point and exponent, hexadecimal ("0x1.8p3"), "inf", "infinity"
 * or "nan" (any case). Java's own parser takes another grammar (suffixes "d"/"f", "Infinity",
 * surrounding spaces), so the text is checked here and only then converted.
 * <p>
 * Stateless.
 */
final class Scores {
    /** What a parse that failed returns: never a valid score. */
    static final double INVALID = Double.NaN;

    private Scores() {
    }

    /**
     * Redis's string2d: the whole argument a strtod number, no leading space, no overflow to
     * infinity nor underflow to zero, not NaN.
     *
     * @return the score, or {@link #INVALID}.
     */
    static double parse(CommandArgs a, int i) {
        return parse(a.array(), a.offset(i), a.offset(i) + a.length(i));
    }

    /** {@link #parse(CommandArgs, int)} over bytes {@code off} to {@code end}. */
    static double parse(byte[] b, int off, int end) {
        if (off == end || isSpace(b[off]) || prefixEnd(b, off, end) != end) {
            return INVALID;
        }
        double d = convert(b, off, end);
        if (Double.isInfinite(d) && !namesInfinity(b, off, end)) {
            return INVALID; // ERANGE: overflow
        }
        if (d == 0 && hasNonZeroDigit(b, off, end)) {
            return INVALID; // ERANGE: underflow to zero
        }
        return d;
    }

    /**
     * One end of a score range as Redis's zslParseRange reads it: an optional "(" for exclusive,
     * then what strtod converts (leading spaces skipped, overflow kept as infinity), ending the
     * argument or at a NUL byte; no number at all reads as 0.
     *
     * @return the bound, or {@link #INVALID}.
     */
    static double parseBound(CommandArgs a, int i) {
        byte[] b = a.array();
        int start = a.offset(i);
        int end = start + a.length(i);
        if (exclusiveBound(a, i)) {
            start++;
        }
        int at = start;
        while (at < end && isSpace(b[at])) {
            at++;
        }
        int stop = prefixEnd(b, at, end);
        if (stop < 0) {
            return start == end || b[start] == 0 ? 0 : INVALID;
        }
        if (stop != end && b[stop] != 0) {
            return INVALID;
        }
        return convert(b, at, stop);
    }

    static boolean exclusiveBound(CommandArgs a, int i) {
        return a.length(i) > 0 && a.array()[a.offset(i)] == '(';
    }

    /** Where the longest strtod number starting at {@code at} ends, or -1 when there is none. */
    static int prefixEnd(byte[] b, int at, int end) {
        int p = at;
        if (p < end && (b[p] == '+' || b[p] == '-')) {
            p++;
        }
        if (word(b, p, end, "infinity")) {
            return p + 8;
        }
        if (word(b, p, end, "inf")) {
            return p + 3;
        }
        if (word(b, p, end, "nan")) {
            int q = p + 3;
            if (q < end && b[q] == '(') {
                int r = q + 1;
                while (r < end && (Character.isLetterOrDigit(b[r]) || b[r] == '_') && b[r] > 0) {
                    r++;
                }
                if (r < end && b[r] == ')') {
                    return r + 1;
                }
            }
            return q;
        }
        if (p + 1 < end && b[p] == '0' && (b[p + 1] == 'x' || b[p + 1] == 'X')) {
            int q = p + 2;
            int digits = 0;
            while (q < end && hexDigit(b[q])) {
                q++;
                digits++;
            }
            if (q < end && b[q] == '.') {
                q++;
                while (q < end && hexDigit(b[q])) {
                    q++;
                    digits++;
                }
            }
            if (digits > 0) {
                return exponent(b, q, end, 'p', 'P');
            }
            return p + 1; // just the "0"
        }
        int q = p;
        int digits = 0;
        while (q < end && decimalDigit(b[q])) {
            q++;
            digits++;
        }
        if (q < end && b[q] == '.') {
            q++;
            while (q < end && decimalDigit(b[q])) {
                q++;
                digits++;
            }
        }
        if (digits == 0) {
            return -1;
        }
        return exponent(b, q, end, 'e', 'E');
    }

    /** Past an exponent marker, sign and digits at {@code q}, or {@code q} when none follows in full. */
    private static int exponent(byte[] b, int q, int end, char lower, char upper) {
        if (q < end && (b[q] == lower || b[q] == upper)) {
            int r = q + 1;
            if (r < end && (b[r] == '+' || b[r] == '-')) {
                r++;
            }
            if (r < end && decimalDigit(b[r])) {
                while (r < end && decimalDigit(b[r])) {
                    r++;
                }
                return r;
            }
        }
        return q;
    }

    /** The value of a strtod number spanning exactly [at, end). */
    private static double convert(byte[] b, int at, int end) {
        int p = at;
        boolean negative = false;
        if (b[p] == '+' || b[p] == '-') {
            negative = b[p] == '-';
            p++;
        }
        if (namesInfinity(b, at, end)) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (word(b, p, end, "nan")) {
            return Double.NaN;
        }
        if (end - p <= 15 && allDigits(b, p, end)) {
            long whole = 0; // exact in a double: fewer than 16 digits
            for (int i = p; i < end; i++) {
                whole = whole * 10 + (b[i] - '0');
            }
            return negative ? -(double) whole : whole;
        }
        String text = new String(b, at, end - at, java.nio.charset.StandardCharsets.ISO_8859_1);
        boolean hex = end - p > 1 && (b[p + 1] == 'x' || b[p + 1] == 'X');
        if (hex && text.indexOf('p') < 0 && text.indexOf('P') < 0) {
            text += "p0"; // Java's hexadecimal form requires the binary exponent
        }
        return Double.parseDouble(text);
    }

    private static boolean allDigits(byte[] b, int at, int end) {
        for (int i = at; i < end; i++) {
            if (!decimalDigit(b[i])) {
                return false;
            }
        }
        return at < end;
    }

    private static boolean namesInfinity(byte[] b, int at, int end) {
        int p = at < end && (b[at] == '+' || b[at] == '-') ? at + 1 : at;
        return word(b, p, end, "inf");
    }

    private static boolean hasNonZeroDigit(byte[] b, int at, int end) {
        int p = at < end && (b[at] == '+' || b[at] == '-') ? at + 1 : at;
        boolean hex = end - p > 1 && (b[p + 1] == 'x' || b[p + 1] == 'X');
        for (int i = hex ? p + 2 : p; i < end; i++) {
            byte c = b[i];
            if (c == (hex ? 'p' : 'e') || c == (hex ? 'P' : 'E')) {
                return false;
            }
            if (c != '0' && c != '.') {
                return true;
            }
        }
        return false;
    }

    /** Whether the bytes at {@code p} start with the lowercase word, ignoring case. */
    private static boolean word(byte[] b, int p, int end, String w) {
        if (end - p < w.length()) {
            return false;
        }
        for (int i = 0; i < w.length(); i++) {
            if ((b[p + i] | 0x20) != w.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean decimalDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean hexDigit(byte c) {
        return decimalDigit(c) || (c | 0x20) >= 'a' && (c | 0x20) <= 'f';
    }
}
