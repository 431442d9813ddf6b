package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

import static io.shardloop.kv.Db.NO_EXPIRY;
import static io.shardloop.kv.KeyspaceEvents.GENERIC;
import static io.shardloop.kv.KeyspaceEvents.LIST;

/**
 * List commands. A list is an {@code ArrayDeque<byte[]>}, removed when its last element goes. A deque
 * has no indexed access: commands that reach into the middle (LINDEX, LSET, LINSERT) walk from the
 * nearer end, as Redis's quicklist does, and LREM rotates the whole list once.
 */
final class ListCommands {
    private static final byte[] INDEX_OUT_OF_RANGE = encoded("-ERR index out of range");
    private static final byte[] RANK_ZERO = encoded("-ERR RANK can't be zero: use 1 to start from the first match, "
            + "2 from the second ... or use negative to start from the end of the list");
    private static final byte[] COUNT_NEGATIVE = encoded("-ERR COUNT can't be negative");
    private static final byte[] MAXLEN_NEGATIVE = encoded("-ERR MAXLEN can't be negative");

    private ListCommands() {
    }

    private static byte[] encoded(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @SuppressWarnings("unchecked")
    static ArrayDeque<byte[]> list(Object v, ReplySink out) {
        if (v instanceof ArrayDeque<?> l) {
            return (ArrayDeque<byte[]>) l;
        }
        out.raw(Errors.WRONGTYPE);
        return null;
    }

    static void lpush(Db db, CommandArgs a, ReplySink out) {
        push(db, a, true, out);
    }

    static void rpush(Db db, CommandArgs a, ReplySink out) {
        push(db, a, false, out);
    }

    static void lpushx(Db db, CommandArgs a, ReplySink out) {
        push(db, a, true, true, out);
    }

    static void rpushx(Db db, CommandArgs a, ReplySink out) {
        push(db, a, false, true, out);
    }

    private static void push(Db db, CommandArgs a, boolean head, ReplySink out) {
        push(db, a, head, false, out);
    }

    /** LPUSH/RPUSH, and with {@code onlyIfExists} LPUSHX/RPUSHX, which answer 0 for a missing key. */
    private static void push(Db db, CommandArgs a, boolean head, boolean onlyIfExists, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        ArrayDeque<byte[]> l;
        if (v == null) {
            if (onlyIfExists) {
                out.integer(0);
                return;
            }
            l = new ArrayDeque<>();
            db.put(key, l, NO_EXPIRY);
        } else if ((l = list(v, out)) == null) {
            return;
        }
        for (int i = 2; i < a.count(); i++) {
            if (head) {
                l.addFirst(a.copy(i));
            } else {
                l.addLast(a.copy(i));
            }
        }
        db.notify(LIST, head ? "lpush" : "rpush", key);
        out.integer(l.size());
    }

    static void lpop(Db db, CommandArgs a, ReplySink out) {
        pop(db, a, true, out);
    }

    static void rpop(Db db, CommandArgs a, ReplySink out) {
        pop(db, a, false, out);
    }

    /** LPOP/RPOP key [count], Redis 7 replies: nil (or a nil array with a count) when absent. */
    private static void pop(Db db, CommandArgs a, boolean head, ReplySink out) {
        if (a.count() > 3) {
            out.error(Errors.wrongArity(head ? "lpop" : "rpop"));
            return;
        }
        boolean hasCount = a.count() == 3;
        long count = 1;
        if (hasCount) {
            if (!a.isLong(2) || a.parseLong(2, 0) < 0) {
                out.raw(Errors.NOT_POSITIVE);
                return;
            }
            count = a.parseLong(2, 0);
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            if (hasCount) {
                out.nullArray();
            } else {
                out.nullBulk();
            }
            return;
        }
        ArrayDeque<byte[]> l = list(v, out);
        if (l == null) {
            return;
        }
        int n = hasCount ? (int) Math.min(count, l.size()) : 1;
        if (!hasCount) {
            out.bulk(head ? l.pollFirst() : l.pollLast());
        } else {
            out.arrayHeader(n);
            for (int k = 0; k < n; k++) {
                out.bulk(head ? l.pollFirst() : l.pollLast());
            }
        }
        if (n > 0) {
            db.notify(LIST, head ? "lpop" : "rpop", key);
        }
        removeIfEmpty(db, key, l);
    }

    /** LRANGE key start stop, negative indices counting from the end. */
    static void lrange(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(2) || !a.isLong(3)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long start = a.parseLong(2, 0);
        long stop = a.parseLong(3, 0);
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.arrayHeader(0);
            return;
        }
        ArrayDeque<byte[]> l = list(v, out);
        if (l == null) {
            return;
        }
        long size = l.size();
        RankRange r = RankRange.of(start, stop, size);
        if (r == null) {
            out.arrayHeader(0);
            return;
        }
        start = r.first();
        stop = r.last();
        int n = (int) r.count();
        out.arrayHeader(n);
        if (start > size / 2) {
            // Nearer the tail: walk from there to spare half the list.
            Iterator<byte[]> it = l.descendingIterator();
            byte[][] window = new byte[n][];
            for (long i = size - 1; i >= start; i--) {
                byte[] e = it.next();
                if (i <= stop) {
                    window[(int) (i - start)] = e;
                }
            }
            for (byte[] e : window) {
                out.bulk(e);
            }
            return;
        }
        Iterator<byte[]> it = l.iterator();
        for (long i = 0; i <= stop; i++) {
            byte[] e = it.next();
            if (i >= start) {
                out.bulk(e);
            }
        }
    }

