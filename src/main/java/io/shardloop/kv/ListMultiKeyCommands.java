package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.ArrayDeque;

import static io.shardloop.kv.Db.NO_EXPIRY;
import static io.shardloop.kv.KeyspaceEvents.LIST;

/**
 * List commands over several keys (LMOVE, RPOPLPUSH, LMPOP), answering as Redis 7.0's t_list.c.
 * They run whole on one store, as every command over several keys that cannot be split does.
 */
final class ListMultiKeyCommands {
    static final int HEAD = 0;
    static final int TAIL = 1;
    private static final byte[] COUNT_NOT_POSITIVE = Errors.encoded("-ERR count should be greater than 0");

    private ListMultiKeyCommands() {
    }

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT. */
    static void lmove(Db db, CommandArgs a, ReplySink out) {
        int from = end(a, 3);
        int to = end(a, 4);
        if (from < 0 || to < 0) {
            out.raw(Errors.SYNTAX);
            return;
        }
        move(db, a, from == HEAD, to == HEAD, out);
    }

    /** RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT. */
    static void rpoplpush(Db db, CommandArgs a, ReplySink out) {
        move(db, a, false, true, out);
    }

    /**
     * Pops an element of the source and pushes it onto the destination, which may be the same list
     * (a rotation); nil when there is no source. The destination keeps its deadline.
     */
    static void move(Db db, CommandArgs a, boolean fromHead, boolean toHead, ReplySink out) {
        Key source = Key.copyOf(a, 1);
        Key destination = Key.copyOf(a, 2);
        Object sv = db.get(source);
        if (sv == null) {
            out.nullBulk();
            return;
        }
        ArrayDeque<byte[]> from = ListCommands.list(sv, out);
        if (from == null) {
            return;
        }
        Object dv = db.get(destination);
        ArrayDeque<byte[]> to = null;
        if (dv != null && (to = ListCommands.list(dv, out)) == null) {
            return;
        }
        byte[] value = fromHead ? from.pollFirst() : from.pollLast();
        if (to == null) {
            to = new ArrayDeque<>();
            db.put(destination, to, NO_EXPIRY);
        }
        if (toHead) {
            to.addFirst(value);
        } else {
            to.addLast(value);
        }
        db.notify(LIST, toHead ? "lpush" : "rpush", destination); // Redis: the push's event, then the pop's
        db.notify(LIST, fromHead ? "lpop" : "rpop", source);
        ListCommands.removeIfEmpty(db, source, from);
        out.bulk(value);
    }

    /**
     * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: up to count elements from the first
     * key holding a list, as [key, [elements]]; a nil array when none does.
     */
    static void lmpop(Db db, CommandArgs a, ReplySink out) {
        mpop(db, a, 1, () -> true, out);
    }

    /**
     * LMPOP's pass with numkeys at {@code numKeysAt} (BLMPOP's 2); {@code accepted} checks what the
     * caller adds (BLMPOP's timeout) after the options, as Redis does, and has replied when false.
     */
    static void mpop(Db db, CommandArgs a, int numKeysAt, java.util.function.BooleanSupplier accepted, ReplySink out) {
        long numKeys = a.isLong(numKeysAt) ? a.parseLong(numKeysAt, 0) : 0;
        if (numKeys < 1) {
            out.raw(SetCommands.NUMKEYS_NOT_POSITIVE);
            return;
        }
        long whereAt = numKeysAt + 1 + numKeys;
        int where = whereAt < a.count() ? end(a, (int) whereAt) : -1;
        if (where < 0) {
            out.raw(Errors.SYNTAX);
            return;
        }
        long count = popCount(a, (int) whereAt + 1, out);
        if (count < 0 || !accepted.getAsBoolean()) {
            return;
        }
        for (int i = numKeysAt + 1; i < whereAt; i++) {
            Key key = Key.copyOf(a, i);
            Object v = db.get(key);
            if (v == null) {
                continue;
            }
            ArrayDeque<byte[]> l = ListCommands.list(v, out);
            if (l == null) {
                return;
            }
            int n = (int) Math.min(count, l.size());
            out.arrayHeader(2);
            out.bulk(key.array(), key.offset(), key.length());
            out.arrayHeader(n);
            for (int k = 0; k < n; k++) {
                out.bulk(where == HEAD ? l.pollFirst() : l.pollLast());
            }
            db.notify(LIST, where == HEAD ? "lpop" : "rpop", key);
            ListCommands.removeIfEmpty(db, key, l);
            return;
        }
        out.nullArray();
    }

    /**
     * The [COUNT count] that ends LMPOP and ZMPOP, from argument {@code at}: 1 when absent, or -1
     * after replying Redis's error.
     */
    static long popCount(CommandArgs a, int at, ReplySink out) {
        long count = -1;
        for (int j = at; j < a.count(); j++) {
            if (count == -1 && a.is(j, "count") && j + 1 < a.count()) {
                j++;
                count = a.isLong(j) ? a.parseLong(j, 0) : 0;
                if (count < 1) {
                    out.raw(COUNT_NOT_POSITIVE);
                    return -1;
                }
            } else {
                out.raw(Errors.SYNTAX);
                return -1;
            }
        }
        return count == -1 ? 1 : count;
    }

    /** LEFT (the head) or RIGHT (the tail) at argument {@code i}, or -1. */
    static int end(CommandArgs a, int i) {
        if (a.is(i, "left")) {
            return HEAD;
        }
        return a.is(i, "right") ? TAIL : -1;
    }
}
