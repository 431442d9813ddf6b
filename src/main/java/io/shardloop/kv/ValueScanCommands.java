package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.resp.codec.RespWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SSCAN, HSCAN and ZSCAN key cursor [MATCH pattern] [COUNT count], as Redis 7.0's
 * scanGenericCommand: a value Redis holds compactly ({@link ObjectEncoding#isCompact}: an intset,
 * a listpack) comes back whole in one step with cursor 0, integers of an intset in ascending order;
 * a bigger one in steps, every member present for the whole walk returned at least once.
 * <ul>
 *   <li>a set walks its dense member array from the top down, as {@link Keyspace#scan} walks keys
 *       (removal swaps an already visited member into the hole): O(COUNT) a step;</li>
 *   <li>a hash or sorted set walks its members in the order of their hash codes: the cursor is the
 *       next hash code to visit (plus one), and a step returns every member of the hash codes it
 *       covers. Neither HashMap nor the skip list can resume a walk, so a step reads the whole value:
 *       it returns at least 1/{@value #STEPS_PER_WALK} of it, whatever COUNT says (COUNT is a hint
 *       in Redis too), so that a whole walk costs a bounded number of passes.</li>
 * </ul>
 * Stateless.
 */
final class ValueScanCommands {
    /** The most steps a walk over a hash or sorted set takes: each returns at least this fraction of it. */
    static final int STEPS_PER_WALK = 32;
    /** Redis's {@code shared.emptyscan}: cursor 0, no elements. */
    private static final byte[] EMPTY_SCAN = "*2\r\n$1\r\n0\r\n*0\r\n".getBytes(StandardCharsets.US_ASCII);

    private ValueScanCommands() {
    }

    static void sscan(Db db, CommandArgs a, ReplySink out) {
        scan(db, a, MemberSet.class, out);
    }

    static void hscan(Db db, CommandArgs a, ReplySink out) {
        scan(db, a, HashMap.class, out);
    }

    static void zscan(Db db, CommandArgs a, ReplySink out) {
        scan(db, a, SortedSet.class, out);
    }

    /** Cursor first, then the key (missing: an empty scan, whatever the options), then the type, then the options. */
    private static void scan(Db db, CommandArgs a, Class<?> type, ReplySink out) {
        long cursor;
        try {
            String text = a.string(2);
            // strtoul's reading: a '-' wraps the value around
            cursor = text.startsWith("-") ? -Long.parseUnsignedLong(text.substring(1)) : Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            out.raw(Errors.INVALID_CURSOR);
            return;
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.raw(EMPTY_SCAN);
            return;
        }
        if (!type.isInstance(v)) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        long count = 10;
        int match = -1;
        for (int i = 3; i < a.count(); i++) {
            boolean hasNext = i + 1 < a.count();
            if (hasNext && a.is(i, "COUNT")) {
                if (!a.isLong(++i)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
                count = a.parseLong(i, 0);
                if (count < 1) {
                    out.raw(Errors.SYNTAX);
                    return;
                }
            } else if (hasNext && a.is(i, "MATCH")) {
                match = ++i;
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        boolean pairs = !(v instanceof MemberSet);
        List<byte[]> found = new ArrayList<>();
        long next = 0;
        if (ObjectEncoding.isCompact(db, key, v)) {
            whole(v, found);
        } else if (v instanceof MemberSet s) {
            next = setStep(s, cursor, count, found);
        } else {
            next = hashOrderStep(v, cursor, count, found);
        }
        int mi = match;
        boolean all = mi < 0 || Glob.matchesAll(a.array(), a.offset(mi), a.length(mi));
        int stride = pairs ? 2 : 1;
        int kept = 0;
        for (int i = 0; i < found.size(); i += stride) {
            byte[] e = found.get(i);
            if (all || Glob.matches(a.array(), a.offset(mi), a.length(mi), e, 0, e.length)) {
                for (int j = 0; j < stride; j++) {
                    found.set(kept++, found.get(i + j));
                }
            }
        }
        out.arrayHeader(2);
        out.bulk(Long.toUnsignedString(next).getBytes(StandardCharsets.US_ASCII));
        out.arrayHeader(kept);
        for (int i = 0; i < kept; i++) {
            out.bulk(found.get(i));
        }
    }

    /** A compact value as Redis lists it: an intset's integers ascending, a listpack in its order. */
    @SuppressWarnings("unchecked")
    private static void whole(Object v, List<byte[]> into) {
        switch (v) {
            case MemberSet s -> {
                long[] integers = new long[s.size()];
                for (int i = 0; i < integers.length; i++) {
                    Key m = s.member(i);
                    integers[i] = io.shardloop.resp.codec.Numbers.parseLong(m.array(), m.offset(), m.length(), 0);
                }
                Arrays.sort(integers);
                for (long n : integers) {
                    into.add(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
                }
            }
            case HashMap<?, ?> h -> {
                for (Map.Entry<Key, byte[]> e : ((HashMap<Key, byte[]>) h).entrySet()) {
                    into.add(e.getKey().toBytes());
                    into.add(e.getValue());
                }
            }
            case SortedSet z -> {
                for (SortedSet.Node n = z.first(); n != null; n = n.next()) {
                    into.add(n.member.toBytes());
                    into.add(listpackScore(n.score).getBytes(StandardCharsets.US_ASCII));
                }
            }
            default -> throw new IllegalStateException("not a scannable value: " + v.getClass());
        }
    }

    /** Cursor c: members below index c are left to visit (0: the walk starts at the top). */
    private static long setStep(MemberSet s, long cursor, long count, List<byte[]> into) {
        int i = (int) (cursor == 0 ? s.size() : Math.min(cursor, s.size())) - 1;
        for (long visited = 0; i >= 0 && visited < count; i--, visited++) {
            into.add(s.member(i).toBytes());
        }
        return i < 0 ? 0 : i + 1;
    }

    /**
     * The members whose unsigned hash code is at least {@code cursor - 1}, the smallest hash codes
     * first, at least {@code count} of them (and 1/{@link #STEPS_PER_WALK} of the value), never
     * splitting a hash code between steps. Returns the next cursor: 1 + the next hash code, or 0.
     */
    @SuppressWarnings("unchecked")
    private static long hashOrderStep(Object v, long cursor, long count, List<byte[]> into) {
        long from = cursor == 0 ? 0 : cursor - 1;
        List<Key> members = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        if (v instanceof HashMap<?, ?> h) {
            for (Map.Entry<Key, byte[]> e : ((HashMap<Key, byte[]>) h).entrySet()) {
                if (unsignedHash(e.getKey()) >= from) {
                    members.add(e.getKey());
                    values.add(e.getValue());
                }
            }
        } else {
            for (SortedSet.Node n = ((SortedSet) v).first(); n != null; n = n.next()) {
                if (unsignedHash(n.member) >= from) {
                    members.add(n.member);
                    values.add(skiplistScore(n.score).getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        long[] order = new long[members.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = unsignedHash(members.get(i)) << 32 | i; // hash code in the high half, index in the low
        }
        Arrays.sort(order);
        long size = v instanceof HashMap<?, ?> h ? h.size() : ((SortedSet) v).size();
        long wanted = Math.max(count, (size + STEPS_PER_WALK - 1) / STEPS_PER_WALK);
        int taken = 0;
        while (taken < order.length && (taken < wanted || order[taken] >>> 32 == order[taken - 1] >>> 32)) {
            int i = (int) order[taken++];
            into.add(members.get(i).toBytes());
            into.add(values.get(i));
        }
        return taken == order.length ? 0 : (order[taken] >>> 32) + 1;
    }

    private static long unsignedHash(Key k) {
        return Integer.toUnsignedLong(k.hashCode());
    }

    /** A listpack's score text, Redis's d2string of what it keeps: integral values within 2^62 as integers, -0 as 0. */
    static String listpackScore(double d) {
        if (d == 0) {
            return "0";
        }
        if (d >= -(double) (Long.MAX_VALUE / 2) && d <= (double) (Long.MAX_VALUE / 2) && d == (long) d) {
            return Long.toString((long) d);
        }
        return RespWriter.doubleText(d);
    }

    /** A skip list's score text, Redis's ld2string %.17Lg: as RESP's doubles, but -0 kept. */
    static String skiplistScore(double d) {
        return d == 0 && 1 / d < 0 ? "-0" : RespWriter.doubleText(d);
    }
}
