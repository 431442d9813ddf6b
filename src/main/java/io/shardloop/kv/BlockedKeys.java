package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.DirectBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The clients blocked on the keys of one store (BLPOP and the others, {@link BlockingCommands}),
 * per key in the order they blocked, and the keys written since they were last served: Redis's
 * {@code db->blocking_keys} and {@code server.ready_keys}. The store owns the keys; a waiter may
 * live on another shard, and is then a proxy that sends it a message.
 * <p>
 * <b>Serving.</b> A put under a key with waiters notes the key ready ({@link #written}). Right
 * after the command, transaction or script that put it, before the store runs anything else, the
 * thread that holds the data serves the ready keys ({@link #serveReady}), as Redis's
 * handleClientsBlockedOnKeys: per key, the waiters in the order they blocked, each waiting for the
 * key's type, runs its command's part for this key on the data here (the pop, or the move) and is
 * handed the answer ({@link Waiter#served}), until the key is gone (lists and sorted sets are
 * deleted when empty). A served waiter leaves every line here at once. So each element goes to the
 * oldest waiter, once, and no other client's command runs between the push and the serve. A
 * waiter that joins marks its keys ready: the owner serves it at once if a key holds something.
 * <p>
 * <b>Threads.</b> Sharded mode: one per shard, touched by its loop thread alone. Shared-state
 * modes: one per store, touched by every loop or connection thread, under this object's monitor; a
 * put calls {@link #written} while it holds the store's lock or key locks, and {@link #serveReady}
 * is called with the store's locks held (the locks first, then the monitor, everywhere).
 * {@link Waiter#claim} and {@link Waiter#served} are called under the monitor: they only post (a
 * task, a message, a condition signal), so a waiter never runs inside a writer's command.
 * {@link #isEmpty} is one volatile read, all a put pays while nobody waits.
 */
public final class BlockedKeys {
    /** One blocked client's wait, as the owner of a key sees it. */
    public interface Waiter {
        /** Unique in the process while it waits: the shard in the high bits, as a connection id. */
        long waitId();

        /** The blocking command it waits in. */
        Command command();

        /** Its arguments, with their database ({@link CommandArgs#db()}). */
        CommandArgs args();

        /** The RESP version its answer is written in. */
        int protocol();

        /**
         * Takes the waiter to be served now, from any thread: false when its wait is ending (timed
         * out, unblocked, gone), which then leaves the lines on its own.
         */
        boolean claim();

        /**
         * The answer its command got from the key, after a {@link #claim}: valid during the call
         * only; it only posts, never runs its client's next command inside this call.
         */
        void served(Key key, DirectBuffer reply, int offset, int length);
    }

    /** The data the waiters are served from, held by the serving thread. */
    public interface Owner {
        /** The value under the key (named with its database, {@link DbKeys}) now, or null. */
        Object valueOf(Key key);

        /**
         * Whether the key's data is here: a move to a destination elsewhere takes only the pop here,
         * and its waiter's shard pushes the element ({@link BlockingCommands#partFor}).
         */
        boolean owns(Key key);

        /** Whether the command may run now (sharded mode: no transaction over several shards holds its keys). */
        boolean mayRun(Command c, CommandArgs args);

        /** Runs the command on the data here. */
        void run(Command c, CommandArgs args, ReplySink out);

        /**
         * The owner of every key, whose commands may always run: a store that one thread serves
         * whole (a shared store under its lock, or every shard at once).
         */
        static Owner ofEverything(java.util.function.Function<Key, Object> valueOf, Runner runner) {
            return new Owner() {
                @Override
                public Object valueOf(Key key) {
                    return valueOf.apply(key);
                }

                @Override
                public boolean owns(Key key) {
                    return true;
                }

                @Override
                public boolean mayRun(Command c, CommandArgs args) {
                    return true;
                }

                @Override
                public void run(Command c, CommandArgs args, ReplySink out) {
                    runner.run(c, args, out);
                }
            };
        }
    }

    /** How an {@link Owner#ofEverything} runs a command. */
    @FunctionalInterface
    public interface Runner {
        void run(Command c, CommandArgs args, ReplySink out);
    }

    private static final class Entry {
        final Waiter waiter;
        final List<Key> keys = new ArrayList<>(2);

        Entry(Waiter waiter) {
            this.waiter = waiter;
        }
    }

    private final HashMap<Key, ArrayDeque<Entry>> lines = new HashMap<>();
    private final HashMap<Long, Entry> byWait = new HashMap<>();
    private final LinkedHashSet<Key> ready = new LinkedHashSet<>();
    private final Runnable onFirstReady;
    private final BufferReplyWriter answer = new BufferReplyWriter(256);
    private volatile int size;
    private long served;

    /** A table whose owner serves after each command itself. */
    public BlockedKeys() {
        this(null);
    }

    /**
     * @param onFirstReady told when a key becomes ready while none was (under the monitor): the
     *                     owner makes sure {@link #serveReady} comes soon even where a write ran
     *                     outside the paths that serve after each command
     */
    public BlockedKeys(Runnable onFirstReady) {
        this.onFirstReady = onFirstReady;
    }

    /** Whether no client waits on any key here. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Waiters served so far. */
    public synchronized long served() {
        return served;
    }

    /** Whether a key with waiters was written since they were last served. */
    public synchronized boolean hasReady() {
        return !ready.isEmpty();
    }

    /**
     * The waiter joins the lines of these keys (its command found nothing); they are ready, so the
     * owner's next {@link #serveReady} serves it if one holds something.
     */
    public synchronized void block(Waiter w, List<Key> keys) {
        Entry e = byWait.get(w.waitId());
        if (e == null) {
            e = new Entry(w);
            byWait.put(w.waitId(), e);
        }
        for (Key k : keys) {
            Key key = k.owned();
            if (e.keys.contains(key)) {
                continue;
            }
            e.keys.add(key);
            lines.computeIfAbsent(key, x -> new ArrayDeque<>()).addLast(e);
            markReady(key);
        }
        size = lines.size();
    }

    /** A value was put under the key (called by the store, inside the write). */
    public synchronized void written(Key key) {
        if (lines.containsKey(key)) {
            markReady(key);
        }
    }

    /**
     * SWAPDB exchanged these two databases' keys: every waited-on key of either is as if written
     * (Redis's scanDatabaseForReadyKeys).
     */
    public synchronized void databasesSwapped(int a, int b) {
        for (Key key : lines.keySet()) {
            int db = DbKeys.db(key);
            if (db == a || db == b) {
                markReady(key);
            }
        }
    }

    /** The waiter leaves every line here: served elsewhere, timed out, unblocked or gone. */
    public synchronized void leave(long waitId) {
        Entry e = byWait.remove(waitId);
        if (e != null) {
            removeFromLines(e);
        }
    }

    /**
     * Serves the waiters of the ready keys (see the class comment), and of the keys a served move
     * pushed to, until none is ready. A key whose waiter's part may not run yet (a transaction
     * holds it) stays ready for the next call.
     */
    public synchronized void serveReady(Owner owner) {
        ArrayList<Key> held = null;
        while (!ready.isEmpty()) {
            Key key = ready.iterator().next();
            ready.remove(key);
            if (!serveLine(key, owner)) {
                if (held == null) {
                    held = new ArrayList<>();
                }
                held.add(key);
            }
        }
        if (held != null) {
            ready.addAll(held);
        }
    }

    /** Serves the key's waiters in order while it holds a value; false when one had to wait. */
    private boolean serveLine(Key key, Owner owner) {
        ArrayDeque<Entry> line = lines.get(key);
        if (line == null) {
            return true;
        }
        for (Entry e : new ArrayList<>(line)) {
            if (byWait.get(e.waiter.waitId()) != e) {
                continue; // served from another key in this walk
            }
            Object value = owner.valueOf(key);
            if (value == null) {
                return true;
            }
            Waiter w = e.waiter;
            if (!BlockingCommands.takesFrom(w.command(), value)) {
                continue; // it waits for another type: it stays, as in Redis
            }
            BlockingCommands.Part part = BlockingCommands.partFor(w.command(), w.args(), key, owner);
            if (!owner.mayRun(part.command(), part.args())) {
                return false;
            }
            if (!w.claim()) {
                continue; // its wait is ending; it leaves on its own
            }
            byWait.remove(w.waitId());
            removeFromLines(e);
            answer.reset();
            answer.protocol(w.protocol());
            owner.run(part.command(), part.args(), answer);
            served++;
            w.served(key, answer.buffer(), 0, answer.length());
        }
        return true;
    }

    private void markReady(Key key) {
        boolean first = ready.isEmpty();
        ready.add(key);
        if (first && onFirstReady != null) {
            onFirstReady.run();
        }
    }

    private void removeFromLines(Entry e) {
        for (Key k : e.keys) {
            ArrayDeque<Entry> line = lines.get(k);
            if (line != null) {
                line.remove(e);
                if (line.isEmpty()) {
                    lines.remove(k);
                    ready.remove(k);
                }
            }
        }
        size = lines.size();
    }
}
