package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.concurrent.ThreadLocalRandom;

import static io.shardloop.kv.Db.NO_EXPIRY;

/** Set commands. A set is a {@link MemberSet}, removed when its last member goes. */
final class SetCommands {
    /**
     * The most members SRANDMEMBER with a negative count answers, which Redis leaves unbounded: each
     * pick is a reply element however small the set, so the count alone sizes the reply.
     */
    private static final long MAX_REPEATED_PICKS = 1L << 24;
    /** Redis's text for a count outside the range it accepts (a count it could not negate). */
    private static final byte[] COUNT_OUT_OF_RANGE = outOfRange(-Long.MAX_VALUE);
    /** The same text with this server's lower bound, for a set that Redis would answer. */
    private static final byte[] PICKS_OUT_OF_RANGE = outOfRange(-MAX_REPEATED_PICKS);

    private SetCommands() {
    }

    private static MemberSet set(Object v, ReplySink out) {
        if (v instanceof MemberSet s) {
            return s;
        }
        out.raw(Errors.WRONGTYPE);
        return null;
    }

    static void sadd(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        MemberSet s;
        if (v == null) {
            s = new MemberSet();
            db.put(key, s, NO_EXPIRY);
        } else if ((s = set(v, out)) == null) {
            return;
        }
        long added = 0;
        for (int i = 2; i < a.count(); i++) {
            if (s.add(db.probe(1, a, i))) {
                added++;
            }
        }
        out.integer(added);
    }

    static void srem(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.integer(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s == null) {
            return;
        }
        long removed = 0;
        for (int i = 2; i < a.count(); i++) {
            if (s.remove(db.probe(1, a, i))) {
                removed++;
            }
        }
        if (s.isEmpty()) {
            db.remove(key);
        }
        out.integer(removed);
    }

    static void smembers(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.setHeader(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s != null) {
            out.setHeader(s.size());
            for (int i = 0; i < s.size(); i++) {
                Key m = s.member(i);
                out.bulk(m.array(), m.offset(), m.length());
            }
        }
    }

    static void sismember(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s != null) {
            out.integer(s.contains(db.probe(1, a, 2)) ? 1 : 0);
        }
    }

    static void scard(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s != null) {
            out.integer(s.size());
        }
    }

    /**
     * SPOP key [count]: removes and returns members chosen uniformly at random, each O(1). With a
     * count, the members are distinct (each is removed as it is taken) and at most the set's size;
     * without one, a single member or nil.
     */
    static void spop(Db db, CommandArgs a, ReplySink out) {
        boolean hasCount = a.count() == 3;
        if (a.count() > 3) {
            out.raw(Errors.SYNTAX);
            return;
        }
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
                out.setHeader(0);
            } else {
                out.nullBulk();
            }
            return;
        }
        MemberSet s = set(v, out);
        if (s == null) {
            return;
        }
        int n = (int) Math.min(count, s.size());
        if (hasCount) {
            out.setHeader(n);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int k = 0; k < n; k++) {
            Key m = s.removeIndex(random.nextInt(s.size()));
            out.bulk(m.array(), m.offset(), m.length());
        }
        if (s.isEmpty()) {
            db.remove(key);
        }
    }

    /** SMISMEMBER key member [member ...]: 1 or 0 for each member; a missing key is an empty set. */
    static void smismember(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        MemberSet s = null;
        if (v != null && (s = set(v, out)) == null) {
            return;
        }
        out.arrayHeader(a.count() - 2);
        for (int i = 2; i < a.count(); i++) {
            out.integer(s != null && s.contains(db.probe(1, a, i)) ? 1 : 0);
        }
    }

    /**
     * SRANDMEMBER key [count]: without a count one random member (nil for no set); with a positive
     * count that many distinct members (all when the set has no more), with a negative one that
     * many picks that may repeat; an array in both protocols, as Redis answers it.
     */
    static void srandmember(Db db, CommandArgs a, ReplySink out) {
        if (a.count() > 3) {
            out.raw(Errors.SYNTAX);
            return;
        }
        if (a.count() == 2) {
            Object v = db.get(db.probe(0, a, 1));
            if (v == null) {
                out.nullBulk();
                return;
            }
            MemberSet s = set(v, out);
            if (s != null) {
                bulk(s.member(ThreadLocalRandom.current().nextInt(s.size())), out);
            }
            return;
        }
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long count = a.parseLong(2, 0);
        if (count == Long.MIN_VALUE) {
            out.raw(COUNT_OUT_OF_RANGE);
            return;
        }
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.arrayHeader(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s == null) {
            return;
        }
        if (count < -MAX_REPEATED_PICKS) {
            out.raw(PICKS_OUT_OF_RANGE);
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (count < 0) {
            out.arrayHeader((int) -count);
            for (long k = count; k < 0; k++) {
                bulk(s.member(random.nextInt(s.size())), out);
            }
            return;
        }
        int size = s.size();
        if (count >= size) {
            out.arrayHeader(size);
            for (int i = 0; i < size; i++) {
                bulk(s.member(i), out);
            }
            return;
        }
        int n = (int) count;
        out.arrayHeader(n);
        if (n == 0) {
            return;
        }
        // Floyd's sampling: n distinct dense indexes, each n-subset equally likely, in O(n).
        HashSet<Integer> chosen = new HashSet<>(n * 2);
        for (int j = size - n; j < size; j++) {
            int t = random.nextInt(j + 1);
            int pick = chosen.contains(t) ? j : t;
            chosen.add(pick);
            bulk(s.member(pick), out);
        }
    }

    private static byte[] outOfRange(long least) {
        return ("-ERR value is out of range, value must between " + least + " and " + Long.MAX_VALUE + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void bulk(Key m, ReplySink out) {
        out.bulk(m.array(), m.offset(), m.length());
    }
}
