package io.shardloop.script;

import io.shardloop.resp.codec.ReplySink;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.nio.charset.StandardCharsets;

/**
 * Redis 7.0's conversions between replies and Lua values (script_lua.c), both ways:
 * <ul>
 *   <li>{@link #toLua}: a command's reply, as RESP bytes, into the value {@code redis.call}
 *       returns: integer to number, bulk to string, null to false (RESP3: nil), array to table,
 *       status to {@code {ok=...}}, error to {@code {err=...}}; RESP3's map to {@code {map=...}},
 *       set to {@code {set=...}}, double to {@code {double=...}}, boolean to a boolean, big number
 *       to {@code {big_number=...}}, verbatim to {@code {verbatim_string={format=, string=}}}.</li>
 *   <li>{@link #write}: a script's result into the client's reply: number to integer
 *       (truncated), string to bulk, true to 1 and false to null (after {@code redis.setresp(3)}:
 *       booleans), a table to an array up to its first nil unless it is one of the forms above.</li>
 * </ul>
 * Stateless.
 */
final class LuaReplies {
    static final LuaString ERR = LuaString.valueOf("err");
    static final LuaString OK = LuaString.valueOf("ok");
    static final LuaString DOUBLE = LuaString.valueOf("double");
    static final LuaString MAP = LuaString.valueOf("map");
    static final LuaString SET = LuaString.valueOf("set");
    static final LuaString BIG_NUMBER = LuaString.valueOf("big_number");
    static final LuaString VERBATIM = LuaString.valueOf("verbatim_string");
    static final LuaString FORMAT = LuaString.valueOf("format");
    static final LuaString STRING = LuaString.valueOf("string");
    private static final byte[] TRUE3 = "#t\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE3 = "#f\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_DEPTH = 64;

    private LuaReplies() {
    }

    /** Reads the reply at {@code at[0]} of {@code b}, advancing {@code at[0]} past it. */
    static LuaValue toLua(byte[] b, int[] at) {
        int p = at[0];
        byte type = b[p];
        int eol = lineEnd(b, p);
        at[0] = eol + 2;
        switch (type) {
            case '+' -> {
                LuaTable t = new LuaTable();
                t.rawset(OK, LuaString.valueOf(java.util.Arrays.copyOfRange(b, p + 1, eol)));
                return t;
            }
            case '-' -> {
                return errorTable(new String(b, p + 1, eol - p - 1, StandardCharsets.ISO_8859_1));
            }
            case ':' -> {
                return LuaValue.valueOf((double) parseLong(b, p + 1, eol));
            }
            case '$', '=' -> {
                long n = parseLong(b, p + 1, eol);
                if (n < 0) {
                    return LuaValue.FALSE;
                }
                int from = eol + 2;
                at[0] = from + (int) n + 2;
                if (type == '$') {
                    return LuaString.valueOf(java.util.Arrays.copyOfRange(b, from, from + (int) n));
                }
                LuaTable v = new LuaTable();
                v.rawset(FORMAT, LuaString.valueOf(java.util.Arrays.copyOfRange(b, from, from + 3)));
                v.rawset(STRING, LuaString.valueOf(java.util.Arrays.copyOfRange(b, from + 4, from + (int) n)));
                LuaTable t = new LuaTable();
                t.rawset(VERBATIM, v);
                return t;
            }
            case '*', '>' -> {
                long n = parseLong(b, p + 1, eol);
                if (n < 0) {
                    return LuaValue.FALSE;
                }
                LuaTable t = new LuaTable((int) n, 0);
                for (int i = 1; i <= n; i++) {
                    t.rawset(i, toLua(b, at));
                }
                return t;
            }
            case '%', '~' -> {
                long n = parseLong(b, p + 1, eol);
                LuaTable inner = new LuaTable();
                for (int i = 0; i < n; i++) {
                    LuaValue k = toLua(b, at);
                    inner.rawset(k, type == '%' ? toLua(b, at) : LuaValue.TRUE);
                }
                LuaTable t = new LuaTable();
                t.rawset(type == '%' ? MAP : SET, inner);
                return t;
            }
            case '_' -> {
                return LuaValue.NIL;
            }
            case '#' -> {
                return LuaValue.valueOf(b[p + 1] == 't');
            }
            case ',' -> {
                LuaTable t = new LuaTable();
                t.rawset(DOUBLE, LuaValue.valueOf(parseDouble(new String(b, p + 1, eol - p - 1, StandardCharsets.US_ASCII))));
                return t;
            }
            case '(' -> {
                LuaTable t = new LuaTable();
                t.rawset(BIG_NUMBER, LuaString.valueOf(java.util.Arrays.copyOfRange(b, p + 1, eol)));
                return t;
            }
            case '|' -> {
                long n = parseLong(b, p + 1, eol);
                for (int i = 0; i < 2 * n; i++) {
                    toLua(b, at);
                }
                return toLua(b, at);
            }
            default -> throw new IllegalArgumentException("not a reply type: " + (char) type);
        }
    }

    /** Redis's error table for an error reply "CODE message" (luaPushErrorBuff): {@code {err="CODE message"}}. */
    static LuaTable errorTable(String text) {
        String message = text.startsWith("-") ? text.substring(1) : text;
        if (text.startsWith("-") && message.indexOf(' ') < 0) {
            message = "ERR " + message;
        }
        LuaTable t = new LuaTable();
        t.rawset(ERR, LuaValue.valueOf(message.strip()));
        return t;
    }

