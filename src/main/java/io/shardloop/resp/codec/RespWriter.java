package io.shardloop.resp.codec;

import java.nio.charset.StandardCharsets;

/**
 * RESP2 encoding on top of two byte primitives, shared by every {@link ReplySink}. No allocation:
 * numbers are written digit by digit from a scratch array.
 */
public abstract class RespWriter implements ReplySink {
    /** "+OK\r\n". */
    public static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    /** "$-1\r\n". */
    public static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    /** "*-1\r\n". */
    public static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);

    private final byte[] digits = new byte[20];

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
        put(NULL_BULK, 0, NULL_BULK.length);
    }

    @Override
    public void arrayHeader(int count) {
        put('*');
        putDecimal(count);
        crlf();
    }

    @Override
    public void nullArray() {
        put(NULL_ARRAY, 0, NULL_ARRAY.length);
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
