package io.shardloop.kv;

import io.shardloop.resp.CommandArgs;
import io.shardloop.resp.ReplySink;

import java.util.HashSet;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;

import static io.shardloop.kv.Db.NO_EXPIRY;

/** Set commands. A set is a {@code HashSet<Key>}, removed when its last member goes. */
final class SetCommands {
    private SetCommands() {
    }

    @SuppressWarnings("unchecked")
    private static HashSet<Key> set(Object v, ReplySink out) {
        if (v instanceof HashSet<?> s) {
            return (HashSet<Key>) s;
        }
        out.raw(Errors.WRONGTYPE);
        return null;
    }

    static void sadd(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        HashSet<Key> s;
        if (v == null) {
            s = new HashSet<>();
            db.put(key, s, NO_EXPIRY);
        } else if ((s = set(v, out)) == null) {
            return;
        }
        long added = 0;
        for (int i = 2; i < a.count(); i++) {
            Key m = db.probe(1, a, i);
            if (!s.contains(m)) {
                s.add(m.owned());
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
        HashSet<Key> s = set(v, out);
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
            out.arrayHeader(0);
            return;
        }
        HashSet<Key> s = set(v, out);
        if (s != null) {
            out.arrayHeader(s.size());
            for (Key m : s) {
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
        HashSet<Key> s = set(v, out);
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
        HashSet<Key> s = set(v, out);
        if (s != null) {
            out.integer(s.size());
        }
    }

    /**
     * SPOP key [count]. Members are taken from a random starting point of the set's iteration
     * order: random enough for a set that is not adversarial, but not uniform as Redis's is.
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
                out.arrayHeader(0);
            } else {
                out.nullBulk();
            }
            return;
        }
        HashSet<Key> s = set(v, out);
        if (s == null) {
            return;
        }
        int n = (int) Math.min(count, s.size());
        if (hasCount) {
            out.arrayHeader(n);
        }
        int skip = s.size() > n ? ThreadLocalRandom.current().nextInt(s.size() - n + 1) : 0;
        Iterator<Key> it = s.iterator();
        for (int k = 0; k < skip; k++) {
            it.next();
        }
        for (int k = 0; k < n; k++) {
            Key m = it.next();
            it.remove();
            out.bulk(m.array(), m.offset(), m.length());
        }
        if (s.isEmpty()) {
            db.remove(key);
        }
    }
}
