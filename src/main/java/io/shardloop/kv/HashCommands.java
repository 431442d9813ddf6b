package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.Numbers;
import io.shardloop.resp.codec.ReplySink;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.shardloop.kv.Db.NO_EXPIRY;
import static io.shardloop.kv.KeyspaceEvents.GENERIC;
import static io.shardloop.kv.KeyspaceEvents.HASH;

/**
 * Hash commands. A hash is a {@code HashMap<Key, byte[]>} in insertion order (a LinkedHashMap, from
 * {@link #newHash}: Redis's listpack keeps a small hash's fields in the order they were added, and
 * HGETALL, HKEYS, HVALS and HSCAN answer in it), removed when its last field goes. Their
 * keyspace events, as t_hash.c's: {@code hset} (HSET, HMSET, HSETNX), {@code hincrby},
 * {@code hincrbyfloat}, {@code hdel} and the {@code del} of an emptied hash.
 */
final class HashCommands {
    /** What a missing hash reads as; never written to. */
    private static final HashMap<Key, byte[]> EMPTY = new HashMap<>();
    private static final byte[] HASH_NOT_FLOAT = encoded("-ERR hash value is not a float");
    private static final byte[] INCREMENT_NAN_OR_INFINITY = encoded("-ERR value is NaN or Infinity");


    private HashCommands() {
    }