    /**
     * Writes a script's result.
     *
     * @param resp the protocol the script chose with {@code redis.setresp} (its booleans depend on it)
     */
    static void write(LuaValue v, int resp, ReplySink out, int depth) {
        switch (v.type()) {
            case LuaValue.TSTRING -> {
                LuaString s = v.checkstring();
                out.bulk(s.m_bytes, s.m_offset, s.m_length);
            }
            case LuaValue.TNUMBER -> out.integer(toLong(v.todouble()));
            case LuaValue.TBOOLEAN -> writeBoolean(v.toboolean(), resp, out);
            case LuaValue.TTABLE -> writeTable((LuaTable) v, resp, out, depth);
            default -> out.nullBulk();
        }
    }

    private static void writeBoolean(boolean b, int resp, ReplySink out) {
        if (resp == 2) {
            if (b) {
                out.integer(1);
            } else {
                out.nullBulk();
            }
        } else if (out.protocol() == 3) {
            out.raw(b ? TRUE3 : FALSE3);
        } else {
            out.integer(b ? 1 : 0);
        }
    }

    private static void writeTable(LuaTable t, int resp, ReplySink out, int depth) {
        if (depth > MAX_DEPTH) {
            out.error("ERR reached lua stack limit");
            return;
        }
        LuaValue err = t.rawget(ERR);
        if (err.isstring()) {
            out.error(err.tojstring().replace('\r', ' ').replace('\n', ' '));
            return;
        }
        LuaValue ok = t.rawget(OK);
        if (ok.isstring()) {
            out.simple(ok.tojstring().replace('\r', ' ').replace('\n', ' '));
            return;
        }
        LuaValue d = t.rawget(DOUBLE);
        if (d.isnumber()) {
            out.doubleValue(d.todouble());
            return;
        }
        LuaValue big = t.rawget(BIG_NUMBER);
        if (big.isstring()) {
            String text = big.tojstring().replace('\r', ' ').replace('\n', ' ');
            if (out.protocol() == 3) {
                out.raw(("(" + text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            } else {
                out.bulk(text.getBytes(StandardCharsets.ISO_8859_1));
            }
            return;
        }
        LuaValue verbatim = t.rawget(VERBATIM);
        if (verbatim.istable() && verbatim.get(STRING).isstring() && verbatim.get(FORMAT).isstring()) {
            LuaString s = verbatim.get(STRING).checkstring();
            byte[] text = java.util.Arrays.copyOfRange(s.m_bytes, s.m_offset, s.m_offset + s.m_length);
            out.verbatim(text);
            return;
        }
        LuaValue map = t.rawget(MAP);
        if (map.istable()) {
            int pairs = 0;
            for (LuaValue k = map.next(LuaValue.NIL).arg1(); !k.isnil(); k = map.next(k).arg1()) {
                pairs++;
            }
            out.mapHeader(pairs);
            Varargs e = map.next(LuaValue.NIL);
            while (!e.arg1().isnil()) {
                write(e.arg1(), resp, out, depth + 1);
                write(e.arg(2), resp, out, depth + 1);
                e = map.next(e.arg1());
            }
            return;
        }
        LuaValue set = t.rawget(SET);
        if (set.istable()) {
            int count = 0;
            for (LuaValue k = set.next(LuaValue.NIL).arg1(); !k.isnil(); k = set.next(k).arg1()) {
                count++;
            }
            out.setHeader(count);
            for (LuaValue k = set.next(LuaValue.NIL).arg1(); !k.isnil(); k = set.next(k).arg1()) {
                write(k, resp, out, depth + 1);
            }
            return;
        }
        int n = 0;
        while (!t.rawget(n + 1).isnil()) {
            n++;
        }
        out.arrayHeader(n);
        for (int i = 1; i <= n; i++) {
            write(t.rawget(i), resp, out, depth + 1);
        }
    }

    /** C's cast of a double to long long, as Redis's (long long)lua_tonumber: truncation, saturated here. */
    static long toLong(double d) {
        return (long) d;
    }

    private static int lineEnd(byte[] b, int from) {
        int i = from;
        while (b[i] != '\r') {
            i++;
        }
        return i;
    }

    private static long parseLong(byte[] b, int from, int to) {
        return Long.parseLong(new String(b, from, to - from, StandardCharsets.US_ASCII));
    }

    private static double parseDouble(String s) {
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    /** Lua 5.1's number-to-string ("%.14g"), which Redis uses for numbers passed to redis.call. */
    static String numberText(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e14) {
            return Long.toString((long) d);
        }
        if (Double.isNaN(d)) {
            return d > 0 ? "nan" : "-nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        java.math.BigDecimal bd = new java.math.BigDecimal(d).round(new java.math.MathContext(14));
        int exponent = bd.precision() - bd.scale() - 1;
        if (exponent < -4 || exponent >= 14) {
            String digits = bd.unscaledValue().abs().toString().replaceAll("0+$", "");
            String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
            return (bd.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        }
        String plain = bd.toPlainString();
        return plain.contains(".") ? plain.replaceAll("0+$", "").replaceAll("\\.$", "") : plain;
    }
}
