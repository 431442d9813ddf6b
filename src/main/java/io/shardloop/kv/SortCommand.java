package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.Numbers;
import io.shardloop.resp.codec.ReplySink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;

import static io.shardloop.kv.Db.NO_EXPIRY;

/**
 * SORT and SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
 * [STORE destination], as Redis 7.0's sort.c: a list, set or sorted set sorted by its elements or
 * by the keys a pattern names ({@code weight_*}, {@code h_*->field}), numerically (every weight a
 * strtod number, else "One or more scores can't be converted into double") or by bytes with ALPHA;
 * a BY without "*" sorts nothing (a list or sorted set keeps its order, a set stored is sorted
 * ALPHA); GET {@code #} is the element itself. STORE replaces the destination with a list, or
 * deletes it when the result is empty.
 * <p>
 * On a sharded server a pattern's keys are computed as the command runs, so they may be another
 * shard's. A pattern that reads keys (a BY with "*", a GET other than {@code #} with "*") runs
 * when its keys have one fixed hash tag ({@code {t}w_*}: the tag closes before the "*") owned by the
 * shard that runs the command; any other is refused with Redis Cluster's errors, "BY option of SORT
 * denied in Cluster mode." and "GET option of SORT denied in Cluster mode.". A sort whose keys are
 * gathered from several shards (a STORE to another shard's key) runs on a scratch keyspace that owns
 * no pattern key: its reading patterns are refused. Stateless.
 */
final class SortCommand {
    private static final byte[] NOT_DOUBLE = Errors.encoded("-ERR One or more scores can't be converted into double");
    private static final byte[] BY_DENIED = Errors.encoded("-ERR BY option of SORT denied in Cluster mode.");
    private static final byte[] GET_DENIED = Errors.encoded("-ERR GET option of SORT denied in Cluster mode.");

    /** SORT's STORE destination, as Redis's sortGetKeys finds it: the last STORE, LIMIT, BY and GET skipped with their arguments. */
    static final Command.OptionKeys STORE_KEY = new Command.OptionKeys() {
        @Override
        public int count(CommandArgs args) {
            return storeIndex(args) > 0 ? 1 : 0;
        }

        @Override
        public int index(CommandArgs args, int n) {
            return storeIndex(args);
        }
    };

    private SortCommand() {
    }

    static int storeIndex(CommandArgs a) {
        int store = 0;
        for (int i = 2; i < a.count(); i++) {
            if (a.is(i, "LIMIT")) {
                i += 2;
            } else if (a.is(i, "GET") || a.is(i, "BY")) {
                i += 1;
            } else if (a.is(i, "STORE") && i + 1 < a.count()) {
                store = i + 1;
            }
        }
        return store;
    }

    /** What the options ask for, parsed. */
    static final class Options {
        boolean desc;
        boolean alpha;
        boolean dontSort;
        long limitStart;
        long limitCount = -1;
        byte[] by;
        final List<byte[]> gets = new ArrayList<>();
        int store;
    }

    static void sort(Db db, CommandArgs a, ReplySink out) {
        run(db, a, false, out);
    }

    static void sortRo(Db db, CommandArgs a, ReplySink out) {
        run(db, a, true, out);
    }

    /** Parses the options, or replies the error and returns null. */
    static Options parse(Db db, CommandArgs a, boolean readOnly, ReplySink out) {
        Options o = new Options();
        for (int j = 2; j < a.count(); j++) {
            int left = a.count() - j - 1;
            if (a.is(j, "ASC")) {
                o.desc = false;
            } else if (a.is(j, "DESC")) {
                o.desc = true;
            } else if (a.is(j, "ALPHA")) {
                o.alpha = true;
            } else if (a.is(j, "LIMIT") && left >= 2) {
                if (!a.isLong(j + 1) || !a.isLong(j + 2)) {
                    out.raw(Errors.NOT_INTEGER);
                    return null;
                }
                o.limitStart = a.parseLong(j + 1, 0);
                o.limitCount = a.parseLong(j + 2, 0);
                j += 2;
            } else if (!readOnly && a.is(j, "STORE") && left >= 1) {
                o.store = ++j;
            } else if (a.is(j, "BY") && left >= 1) {
                o.by = bytes(a, ++j);
                if (indexOf(o.by, (byte) '*', 0) < 0) {
                    o.dontSort = true;
                } else if (!patternReadable(db, o.by)) {
                    out.raw(BY_DENIED);
                    return null;
                }
            } else if (a.is(j, "GET") && left >= 1) {
                byte[] get = bytes(a, ++j);
                if (!isHash(get) && !patternReadable(db, get)) {
                    out.raw(GET_DENIED);
                    return null;
                }
                o.gets.add(get);
            } else {
                out.raw(Errors.SYNTAX);
                return null;
            }
        }
        return o;
    }

