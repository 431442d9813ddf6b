package io.shardloop.script;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;

import java.io.ByteArrayOutputStream;

/**
 * The {@code cjson} library as Redis embeds it (lua-cjson 2.1 with Redis's defaults):
 * {@code encode} (numbers as "%.14g", "/" escaped, a table with only positive integer keys an
 * array, holes as null, refused when excessively sparse, an empty table "{}"), {@code decode}
 * (numbers to Lua numbers, null to {@code cjson.null}), {@code null}, and the settings Redis's
 * tests use: {@code encode_max_depth}, {@code decode_max_depth} (1000), {@code encode_invalid_numbers}
 * (off: NaN and Inf refused; on: written "nan", "inf"; "null": written null) and
 * {@code encode_keep_buffer} (a memory choice: answered, changes nothing here). Not provided:
 * encode_sparse_array, encode_number_precision, decode_invalid_numbers. One per engine: its
 * settings last from script to script, as they do in Redis's one Lua state.
 */
final class Cjson {
    /** cjson.null: a value of its own, as Redis's NULL lightuserdata. */
    static final LuaValue NULL = new LuaUserdata(new Object());
    private static final int DEFAULT_DEPTH = 1000;

    private int encodeMaxDepth = DEFAULT_DEPTH;
    private int decodeMaxDepth = DEFAULT_DEPTH;
    /** 0: NaN and Inf refused; 1: written as C prints them; -1: written null (lua-cjson's values). */
    private int encodeInvalidNumbers;
    private boolean keepBuffer = true;

    /** A new library table, with lua-cjson's default settings. */
    static LuaTable library() {
        return new Cjson().table();
    }

