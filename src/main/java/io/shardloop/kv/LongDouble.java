package io.shardloop.kv;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Redis's float counters (INCRBYFLOAT, HINCRBYFLOAT) count in the C {@code long double}, the
 * x87 80-bit format on x86-64: a 64-bit significand, exponents down to 2^-16445 (subnormal)
 * and below 2^16384. A value is held as the exact {@link BigDecimal} of such a number, every
 * result rounded to the nearest one (ties to even) as the FPU does, and printed as Redis's
 * {@code ld2string} prints it for people: {@code %.17Lf} with trailing zeros removed.
 * These commands are rare and their arithmetic is not on any hot path.
 */
final class LongDouble {
    /** Any infinite value (its sign never matters: every use of one is an error). */
    static final BigDecimal INFINITE = new BigDecimal(BigInteger.ONE, Integer.MIN_VALUE + 1);
    /** Text of a nonzero value too small for even the least subnormal (strtold's ERANGE). */
    private static final BigDecimal UNDERFLOW = new BigDecimal(BigInteger.ONE, Integer.MAX_VALUE);
    /** Redis's string2ld reads at most MAX_LONG_DOUBLE_CHARS - 1 bytes. */
    private static final int MAX_TEXT = 5 * 1024 - 1;
    private static final int SIGNIFICAND_BITS = 64;
    /** The exponent of the least subnormal, 2^-16445. */
    private static final int MIN_EXPONENT = -16445;
    /** Every finite value is below 2^16384. */
    private static final int MAX_BITS = 16384;
    /** Past these decimal exponents a nonzero value surely overflows or underflows. */
    private static final int DECIMAL_EXPONENT_LIMIT = 6000;
    private static final BigInteger FIVE = BigInteger.valueOf(5);

    private LongDouble() {
    }

