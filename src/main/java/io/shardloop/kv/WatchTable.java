package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

import java.util.HashMap;
import java.util.Map;

/**
 * The versions of the keys some client WATCHes, on the store that owns them: a key's version
 * moves each time a write command names it, so EXEC can tell whether a watched key changed
 * between WATCH and EXEC by comparing the {@link #code} it saw then with the code now.
 * <p>
 * A code is {@code version * 2 + live}: a key that was live at WATCH and is gone at EXEC with no
 * write in between expired, which Redis 7.0 counts as a change too ("EXEC fail on lazy expired
 * WATCHed key"); a key already expired at WATCH that stays so is no change ("WATCH stale keys
 * should not fail EXEC").
 * <p>
 * Like Redis, a write command counts as a change whatever it did (a SET of the same value, a
 * failed SETNX, an LPUSH): Redis's own signal is per modification, so a write that changes nothing
 * (DEL of a missing key, SETNX on an existing one) fails an EXEC here and not in Redis.
 * <p>
 * Entries are reference counted, one per watching client, and dropped at zero, so only keys
 * someone watches now cost memory. Thread-safe (the shared-state modes touch it from every shard);
 * {@link #isEmpty} is a plain volatile read, so a store whose keys nobody watches pays one load
 * per write command.
 */
public final class WatchTable {
    private final Map<Key, long[]> watched = new HashMap<>(); // key -> {refs, version}
    private volatile int size;

    public boolean isEmpty() {
        return size == 0;
    }

    /** Registers one more watcher of the key and returns its code now. */
    public synchronized long watch(Key key, boolean live) {
        long[] e = watched.get(key);
        if (e == null) {
            e = new long[2];
            watched.put(key.owned(), e);
            size = watched.size();
        }
        e[0]++;
        return e[1] * 2 + (live ? 1 : 0);
    }

    /** Drops one watcher of the key. */
    public synchronized void unwatch(Key key) {
        long[] e = watched.get(key);
        if (e != null && --e[0] <= 0) {
            watched.remove(key);
            size = watched.size();
        }
    }

    /** The key's code now; a key nobody watches has version 0. */
    public synchronized long code(Key key, boolean live) {
        long[] e = watched.get(key);
        return (e == null ? 0 : e[1]) * 2 + (live ? 1 : 0);
    }

    /** The key changed. */
    public synchronized void touched(Key key) {
        long[] e = watched.get(key);
        if (e != null) {
            e[1]++;
        }
    }

    /**
     * Every watched key that {@code db} holds, or {@code replacedWith} (when not null) holds, changed:
     * FLUSHDB and FLUSHALL empty {@code db}; SWAPDB replaces its keys with another database's.
     */
    public synchronized void touchedAllIn(Db db, Db replacedWith) {
        if (watched.isEmpty()) {
            return;
        }
        for (Map.Entry<Key, long[]> e : watched.entrySet()) {
            if (db.get(e.getKey()) != null || (replacedWith != null && replacedWith.get(e.getKey()) != null)) {
                e.getValue()[1]++;
            }
        }
    }

    /**
     * What a store calls before a data command runs: a write command changes the keys it names in
     * this database.
     * One over every key (FLUSHDB, FLUSHALL, SWAPDB) changes the watched keys itself, in each
     * database it empties or swaps, before it does ({@link #touchedAllIn}).
     */
    public void beforeCommand(Command c, CommandArgs args, Db db) {
        if (isEmpty() || !c.isWrite() || c.route() == Command.Route.ALL_SHARDS) {
            return;
        }
        int keys = c.keyCount(args);
        Key probe = Key.probe();
        for (int n = 0; n < keys; n++) {
            if (KeyCommands.keyDb(c, args, n, db.databases()) != args.db()) {
                continue; // COPY ... DB's destination: the handler changes it in its own database
            }
            int i = c.keyIndex(args, n);
            touched(probe.view(args.array(), args.offset(i), args.length(i)));
        }
    }
}
