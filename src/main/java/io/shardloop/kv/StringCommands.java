package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.Numbers;
import io.shardloop.resp.codec.ReplySink;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.shardloop.kv.Db.NO_EXPIRY;

/** String commands. Stateless: every method works on the {@link Db} it is given. */
final class StringCommands {
    /** The longest string SETRANGE may make: Redis's default proto-max-bulk-len, 512 MB. */
    private static final long MAX_STRING_LENGTH = 512L * 1024 * 1024;
    private static final byte[] EMPTY = {};
    private static final byte[] OFFSET_OUT_OF_RANGE = encoded("-ERR offset is out of range");
    private static final byte[] STRING_TOO_LONG =
            encoded("-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    static final byte[] NOT_A_FLOAT = encoded("-ERR value is not a valid float");
    static final byte[] NAN_OR_INFINITY = encoded("-ERR increment would produce NaN or Infinity");

    private StringCommands() {
    }

    static void get(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.nullBulk();
        } else if (v instanceof byte[] s) {
            out.bulk(s);
        } else {
            out.raw(Errors.WRONGTYPE);
        }
    }

    /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]. */
    static void set(Db db, CommandArgs a, ReplySink out) {
        boolean nx = false, xx = false, get = false, keepTtl = false;
        int expiryArg = -1;
        long unitMs = 0;
        boolean absolute = false;
        for (int i = 3; i < a.count(); i++) {
            boolean hasNext = i + 1 < a.count();
            if (a.is(i, "NX") && !xx) {
                nx = true;
            } else if (a.is(i, "XX") && !nx) {
                xx = true;
            } else if (a.is(i, "GET")) {
                get = true;
            } else if (a.is(i, "KEEPTTL") && expiryArg < 0) {
                keepTtl = true;
            } else if (hasNext && expiryArg < 0 && !keepTtl
                    && (a.is(i, "EX") || a.is(i, "PX") || a.is(i, "EXAT") || a.is(i, "PXAT"))) {
                unitMs = a.is(i, "EX") || a.is(i, "EXAT") ? 1000 : 1;
                absolute = a.is(i, "EXAT") || a.is(i, "PXAT");
                expiryArg = ++i;
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        long deadline = NO_EXPIRY;
        if (expiryArg > 0) {
            deadline = deadline(db, a, expiryArg, unitMs, absolute, "set", out);
            if (deadline == Long.MIN_VALUE) {
                return;
            }
        }
        Key key = db.probe(0, a, 1);
        Object old = db.get(key);
        if (get && old != null && !(old instanceof byte[])) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        if ((nx && old != null) || (xx && old == null)) {
            if (get) {
                replyString(old, out);
            } else {
                out.nullBulk();
            }
            return;
        }
        if (keepTtl && old != null) {
            db.replace(key, a.copy(2));
        } else {
            db.put(key, a.copy(2), deadline);
        }
        if (get) {
            replyString(old, out);
        } else {
            out.raw(Errors.OK);
        }
    }

    static void setnx(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        if (db.get(key) != null) {
            out.integer(0);
        } else {
            db.put(key, a.copy(2), NO_EXPIRY);
            out.integer(1);
        }
    }

    /** SETEX key seconds value. */
    static void setex(Db db, CommandArgs a, ReplySink out) {
        long deadline = deadline(db, a, 2, 1000, false, "setex", out);
        if (deadline != Long.MIN_VALUE) {
            db.put(db.probe(0, a, 1), a.copy(3), deadline);
            out.raw(Errors.OK);
        }
    }

    static void getset(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object old = db.get(key);
        if (old != null && !(old instanceof byte[])) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        db.put(key, a.copy(2), NO_EXPIRY);
        replyString(old, out);
    }

    static void getdel(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object old = db.get(key);
        if (old != null && !(old instanceof byte[])) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        if (old != null) {
            db.remove(key);
        }
        replyString(old, out);
    }

    /** MGET key...: a value that is not a string reads as nil, as in Redis. */
    static void mget(Db db, CommandArgs a, ReplySink out) {
        out.arrayHeader(a.count() - 1);
        for (int i = 1; i < a.count(); i++) {
            Object v = db.get(db.probe(0, a, i));
            if (v instanceof byte[] s) {
                out.bulk(s);
            } else {
                out.nullBulk();
            }
        }
    }

    static void mset(Db db, CommandArgs a, ReplySink out) {
        if ((a.count() - 1) % 2 != 0) {
            out.error(Errors.wrongArity("mset"));
            return;
        }
        for (int i = 1; i < a.count(); i += 2) {
            db.put(db.probe(0, a, i), a.copy(i + 1), NO_EXPIRY);
        }
        out.raw(Errors.OK);
    }

    static void incr(Db db, CommandArgs a, ReplySink out) {
        incrBy(db, a, 1, out);
    }

    static void decr(Db db, CommandArgs a, ReplySink out) {
        incrBy(db, a, -1, out);
    }

    static void incrby(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        incrBy(db, a, a.parseLong(2, 0), out);
    }

    static void decrby(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long by = a.parseLong(2, 0);
        if (by == Long.MIN_VALUE) {
            out.error("ERR decrement would overflow");
            return;
        }
        incrBy(db, a, -by, out);
    }

    /** The counter keeps its time to live, as in Redis. */
    private static void incrBy(Db db, CommandArgs a, long by, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        long current = 0;
        if (v != null) {
            if (!(v instanceof byte[] s)) {
                out.raw(Errors.WRONGTYPE);
                return;
            }
            if (!Numbers.isLong(s, 0, s.length)) {
                out.raw(Errors.NOT_INTEGER);
                return;
            }
            current = Numbers.parseLong(s, 0, s.length, 0);
        }
        long next = current + by;
        if (((current ^ next) & (by ^ next)) < 0) {
            out.raw(Errors.OVERFLOW);
            return;
        }
        byte[] text = Long.toString(next).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (v == null) {
            db.put(key, text, NO_EXPIRY);
        } else {
            db.replace(key, text);
        }
        out.integer(next);
    }

    static void append(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            db.put(key, a.copy(2), NO_EXPIRY);
            out.integer(a.length(2));
            return;
        }
        if (!(v instanceof byte[] s)) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        byte[] joined = Arrays.copyOf(s, s.length + a.length(2));
        System.arraycopy(a.array(), a.offset(2), joined, s.length, a.length(2));
        db.replace(key, joined);
        out.integer(joined.length);
    }

    static void strlen(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
        } else if (v instanceof byte[] s) {
            out.integer(s.length);
        } else {
            out.raw(Errors.WRONGTYPE);
        }
    }

    /** PSETEX key milliseconds value. */
    static void psetex(Db db, CommandArgs a, ReplySink out) {
        long deadline = deadline(db, a, 2, 1, false, "psetex", out);
        if (deadline != Long.MIN_VALUE) {
            db.put(db.probe(0, a, 1), a.copy(3), deadline);
            out.raw(Errors.OK);
        }
    }

    /** GETRANGE key start end (and SUBSTR): the inclusive range, negative indexes from the end. */
    static void getrange(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(2) || !a.isLong(3)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long start = a.parseLong(2, 0);
        long end = a.parseLong(3, 0);
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.bulk(EMPTY);
            return;
        }
        if (!(v instanceof byte[] s)) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        long n = s.length;
        if (start < 0 && end < 0 && start > end) {
            out.bulk(EMPTY);
            return;
        }
        if (start < 0) {
            start = Math.max(0, n + start);
        }
        if (end < 0) {
            end = Math.max(0, n + end);
        }
        end = Math.min(end, n - 1);
        if (start > end || n == 0) {
            out.bulk(EMPTY);
        } else {
            out.bulk(s, (int) start, (int) (end - start + 1));
        }
    }

    /** SETRANGE key offset value: the string's new length; zero bytes pad up to the offset. */
    static void setrange(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long offset = a.parseLong(2, 0);
        if (offset < 0) {
            out.raw(OFFSET_OUT_OF_RANGE);
            return;
        }
        int length = a.length(3);
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v != null && !(v instanceof byte[])) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        byte[] s = (byte[]) v;
        if (length == 0) {
            out.integer(s == null ? 0 : s.length);
            return;
        }
        if (offset > MAX_STRING_LENGTH - length) {
            out.raw(STRING_TOO_LONG);
            return;
        }
        int needed = (int) offset + length;
        // A new array even when the old one is long enough: a reader may still hold the old one.
        byte[] next = s == null ? new byte[needed] : Arrays.copyOf(s, Math.max(s.length, needed));
        System.arraycopy(a.array(), a.offset(3), next, (int) offset, length);
        if (s == null) {
            db.put(key, next, NO_EXPIRY);
        } else {
            db.replace(key, next);
        }
        out.integer(next.length);
    }

    /** INCRBYFLOAT key increment: in 80-bit long double arithmetic, as Redis does on x86-64. */
    static void incrbyfloat(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v != null && !(v instanceof byte[])) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        byte[] s = (byte[]) v;
        BigDecimal current = s == null ? BigDecimal.ZERO : LongDouble.parse(s, 0, s.length);
        BigDecimal by = current == null ? null : LongDouble.parse(a.array(), a.offset(2), a.length(2));
        if (by == null) {
            out.raw(NOT_A_FLOAT);
            return;
        }
        BigDecimal next = LongDouble.add(current, by);
        if (next == LongDouble.INFINITE) {
            out.raw(NAN_OR_INFINITY);
            return;
        }
        byte[] text = LongDouble.format(next);
        if (s == null) {
            db.put(key, text, NO_EXPIRY);
        } else {
            db.replace(key, text);
        }
        out.bulk(text);
    }

    /** GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]: the value, then its time to live changed. */
    static void getex(Db db, CommandArgs a, ReplySink out) {
        boolean persist = false;
        int expiryArg = -1;
        String expiryOption = null;
        for (int i = 2; i < a.count(); i++) {
            String option = a.is(i, "EX") ? "EX" : a.is(i, "PX") ? "PX"
                    : a.is(i, "EXAT") ? "EXAT" : a.is(i, "PXAT") ? "PXAT" : null;
            if (a.is(i, "PERSIST") && expiryOption == null) {
                persist = true;
            } else if (option != null && i + 1 < a.count() && !persist
                    && (expiryOption == null || expiryOption.equals(option))) {
                // Redis lets the same option repeat (the last one counts), but no two different ones.
                expiryOption = option;
                expiryArg = ++i;
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.nullBulk();
            return;
        }
        if (!(v instanceof byte[] s)) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        long deadline = NO_EXPIRY;
        boolean absolute = false;
        if (expiryOption != null) {
            long unitMs = expiryOption.startsWith("E") ? 1000 : 1;
            absolute = expiryOption.endsWith("AT");
            deadline = deadline(db, a, expiryArg, unitMs, absolute, "getex", out);
            if (deadline == Long.MIN_VALUE) {
                return;
            }
        }
        out.bulk(s);
        if (absolute && deadline <= db.now()) {
            db.remove(key);
        } else if (expiryOption != null || persist) {
            db.setExpireAt(key, deadline);
        }
    }

    /**
     * The absolute deadline from a relative or absolute time argument, or Long.MIN_VALUE after
     * replying the error (not an integer; not positive; overflowing).
     */
    static long deadline(Db db, CommandArgs a, int i, long unitMs, boolean absolute, String command,
                         ReplySink out) {
        if (!a.isLong(i)) {
            out.raw(Errors.NOT_INTEGER);
            return Long.MIN_VALUE;
        }
        long t = a.parseLong(i, 0);
        if (t <= 0 || t > Long.MAX_VALUE / unitMs) {
            out.error(Errors.invalidExpire(command));
            return Long.MIN_VALUE;
        }
        long ms = t * unitMs;
        if (absolute) {
            return ms;
        }
        long now = db.now();
        if (ms > Long.MAX_VALUE - now) {
            out.error(Errors.invalidExpire(command));
            return Long.MIN_VALUE;
        }
        return now + ms;
    }

    private static void replyString(Object v, ReplySink out) {
        if (v == null) {
            out.nullBulk();
        } else {
            out.bulk((byte[]) v);
        }
    }

    private static byte[] encoded(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Redis's float counters (INCRBYFLOAT, HINCRBYFLOAT) count in the C {@code long double}, the
     * x87 80-bit format on x86-64: a 64-bit significand, exponents down to 2^-16445 (subnormal)
     * and below 2^16384. A value is held as the exact {@link BigDecimal} of such a number, every
     * result rounded to the nearest one (ties to even) as the FPU does, and printed as Redis's
     * {@code ld2string} prints it for people: {@code %.17Lf} with trailing zeros removed.
     * These commands are rare and their arithmetic is not on any hot path.
     */
    static final class LongDouble {
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
}
