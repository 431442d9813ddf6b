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
        put(encoded, offset, length);
    }

    @Override
    public void error(String message) {
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

    private void crlf() {
        put('\r');
        put('\n');
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