    private static void run(Db db, CommandArgs a, boolean readOnly, ReplySink out) {
        Options o = parse(db, a, readOnly, out);
        if (o == null) {
            return;
        }
        Key key = db.probe(0, a, 1);
        Object value = db.get(key);
        if (value != null && !(value instanceof ArrayDeque<?>) && !(value instanceof MemberSet)
                && !(value instanceof SortedSet)) {
            out.raw(Errors.WRONGTYPE);
            return;
        }
        if (value == null) {
            value = new ArrayDeque<byte[]>();
        }
        byte[] by = o.by;
        boolean alpha = o.alpha;
        boolean dontSort = o.dontSort;
        if (dontSort && value instanceof MemberSet && o.store > 0) {
            dontSort = false; // a stored set must come out the same everywhere: sorted ALPHA
            alpha = true;
            by = null;
        }
        int length = length(value);
        long start = Math.min(Math.max(o.limitStart, 0), length);
        long count = Math.min(Math.max(o.limitCount, -1), length);
        long end = count < 0 ? length - 1 : start + count - 1;
        if (start >= length) {
            start = length - 1;
            end = length - 2;
        }
        if (end >= length) {
            end = length - 1;
        }
        List<byte[]> elements;
        if (dontSort && !(value instanceof MemberSet)) {
            elements = orderedRange(value, start, end, o.desc);
            end -= start;
            start = 0;
        } else {
            elements = all(value, value instanceof MemberSet && ObjectEncoding.isCompact(db, key, value));
        }
        if (!dontSort) {
            Entry[] entries = new Entry[elements.size()];
            boolean notDouble = false;
            for (int j = 0; j < entries.length; j++) {
                byte[] e = elements.get(j);
                byte[] weight = by == null ? e : lookup(db, by, e);
                Entry entry = new Entry(e);
                if (weight != null) {
                    if (alpha) {
                        entry.compareBy = by == null ? null : weight;
                    } else {
                        entry.score = score(weight);
                        notDouble |= Double.isNaN(entry.score);
                        if (Double.isNaN(entry.score)) {
                            entry.score = 0;
                        }
                    }
                }
                entries[j] = entry;
            }
            if (notDouble) {
                out.raw(NOT_DOUBLE);
                return;
            }
            Arrays.sort(entries, comparator(alpha, by != null, o.desc));
            elements = new ArrayList<>(entries.length);
            for (Entry e : entries) {
                elements.add(e.element);
            }
        }
        int outputLength = (int) ((end - start + 1) * Math.max(1, o.gets.size()));
        if (o.store == 0) {
            out.arrayHeader(outputLength);
            for (long j = start; j <= end; j++) {
                byte[] e = elements.get((int) j);
                if (o.gets.isEmpty()) {
                    out.bulk(e);
                }
                for (byte[] get : o.gets) {
                    byte[] v = lookup(db, get, e);
                    if (v == null) {
                        out.nullBulk();
                    } else {
                        out.bulk(v);
                    }
                }
            }
            return;
        }
        ArrayDeque<byte[]> stored = new ArrayDeque<>();
        for (long j = start; j <= end; j++) {
            byte[] e = elements.get((int) j);
            if (o.gets.isEmpty()) {
                stored.add(e);
            }
            for (byte[] get : o.gets) {
                byte[] v = lookup(db, get, e);
                stored.add(v == null ? new byte[0] : v);
            }
        }
        Key dest = db.probe(0, a, o.store);
        if (outputLength > 0) {
            db.put(dest, stored, NO_EXPIRY);
            db.notify(KeyspaceEvents.LIST, "sortstore", dest);
        } else if (db.remove(dest)) {
            db.notify(KeyspaceEvents.GENERIC, "del", dest);
        }
        out.integer(outputLength);
    }

    /** One element and what it sorts by: a score, or with ALPHA and BY the weight's bytes (null: missing). */
    private static final class Entry {
        final byte[] element;
        double score;
        byte[] compareBy;

        Entry(byte[] element) {
            this.element = element;
        }
    }

    /** Redis's sortCompare: scores, ties by the element's bytes; ALPHA by the weight (missing first) or the element. */
    private static Comparator<Entry> comparator(boolean alpha, boolean byPattern, boolean desc) {
        Comparator<Entry> c;
        if (!alpha) {
            c = (x, y) -> x.score != y.score ? Double.compare(x.score, y.score) : Arrays.compareUnsigned(x.element, y.element);
        } else if (byPattern) {
            c = (x, y) -> x.compareBy == null || y.compareBy == null
                    ? (x.compareBy == y.compareBy ? 0 : x.compareBy == null ? -1 : 1)
                    : Arrays.compareUnsigned(x.compareBy, y.compareBy);
        } else {
            c = (x, y) -> Arrays.compareUnsigned(x.element, y.element);
        }
        return desc ? c.reversed() : c;
    }