    static void llen(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        ArrayDeque<byte[]> l = list(v, out);
        if (l != null) {
            out.integer(l.size());
        }
    }

    /** LINDEX key index: nil past either end; a negative index counts from the tail. */
    static void lindex(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.nullBulk();
            return;
        }
        ArrayDeque<byte[]> l = list(v, out);
        if (l == null) {
            return;
        }
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long i = position(l, a.parseLong(2, 0));
        if (i < 0) {
            out.nullBulk();
        } else {
            out.bulk(elementAt(l, (int) i));
        }
    }

    /** LSET key index element: an error for a missing key and for an index past either end. */
    static void lset(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.raw(Errors.NO_SUCH_KEY);
            return;
        }
        ArrayDeque<byte[]> l = list(v, out);
        if (l == null) {
            return;
        }
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long i = position(l, a.parseLong(2, 0));
        if (i < 0) {
            out.raw(INDEX_OUT_OF_RANGE);
            return;
        }
        splice(l, (int) i, a.copy(3), true);
        db.notify(LIST, "lset", key);
        out.raw(Errors.OK);
    }

    /**
     * LINSERT key BEFORE|AFTER pivot element: inserts beside the first element equal to the pivot
     * and answers the new length, -1 when there is no such element, 0 when there is no list.
     */
    static void linsert(Db db, CommandArgs a, ReplySink out) {
        boolean after;
        if (a.is(2, "after")) {
            after = true;
        } else if (a.is(2, "before")) {
            after = false;
        } else {
            out.raw(Errors.SYNTAX);
            return;
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.integer(0);
            return;
        }
        ArrayDeque<byte[]> l = list(v, out);
        if (l == null) {
            return;
        }
        int pivot = 0;
        for (byte[] e : l) {
            if (equalsArgument(e, a, 3)) {
                splice(l, after ? pivot + 1 : pivot, a.copy(4), false);
                db.notify(LIST, "linsert", key);
                out.integer(l.size());
                return;
            }
            pivot++;
        }
        out.integer(-1);
    }

    /**
     * LREM key count element: removes the first {@code count} elements equal to the element, from
     * the head for a positive count, from the tail for a negative one, all of them for 0.
     */
    static void lrem(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long count = a.parseLong(2, 0);
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.integer(0);
            return;
        }
        ArrayDeque<byte[]> l = list(v, out);
        if (l == null) {
            return;
        }
        // Redis negates the count in a C long: LONG_MIN stays negative and so has no limit.
        long limit = count == 0 || count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(count);
        boolean fromHead = count >= 0;
        long removed = 0;
        // One rotation through the whole list keeps the order and drops the matches: O(n), as Redis.
        for (int n = l.size(); n > 0; n--) {
            byte[] e = fromHead ? l.pollFirst() : l.pollLast();
            if (removed < limit && equalsArgument(e, a, 3)) {
                removed++;
            } else if (fromHead) {
                l.addLast(e);
            } else {
                l.addFirst(e);
            }
        }
        if (removed > 0) {
            db.notify(LIST, "lrem", key);
        }
        removeIfEmpty(db, key, l);
        out.integer(removed);
    }

    /** LTRIM key start stop: keeps the range LRANGE would answer, removing the key if it is empty. */
    static void ltrim(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(2) || !a.isLong(3)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long start = a.parseLong(2, 0);
        long stop = a.parseLong(3, 0);
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.raw(Errors.OK);
            return;
        }
        ArrayDeque<byte[]> l = list(v, out);
        if (l == null) {
            return;
        }
        long size = l.size();
        RankRange r = RankRange.of(start, stop, size);
        long dropHead = r == null ? size : r.first();
        long dropTail = r == null ? 0 : size - r.last() - 1;
        for (long k = 0; k < dropHead; k++) {
            l.pollFirst();
        }
        for (long k = 0; k < dropTail; k++) {
            l.pollLast();
        }
        db.notify(LIST, "ltrim", key);
        removeIfEmpty(db, key, l);
        out.raw(Errors.OK);
    }

    /** A list left empty goes, with Redis's {@code del} event. */
    static void removeIfEmpty(Db db, Key key, ArrayDeque<byte[]> l) {
        if (l.isEmpty()) {
            db.remove(key);
            db.notify(GENERIC, "del", key);
        }
    }

    /**
     * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]: the index of the rank-th match
     * (from the tail for a negative rank), or with COUNT an array of up to that many (0: all) from
     * there on, looking at no more than MAXLEN elements (0: all).
     */
    static void lpos(Db db, CommandArgs a, ReplySink out) {
        long rank = 1;
        long count = -1; // -1: no COUNT option, a single index or nil is answered
        long maxlen = 0;
        for (int j = 3; j < a.count(); j++) {
            boolean hasValue = j + 1 < a.count();
            if (hasValue && a.is(j, "rank")) {
                j++;
                if (!a.isLong(j)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
                rank = a.parseLong(j, 0);
                if (rank == 0) {
                    out.raw(RANK_ZERO);
                    return;
                }
            } else if (hasValue && a.is(j, "count")) {
                j++;
                count = a.parseLong(j, -1);
                if (count < 0) {
                    out.raw(COUNT_NEGATIVE);
                    return;
                }
            } else if (hasValue && a.is(j, "maxlen")) {
                j++;
                maxlen = a.parseLong(j, -1);
                if (maxlen < 0) {
                    out.raw(MAXLEN_NEGATIVE);
                    return;
                }
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            if (count == -1) {
                out.nullBulk();
            } else {
                out.arrayHeader(0);
            }
            return;
        }
        ArrayDeque<byte[]> l = list(v, out);
        if (l == null) {
            return;
        }
        if (count == -1) {
            if (matches(l, a, rank, 1, maxlen, out) == 0) {
                out.nullBulk();
            }
            return;
        }
        // Two walks, one to count and one to answer, since the array's length comes first.
        out.arrayHeader((int) matches(l, a, rank, count, maxlen, null));
        matches(l, a, rank, count, maxlen, out);
    }

    /**
     * LPOS's walk: writes to {@code emit} (when not null) the indexes of up to {@code count}
     * (0: all) matches of argument 2 from the rank-th on, and returns how many there were.
     */
    private static long matches(ArrayDeque<byte[]> l, CommandArgs a, long rank, long count, long maxlen,
                                ReplySink emit) {
        boolean fromTail = rank < 0;
        // As in Redis's C long, negating LONG_MIN leaves it negative: every match is then at or past it.
        long first = fromTail ? -rank : rank;
        Iterator<byte[]> it = fromTail ? l.descendingIterator() : l.iterator();
        long size = l.size();
        long found = 0;
        long reported = 0;
        for (long seen = 0; it.hasNext() && (maxlen == 0 || seen < maxlen); seen++) {
            if (equalsArgument(it.next(), a, 2) && ++found >= first) {
                if (emit != null) {
                    emit.integer(fromTail ? size - seen - 1 : seen);
                }
                if (++reported == count) {
                    break;
                }
            }
        }
        return reported;
    }

    /** The index in {@code 0..size-1} that a possibly negative index names, or -1 past either end. */
    private static long position(ArrayDeque<byte[]> l, long index) {
        long size = l.size();
        long i = index < 0 ? size + index : index;
        return i < 0 || i >= size ? -1 : i;
    }

    /** The element at {@code 0 <= i < size}, walking from the nearer end. */
    private static byte[] elementAt(ArrayDeque<byte[]> l, int i) {
        int size = l.size();
        Iterator<byte[]> it = i < size / 2 ? l.iterator() : l.descendingIterator();
        int steps = i < size / 2 ? i : size - 1 - i;
        for (int k = 0; k < steps; k++) {
            it.next();
        }
        return it.next();
    }

    /**
     * Replaces the element at {@code 0 <= i < size}, or inserts one before it ({@code i == size}:
     * at the tail), by lifting off the elements between it and the nearer end and putting them back.
     */
    private static void splice(ArrayDeque<byte[]> l, int i, byte[] value, boolean replace) {
        int size = l.size();
        int beforeCount = i;
        int afterCount = size - i - (replace ? 1 : 0);
        boolean fromHead = beforeCount <= afterCount;
        byte[][] lifted = new byte[fromHead ? beforeCount : afterCount][];
        for (int k = 0; k < lifted.length; k++) {
            lifted[k] = fromHead ? l.pollFirst() : l.pollLast();
        }
        if (fromHead) {
            if (replace) {
                l.pollFirst();
            }
            l.addFirst(value);
            for (int k = lifted.length - 1; k >= 0; k--) {
                l.addFirst(lifted[k]);
            }
        } else {
            if (replace) {
                l.pollLast();
            }
            l.addLast(value);
            for (int k = lifted.length - 1; k >= 0; k--) {
                l.addLast(lifted[k]);
            }
        }
    }

    private static boolean equalsArgument(byte[] e, CommandArgs a, int i) {
        int off = a.offset(i);
        return Arrays.equals(e, 0, e.length, a.array(), off, off + a.length(i));
    }
}
