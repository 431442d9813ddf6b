package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.Numbers;
import io.shardloop.resp.codec.ReplySink;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.shardloop.kv.Db.NO_EXPIRY;
import static io.shardloop.kv.KeyspaceEvents.GENERIC;
import static io.shardloop.kv.KeyspaceEvents.STRING;

/**
 * String commands. Stateless: every method works on the {@link Db} it is given, and reports its
 * keyspace events there as t_string.c does ({@code set}, then {@code expire} for a SET with a time
 * to live; {@code incrby}, {@code incrbyfloat}, {@code append}, {@code setrange}; GETDEL's and a
 * past GETEX deadline's {@code del}; GETEX's {@code expire} and {@code persist}).
 */
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
        db.notify(STRING, "set", key);
        if (deadline != NO_EXPIRY) {
            db.notify(GENERIC, "expire", key);
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
            db.notify(STRING, "set", key);
            out.integer(1);
        }
    }

    /** SETEX key seconds value. */
    static void setex(Db db, CommandArgs a, ReplySink out) {
        long deadline = deadline(db, a, 2, 1000, false, "setex", out);
        if (deadline != Long.MIN_VALUE) {
            putWithExpiry(db, a, deadline);
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
        db.notify(STRING, "set", key);
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
            db.notify(GENERIC, "del", key);
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
        putPairs(db, a);
        out.raw(Errors.OK);
    }

    /** MSETNX key value [key value ...]: all set, without deadlines, or none when any key exists. */
    static void msetnx(Db db, CommandArgs a, ReplySink out) {
        if ((a.count() - 1) % 2 != 0) {
            out.error(Errors.wrongArity("msetnx"));
            return;
        }
        for (int i = 1; i < a.count(); i += 2) {
            if (db.get(db.probe(0, a, i)) != null) {
                out.integer(0);
                return;
            }
        }
        putPairs(db, a);
        out.integer(1);
    }

    /** MSET's and MSETNX's writes, each key's {@code set} after it. */
    private static void putPairs(Db db, CommandArgs a) {
        for (int i = 1; i < a.count(); i += 2) {
            Key key = db.probe(0, a, i);
            db.put(key, a.copy(i + 1), NO_EXPIRY);
            db.notify(STRING, "set", key);
        }
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
        db.notify(STRING, "incrby", key);
        out.integer(next);
    }

    static void append(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            db.put(key, a.copy(2), NO_EXPIRY);
            db.notify(STRING, "append", key);
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
        db.notify(STRING, "append", key);
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
            putWithExpiry(db, a, deadline);
            out.raw(Errors.OK);
        }
    }

    /** SETEX's and PSETEX's write: the value of argument 3 under key 1, with its events. */
    private static void putWithExpiry(Db db, CommandArgs a, long deadline) {
        Key key = db.probe(0, a, 1);
        db.put(key, a.copy(3), deadline);
        db.notify(STRING, "set", key);
        db.notify(GENERIC, "expire", key);
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
        db.notify(STRING, "setrange", key);
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
        db.notify(STRING, "incrbyfloat", key);
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
            db.notify(GENERIC, "del", key);
        } else if (expiryOption != null) {
            db.setExpireAt(key, deadline);
            db.notify(GENERIC, "expire", key);
        } else if (persist && db.expireAt(key) != NO_EXPIRY) {
            db.setExpireAt(key, NO_EXPIRY);
            db.notify(GENERIC, "persist", key);
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
}
