package io.shardloop.resp.codec;

import java.nio.charset.StandardCharsets;

/**
 * RESP2 and RESP3 encoding on top of two byte primitives, shared by every {@link ReplySink}. The
 * version is the writer's until changed ({@link #protocol(int)}): a connection's writer follows its
 * client's HELLO. No allocation: numbers are written digit by digit from a scratch array.
 */
public abstract class RespWriter implements ReplySink {
    /** "+OK\r\n". */
    public static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    /** "$-1\r\n". */
    public static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    /** "*-1\r\n". */
    public static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);

    /** RESP3's null, for every null reply ("_\r\n"). */
    public static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TXT = "txt:".getBytes(StandardCharsets.US_ASCII);

    private final byte[] digits = new byte[20];
    private boolean resp3;
    /** The code of the first error written since {@link #takeError()}, or null. */
    private String error;

    @Override
    public int protocol() {
        return resp3 ? 3 : 2;
    }

    @Override
    public void protocol(int version) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("RESP version 2 or 3, not " + version);
        }
        resp3 = version == 3;
    }

    protected abstract void put(int b);

    protected abstract void put(byte[] src, int offset, int length);

    @Override
    public void simple(String ascii) {
        put('+');
        putAscii(ascii);
        crlf();
    }

    @Override
    public void raw(byte[] encoded, int offset, int length) {
        if (length > 0 && encoded[offset] == '-' && error == null) {
            error = errorCode(new String(encoded, offset + 1, Math.min(length - 1, 33), StandardCharsets.ISO_8859_1));
        }
        put(encoded, offset, length);
    }

    /**
     * The code of the first error written since the last call ("ERR", "WRONGTYPE": INFO
     * errorstats), or null when none was; the next call starts afresh.
     */
    public String takeError() {
        String e = error;
        error = null;
        return e;
    }

    /** Redis's error code of a message: its first word when it ends within 32 bytes, else "ERR". */
    public static String errorCode(String message) {
        int space = message.indexOf(' ');
        return space > 0 && space < 32 ? message.substring(0, space) : "ERR";
    }

    @Override
    public void error(String message) {
        if (error == null) {
            error = errorCode(message);
        }
        put('-');
        putAscii(message);
        crlf();
    }

    @Override
    public void integer(long value) {
        put(':');
        putDecimal(value);
        crlf();
    }

    @Override
    public void bulk(byte[] value, int offset, int length) {
        put('$');
        putDecimal(length);
        crlf();
        put(value, offset, length);
        crlf();
    }

    @Override
    public void bulkDecimal(long value) {
        int n = formatDecimal(value);
        put('$');
        putDecimal(n);
        crlf();
        formatDecimal(value); // the length's digits overwrote the scratch
        put(digits, digits.length - n, n);
        crlf();
    }

    @Override
    public void nullBulk() {
        byte[] n = resp3 ? NULL3 : NULL_BULK;
        put(n, 0, n.length);
    }

    @Override
    public void arrayHeader(int count) {
        put('*');
        putDecimal(count);
        crlf();
    }

    @Override
    public void pushHeader(int count) {
        put(resp3 ? '>' : '*');
        putDecimal(count);
        crlf();
    }

    @Override
    public void nullArray() {
        byte[] n = resp3 ? NULL3 : NULL_ARRAY;
        put(n, 0, n.length);
    }

    @Override
    public void mapHeader(int pairs) {
        if (resp3) {
            put('%');
            putDecimal(pairs);
            crlf();
        } else {
            arrayHeader(pairs * 2);
        }
    }

    @Override
    public void setHeader(int count) {
        if (resp3) {
            put('~');
            putDecimal(count);
            crlf();
        } else {
            arrayHeader(count);
        }
    }

    @Override
    public void verbatim(byte[] text, int offset, int length) {
        if (!resp3) {
            bulk(text, offset, length);
            return;
        }
        put('=');
        putDecimal(length + TXT.length);
        crlf();
        put(TXT, 0, TXT.length);
        put(text, offset, length);
        crlf();
    }

    @Override
    public void doubleValue(double d) {
        if (integral(d)) { // the common score: its digits go straight to the buffer, with no text object
            long whole = (long) d;
            if (resp3) {
                put(',');
                putDecimal(whole);
                crlf();
            } else {
                bulkDecimal(whole);
            }
            return;
        }
        String text = doubleText(d);
        if (resp3) {
            put(',');
            putAscii(text);
            crlf();
        } else {
            put('$');
            putDecimal(text.length());
            crlf();
            putAscii(text);
            crlf();
        }
    }

    /**
     * C's {@code printf("%.17g")} of a double, which Redis 7.0 replies with: 17 significant digits,
     * rounded half to even from the exact binary value, trailing zeros dropped; positional when the
     * decimal exponent is in [-4, 17), else "d.ddde+XX". Infinities are "inf" and "-inf" (Redis
     * writes them itself). Integral values below 10^17 in magnitude, the common score, print as
     * integers with no BigDecimal, as Redis 7.0 prints them: -0 is "0".
     */
    public static String doubleText(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (integral(d)) {
            return Long.toString((long) d); // as Redis 7.0 writes an integral score: -0 is "0"
        }
        java.math.BigDecimal rounded = new java.math.BigDecimal(d)
                .round(new java.math.MathContext(17, java.math.RoundingMode.HALF_EVEN));
        String digits = rounded.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - rounded.scale();
        int significant = digits.length();
        while (significant > 1 && digits.charAt(significant - 1) == '0') {
            significant--;
        }
        digits = digits.substring(0, significant);
        StringBuilder text = new StringBuilder(32);
        if (d < 0) {
            text.append('-');
        }
        if (exponent >= -4 && exponent < 17) {
            if (exponent < 0) {
                text.append("0.");
                text.repeat('0', -exponent - 1).append(digits);
            } else if (digits.length() <= exponent + 1) {
                text.append(digits).repeat('0', exponent + 1 - digits.length());
            } else {
                text.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
            }
        } else {
            text.append(digits.charAt(0));
            if (digits.length() > 1) {
                text.append('.').append(digits, 1, digits.length());
            }
            text.append(exponent < 0 ? "e-" : "e+");
            int e = Math.abs(exponent);
            if (e < 10) {
                text.append('0');
            }
            text.append(e);
        }
        return text.toString();
    }

    private void crlf() {
        put('\r');
        put('\n');
    }

    /** An integral value below 10^17 in magnitude, which %.17g writes as an integer (-0 as "0"). */
    private static boolean integral(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e17;
    }

    private void putAscii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            put(s.charAt(i));
        }
    }

    private void putDecimal(long value) {
        int n = formatDecimal(value);
        put(digits, digits.length - n, n);
    }

    /** Writes the decimal text right-aligned into {@code digits}; returns its length. */
    private int formatDecimal(long value) {
        int at = digits.length;
        boolean negative = value < 0;
        // Work in negatives: Long.MIN_VALUE has no positive counterpart.
        long v = negative ? value : -value;
        do {
            digits[--at] = (byte) ('0' - (v % 10));
            v /= 10;
        } while (v != 0);
        if (negative) {
            digits[--at] = '-';
        }
        return digits.length - at;
    }
}
