package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * One shard's intent locks on its keys, for transactions that span shards, and the line of those
 * waiting for them.
 * <p>
 * <b>Entries.</b> A transaction's part on this shard takes an {@link Entry}: the keys it reads and
 * writes, or every key. So does a plain command that finds one of its keys taken: it waits in the
 * same line, with an id drawn then. Entries keep their order of arrival; an entry is <i>granted</i>
 * when no entry ahead of it conflicts (two entries conflict when they share a key and one writes
 * it, or when either is over every key). A plain command that conflicts with no entry runs at once
 * and takes none: the fast path costs one {@link #isEmpty} while no transaction is here.
 * <p>
 * <b>No deadlock.</b> Ids come from one counter for all shards ({@link KvGroup#nextTransactionId}).
 * An entry that would wait behind a conflicting entry with a <i>larger</i> id is refused
 * ({@link #RETRY}): its transaction lets go of every shard and starts again with a new id, larger
 * than any in any line. So an entry only ever waits for smaller ids, and the waits cannot form a
 * cycle. A fresh id is never refused: plain commands always find their place.
 * <p>
 * Single-threaded: owned by the shard's loop thread.
 */
final class KeyLocks {
    /** {@link #acquire}: granted now. */
    static final int GRANTED = 0;
    /** {@link #acquire}: in line; {@link Entry#onGrant} runs when its turn comes. */
    static final int WAITING = 1;
    /** {@link #acquire}: refused, not in line: a conflicting entry with a larger id is here. */
    static final int RETRY = 2;

    /** A holder of intents, or a waiter for them. */
    static final class Entry {
        final long id;
        final Key[] keys;
        final boolean[] writes;
        /** Over every key of the shard (FLUSHDB, KEYS, SCAN in a transaction). */
        final boolean everything;
        /** Runs when an entry that had to wait is granted. */
        final Runnable onGrant;
        boolean granted;

        Entry(long id, Key[] keys, boolean[] writes, boolean everything, Runnable onGrant) {
            this.id = id;
            this.keys = keys;
            this.writes = writes;
            this.everything = everything;
            this.onGrant = onGrant;
        }

        boolean conflictsWith(Entry o) {
            if (everything || o.everything) {
                return true;
            }
            for (int i = 0; i < keys.length; i++) {
                for (int j = 0; j < o.keys.length; j++) {
                    if ((writes[i] || o.writes[j]) && keys[i].equals(o.keys[j])) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private final ArrayList<Entry> line = new ArrayList<>();
    /** Per key: entries reading it, entries writing it. */
    private final Map<Key, int[]> intents = new HashMap<>();
    private int overEverything;
    private final Key probe = Key.probe();
    private final ArrayList<Entry> granting = new ArrayList<>();
    private boolean regranting;
    private boolean regrantAgain;

    boolean isEmpty() {
        return line.isEmpty();
    }

    /** Entries in line, granted or waiting. */
    int size() {
        return line.size();
    }

    /**
     * Whether a plain command must wait: an entry holds or waits for one of its keys in a
     * conflicting mode (any entry, for a command over every key).
     */
    boolean blocks(Command c, CommandArgs args) {
        if (line.isEmpty()) {
            return false;
        }
        if (overEverything > 0 || c.route() == Command.Route.ALL_SHARDS) {
            return true;
        }
        boolean write = c.isWrite();
        int keys = c.keyCount(args);
        for (int n = 0; n < keys; n++) {
            int i = c.keyIndex(args, n);
            int[] in = intents.get(probe.view(args.array(), args.offset(i), args.length(i)));
            if (in != null && (in[1] > 0 || write && in[0] > 0)) {
                return true;
            }
        }
        return false;
    }

    /** The keys a plain command names, owned copies, for an {@link Entry} of its own. */
    static Entry entryFor(Command c, CommandArgs args, long id, Runnable onGrant) {
        boolean everything = c.route() == Command.Route.ALL_SHARDS;
        int count = everything ? 0 : Math.max(0, c.keyCount(args));
        Key[] keys = new Key[count];
        boolean[] writes = new boolean[count];
        boolean write = c.isWrite();
        for (int n = 0; n < count; n++) {
            int i = c.keyIndex(args, n);
            keys[n] = Key.copyOf(args.array(), args.offset(i), args.length(i));
            writes[n] = write;
        }
        return new Entry(id, keys, writes, everything, onGrant);
    }

    /** Puts the entry in line: {@link #GRANTED}, {@link #WAITING} or {@link #RETRY} (then it is not in line). */
    int acquire(Entry e) {
        boolean conflict = false;
        for (Entry o : line) {
            if (o.conflictsWith(e)) {
                if (o.id > e.id) {
                    return RETRY;
                }
                conflict = true;
            }
        }
        line.add(e);
        if (e.everything) {
            overEverything++;
        }
        for (int i = 0; i < e.keys.length; i++) {
            intents.computeIfAbsent(e.keys[i], k -> new int[2])[e.writes[i] ? 1 : 0]++;
        }
        e.granted = !conflict;
        return e.granted ? GRANTED : WAITING;
    }

    /** Takes the entry out of line (granted or not) and grants those it held back, in order. */
    void release(Entry e) {
        if (!line.remove(e)) {
            return;
        }
        if (e.everything) {
            overEverything--;
        }
        for (int i = 0; i < e.keys.length; i++) {
            int[] in = intents.get(e.keys[i]);
            if (in != null && --in[e.writes[i] ? 1 : 0] == 0 && in[0] == 0 && in[1] == 0) {
                intents.remove(e.keys[i]);
            }
        }
        regrant();
    }

    /**
     * Grants every waiting entry that no entry ahead of it conflicts with. A grant's callback may
     * release entries (a plain command runs and leaves), so the walk is repeated, never nested.
     */
    private void regrant() {
        if (regranting) {
            regrantAgain = true;
            return;
        }
        regranting = true;
        try {
            do {
                regrantAgain = false;
                for (int i = 0; i < line.size(); i++) {
                    Entry w = line.get(i);
                    if (w.granted) {
                        continue;
                    }
                    boolean free = true;
                    for (int j = 0; j < i && free; j++) {
                        free = !line.get(j).conflictsWith(w);
                    }
                    if (free) {
                        w.granted = true;
                        granting.add(w);
                    }
                }
                for (int i = 0; i < granting.size(); i++) {
                    granting.get(i).onGrant.run();
                }
                granting.clear();
            } while (regrantAgain);
        } finally {
            regranting = false;
        }
    }
}
