package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.ArrayDeque;
import java.util.Iterator;

import static io.shardloop.kv.Db.NO_EXPIRY;

/** List commands. A list is an {@code ArrayDeque<byte[]>}, removed when its last element goes. */
final class ListCommands {
    private ListCommands() {
    }

    @SuppressWarnings("unchecked")
    private static ArrayDeque<byte[]> list(Object v, ReplySink out) {
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

    private static void push(Db db, CommandArgs a, boolean head, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        ArrayDeque<byte[]> l;
        if (v == null) {
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
        if (!hasCount) {
            out.bulk(head ? l.pollFirst() : l.pollLast());
        } else {
            int n = (int) Math.min(count, l.size());
            out.arrayHeader(n);
            for (int k = 0; k < n; k++) {
                out.bulk(head ? l.pollFirst() : l.pollLast());
            }
        }
        if (l.isEmpty()) {
            db.remove(key);
        }
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
        if (start < 0) {
            start = Math.max(0, size + start);
        }
        if (stop < 0) {
            stop = size + stop;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        if (start > stop || start >= size) {
            out.arrayHeader(0);
            return;
        }
        int n = (int) (stop - start + 1);
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
}
