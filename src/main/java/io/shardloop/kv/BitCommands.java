package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.Numbers;
import io.shardloop.resp.codec.ReplySink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.shardloop.kv.Db.NO_EXPIRY;

/**
 * Bit commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITFIELD, BITFIELD_RO and BITOP
 * (over several keys: it runs whole on a keyspace holding all of them). Bit 0
 * is the most significant bit of byte 0, as in Redis. Stateless: every method works on the
 * {@link Db} it is given, and a changed string is always a new array, never the old one changed in
 * place, since in the concurrent mode another thread may still be reading the old one.
 */
final class BitCommands {
    /**
     * The bytes a bit offset may address: Redis's default proto-max-bulk-len, 512 MB, so bit
     * offsets run from 0 to 2^32 - 1.
     */
    private static final long MAX_STRING_BYTES = 512L * 1024 * 1024;
    private static final byte[] BAD_OFFSET = encoded("-ERR bit offset is not an integer or out of range");
    private static final byte[] BAD_BIT = encoded("-ERR bit is not an integer or out of range");
    private static final byte[] BIT_NOT_0_OR_1 = encoded("-ERR The bit argument must be 1 or 0.");
    private static final byte[] BAD_BITFIELD_TYPE = encoded("-ERR Invalid bitfield type. Use something like"
            + " i16 u8. Note that u64 is not supported but i64 is.");
    private static final byte[] BAD_OVERFLOW = encoded("-ERR Invalid OVERFLOW type specified");
    private static final byte[] READONLY_GET_ONLY = encoded("-ERR BITFIELD_RO only supports the GET subcommand");
    private static final VarHandle LONG_BIG_ENDIAN =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private static final int WRAP = 0;
    private static final int SAT = 1;
    private static final int FAIL = 2;

    private static final byte[] NOT_SINGLE_SOURCE = encoded("-ERR BITOP NOT must be called with a single source key.");
    private static final int AND = 0;
    private static final int OR = 1;
    private static final int XOR = 2;
    private static final int NOT = 3;

    private BitCommands() {
    }

    /**
     * BITOP AND|OR|XOR|NOT destkey key [key ...]: the result, as long as the longest source (a
     * missing key and the bytes past a shorter one read as zeros), replaces destkey without its
     * deadline, or deletes it when every source is empty; replies the result's length.
     */
    static void bitop(Db db, CommandArgs a, ReplySink out) {
        int op = a.is(1, "AND") ? AND : a.is(1, "OR") ? OR : a.is(1, "XOR") ? XOR : a.is(1, "NOT") ? NOT : -1;
        if (op < 0) {
            out.raw(Errors.SYNTAX);
            return;
        }
        if (op == NOT && a.count() != 4) {
            out.raw(NOT_SINGLE_SOURCE);
            return;
        }
        byte[][] sources = new byte[a.count() - 3][];
        int longest = 0;
        for (int i = 0; i < sources.length; i++) {
            Object v = db.get(db.probe(0, a, i + 3));
            if (v != null && !(v instanceof byte[])) {
                out.raw(Errors.WRONGTYPE);
                return;
            }
            sources[i] = v == null ? new byte[0] : (byte[]) v;
            longest = Math.max(longest, sources[i].length);
        }
        Key dest = db.probe(0, a, 2);
        if (longest == 0) {
            if (db.remove(dest)) {
                db.notify(KeyspaceEvents.GENERIC, "del", dest);
            }
            out.integer(0);
            return;
        }
        byte[] result = new byte[longest];
        for (int j = 0; j < longest; j++) {
            int b = byteAt(sources[0], j);
            if (op == NOT) {
                b = ~b;
            }
            for (int i = 1; i < sources.length; i++) {
                int next = byteAt(sources[i], j);
                b = op == AND ? b & next : op == OR ? b | next : b ^ next;
            }
            result[j] = (byte) b;
        }
        db.put(dest, result, NO_EXPIRY);
        db.notify(KeyspaceEvents.STRING, "set", dest);
        out.integer(longest);
    }

