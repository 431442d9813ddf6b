package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;

import static io.shardloop.kv.Db.NO_EXPIRY;
import static io.shardloop.kv.KeyspaceEvents.GENERIC;

/**
 * Generic key commands. Stateless: every method works on the {@link Db} it is given, and reports its
 * keyspace events there as db.c and expire.c do: {@code del}; {@code rename_from} and
 * {@code rename_to}; {@code copy_to} and {@code move_from}/{@code move_to}, each in its database;
 * {@code expire} (or {@code del} for a deadline already past); {@code persist}.
 */
final class KeyCommands {
    private static final byte[] SAME_OBJECT = Errors.encoded("-ERR source and destination objects are the same");
    private static final byte[] DB_INDEX_NOT_INT =
            Errors.encoded("-ERR value is out of range, value must between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);

    private KeyCommands() {
    }

    /** DEL and UNLINK (memory is reclaimed by the collector either way). */
    static void del(Db db, CommandArgs a, ReplySink out) {
        long n = 0;
        for (int i = 1; i < a.count(); i++) {
            Key key = db.probe(0, a, i);
            if (db.remove(key)) {
                db.notify(GENERIC, "del", key);
                n++;
            }
        }
        out.integer(n);
    }

    /** EXISTS key...: a key named twice counts twice, as in Redis. */
    static void exists(Db db, CommandArgs a, ReplySink out) {
        long n = 0;
        for (int i = 1; i < a.count(); i++) {
            if (db.peek(db.probe(0, a, i)) != null) {
                n++;
            }
        }
        out.integer(n);
    }

    static void type(Db db, CommandArgs a, ReplySink out) {
        out.simple(typeName(db.peek(db.probe(0, a, 1))));
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "none";
            case byte[] s -> "string";
            case HashMap<?, ?> h -> "hash";
            case ArrayDeque<?> l -> "list";
            case MemberSet s -> "set";
            case SortedSet z -> "zset";
            default -> throw new IllegalStateException("unknown value type " + v.getClass());
        };
    }

    /**
     * An independent copy of a value (COPY): a change to one never shows in the other. Strings,
     * hash values and list elements are copied too, as byte arrays may be changed in place.
     */
    @SuppressWarnings("unchecked")
    static Object copyOf(Object v) {
        return switch (v) {
            case byte[] s -> s.clone();
            case HashMap<?, ?> h -> {
                HashMap<Key, byte[]> c = HashCommands.newHash(h.size());
                ((HashMap<Key, byte[]>) h).forEach((field, value) -> c.put(field, value.clone()));
                yield c;
            }
            case ArrayDeque<?> l -> {
                ArrayDeque<byte[]> c = new ArrayDeque<>(l.size());
                for (byte[] e : (ArrayDeque<byte[]>) l) {
                    c.addLast(e.clone());
                }
                yield c;
            }
            case MemberSet s -> s.copy();
            case SortedSet z -> z.copy();
            default -> throw new IllegalStateException("unknown value type " + v.getClass());
        };
    }

    static void rename(Db db, CommandArgs a, ReplySink out) {
        rename(db, a, false, out);
    }

    static void renamenx(Db db, CommandArgs a, ReplySink out) {
        rename(db, a, true, out);
    }

    /**
     * RENAME / RENAMENX source destination: the value and its deadline move; a missing source is an
     * error even when both names are the same, which otherwise changes nothing.
     */
    private static void rename(Db db, CommandArgs a, boolean nx, ReplySink out) {
        Key source = Key.copyOf(a, 1);
        Key destination = Key.copyOf(a, 2);
        Object v = db.get(source);
        if (v == null) {
            out.raw(Errors.NO_SUCH_KEY);
            return;
        }
        if (source.equals(destination)) {
            if (nx) {
                out.integer(0);
            } else {
                out.raw(Errors.OK);
            }
            return;
        }
        long expireAt = db.expireAt(source);
        if (nx && db.get(destination) != null) {
            out.integer(0);
            return;
        }
        db.remove(source);
        db.remove(destination); // as Redis deletes it and adds the key anew: a new key to the n class
        db.put(destination, v, expireAt);
        db.notify(GENERIC, "rename_from", source);
        db.notify(GENERIC, "rename_to", destination);
        if (nx) {
            out.integer(1);
        } else {
            out.raw(Errors.OK);
        }
    }