    private LuaTable table() {
        LuaTable t = new LuaTable();
        t.rawset("encode", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                encode(v, out, 0);
                return LuaString.valueOf(out.toByteArray());
            }
        });
        t.rawset("decode", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                LuaString s = v.checkstring();
                Decoder d = new Decoder(s.m_bytes, s.m_offset, s.m_offset + s.m_length, decodeMaxDepth);
                d.space();
                LuaValue r = d.value(0);
                d.space();
                if (d.at < d.end) {
                    throw d.error("the end");
                }
                return r;
            }
        });
        t.rawset("null", NULL);
        t.rawset("encode_keep_buffer", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                if (!v.isnil()) {
                    keepBuffer = onOff(v, "encode_keep_buffer", false) == 1;
                }
                return LuaValue.valueOf(keepBuffer);
            }
        });
        t.rawset("encode_invalid_numbers", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                if (!v.isnil()) {
                    encodeInvalidNumbers = onOff(v, "encode_invalid_numbers", true);
                }
                return encodeInvalidNumbers < 0 ? LuaValue.valueOf("null") : LuaValue.valueOf(encodeInvalidNumbers == 1);
            }
        });
        t.rawset("encode_max_depth", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                if (!v.isnil()) {
                    encodeMaxDepth = depth(v, "encode_max_depth");
                }
                return LuaValue.valueOf(encodeMaxDepth);
            }
        });
        t.rawset("decode_max_depth", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                if (!v.isnil()) {
                    decodeMaxDepth = depth(v, "decode_max_depth");
                }
                return LuaValue.valueOf(decodeMaxDepth);
            }
        });
        return t;
    }

    /** lua-cjson's json_enum_option over off/on (and "null" where allowed): 0, 1 or -1. */
    private static int onOff(LuaValue v, String name, boolean allowsNull) {
        if (v.isboolean()) {
            return v.toboolean() ? 1 : 0;
        }
        if (v.type() == LuaValue.TSTRING) {
            switch (v.tojstring()) {
                case "off" -> { return 0; }
                case "on" -> { return 1; }
                case "null" -> {
                    if (allowsNull) {
                        return -1;
                    }
                }
                default -> { }
            }
        }
        throw new LuaError("bad argument #1 to '" + name + "' (invalid option '" + v.tojstring() + "')");
    }

    /** lua-cjson's json_integer_option for a depth: an integer from 1 to INT_MAX. */
    private static int depth(LuaValue v, String name) {
        if (!v.isnumber()) {
            throw new LuaError("bad argument #1 to '" + name + "' (number expected, got " + v.typename() + ")");
        }
        double d = v.todouble();
        if (d < 1 || d > Integer.MAX_VALUE) {
            throw new LuaError("bad argument #1 to '" + name + "' (expected integer between 1 and 2147483647)");
        }
        return (int) d;
    }

    private void encode(LuaValue v, ByteArrayOutputStream out, int depth) {
        switch (v.type()) {
            case LuaValue.TNIL -> ascii(out, "null");
            case LuaValue.TBOOLEAN -> ascii(out, v.toboolean() ? "true" : "false");
            case LuaValue.TNUMBER -> {
                double d = v.todouble();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    if (encodeInvalidNumbers == 0) {
                        throw new LuaError("Cannot serialise number: must not be NaN or Inf");
                    }
                    ascii(out, encodeInvalidNumbers < 0 ? "null" : Double.isNaN(d) ? "nan" : d > 0 ? "inf" : "-inf");
                } else {
                    ascii(out, LuaReplies.numberText(d));
                }
            }
            case LuaValue.TSTRING -> string((LuaString) v, out);
            case LuaValue.TTABLE -> table(v, out, depth + 1);
            default -> {
                if (v == NULL) {
                    ascii(out, "null");
                } else {
                    throw new LuaError("Cannot serialise " + v.typename() + ": type not supported");
                }
            }
        }
    }

    private void table(LuaValue t, ByteArrayOutputStream out, int depth) {
        if (depth > encodeMaxDepth) {
            throw new LuaError("Cannot serialise, excessive nesting (" + depth + ")");
        }
        int items = 0;
        long max = 0;
        boolean array = true;
        for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
            LuaValue k = e.arg1();
            items++;
            double d = k.isnumber() && k.type() == LuaValue.TNUMBER ? k.todouble() : -1;
            if (d >= 1 && d == Math.floor(d)) {
                max = Math.max(max, (long) d);
            } else {
                array = false;
            }
        }
        if (array && max > 10 && max > items * 2L) {
            throw new LuaError("Cannot serialise table: excessively sparse array");
        }
        if (array && items > 0) {
            out.write('[');
            for (long i = 1; i <= max; i++) {
                if (i > 1) {
                    out.write(',');
                }
                encode(t.rawget((int) i), out, depth);
            }
            out.write(']');
            return;
        }
        out.write('{');
        boolean first = true;
        for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
            LuaValue k = e.arg1();
            if (!first) {
                out.write(',');
            }
            first = false;
            if (k.type() == LuaValue.TSTRING) {
                string((LuaString) k, out);
            } else if (k.type() == LuaValue.TNUMBER) {
                string(LuaString.valueOf(LuaReplies.numberText(k.todouble())), out);
            } else {
                throw new LuaError("Cannot serialise table: table key must be a number or string");
            }
            out.write(':');
            encode(e.arg(2), out, depth);
        }
        out.write('}');
    }

    private static void string(LuaString s, ByteArrayOutputStream out) {
        out.write('"');
        for (int i = 0; i < s.m_length; i++) {
            int c = s.m_bytes[s.m_offset + i] & 0xff;
            switch (c) {
                case '"' -> ascii(out, "\\\"");
                case '\\' -> ascii(out, "\\\\");
                case '/' -> ascii(out, "\\/");
                case '\b' -> ascii(out, "\\b");
                case '\f' -> ascii(out, "\\f");
                case '\n' -> ascii(out, "\\n");
                case '\r' -> ascii(out, "\\r");
                case '\t' -> ascii(out, "\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        ascii(out, String.format("\\u%04x", c));
                    } else {
                        out.write(c);
                    }
                }
            }
        }
        out.write('"');
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        for (int i = 0; i < s.length(); i++) {
            out.write(s.charAt(i));
        }
    }

    /** A recursive-descent JSON reader over bytes. */
    private static final class Decoder {
        final byte[] b;
        int at;
        final int end;
        final int start;
        final int maxDepth;

        Decoder(byte[] b, int at, int end, int maxDepth) {
            this.b = b;
            this.at = at;
            this.end = end;
            this.start = at;
            this.maxDepth = maxDepth;
        }

        LuaError error(String expected) {
            return new LuaError("Expected " + expected + " but found invalid token at character " + (at - start + 1));
        }

        /** lua-cjson's json_decode_descend: an object or array opening at {@code at}, this deep. */
        void descend(int depth) {
            if (depth > maxDepth) {
                throw new LuaError("Found too many nested data structures (" + depth + ") at character " + (at - start + 1));
            }
        }

        void space() {
            while (at < end && (b[at] == ' ' || b[at] == '\t' || b[at] == '\n' || b[at] == '\r')) {
                at++;
            }
        }

        /** One value, inside {@code depth} objects and arrays. */
        LuaValue value(int depth) {
            if (at >= end) {
                throw error("value");
            }
            byte c = b[at];
            switch (c) {
                case '{' -> {
                    descend(depth + 1);
                    at++;
                    LuaTable t = new LuaTable();
                    space();
                    if (at < end && b[at] == '}') {
                        at++;
                        return t;
                    }
                    while (true) {
                        space();
                        if (at >= end || b[at] != '"') {
                            throw error("object key string");
                        }
                        LuaValue k = string();
                        space();
                        if (at >= end || b[at] != ':') {
                            throw error("colon");
                        }
                        at++;
                        space();
                        t.rawset(k, value(depth + 1));
                        space();
                        if (at < end && b[at] == ',') {
                            at++;
                        } else if (at < end && b[at] == '}') {
                            at++;
                            return t;
                        } else {
                            throw error("comma or object end");
                        }
                    }
                }
                case '[' -> {
                    descend(depth + 1);
                    at++;
                    LuaTable t = new LuaTable();
                    space();
                    if (at < end && b[at] == ']') {
                        at++;
                        return t;
                    }
                    for (int i = 1; ; i++) {
                        space();
                        t.rawset(i, value(depth + 1));
                        space();
                        if (at < end && b[at] == ',') {
                            at++;
                        } else if (at < end && b[at] == ']') {
                            at++;
                            return t;
                        } else {
                            throw error("comma or array end");
                        }
                    }
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (word("true")) {
                        return LuaValue.TRUE;
                    }
                    if (word("false")) {
                        return LuaValue.FALSE;
                    }
                    if (word("null")) {
                        return NULL;
                    }
                    int from = at;
                    while (at < end && "+-0123456789.eE".indexOf(b[at]) >= 0) {
                        at++;
                    }
                    try {
                        return LuaValue.valueOf(Double.parseDouble(new String(b, from, at - from,
                                java.nio.charset.StandardCharsets.US_ASCII)));
                    } catch (NumberFormatException e) {
                        at = from;
                        throw error("value");
                    }
                }
            }
        }

        private boolean word(String w) {
            if (end - at < w.length()) {
                return false;
            }
            for (int i = 0; i < w.length(); i++) {
                if (b[at + i] != w.charAt(i)) {
                    return false;
                }
            }
            at += w.length();
            return true;
        }

        private LuaValue string() {
            at++;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (at >= end) {
                    throw error("string end");
                }
                byte c = b[at++];
                if (c == '"') {
                    return LuaString.valueOf(out.toByteArray());
                }
                if (c != '\\') {
                    out.write(c);
                    continue;
                }
                if (at >= end) {
                    throw error("escape");
                }
                byte e = b[at++];
                switch (e) {
                    case 'b' -> out.write('\b');
                    case 'f' -> out.write('\f');
                    case 'n' -> out.write('\n');
                    case 'r' -> out.write('\r');
                    case 't' -> out.write('\t');
                    case 'u' -> {
                        if (end - at < 4) {
                            throw error("unicode escape");
                        }
                        int cp = Integer.parseInt(new String(b, at, 4, java.nio.charset.StandardCharsets.US_ASCII), 16);
                        at += 4;
                        byte[] utf8 = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        out.write(utf8, 0, utf8.length);
                    }
                    default -> out.write(e);
                }
            }
        }
    }
}
