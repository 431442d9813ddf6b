package io.shardloop.script;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code bit} library of LuaBitOp, which Redis embeds: 32-bit operations on numbers
 * (tobit, tohex, bnot, band, bor, bxor, lshift, rshift, arshift, rol, ror, bswap), results signed.
 * Stateless.
 */
final class BitOps {
    private BitOps() {
    }

    static LuaTable library() {
        LuaTable t = new LuaTable();
        String[] names = {"tobit", "bnot", "band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror",
            "bswap", "tohex"};
        for (int i = 0; i < names.length; i++) {
            t.rawset(names[i], new Op(i));
        }
        return t;
    }

    /** LuaBitOp's conversion: the number modulo 2^32, as a signed 32-bit integer. */
    static int bits(LuaValue v) {
        double d = v.checkdouble();
        return (int) (long) (d >= 0 ? Math.floor(d + 0.5) : Math.ceil(d - 0.5));
    }

    private static final class Op extends VarArgFunction {
        private final int op;

        Op(int op) {
            this.op = op;
        }

        @Override
        public Varargs invoke(Varargs a) {
            int x = bits(a.arg1());
            if (op == 11) {
                int n = a.isnoneornil(2) ? 8 : bits(a.arg(2));
                boolean upper = n < 0;
                n = Math.min(Math.abs(n), 8);
                String hex = String.format("%08x", x).substring(8 - n);
                return valueOf(upper ? hex.toUpperCase(java.util.Locale.ROOT) : hex);
            }
            int r = switch (op) {
                case 0 -> x;
                case 1 -> ~x;
                case 2, 3, 4 -> {
                    int acc = x;
                    for (int i = 2; i <= a.narg(); i++) {
                        int y = bits(a.arg(i));
                        acc = op == 2 ? acc & y : op == 3 ? acc | y : acc ^ y;
                    }
                    yield acc;
                }
                case 5 -> x << (bits(a.arg(2)) & 31);
                case 6 -> x >>> (bits(a.arg(2)) & 31);
                case 7 -> x >> (bits(a.arg(2)) & 31);
                case 8 -> Integer.rotateLeft(x, bits(a.arg(2)) & 31);
                case 9 -> Integer.rotateRight(x, bits(a.arg(2)) & 31);
                default -> Integer.reverseBytes(x);
            };
            return valueOf(r);
        }
    }
}