    /**
     * Reads text as Redis's string2ld does (C strtold: decimal or hexadecimal, "inf" and
     * "infinity"; no spaces; not NaN; not a value out of range), rounded to a long double.
     *
     * @return the value, {@link #INFINITE}, or null when it is not a valid float.
     */
    static BigDecimal parse(byte[] b, int off, int len) {
        if (len == 0 || len > MAX_TEXT) {
            return null;
        }
        int i = off, end = off + len;
        boolean negative = b[i] == '-';
        if (b[i] == '-' || b[i] == '+') {
            i++;
        }
        String rest = new String(b, i, end - i, StandardCharsets.ISO_8859_1);
        if (rest.equalsIgnoreCase("inf") || rest.equalsIgnoreCase("infinity")) {
            return INFINITE;
        }
        BigDecimal exact = rest.length() > 1 && rest.charAt(0) == '0'
                && (rest.charAt(1) == 'x' || rest.charAt(1) == 'X') ? hex(rest) : decimal(rest);
        if (exact == null || exact == UNDERFLOW || exact == INFINITE) {
            return null; // strtold's ERANGE, which string2ld refuses
        }
        if (exact.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal rounded = round(exact);
        if (rounded == INFINITE || rounded.signum() == 0) {
            return null; // strtold's ERANGE, which string2ld refuses
        }
        return negative ? rounded.negate() : rounded;
    }

    /** The sum, rounded; {@link #INFINITE} for an infinite (or NaN) one. */
    static BigDecimal add(BigDecimal x, BigDecimal y) {
        if (x == INFINITE || y == INFINITE) {
            return INFINITE;
        }
        BigDecimal sum = x.add(y);
        return sum.signum() == 0 ? BigDecimal.ZERO : round(sum);
    }

    /** {@code %.17Lf}, trailing zeros and a trailing point removed, "-0" written "0". */
    static byte[] format(BigDecimal value) {
        String text = value.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int n = text.length();
        while (text.charAt(n - 1) == '0') {
            n--;
        }
        if (text.charAt(n - 1) == '.') {
            n--;
        }
        return text.substring(0, n).getBytes(StandardCharsets.US_ASCII);
    }

    /** digits [. digits] [e [sign] digits], at least one digit before the exponent. */
    private static BigDecimal decimal(String t) {
        int i = 0, n = t.length();
        StringBuilder digits = new StringBuilder();
        int fraction = 0;
        boolean point = false;
        for (; i < n; i++) {
            char c = t.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
                fraction += point ? 1 : 0;
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (digits.isEmpty()) {
            return null;
        }
        long exponent = 0;
        if (i < n) {
            if (t.charAt(i) != 'e' && t.charAt(i) != 'E') {
                return null;
            }
            exponent = exponent(t, i + 1);
            if (exponent == Long.MIN_VALUE) {
                return null;
            }
        }
        BigInteger unscaled = new BigInteger(digits.toString());
        if (unscaled.signum() == 0) {
            return BigDecimal.ZERO;
        }
        return scaled(new BigDecimal(unscaled, fraction), exponent);
    }

    /** 0x hexdigits [. hexdigits] [p [sign] digits]: the significand times a power of two. */
    private static BigDecimal hex(String t) {
        int i = 2, n = t.length();
        BigInteger significand = BigInteger.ZERO;
        int digits = 0, fraction = 0;
        boolean point = false;
        for (; i < n; i++) {
            char c = t.charAt(i);
            int d = Character.digit(c, 16);
            if (d >= 0) {
                significand = significand.shiftLeft(4).add(BigInteger.valueOf(d));
                digits++;
                fraction += point ? 1 : 0;
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return null; // "0x" alone: strtold reads the "0" and stops at the "x"
        }
        long exponent = 0;
        if (i < n) {
            if (t.charAt(i) != 'p' && t.charAt(i) != 'P') {
                return null;
            }
            exponent = exponent(t, i + 1);
            if (exponent == Long.MIN_VALUE) {
                return null;
            }
        }
        if (significand.signum() == 0) {
            return BigDecimal.ZERO;
        }
        long twos = exponent - 4L * fraction;
        if (twos + significand.bitLength() > MAX_BITS + 1) {
            return INFINITE;
        }
        if (twos + significand.bitLength() < MIN_EXPONENT - 1) {
            return UNDERFLOW;
        }
        return exactPowerOfTwo(significand, (int) twos);
    }

    /** A signed decimal exponent from {@code from}, saturated; Long.MIN_VALUE if malformed. */
    private static long exponent(String t, int from) {
        int i = from, n = t.length();
        boolean negative = false;
        if (i < n && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
            negative = t.charAt(i++) == '-';
        }
        if (i == n) {
            return Long.MIN_VALUE;
        }
        long e = 0;
        for (; i < n; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return Long.MIN_VALUE;
            }
            e = Math.min(e * 10 + (c - '0'), 1_000_000_000L);
        }
        return negative ? -e : e;
    }

    private static BigDecimal scaled(BigDecimal value, long exponent) {
        long magnitude = value.precision() - value.scale() + exponent;
        if (magnitude > DECIMAL_EXPONENT_LIMIT) {
            return INFINITE;
        }
        if (magnitude < -DECIMAL_EXPONENT_LIMIT) {
            return UNDERFLOW;
        }
        return value.scaleByPowerOfTen((int) exponent);
    }

    /** significand * 2^twos, exactly. */
    private static BigDecimal exactPowerOfTwo(BigInteger significand, int twos) {
        if (twos >= 0) {
            return new BigDecimal(significand.shiftLeft(twos));
        }
        return new BigDecimal(significand.multiply(FIVE.pow(-twos)), -twos);
    }

    /**
     * The long double nearest to a nonzero exact value (ties to even): {@link #INFINITE} past
     * the largest, zero below half the least subnormal.
     */
    private static BigDecimal round(BigDecimal exact) {
        boolean negative = exact.signum() < 0;
        BigInteger numerator = exact.unscaledValue().abs();
        BigInteger denominator = BigInteger.ONE;
        if (exact.scale() > 0) {
            denominator = BigInteger.TEN.pow(exact.scale());
        } else {
            numerator = numerator.multiply(BigInteger.TEN.pow(-exact.scale()));
        }
        // value = numerator / denominator = q * 2^e with q holding SIGNIFICAND_BITS bits
        int e = numerator.bitLength() - denominator.bitLength() - SIGNIFICAND_BITS;
        BigInteger[] qr = divideByPowerOfTwo(numerator, denominator, e);
        if (qr[0].bitLength() > SIGNIFICAND_BITS) {
            e++;
            qr = divideByPowerOfTwo(numerator, denominator, e);
        }
        if (e < MIN_EXPONENT) {
            e = MIN_EXPONENT;
            qr = divideByPowerOfTwo(numerator, denominator, e);
        }
        BigInteger q = qr[0];
        int half = qr[1].shiftLeft(1).compareTo(qr[2]);
        if (half > 0 || (half == 0 && q.testBit(0))) {
            q = q.add(BigInteger.ONE);
            if (q.bitLength() > SIGNIFICAND_BITS) {
                q = q.shiftRight(1);
                e++;
            }
        }
        if (q.signum() == 0) {
            return BigDecimal.ZERO;
        }
        if (q.bitLength() + e > MAX_BITS) {
            return INFINITE;
        }
        BigDecimal rounded = exactPowerOfTwo(q, e);
        return negative ? rounded.negate() : rounded;
    }

    /** {quotient, remainder, divisor} of numerator / (denominator * 2^e), by integers. */
    private static BigInteger[] divideByPowerOfTwo(BigInteger numerator, BigInteger denominator, int e) {
        BigInteger n = e < 0 ? numerator.shiftLeft(-e) : numerator;
        BigInteger d = e > 0 ? denominator.shiftLeft(e) : denominator;
        BigInteger[] qr = n.divideAndRemainder(d);
        return new BigInteger[] {qr[0], qr[1], d};
    }
}