    /** A weight as Redis reads it with strtod: leading spaces skipped, an empty text 0; NaN when not a number. */
    static double score(byte[] w) {
        if (w.length == 0) {
            return 0;
        }
        int at = 0;
        while (at < w.length && (w[at] == ' ' || w[at] >= '\t' && w[at] <= '\r')) {
            at++;
        }
        return at == w.length ? Double.NaN : Scores.parse(w, at, w.length);
    }

    private static int length(Object v) {
        return switch (v) {
            case ArrayDeque<?> l -> l.size();
            case MemberSet s -> s.size();
            case SortedSet z -> z.size();
            default -> throw new IllegalStateException("not sortable: " + v.getClass());
        };
    }

    /** Every element: a list in order, a sorted set by score, a set as Redis iterates it when it is an intset (ascending). */
    @SuppressWarnings("unchecked")
    private static List<byte[]> all(Object v, boolean intset) {
        List<byte[]> into = new ArrayList<>();
        switch (v) {
            case ArrayDeque<?> l -> into.addAll((ArrayDeque<byte[]>) l);
            case SortedSet z -> {
                for (SortedSet.Node n = z.first(); n != null; n = n.next()) {
                    into.add(n.member.toBytes());
                }
            }
            case MemberSet s -> {
                for (int i = 0; i < s.size(); i++) {
                    into.add(s.member(i).toBytes());
                }
                if (intset) {
                    into.sort(Comparator.comparingLong(b -> Numbers.parseLong(b, 0, b.length, 0)));
                }
            }
            default -> throw new IllegalStateException("not sortable: " + v.getClass());
        }
        return into;
    }

    /** Ranks {@code start} to {@code end} of a list or sorted set in its own order, from the end with DESC. */
    private static List<byte[]> orderedRange(Object v, long start, long end, boolean desc) {
        List<byte[]> all = all(v, false);
        List<byte[]> range = new ArrayList<>();
        for (long r = start; r <= end; r++) {
            range.add(all.get((int) (desc ? all.size() - 1 - r : r)));
        }
        return range;
    }

    /**
     * Redis's lookupKeyByPattern: "#" is the element; else the first "*" replaced by the element
     * names a string key, or with "->field" after the "*" a hash's field; null when there is no
     * "*", no such key, or a key of another type.
     */
    @SuppressWarnings("unchecked")
    static byte[] lookup(Db db, byte[] pattern, byte[] element) {
        if (isHash(pattern)) {
            return element;
        }
        int star = indexOf(pattern, (byte) '*', 0);
        if (star < 0) {
            return null;
        }
        int arrow = arrow(pattern, star);
        int keyEnd = arrow < 0 ? pattern.length : arrow;
        byte[] key = new byte[star + element.length + keyEnd - star - 1];
        System.arraycopy(pattern, 0, key, 0, star);
        System.arraycopy(element, 0, key, star, element.length);
        System.arraycopy(pattern, star + 1, key, star + element.length, keyEnd - star - 1);
        Object v = db.get(Key.wrap(key));
        if (arrow >= 0) {
            if (!(v instanceof HashMap<?, ?> h)) {
                return null;
            }
            return ((HashMap<Key, byte[]>) h).get(Key.wrap(Arrays.copyOfRange(pattern, arrow + 2, pattern.length)));
        }
        return v instanceof byte[] s ? s : null;
    }

    /** Where "->" follows the "*" with a field after it, or -1. */
    private static int arrow(byte[] pattern, int star) {
        for (int i = star + 1; i + 1 < pattern.length; i++) {
            if (pattern[i] == '-' && pattern[i + 1] == '>') {
                return i + 2 < pattern.length ? i : -1;
            }
        }
        return -1;
    }

    /**
     * Whether the keys a pattern names are this keyspace's: always on a keyspace that holds every key
     * (one shard, or a store that is not sharded); on a shard, when the key part has a hash tag
     * closed before the "*" and that tag is the shard's. A pattern without "*" names no key.
     */
    static boolean patternReadable(Db db, byte[] pattern) {
        int star = indexOf(pattern, (byte) '*', 0);
        if (star < 0 || db.shardCount() == 1 && db.shardIndex() == 0) {
            return true;
        }
        int open = indexOf(pattern, (byte) '{', 0);
        if (open < 0 || open > star) {
            return false;
        }
        int close = indexOf(pattern, (byte) '}', open + 1);
        if (close < 0 || close > star || close == open + 1) {
            return false;
        }
        return Slots.ownerOf(pattern, 0, close + 1, db.shardCount()) == db.shardIndex();
    }

    private static boolean isHash(byte[] pattern) {
        return pattern.length == 1 && pattern[0] == '#';
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] bytes(CommandArgs a, int i) {
        return Arrays.copyOfRange(a.array(), a.offset(i), a.offset(i) + a.length(i));
    }
}
