package io.shardloop.script;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cmsgpack} library as Redis embeds it (lua-cmsgpack 0.4): {@code pack(...)} writes
 * each value as MessagePack (integers in the smallest form, other numbers as float when exact,
 * else double; strings as str8, str16 or str32 by length; a table with keys 1..n an array, else a map), {@code unpack}
 * reads every value back, {@code unpack_one(s [, offset])} and {@code unpack_limit(s, n [, offset])}
 * read one or n values from an offset and answer the next offset first (-1 at the end). Stateless.
 */
final class Cmsgpack {
    private static final int MAX_DEPTH = 16;

    private Cmsgpack() {
    }

    static LuaTable library() {
        LuaTable t = new LuaTable();
        t.rawset("pack", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                if (args.narg() == 0) {
                    throw new LuaError("MessagePack pack needs input.");
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int i = 1; i <= args.narg(); i++) {
                    pack(args.arg(i), out, 0);
                }
                return LuaString.valueOf(out.toByteArray());
            }
        });
        t.rawset("unpack", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                return unpackFull(args.checkstring(1), 0, 0);
            }
        });
        t.rawset("unpack_one", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                return unpackFull(args.checkstring(1), 1, args.optint(2, 0));
            }
        });
        t.rawset("unpack_limit", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                return unpackFull(args.checkstring(1), args.checkint(2), args.optint(3, 0));
            }
        });
        return t;
    }

    /**
     * lua-cmsgpack's mp_unpack_full: up to {@code limit} values from {@code offset} on (both 0:
     * every value, as unpack), and, unless every value was asked for, first the offset of the next
     * value, or -1 at the end of the input.
     */
    private static Varargs unpackFull(LuaString s, int limit, int offset) {
        if (offset < 0 || limit < 0) {
            throw new LuaError("Invalid request to unpack with offset of " + offset + " and limit of " + s.m_length + ".");
        }
        if (offset > s.m_length) {
            throw new LuaError("Start offset " + offset + " greater than input length " + s.m_length + ".");
        }
        boolean all = limit == 0 && offset == 0;
        int[] at = {s.m_offset + offset};
        int end = s.m_offset + s.m_length;
        List<LuaValue> values = new ArrayList<>();
        if (!all) {
            values.add(LuaValue.NIL); // the next offset, once known
        }
        for (int n = 0; at[0] < end && (all || n < limit); n++) {
            values.add(unpack(s.m_bytes, at, end));
        }
        if (!all) {
            values.set(0, LuaValue.valueOf(at[0] == end ? -1 : at[0] - s.m_offset));
        }
        return LuaValue.varargsOf(values.toArray(new LuaValue[0]));
    }

    static void pack(LuaValue v, ByteArrayOutputStream out, int depth) {
        switch (v.type()) {
            case LuaValue.TNIL -> out.write(0xc0);
            case LuaValue.TBOOLEAN -> out.write(v.toboolean() ? 0xc3 : 0xc2);
            case LuaValue.TNUMBER -> number(v.todouble(), out);
            case LuaValue.TSTRING -> {
                LuaString s = (LuaString) v;
                int n = s.m_length;
                if (n < 32) {
                    out.write(0xa0 | n);
                } else if (n <= 0xff) {
                    out.write(0xd9);
                    be(out, n, 1);
                } else if (n <= 0xffff) {
                    out.write(0xda);
                    be(out, n, 2);
                } else {
                    out.write(0xdb);
                    be(out, n, 4);
                }
                out.write(s.m_bytes, s.m_offset, n);
            }
            case LuaValue.TTABLE -> {
                if (depth >= MAX_DEPTH) {
                    out.write(0xc0);
                    return;
                }
                int count = 0;
                long max = 0;
                boolean array = true;
                for (Varargs e = v.next(LuaValue.NIL); !e.arg1().isnil(); e = v.next(e.arg1())) {
                    count++;
                    LuaValue k = e.arg1();
                    double d = k.type() == LuaValue.TNUMBER ? k.todouble() : -1;
                    if (d >= 1 && d == Math.floor(d)) {
                        max = Math.max(max, (long) d);
                    } else {
                        array = false;
                    }
                }
                if (array && max == count) {
                    header(out, count, 0x90, 0xdc, 0xdd);
                    for (int i = 1; i <= count; i++) {
                        pack(v.rawget(i), out, depth + 1);
                    }
                } else {
                    header(out, count, 0x80, 0xde, 0xdf);
                    for (Varargs e = v.next(LuaValue.NIL); !e.arg1().isnil(); e = v.next(e.arg1())) {
                        pack(e.arg1(), out, depth + 1);
                        pack(e.arg(2), out, depth + 1);
                    }
                }
            }
            default -> out.write(0xc0);
        }
    }

    private static void header(ByteArrayOutputStream out, int count, int fix, int sixteen, int thirtyTwo) {
        if (count < 16) {
            out.write(fix | count);
        } else if (count <= 0xffff) {
            out.write(sixteen);
            be(out, count, 2);
        } else {
            out.write(thirtyTwo);
            be(out, count, 4);
        }
    }

    private static void number(double d, ByteArrayOutputStream out) {
        if (d == Math.floor(d) && !Double.isInfinite(d) && Math.abs(d) < 9.2e18) {
            long n = (long) d;
            if (n >= 0) {
                if (n < 128) {
                    out.write((int) n);
                } else if (n <= 0xff) {
                    out.write(0xcc);
                    be(out, n, 1);
                } else if (n <= 0xffff) {
                    out.write(0xcd);
                    be(out, n, 2);
                } else if (n <= 0xffffffffL) {
                    out.write(0xce);
                    be(out, n, 4);
                } else {
                    out.write(0xcf);
                    be(out, n, 8);
                }
            } else if (n >= -32) {
                out.write((int) (n & 0xff));
            } else if (n >= -128) {
                out.write(0xd0);
                be(out, n, 1);
            } else if (n >= -32768) {
                out.write(0xd1);
                be(out, n, 2);
            } else if (n >= Integer.MIN_VALUE) {
                out.write(0xd2);
                be(out, n, 4);
            } else {
                out.write(0xd3);
                be(out, n, 8);
            }
        } else if ((float) d == d) {
            out.write(0xca);
            be(out, Float.floatToIntBits((float) d), 4);
        } else {
            out.write(0xcb);
            be(out, Double.doubleToLongBits(d), 8);
        }
    }

    private static void be(ByteArrayOutputStream out, long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    private static long read(byte[] b, int[] at, int end, int bytes) {
        if (at[0] + bytes > end) {
            throw new LuaError("Missing bytes in input.");
        }
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = v << 8 | b[at[0]++] & 0xff;
        }
        return v;
    }

    static LuaValue unpack(byte[] b, int[] at, int end) {
        int c = (int) read(b, at, end, 1);
        if (c < 0x80) {
            return LuaValue.valueOf(c);
        }
        if (c >= 0xe0) {
            return LuaValue.valueOf(c - 256);
        }
        if ((c & 0xe0) == 0xa0) {
            return bytes(b, at, end, c & 0x1f);
        }
        if ((c & 0xf0) == 0x90) {
            return array(b, at, end, c & 0x0f);
        }
        if ((c & 0xf0) == 0x80) {
            return map(b, at, end, c & 0x0f);
        }
        return switch (c) {
            case 0xc0 -> LuaValue.NIL;
            case 0xc2 -> LuaValue.FALSE;
            case 0xc3 -> LuaValue.TRUE;
            case 0xca -> LuaValue.valueOf(Float.intBitsToFloat((int) read(b, at, end, 4)));
            case 0xcb -> LuaValue.valueOf(Double.longBitsToDouble(read(b, at, end, 8)));
            case 0xcc -> LuaValue.valueOf(read(b, at, end, 1));
            case 0xcd -> LuaValue.valueOf(read(b, at, end, 2));
            case 0xce -> LuaValue.valueOf(read(b, at, end, 4));
            case 0xcf -> LuaValue.valueOf((double) read(b, at, end, 8));
            case 0xd0 -> LuaValue.valueOf((byte) read(b, at, end, 1));
            case 0xd1 -> LuaValue.valueOf((short) read(b, at, end, 2));
            case 0xd2 -> LuaValue.valueOf((int) read(b, at, end, 4));
            case 0xd3 -> LuaValue.valueOf((double) read(b, at, end, 8));
            case 0xd9, 0xc4 -> bytes(b, at, end, (int) read(b, at, end, 1));
            case 0xda, 0xc5 -> bytes(b, at, end, (int) read(b, at, end, 2));
            case 0xdb, 0xc6 -> bytes(b, at, end, (int) read(b, at, end, 4));
            case 0xdc -> array(b, at, end, (int) read(b, at, end, 2));
            case 0xdd -> array(b, at, end, (int) read(b, at, end, 4));
            case 0xde -> map(b, at, end, (int) read(b, at, end, 2));
            case 0xdf -> map(b, at, end, (int) read(b, at, end, 4));
            default -> throw new LuaError("Bad data format in input.");
        };
    }

    private static LuaValue bytes(byte[] b, int[] at, int end, int n) {
        if (n < 0 || at[0] + n > end) {
            throw new LuaError("Missing bytes in input.");
        }
        LuaValue s = LuaString.valueOf(java.util.Arrays.copyOfRange(b, at[0], at[0] + n));
        at[0] += n;
        return s;
    }

    private static LuaValue array(byte[] b, int[] at, int end, int n) {
        LuaTable t = new LuaTable();
        for (int i = 1; i <= n; i++) {
            t.rawset(i, unpack(b, at, end));
        }
        return t;
    }

    private static LuaValue map(byte[] b, int[] at, int end, int n) {
        LuaTable t = new LuaTable();
        for (int i = 0; i < n; i++) {
            LuaValue k = unpack(b, at, end);
            LuaValue v = unpack(b, at, end);
            if (!k.isnil()) {
                t.rawset(k, v);
            }
        }
        return t;
    }
}
