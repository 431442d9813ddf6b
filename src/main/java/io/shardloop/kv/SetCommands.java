package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.concurrent.ThreadLocalRandom;

import static io.shardloop.kv.Db.NO_EXPIRY;

/** Set commands. A set is a {@link MemberSet}, removed when its last member goes. */
final class SetCommands {
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
}
