package io.shardloop.script;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * {@code string.format} as Lua 5.1's (C's printf): LuaJ 3.0.1 leaves the floating-point
 * conversions unwritten (it prints {@code 1.5} for {@code %5.2f}), so the whole function is here:
 * flags, width and precision for {@code d i u c o x X e E f g G s q %}. Stateless.
 */
final class StringFormat extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
        LuaString fmt = args.checkstring(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int arg = 1;
        int n = fmt.m_length;
        for (int i = 0; i < n; i++) {
            int c = fmt.luaByte(i);
            if (c != '%') {
                out.write(c);
                continue;
            }
            if (++i >= n) {
                throw new LuaError("invalid option '%' to 'format'");
            }
            if (fmt.luaByte(i) == '%') {
                out.write('%');
                continue;
            }
            int start = i;
            while (i < n && "-+ #0".indexOf(fmt.luaByte(i)) >= 0) {
                i++;
            }
            while (i < n && Character.isDigit(fmt.luaByte(i))) {
                i++;
            }
            if (i < n && fmt.luaByte(i) == '.') {
                i++;
                while (i < n && Character.isDigit(fmt.luaByte(i))) {
                    i++;
                }
            }
            if (i >= n) {
                throw new LuaError("invalid format (missing conversion)");
            }
            String spec = fmt.substring(start, i).tojstring();
            char conversion = (char) fmt.luaByte(i);
            arg++;
            String text = switch (conversion) {
                case 'd', 'i' -> String.format(Locale.ROOT, "%" + spec + "d", (long) args.checkdouble(arg));
                case 'u' -> String.format(Locale.ROOT, "%" + spec + "d", (long) args.checkdouble(arg));
                case 'c' -> String.valueOf((char) (args.checkint(arg) & 0xff));
                case 'o', 'x', 'X' -> String.format(Locale.ROOT, "%" + spec + conversion, (long) args.checkdouble(arg));
                case 'e', 'E', 'f' -> finite(args.checkdouble(arg), spec, conversion);
                case 'g', 'G' -> general(args.checkdouble(arg), spec, conversion == 'G');
                case 's' -> String.format(Locale.ROOT, "%" + spec + "s", args.checkstring(arg).tojstring());
                case 'q' -> quoted(args.checkstring(arg));
                default -> throw new LuaError("invalid option '%" + conversion + "' to 'format'");
            };
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            out.write(bytes, 0, bytes.length);
        }
        return LuaString.valueOf(out.toByteArray());
    }

    private static String finite(double d, String spec, char conversion) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            String t = Double.isNaN(d) ? "nan" : d > 0 ? "inf" : "-inf";
            return String.format(Locale.ROOT, "%" + spec.replace("0", "").replaceAll("\\.\\d*", "") + "s", t);
        }
        return String.format(Locale.ROOT, "%" + spec + conversion, d);
    }

    /** C's %g: %e or %f by the exponent, trailing zeros removed unless '#'. */
    private static String general(double d, String spec, boolean upper) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return finite(d, spec, 'f');
        }
        int dot = spec.indexOf('.');
        int precision = dot < 0 ? 6 : dot + 1 == spec.length() ? 0 : Integer.parseInt(spec.substring(dot + 1));
        precision = Math.max(precision, 1);
        String head = dot < 0 ? spec : spec.substring(0, dot);
        boolean alternate = head.contains("#");
        int exponent = d == 0 ? 0 : new java.math.BigDecimal(d).round(new java.math.MathContext(precision)).precision()
                - new java.math.BigDecimal(d).round(new java.math.MathContext(precision)).scale() - 1;
        String body;
        if (exponent < -4 || exponent >= precision) {
            body = String.format(Locale.ROOT, "%." + (precision - 1) + "e", Math.abs(d));
            if (!alternate) {
                body = body.replaceAll("\\.?0+e", "e");
            }
        } else {
            body = String.format(Locale.ROOT, "%." + (precision - 1 - exponent) + "f", Math.abs(d));
            if (!alternate && body.contains(".")) {
                body = body.replaceAll("\\.?0+$", "");
            }
        }
        String sign = d < 0 || d == 0 && 1 / d < 0 ? "-" : head.contains("+") ? "+" : head.contains(" ") ? " " : "";
        String text = sign + (upper ? body.toUpperCase(Locale.ROOT) : body);
        String width = head.replaceAll("[-+ #0]", "");
        if (!width.isEmpty() && text.length() < Integer.parseInt(width)) {
            int pad = Integer.parseInt(width) - text.length();
            if (head.contains("-")) {
                text = text + " ".repeat(pad);
            } else if (head.contains("0")) {
                text = sign + "0".repeat(pad) + text.substring(sign.length());
            } else {
                text = " ".repeat(pad) + text;
            }
        }
        return text;
    }

    private static String quoted(LuaString s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.m_length; i++) {
            int c = s.luaByte(i);
            switch (c) {
                case '"', '\\', '\n' -> b.append('\\').append((char) c);
                case '\r' -> b.append("\\r");
                case 0 -> b.append("\\000");
                default -> b.append((char) c);
            }
        }
        return b.append('"').toString();
    }

    static LuaValue install(LuaValue stringLibrary) {
        stringLibrary.rawset("format", new StringFormat());
        return stringLibrary;
    }
}
