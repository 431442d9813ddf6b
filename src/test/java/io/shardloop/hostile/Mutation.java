package io.shardloop.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One change to valid protocol bytes, the kinds a fuzzer of wire formats finds most: flip a byte,
 * insert or delete one, duplicate or cut a range, or replace a run of digits with a huge or
 * negative number (a declared size the sender will never honour).
 */
record Mutation(Kind kind, int at, int length, byte value) {
    enum Kind { FLIP, INSERT, DELETE, DUPLICATE, TRUNCATE, HUGE_NUMBER, NEGATIVE_NUMBER, CRLF }

    private static final String[] HUGE = {"2147483647", "2147483648", "9223372036854775807", "99999999999999999999",
        "536870912", "1048577", "4294967296", "7fffffffffffffff", "ffffffff"};

    static Mutation any(SplittableRandom r) {
        Kind[] kinds = Kind.values();
        return new Mutation(kinds[r.nextInt(kinds.length)], r.nextInt(1 << 16), 1 + r.nextInt(64),
                (byte) r.nextInt(256));
    }

    /** One to four mutations. */
    static List<Mutation> some(SplittableRandom r) {
        List<Mutation> list = new ArrayList<>();
        for (int i = 1 + r.nextInt(4); i > 0; i--) {
            list.add(any(r));
        }
        return list;
    }

    static byte[] applyAll(byte[] input, List<Mutation> mutations) {
        byte[] out = input;
        for (Mutation m : mutations) {
            out = m.apply(out);
        }
        return out;
    }

    byte[] apply(byte[] in) {
        if (in.length == 0) {
            return new byte[] {value};
        }
        int i = at % in.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 32);
        switch (kind) {
            case FLIP -> {
                byte[] copy = in.clone();
                copy[i] = (byte) (copy[i] ^ (value == 0 ? 1 : value));
                return copy;
            }
            case INSERT -> {
                out.write(in, 0, i);
                out.write(value);
                out.write(in, i, in.length - i);
            }
            case DELETE -> {
                int n = Math.min(length, in.length - i);
                out.write(in, 0, i);
                out.write(in, i + n, in.length - i - n);
            }
            case DUPLICATE -> {
                int n = Math.min(length, in.length - i);
                out.write(in, 0, i + n);
                out.write(in, i, in.length - i);
            }
            case TRUNCATE -> {
                return java.util.Arrays.copyOf(in, i);
            }
            case CRLF -> {
                out.write(in, 0, i);
                out.write('\r');
                out.write('\n');
                out.write(in, i, in.length - i);
            }
            case HUGE_NUMBER, NEGATIVE_NUMBER -> {
                int d = firstDigitFrom(in, i);
                if (d < 0) {
                    return in;
                }
                int end = d;
                while (end < in.length && Character.isDigit(in[end])) {
                    end++;
                }
                String number = kind == Kind.HUGE_NUMBER ? HUGE[(length & 0x7fffffff) % HUGE.length] : "-" + length;
                out.write(in, 0, d);
                out.writeBytes(number.getBytes(StandardCharsets.US_ASCII));
                out.write(in, end, in.length - end);
            }
        }
        return out.toByteArray();
    }

    private static int firstDigitFrom(byte[] in, int from) {
        for (int k = 0; k < in.length; k++) {
            int j = (from + k) % in.length;
            if (Character.isDigit(in[j])) {
                return j;
            }
        }
        return -1;
    }
}