    private static int byteAt(byte[] s, int j) {
        return j < s.length ? s[j] & 0xff : 0;
    }

    /** SETBIT key offset 0|1: the bit's old value; the string grows with zero bytes to reach it. */
    static void setbit(Db db, CommandArgs a, ReplySink out) {
        long offset = bitOffset(a, 2, 0, out);
        if (offset < 0) {
            return;
        }
        if (!a.isLong(3) || (a.parseLong(3, 0) & ~1L) != 0) {
            out.raw(BAD_BIT);
            return;
        }
        boolean on = a.parseLong(3, 0) == 1;
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v != null && !(v instanceof byte[])) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        byte[] s = (byte[]) v;
        int index = (int) (offset >>> 3);
        int mask = 1 << (7 - (int) (offset & 7));
        boolean was = s != null && index < s.length && (s[index] & mask) != 0;
        if (s == null || index >= s.length || was != on) {
            byte[] next = grownCopy(s, index + 1);
            next[index] = (byte) (on ? next[index] | mask : next[index] & ~mask);
            store(db, key, s, next);
            db.notify(KeyspaceEvents.STRING, "setbit", key);
        }
        out.integer(was ? 1 : 0);
    }

    /** GETBIT key offset: 0 past the end of the string or for a missing key. */
    static void getbit(Db db, CommandArgs a, ReplySink out) {
        long offset = bitOffset(a, 2, 0, out);
        if (offset < 0) {
            return;
        }
        Object v = db.get(db.probe(0, a, 1));
        if (v != null && !(v instanceof byte[])) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        out.integer(v == null ? 0 : bit((byte[]) v, offset));
    }

    /**
     * BITCOUNT key [start end [BYTE | BIT]]: set bits in the inclusive range, negative indexes from
     * the end. A missing key counts 0 before its arguments are read, as in Redis.
     */
    static void bitcount(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        if (!(v instanceof byte[] s)) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        int n = a.count();
        if (n == 2) {
            out.integer(popcount(s, 0, s.length));
            return;
        }
        if (n != 4 && n != 5) {
            out.raw(Errors.SYNTAX);
            return;
        }
        if (!a.isLong(2) || !a.isLong(3)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long start = a.parseLong(2, 0);
        long end = a.parseLong(3, 0);
        // Redis answers 0 here before it reads the unit, whatever that is.
        if (start < 0 && end < 0 && start > end) {
            out.integer(0);
            return;
        }
        boolean inBits = false;
        if (n == 5) {
            if (a.is(4, "BIT")) {
                inBits = true;
            } else if (!a.is(4, "BYTE")) {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        long total = inBits ? s.length * 8L : s.length;
        start = clampIndex(start, total);
        end = Math.min(clampIndex(end, total), total - 1);
        if (start > end) {
            out.integer(0);
        } else if (!inBits) {
            out.integer(popcount(s, (int) start, (int) (end - start + 1)));
        } else {
            int first = (int) (start >>> 3);
            int last = (int) (end >>> 3);
            int before = ~((1 << (8 - (int) (start & 7))) - 1) & 0xFF;
            int after = (1 << (7 - (int) (end & 7))) - 1;
            out.integer(popcount(s, first, last - first + 1)
                    - Integer.bitCount(s[first] & before) - Integer.bitCount(s[last] & after));
        }
    }

    /**
     * BITPOS key bit [start [end [BYTE | BIT]]]: the first bit of the given value in the range, or
     * -1. Looking for 0 without an end, the bits past the string count as 0, as in Redis.
     */
    static void bitpos(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long bit = a.parseLong(2, 0);
        if (bit != 0 && bit != 1) {
            out.raw(BIT_NOT_0_OR_1);
            return;
        }
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(bit == 1 ? -1 : 0);
            return;
        }
        if (!(v instanceof byte[] s)) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        int n = a.count();
        if (n > 6) {
            out.raw(Errors.SYNTAX);
            return;
        }
        long start = 0;
        long end = s.length - 1L;
        boolean inBits = false;
        boolean endGiven = n >= 5;
        if (n >= 4) {
            if (!a.isLong(3)) {
                out.raw(Errors.NOT_INTEGER);
                return;
            }
            start = a.parseLong(3, 0);
            if (n == 6) {
                if (a.is(5, "BIT")) {
                    inBits = true;
                } else if (!a.is(5, "BYTE")) {
                    out.raw(Errors.SYNTAX);
                    return;
                }
            }
            if (endGiven) {
                if (!a.isLong(4)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
                end = a.parseLong(4, 0);
            }
            long total = inBits ? s.length * 8L : s.length;
            start = clampIndex(start, total);
            end = Math.min(clampIndex(end, total), total - 1);
        }
        if (start > end) {
            out.integer(-1);
            return;
        }
        long firstBit = inBits ? start : start * 8;
        long lastBit = inBits ? end : end * 8 + 7;
        long found = firstBit(s, firstBit, lastBit, bit == 1);
        if (found < 0 && bit == 0 && !endGiven) {
            found = lastBit + 1;
        }
        out.integer(found);
    }

    static void bitfield(Db db, CommandArgs a, ReplySink out) {
        bitfield(db, a, false, out);
    }

    static void bitfieldRo(Db db, CommandArgs a, ReplySink out) {
        bitfield(db, a, true, out);
    }

    /**
     * BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment |
     * OVERFLOW WRAP|SAT|FAIL]...: every operation is checked before any runs (a first pass that
     * replies the first error), then they run in order on one copy of the string, grown to the
     * farthest bit any SET or INCRBY reaches.
     */
    private static void bitfield(Db db, CommandArgs a, boolean readOnlyCommand, ReplySink out) {
        int operations = 0;
        boolean writes = false;
        long lastWrittenBit = 0;
        for (int i = 2; i < a.count(); i++) {
            int left = a.count() - i - 1;
            boolean get = a.is(i, "GET") && left >= 2;
            if (a.is(i, "OVERFLOW") && left >= 1) {
                if (overflowType(a, ++i) < 0) {
                    out.raw(BAD_OVERFLOW);
                    return;
                }
                continue;
            }
            if (!get && !((a.is(i, "SET") || a.is(i, "INCRBY")) && left >= 3)) {
                out.raw(Errors.SYNTAX);
                return;
            }
            int bits = bitfieldType(a, i + 1);
            if (bits == 0) {
                out.raw(BAD_BITFIELD_TYPE);
                return;
            }
            long offset = bitOffset(a, i + 2, Math.abs(bits), out);
            if (offset < 0) {
                return;
            }
            if (!get) {
                writes = true;
                lastWrittenBit = Math.max(lastWrittenBit, offset + Math.abs(bits) - 1);
                if (!a.isLong(i + 3)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
            }
            operations++;
            i += get ? 2 : 3;
        }
        if (writes && readOnlyCommand) {
            out.raw(READONLY_GET_ONLY);
            return;
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v != null && !(v instanceof byte[])) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        byte[] old = (byte[]) v;
        byte[] s = old;
        if (writes) {
            // Made (or grown) even when every write fails its overflow check, as in Redis.
            s = grownCopy(old, (int) (lastWrittenBit >>> 3) + 1);
        }
        out.arrayHeader(operations);
        int overflow = WRAP;
        boolean changes = false;
        for (int i = 2; i < a.count(); i++) {
            if (a.is(i, "OVERFLOW")) {
                overflow = overflowType(a, ++i);
                continue;
            }
            boolean get = a.is(i, "GET");
            boolean set = a.is(i, "SET");
            int typed = bitfieldType(a, i + 1);
            int bits = Math.abs(typed);
            boolean signed = typed < 0;
            long offset = bitOffset(a, i + 2, bits, out);
            if (get) {
                out.integer(s == null ? 0 : field(s, offset, bits, signed));
                i += 2;
                continue;
            }
            long argument = a.parseLong(i + 3, 0);
            i += 3;
            long before = field(s, offset, bits, signed);
            long value = set ? argument : before + argument;
            long increment = set ? 0 : argument;
            long base = set ? argument : before;
            int direction = signed ? signedOverflow(base, increment, bits) : unsignedOverflow(base, increment, bits);
            if (direction != 0) {
                if (overflow == FAIL) {
                    out.nullBulk();
                    continue;
                }
                value = overflow == SAT ? saturated(direction, bits, signed) : wrapped(base + increment, bits, signed);
            }
            writeField(s, offset, bits, value);
            // Redis counts a change when the key was made or grown for this write, or the field differs.
            changes |= old == null || (offset + bits - 1) >>> 3 >= old.length || value != before;
            out.integer(set ? before : value);
        }
        if (writes) {
            store(db, key, old, s);
        }
        if (changes) {
            db.notify(KeyspaceEvents.STRING, "setbit", key);
        }
    }

    /** WRAP, SAT or FAIL, or -1 for another word. */
    private static int overflowType(CommandArgs a, int i) {
        return a.is(i, "WRAP") ? WRAP : a.is(i, "SAT") ? SAT : a.is(i, "FAIL") ? FAIL : -1;
    }

    /** A type i1..i64 as -bits, u1..u63 as bits (u64 does not fit Redis's signed replies), or 0. */
    private static int bitfieldType(CommandArgs a, int i) {
        byte[] b = a.array();
        int off = a.offset(i);
        int len = a.length(i);
        if (len < 2 || (b[off] != 'i' && b[off] != 'u') || !Numbers.isLong(b, off + 1, len - 1)) {
            return 0;
        }
        long bits = Numbers.parseLong(b, off + 1, len - 1, 0);
        boolean signed = b[off] == 'i';
        if (bits < 1 || bits > (signed ? 64 : 63)) {
            return 0;
        }
        return signed ? (int) -bits : (int) bits;
    }

    /**
     * The bit offset in argument {@code i}, or -1 after replying the error. With {@code width} > 0
     * (BITFIELD) "#n" means n fields of that width; the product wraps as Redis's does.
     */
    private static long bitOffset(CommandArgs a, int i, int width, ReplySink out) {
        byte[] b = a.array();
        int off = a.offset(i);
        int len = a.length(i);
        boolean fields = width > 0 && len > 0 && b[off] == '#';
        int digits = fields ? off + 1 : off;
        int digitsLength = fields ? len - 1 : len;
        long offset = -1;
        if (Numbers.isLong(b, digits, digitsLength)) {
            offset = Numbers.parseLong(b, digits, digitsLength, 0) * (fields ? width : 1);
        }
        if (offset < 0 || (offset >>> 3) >= MAX_STRING_BYTES) {
            out.raw(BAD_OFFSET);
            return -1;
        }
        return offset;
    }

    private static int bit(byte[] s, long offset) {
        long index = offset >>> 3;
        return index < s.length ? (s[(int) index] >>> (7 - (int) (offset & 7))) & 1 : 0;
    }

    /** The field of {@code bits} bits at {@code offset}, reading 0 past the end of the string. */
    private static long field(byte[] s, long offset, int bits, boolean signed) {
        long value = 0;
        for (int j = 0; j < bits; j++) {
            value = value << 1 | bit(s, offset + j);
        }
        if (signed && bits < 64 && (value & 1L << (bits - 1)) != 0) {
            value |= -1L << bits;
        }
        return value;
    }

    /** Writes the low {@code bits} bits of value at offset; the string already reaches that far. */
    private static void writeField(byte[] s, long offset, int bits, long value) {
        for (int j = 0; j < bits; j++) {
            long at = offset + j;
            int mask = 1 << (7 - (int) (at & 7));
            int index = (int) (at >>> 3);
            boolean on = (value >>> (bits - 1 - j) & 1) != 0;
            s[index] = (byte) (on ? s[index] | mask : s[index] & ~mask);
        }
    }

    /**
     * 1 if value + increment passes the largest unsigned field of that width, -1 if it falls below
     * 0, else 0. A SET's value (increment 0) is read as unsigned, so a negative one is too large.
     */
    private static int unsignedOverflow(long value, long increment, int bits) {
        long max = (1L << bits) - 1;
        if (Long.compareUnsigned(value, max) > 0 || (increment > 0 && increment > max - value)) {
            return 1;
        }
        return increment < 0 && increment < -value ? -1 : 0;
    }

    /** As {@link #unsignedOverflow} for a signed field; the differences wrap as they do in Redis. */
    private static int signedOverflow(long value, long increment, int bits) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxIncrement = max - value;
        long minIncrement = min - value;
        if (value > max || (bits != 64 && increment > maxIncrement)
                || (value >= 0 && increment > 0 && increment > maxIncrement)) {
            return 1;
        }
        if (value < min || (bits != 64 && increment < minIncrement)
                || (value < 0 && increment < 0 && increment < minIncrement)) {
            return -1;
        }
        return 0;
    }

    private static long saturated(int direction, int bits, boolean signed) {
        if (!signed) {
            return direction > 0 ? (1L << bits) - 1 : 0;
        }
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        return direction > 0 ? max : -max - 1;
    }

    /** The sum cut to {@code bits} bits: modulo 2^bits unsigned, two's complement signed. */
    private static long wrapped(long sum, int bits, boolean signed) {
        if (bits == 64) {
            return sum;
        }
        long low = sum & ~(-1L << bits);
        return signed && (low & 1L << (bits - 1)) != 0 ? low | -1L << bits : low;
    }

    /** Index {@code i} (negative from the end) of a sequence of {@code total}, clamped at 0. */
    private static long clampIndex(long i, long total) {
        return Math.max(0, i < 0 ? total + i : i);
    }

    private static long popcount(byte[] s, int from, int length) {
        long count = 0;
        int i = from;
        int end = from + length;
        for (; i + 8 <= end; i += 8) {
            count += Long.bitCount((long) LONG_BIG_ENDIAN.get(s, i));
        }
        for (; i < end; i++) {
            count += Integer.bitCount(s[i] & 0xFF);
        }
        return count;
    }

    /** The first bit in [from, to] (inclusive) that is set ({@code one}) or clear, or -1. */
    private static long firstBit(byte[] s, long from, long to, boolean one) {
        long i = from;
        for (; i <= to && (i & 7) != 0; i++) {
            if (bit(s, i) == (one ? 1 : 0)) {
                return i;
            }
        }
        int b = (int) (i >>> 3);
        int wholeEnd = (int) ((to + 1) >>> 3);
        long skipWord = one ? 0 : -1L;
        while (b + 8 <= wholeEnd && (long) LONG_BIG_ENDIAN.get(s, b) == skipWord) {
            b += 8;
        }
        int skipByte = one ? 0 : 0xFF;
        while (b < wholeEnd && (s[b] & 0xFF) == skipByte) {
            b++;
        }
        for (i = Math.max(i, (long) b << 3); i <= to; i++) {
            if (bit(s, i) == (one ? 1 : 0)) {
                return i;
            }
        }
        return -1;
    }

    /** A copy at least {@code length} bytes long, zero-padded; a new array even if long enough. */
    private static byte[] grownCopy(byte[] s, int length) {
        return s == null ? new byte[length] : Arrays.copyOf(s, Math.max(s.length, length));
    }

    private static void store(Db db, Key key, byte[] old, byte[] next) {
        if (old == null) {
            db.put(key, next, NO_EXPIRY);
        } else {
            db.replace(key, next);
        }
    }

    private static byte[] encoded(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