    /** The hash at argument 1; null after replying WRONGTYPE; an empty new one (not yet stored) if absent. */
    @SuppressWarnings("unchecked")
    /** A new, empty hash with room for {@code fields}: the one place the hash's map is chosen. */
    static HashMap<Key, byte[]> newHash(int fields) {
        return new LinkedHashMap<>(Math.max(16, (int) Math.ceil(fields / 0.75)));
    }

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
        long added = setFields(db, a, out);
        if (added >= 0) {
            out.integer(added);
        }
    }

    /** HMSET key field value [field value ...]: HSET answering +OK. */
    static void hmset(Db db, CommandArgs a, ReplySink out) {
        if ((a.count() - 2) % 2 != 0) {
            out.error(Errors.wrongArity("hmset"));
            return;
        }
        if (setFields(db, a, out) >= 0) {
            out.raw(Errors.OK);
        }
    }

    /** Sets the field/value pairs from argument 2 on: the count of new fields, or -1 after WRONGTYPE. */
    private static long setFields(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        HashMap<Key, byte[]> h;
        if (v == null) {
            h = newHash(0);
            db.put(key, h, NO_EXPIRY);
        } else if ((h = hash(v, out)) == null) {
            return -1;
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
        db.notify(HASH, "hset", key);
        return added;
    }

    /** HSETNX key field value: 1 if the field was new and is now set, else 0. */
    static void hsetnx(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        HashMap<Key, byte[]> h;
        if (v == null) {
            h = newHash(0);
            db.put(key, h, NO_EXPIRY);
        } else if ((h = hash(v, out)) == null) {
            return;
        }
        Key field = db.probe(1, a, 2);
        if (h.containsKey(field)) {
            out.integer(0);
        } else {
            h.put(field.owned(), a.copy(3));
            db.notify(HASH, "hset", key);
            out.integer(1);
        }
    }

    /** HKEYS key: the fields, an array (not a set, even in RESP3, as in Redis). */
    static void hkeys(Db db, CommandArgs a, ReplySink out) {
        HashMap<Key, byte[]> h = readable(db, a, out);
        if (h != null) {
            out.arrayHeader(h.size());
            for (Key f : h.keySet()) {
                out.bulk(f.array(), f.offset(), f.length());
            }
        }
    }

    /** HVALS key: the values, an array. */
    static void hvals(Db db, CommandArgs a, ReplySink out) {
        HashMap<Key, byte[]> h = readable(db, a, out);
        if (h != null) {
            out.arrayHeader(h.size());
            for (byte[] value : h.values()) {
                out.bulk(value);
            }
        }
    }

    static void hexists(Db db, CommandArgs a, ReplySink out) {
        HashMap<Key, byte[]> h = readable(db, a, out);
        if (h != null) {
            out.integer(h.containsKey(db.probe(1, a, 2)) ? 1 : 0);
        }
    }

    static void hstrlen(Db db, CommandArgs a, ReplySink out) {
        HashMap<Key, byte[]> h = readable(db, a, out);
        if (h != null) {
            byte[] value = h.get(db.probe(1, a, 2));
            out.integer(value == null ? 0 : value.length);
        }
    }

    /** HINCRBYFLOAT key field increment: in long double arithmetic, as INCRBYFLOAT. */
    static void hincrbyfloat(Db db, CommandArgs a, ReplySink out) {
        BigDecimal by = LongDouble.parse(a.array(), a.offset(3), a.length(3));
        if (by == null) {
            out.raw(StringCommands.NOT_A_FLOAT);
            return;
        }
        if (by == LongDouble.INFINITE) {
            out.raw(INCREMENT_NAN_OR_INFINITY);
            return;
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        HashMap<Key, byte[]> h = null;
        if (v != null && (h = hash(v, out)) == null) {
            return;
        }
        Key field = db.probe(1, a, 2);
        byte[] old = h == null ? null : h.get(field);
        BigDecimal current = BigDecimal.ZERO;
        if (old != null) {
            current = LongDouble.parse(old, 0, old.length);
            if (current == null) {
                out.raw(HASH_NOT_FLOAT);
                return;
            }
        }
        BigDecimal next = LongDouble.add(current, by);
        if (next == LongDouble.INFINITE) {
            out.raw(StringCommands.NAN_OR_INFINITY);
            return;
        }
        if (h == null) {
            h = newHash(0);
            db.put(key, h, NO_EXPIRY);
        }
        byte[] text = LongDouble.format(next);
        if (old != null) {
            h.put(field, text);
        } else {
            h.put(field.owned(), text);
        }
        db.notify(HASH, "hincrbyfloat", key);
        out.bulk(text);
    }

    /**
     * The hash at argument 1 for reading: an empty one if absent (never stored), or null after
     * replying WRONGTYPE.
     */
    private static HashMap<Key, byte[]> readable(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        return v == null ? EMPTY : hash(v, out);
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
        if (removed > 0) {
            db.notify(HASH, "hdel", key);
        }
        if (h.isEmpty()) {
            db.remove(key);
            db.notify(GENERIC, "del", key);
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
            h = newHash(0);
            db.put(key, h, NO_EXPIRY);
        }
        byte[] text = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
        if (old != null) {
            h.put(field, text);
        } else {
            h.put(field.owned(), text);
        }
        db.notify(HASH, "hincrby", key);
        out.integer(next);
    }

    /**
     * HRANDFIELD key [count [WITHVALUES]]: without a count one random field (nil for no key); with
     * a positive count that many distinct fields (the whole hash when it has no more); with a
     * negative one that many picks that may repeat, at most {@link RandomPicks#MAX_REPEATED}. RESP3
     * nests each field with its value. O(hash size): a HashMap has no random access.
     */
    static void hrandfield(Db db, CommandArgs a, ReplySink out) {
        if (a.count() == 2) {
            Object v = db.get(db.probe(0, a, 1));
            if (v == null) {
                out.nullBulk();
                return;
            }
            HashMap<Key, byte[]> h = hash(v, out);
            if (h != null) {
                int skip = ThreadLocalRandom.current().nextInt(h.size());
                for (Key f : h.keySet()) {
                    if (skip-- == 0) {
                        out.bulk(f.array(), f.offset(), f.length());
                        break;
                    }
                }
            }
            return;
        }
        long count = RandomPicks.count(a, "withvalues", out);
        if (count == RandomPicks.REFUSED) {
            return;
        }
        boolean withValues = a.count() == 4;
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.arrayHeader(0);
            return;
        }
        HashMap<Key, byte[]> h = hash(v, out);
        if (h == null) {
            return;
        }
        if (count == 0) {
            out.arrayHeader(0);
            return;
        }
        if (RandomPicks.tooMany(count, out)) {
            return;
        }
        Key[] fields = fields(h);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (count < 0 || count == 1) {
            int picks = (int) Math.abs(count);
            fieldsHeader(out, picks, withValues);
            for (int k = 0; k < picks; k++) {
                emitField(out, h, fields[random.nextInt(fields.length)], withValues);
            }
            return;
        }
        int n = (int) Math.min(count, fields.length);
        if (n < fields.length) {
            for (int i = 0; i < n; i++) { // a partial Fisher-Yates shuffle: the first n, each n-subset equally likely
                int j = i + random.nextInt(fields.length - i);
                Key t = fields[i];
                fields[i] = fields[j];
                fields[j] = t;
            }
        }
        fieldsHeader(out, n, withValues);
        for (int i = 0; i < n; i++) {
            emitField(out, h, fields[i], withValues);
        }
    }

    private static Key[] fields(HashMap<Key, byte[]> h) {
        return h.keySet().toArray(new Key[0]);
    }

    private static void fieldsHeader(ReplySink out, int count, boolean withValues) {
        out.arrayHeader(withValues && out.protocol() == 2 ? count * 2 : count);
    }

    private static void emitField(ReplySink out, HashMap<Key, byte[]> h, Key f, boolean withValues) {
        if (withValues && out.protocol() == 3) {
            out.arrayHeader(2);
        }
        out.bulk(f.array(), f.offset(), f.length());
        if (withValues) {
            out.bulk(h.get(f));
        }
    }

    private static byte[] encoded(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