    /**
     * COPY source destination [DB index] [REPLACE]: a copy of the value with the source's deadline,
     * into this database or database {@code index} (of the same shard: a key's shard does not
     * depend on its database).
     */
    static void copy(Db db, CommandArgs a, ReplySink out) {
        boolean replace = false;
        Db target = db;
        for (int j = 3; j < a.count(); j++) {
            if (a.is(j, "replace")) {
                replace = true;
            } else if (a.is(j, "db") && j + 1 < a.count()) {
                j++;
                if (!a.isLong(j)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
                long index = a.parseLong(j, 0);
                if (index < Integer.MIN_VALUE || index > Integer.MAX_VALUE) {
                    out.raw(DB_INDEX_NOT_INT);
                    return;
                }
                if (index < 0 || index >= db.databases()) {
                    out.raw(Errors.DB_OUT_OF_RANGE);
                    return;
                }
                target = db.database((int) index);
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        Key source = Key.copyOf(a, 1);
        Key destination = Key.copyOf(a, 2);
        if (target == db && source.equals(destination)) {
            out.raw(SAME_OBJECT);
            return;
        }
        Object v = db.get(source);
        if (v == null) {
            out.integer(0);
            return;
        }
        long expireAt = db.expireAt(source);
        int converted = db.header(source) & ObjectHeader.CONVERTED; // Redis's copy keeps the encoding
        if (target.get(destination) != null && !replace) {
            out.integer(0);
            return;
        }
        if (target != db) {
            target.watches().touched(destination);
        }
        target.remove(destination);
        target.put(destination, copyOf(v), expireAt);
        if (converted != 0) {
            target.setHeader(destination, target.header(destination) | converted);
        }
        target.notify(GENERIC, "copy_to", destination);
        out.integer(1);
    }

    /**
     * The database of key {@code n} of a command: the one it runs on, but for the destination of a
     * COPY ... DB index (one of {@code databases}), which is in that database.
     */
    static int keyDb(Command c, CommandArgs a, int n, int databases) {
        if (n != 1 || !c.name().equals("copy")) {
            return a.db();
        }
        int db = a.db();
        for (int j = 3; j + 1 < a.count(); j++) {
            if (a.is(j, "db")) {
                long index = a.parseLong(++j, -1);
                db = index >= 0 && index < databases ? (int) index : a.db(); // a bad index: the COPY only answers an error
            }
        }
        return db;
    }

    /**
     * MOVE key db: the key, with its deadline, into database {@code db} of this shard (a key's shard
     * does not depend on its database); 0 when it is missing here or already there.
     */
    static void move(Db db, CommandArgs a, ReplySink out) {
        long index = MultiState.selectedDb(a, 2, db.databases());
        if (index < 0) {
            out.error(MultiState.selectError(index));
            return;
        }
        Db target = db.database((int) index);
        if (target == db) {
            out.raw(SAME_OBJECT);
            return;
        }
        Key key = Key.copyOf(a, 1);
        Object v = db.get(key);
        if (v == null || target.get(key) != null) {
            out.integer(0);
            return;
        }
        long expireAt = db.expireAt(key);
        target.watches().touched(key);
        target.put(key, v, expireAt);
        db.remove(key);
        db.notify(GENERIC, "move_from", key);
        target.notify(GENERIC, "move_to", key);
        out.integer(1);
    }

    /**
     * SWAPDB index index: the two databases of this shard exchange their keys. Run on every shard
     * at once (a transaction over all of them), so no command sees some shards swapped and others
     * not. As Redis (touchAllDbKeysInDb), a watched key of either database changes when it
     * exists in either before the swap.
     */
    static void swapdb(Db db, CommandArgs a, ReplySink out) {
        long first = dbIndex(a, 1);
        long second = dbIndex(a, 2);
        if (first == Long.MIN_VALUE) {
            out.error("ERR invalid first DB index");
            return;
        }
        if (second == Long.MIN_VALUE) {
            out.error("ERR invalid second DB index");
            return;
        }
        if (first < 0 || first >= db.databases() || second < 0 || second >= db.databases()) {
            out.raw(Errors.DB_OUT_OF_RANGE);
            return;
        }
        if (first != second) {
            Db one = db.database((int) first);
            Db other = db.database((int) second);
            one.watches().touchedAllIn(one, other);
            other.watches().touchedAllIn(other, one);
            one.swapKeys(other);
        }
        out.raw(Errors.OK);
    }

    /** Argument {@code i} as Redis's getIntFromObject reads it, or Long.MIN_VALUE when it is not an int. */
    private static long dbIndex(CommandArgs a, int i) {
        if (!a.isLong(i)) {
            return Long.MIN_VALUE;
        }
        long v = a.parseLong(i, 0);
        return v < Integer.MIN_VALUE || v > Integer.MAX_VALUE ? Long.MIN_VALUE : v;
    }

    static void expire(Db db, CommandArgs a, ReplySink out) {
        expire(db, a, 1000, false, "expire", out);
    }

    static void pexpire(Db db, CommandArgs a, ReplySink out) {
        expire(db, a, 1, false, "pexpire", out);
    }

    static void expireat(Db db, CommandArgs a, ReplySink out) {
        expire(db, a, 1000, true, "expireat", out);
    }

    static void pexpireat(Db db, CommandArgs a, ReplySink out) {
        expire(db, a, 1, true, "pexpireat", out);
    }

    /**
     * EXPIRE key time [NX | XX | GT | LT] (time from now) and EXPIREAT (a Unix time), in seconds or
     * milliseconds, Redis 7 rules; a deadline already past deletes the key.
     */
    private static void expire(Db db, CommandArgs a, long unitMs, boolean absolute, String command, ReplySink out) {
        boolean nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < a.count(); i++) {
            if (a.is(i, "NX")) {
                nx = true;
            } else if (a.is(i, "XX")) {
                xx = true;
            } else if (a.is(i, "GT")) {
                gt = true;
            } else if (a.is(i, "LT")) {
                lt = true;
            } else {
                out.error("ERR Unsupported option " + a.string(i));
                return;
            }
        }
        if (nx && (xx || gt || lt)) {
            out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if (gt && lt) {
            out.error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long t = a.parseLong(2, 0);
        long now = db.now();
        long base = absolute ? 0 : now;
        if (t > Long.MAX_VALUE / unitMs || t < Long.MIN_VALUE / unitMs
                || (t * unitMs > 0 && t * unitMs > Long.MAX_VALUE - base)) {
            out.error(Errors.invalidExpire(command));
            return;
        }
        long deadline = base + t * unitMs;
        Key key = db.probe(0, a, 1);
        if (db.get(key) == null) {
            out.integer(0);
            return;
        }
        long current = db.expireAt(key);
        if ((nx && current != NO_EXPIRY) || (xx && current == NO_EXPIRY)
                || (gt && (current == NO_EXPIRY || deadline <= current))
                || (lt && current != NO_EXPIRY && deadline >= current)) {
            out.integer(0);
            return;
        }
        if (deadline <= now) {
            db.remove(key);
            db.notify(GENERIC, "del", key);
        } else {
            db.setExpireAt(key, deadline);
            db.notify(GENERIC, "expire", key);
        }
        out.integer(1);
    }

    static void ttl(Db db, CommandArgs a, ReplySink out) {
        ttl(db, a, false, out);
    }

    static void pttl(Db db, CommandArgs a, ReplySink out) {
        ttl(db, a, true, out);
    }

    private static void ttl(Db db, CommandArgs a, boolean millis, ReplySink out) {
        Key key = db.probe(0, a, 1);
        if (db.peek(key) == null) {
            out.integer(-2);
            return;
        }
        long at = db.expireAt(key);
        if (at == NO_EXPIRY) {
            out.integer(-1);
            return;
        }
        long left = Math.max(0, at - db.now());
        out.integer(millis ? left : (left + 500) / 1000);
    }

    static void persist(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        if (db.get(key) == null || db.expireAt(key) == NO_EXPIRY) {
            out.integer(0);
            return;
        }
        db.setExpireAt(key, NO_EXPIRY);
        db.notify(GENERIC, "persist", key);
        out.integer(1);
    }

    static void keys(Db db, CommandArgs a, ReplySink out) {
        byte[] p = a.array();
        int pOff = a.offset(1);
        int pLen = a.length(1);
        boolean all = Glob.matchesAll(p, pOff, pLen);
        ArrayList<Key> found = new ArrayList<>();
        db.forEachKey((k, v) -> {
            if (all || Glob.matches(p, pOff, pLen, k.array(), k.offset(), k.length())) {
                found.add(k);
            }
        });
        out.arrayHeader(found.size());
        for (Key k : found) {
            out.bulk(k.array(), k.offset(), k.length());
        }
    }

    /**
     * Keys one SCAN call visits at most, whatever its COUNT asks (a hint, in Redis too): so that no
     * single call holds its loop for the whole keyspace.
     */
    static final int MAX_SCAN_STEP = 100_000;

    /** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]; the cursor spans shards ({@link ScanCursor}). */
    static void scan(Db db, CommandArgs a, ReplySink out) {
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(a.string(1));
        } catch (NumberFormatException e) {
            out.raw(Errors.INVALID_CURSOR);
            return;
        }
        int match = -1;
        long count = 10;
        String type = null;
        for (int i = 2; i < a.count(); i++) {
            boolean hasNext = i + 1 < a.count();
            if (hasNext && a.is(i, "MATCH")) {
                match = ++i;
            } else if (hasNext && a.is(i, "COUNT")) {
                i++;
                if (!a.isLong(i)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
                count = a.parseLong(i, 0);
                if (count < 1) {
                    out.raw(Errors.SYNTAX);
                    return;
                }
            } else if (hasNext && a.is(i, "TYPE")) {
                type = a.string(++i).toLowerCase(java.util.Locale.ROOT);
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        int shard = ScanCursor.shard(cursor);
        ArrayList<Key> found = new ArrayList<>();
        long next = 0;
        if (shard == db.shardIndex()) {
            int mi = match;
            String wantedType = type;
            boolean all = mi < 0 || Glob.matchesAll(a.array(), a.offset(mi), a.length(mi));
            long localNext = db.scan(ScanCursor.local(cursor), (int) Math.min(count, MAX_SCAN_STEP), (k, v) -> {
                if ((all || Glob.matches(a.array(), a.offset(mi), a.length(mi), k.array(), k.offset(), k.length()))
                        && (wantedType == null || wantedType.equals(typeName(v)))) {
                    found.add(k);
                }
            });
            next = ScanCursor.next(shard, db.shardCount(), localNext);
        }
        // A cursor naming another (or no) shard ends the walk here: routing sends each cursor to its shard.
        out.arrayHeader(2);
        byte[] cursorText = Long.toUnsignedString(next).getBytes(StandardCharsets.US_ASCII);
        out.bulk(cursorText);
        out.arrayHeader(found.size());
        for (Key k : found) {
            out.bulk(k.array(), k.offset(), k.length());
        }
    }

    /** RANDOMKEY: a random key of this store, or a null; a sharded server picks among its shards' ({@link Command.Merge#RANDOM}). */
    static void randomkey(Db db, CommandArgs a, ReplySink out) {
        Key k = db.randomKey();
        if (k == null) {
            out.nullBulk();
        } else {
            out.bulk(k.array(), k.offset(), k.length());
        }
    }

    static void dbsize(Db db, CommandArgs a, ReplySink out) {
        out.integer(db.size());
    }

    /** FLUSHDB [ASYNC | SYNC]: empties this database at once; its watched keys that existed change. */
    static void flushdb(Db db, CommandArgs a, ReplySink out) {
        if (a.count() == 2 && !a.is(1, "ASYNC") && !a.is(1, "SYNC") || a.count() > 2) {
            out.raw(Errors.SYNTAX);
            return;
        }
        db.watches().touchedAllIn(db, null);
        db.clear();
        out.raw(Errors.OK);
    }

    /** FLUSHALL [ASYNC | SYNC]: empties every database at once. */
    static void flushall(Db db, CommandArgs a, ReplySink out) {
        if (a.count() == 2 && !a.is(1, "ASYNC") && !a.is(1, "SYNC") || a.count() > 2) {
            out.raw(Errors.SYNTAX);
            return;
        }
        for (int i = 0; i < db.databases(); i++) {
            Db each = db.database(i);
            each.watches().touchedAllIn(each, null);
            each.clear();
        }
        out.raw(Errors.OK);
    }

    static void expiretime(Db db, CommandArgs a, ReplySink out) {
        expireTime(db, a, false, out);
    }

    static void pexpiretime(Db db, CommandArgs a, ReplySink out) {
        expireTime(db, a, true, out);
    }

    /** EXPIRETIME / PEXPIRETIME key: the absolute deadline, -1 without one, -2 for a missing key. */
    private static void expireTime(Db db, CommandArgs a, boolean millis, ReplySink out) {
        Key key = db.probe(0, a, 1);
        if (db.peek(key) == null) {
            out.integer(-2);
            return;
        }
        long at = db.expireAt(key);
        if (at == NO_EXPIRY) {
            out.integer(-1);
        } else {
            // Redis rounds the seconds to the nearest one, as TTL does.
            out.integer(millis ? at : (at + 500) / 1000);
        }
    }

    /**
     * TOUCH key...: the keys that exist, a key named twice counted twice. Nothing else to do: there
     * is no access clock for eviction to update.
     */
    /** TOUCH key...: as EXISTS, but each key found is accessed now (its idle time restarts). */
    static void touch(Db db, CommandArgs a, ReplySink out) {
        long n = 0;
        for (int i = 1; i < a.count(); i++) {
            if (db.get(db.probe(0, a, i)) != null) {
                n++;
            }
        }
        out.integer(n);
    }
}
