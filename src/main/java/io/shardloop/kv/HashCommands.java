package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.Numbers;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static io.shardloop.kv.Db.NO_EXPIRY;

/** Hash commands. A hash is a {@code HashMap<Key, byte[]>}, removed when its last field goes. */
final class HashCommands {
    private HashCommands() {
    }

    /** The hash at argument 1; null after replying WRONGTYPE; an empty new one (not yet stored) if absent. */
    @SuppressWarnings("unchecked")
    private static HashMap<Key, byte[]> hash(Object v, ReplySink out) {
        if (v instanceof HashMap<?, ?> h) {
            return (HashMap<Key, byte[]>) h;
        }
        out.raw(Errors.WRONGTYPE);
        return null;
    }

    /** HSET key field value [field value ...]: the count of new fields. */
    static void hset(Db db, CommandArgs a, ReplySink out) {
        if ((a.count() - 2) % 2 != 0) {
            out.error(Errors.wrongArity("hset"));
            return;
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        HashMap<Key, byte[]> h;
        if (v == null) {
            h = new HashMap<>();
            db.put(key, h, NO_EXPIRY);
        } else if ((h = hash(v, out)) == null) {
            return;
        }
        long added = 0;
        for (int i = 2; i < a.count(); i += 2) {
            Key field = db.probe(1, a, i);
            byte[] value = a.copy(i + 1);
            if (h.containsKey(field)) {
                h.put(field, value); // the stored key object is kept; only the value changes
            } else {
                h.put(field.owned(), value);
                added++;
            }
        }
        out.integer(added);
    }

    static void hget(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.nullBulk();
            return;
        }
        HashMap<Key, byte[]> h = hash(v, out);
        if (h != null) {
            byte[] value = h.get(db.probe(1, a, 2));
            if (value == null) {
                out.nullBulk();
            } else {
                out.bulk(value);
            }
        }
    }

    static void hmget(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        HashMap<Key, byte[]> h = null;
        if (v != null && (h = hash(v, out)) == null) {
            return;
        }
        out.arrayHeader(a.count() - 2);
        for (int i = 2; i < a.count(); i++) {
            byte[] value = h == null ? null : h.get(db.probe(1, a, i));
            if (value == null) {
                out.nullBulk();
            } else {
                out.bulk(value);
            }
        }
    }

    static void hgetall(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.mapHeader(0);
            return;
        }
        HashMap<Key, byte[]> h = hash(v, out);
        if (h != null) {
            out.mapHeader(h.size());
            for (Map.Entry<Key, byte[]> e : h.entrySet()) {
                Key f = e.getKey();
                out.bulk(f.array(), f.offset(), f.length());
                out.bulk(e.getValue());
            }
        }
    }

    static void hdel(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.integer(0);
            return;
        }
        HashMap<Key, byte[]> h = hash(v, out);
        if (h == null) {
            return;
        }
        long removed = 0;
        for (int i = 2; i < a.count(); i++) {
            if (h.remove(db.probe(1, a, i)) != null) {
                removed++;
            }
        }
        if (h.isEmpty()) {
            db.remove(key);
        }
        out.integer(removed);
    }

    static void hlen(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        HashMap<Key, byte[]> h = hash(v, out);
        if (h != null) {
            out.integer(h.size());
        }
    }

    static void hincrby(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(3)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long by = a.parseLong(3, 0);
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        HashMap<Key, byte[]> h = null;
        if (v != null && (h = hash(v, out)) == null) {
            return;
        }
        Key field = db.probe(1, a, 2);
        byte[] old = h == null ? null : h.get(field);
        long current = 0;
        if (old != null) {
            if (!Numbers.isLong(old, 0, old.length)) {
                out.raw(Errors.HASH_NOT_INTEGER);
                return;
            }
            current = Numbers.parseLong(old, 0, old.length, 0);
        }
        long next = current + by;
        if (((current ^ next) & (by ^ next)) < 0) {
            out.raw(Errors.OVERFLOW);
            return;
        }
        if (h == null) {
            h = new HashMap<>();
            db.put(key, h, NO_EXPIRY);
        }
        byte[] text = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
        if (old != null) {
            h.put(field, text);
        } else {
            h.put(field.owned(), text);
        }
        out.integer(next);
    }
}
