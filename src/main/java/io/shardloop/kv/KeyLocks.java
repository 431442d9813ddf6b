package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeSet;

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
        /** Its place in the order of arrival. */
        long seq;

        Entry(long id, Key[] keys, boolean[] writes, boolean everything, Runnable onGrant) {
            this.id = id;
            this.keys = keys;
            this.writes = writes;
            this.everything = everything;
            this.onGrant = onGrant;
        }
    }

    /** One entry's intent on one key. */
    private record Intent(Entry entry, boolean write) {
    }

    /** Every entry in line, in order of arrival. */
    private final LinkedHashSet<Entry> line = new LinkedHashSet<>();
    /** Per key, the intents on it, in order of arrival: what a conflict is looked up in. */
    private final Map<Key, ArrayList<Intent>> intents = new HashMap<>();
    /** The entries over every key, in order of arrival. */
    private final ArrayList<Entry> overEverything = new ArrayList<>();
    private long arrivals;
    private final Key probe = Key.probe();
    /** Waiting entries that a release may have freed, to look at in order of arrival. */
    private final TreeSet<Entry> candidates = new TreeSet<>(Comparator.comparingLong((Entry e) -> e.seq));
    private final ArrayList<Entry> granting = new ArrayList<>();
    private boolean regranting;

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
        if (!overEverything.isEmpty() || c.route() == Command.Route.ALL_SHARDS) {
            return true;
        }
        boolean write = c.isWrite();
        int keys = c.keyCount(args);
        for (int n = 0; n < keys; n++) {
            int i = c.keyIndex(args, n);
            ArrayList<Intent> on = intents.get(probe.view(args.array(), args.offset(i), args.length(i)));
            if (on != null) {
                for (int j = 0; j < on.size(); j++) {
                    if (write || on.get(j).write()) {
                        return true;
                    }
                }
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

    /**
     * Puts the entry in line: {@link #GRANTED}, {@link #WAITING} or {@link #RETRY} (then it is not
     * in line). Costs the intents on its own keys, not the length of the line.
     */
    int acquire(Entry e) {
        boolean conflict = false;
        if (e.everything) {
            for (Entry o : line) {
                if (o.id > e.id) {
                    return RETRY;
                }
                conflict = true;
            }
        } else {
            for (int j = 0; j < overEverything.size(); j++) {
                if (overEverything.get(j).id > e.id) {
                    return RETRY;
                }
                conflict = true;
            }
            for (int i = 0; i < e.keys.length; i++) {
                ArrayList<Intent> on = intents.get(e.keys[i]);
                if (on == null) {
                    continue;
                }
                for (int j = 0; j < on.size(); j++) {
                    Intent in = on.get(j);
                    if (in.write() || e.writes[i]) {
                        if (in.entry().id > e.id) {
                            return RETRY;
                        }
                        conflict = true;
                    }
                }
            }
        }
        e.seq = arrivals++;
        line.add(e);
        if (e.everything) {
            overEverything.add(e);
        }
        for (int i = 0; i < e.keys.length; i++) {
            intents.computeIfAbsent(e.keys[i], k -> new ArrayList<>(2)).add(new Intent(e, e.writes[i]));
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
            overEverything.remove(e);
            for (Entry w : line) {
                if (!w.granted) {
                    candidates.add(w);
                }
            }
        }
        for (int i = 0; i < e.keys.length; i++) {
            ArrayList<Intent> on = intents.get(e.keys[i]);
            if (on == null) {
                continue;
            }
            on.removeIf(in -> in.entry() == e);
            if (on.isEmpty()) {
                intents.remove(e.keys[i]);
            } else {
                for (int j = 0; j < on.size(); j++) {
                    if (!on.get(j).entry().granted) {
                        candidates.add(on.get(j).entry());
                    }
                }
            }
        }
        for (int j = 0; j < overEverything.size(); j++) {
            if (!overEverything.get(j).granted) {
                candidates.add(overEverything.get(j));
            }
        }
        regrant();
    }

    /** Whether no entry ahead of {@code w} in line conflicts with it. */
    private boolean free(Entry w) {
        if (w.everything) {
            return line.iterator().next() == w;
        }
        for (int j = 0; j < overEverything.size(); j++) {
            if (overEverything.get(j).seq < w.seq) {
                return false;
            }
        }
        for (int i = 0; i < w.keys.length; i++) {
            ArrayList<Intent> on = intents.get(w.keys[i]);
            for (int j = 0; j < on.size(); j++) {
                Intent in = on.get(j);
                if (in.entry() != w && in.entry().seq < w.seq && (in.write() || w.writes[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Grants, in order of arrival, the candidates no entry ahead conflicts with. A grant's callback
     * may release entries (a plain command runs and leaves), adding candidates: the walk goes on
     * until none is left, never nested.
     */
    private void regrant() {
        if (regranting) {
            return; // the walk under way takes the new candidates
        }
        regranting = true;
        try {
            while (!candidates.isEmpty()) {
                while (!candidates.isEmpty()) {
                    Entry w = candidates.pollFirst();
                    if (!w.granted && line.contains(w) && free(w)) {
                        w.granted = true;
                        granting.add(w);
                    }
                }
                for (int i = 0; i < granting.size(); i++) {
                    granting.get(i).onGrant.run();
                }
                granting.clear();
            }
        } finally {
            regranting = false;
        }
    }
}
