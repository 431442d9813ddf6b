package io.shardloop.kv;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.function.Predicate;

/**
 * The clients blocked on the keys of one store (BLPOP and the others, {@link BlockingCommands}),
 * per key in the order they blocked: Redis's {@code db->blocking_keys}. The store owns the keys;
 * a waiter may live on another shard, and is then a proxy that sends it a message.
 * <p>
 * Per key, the waiters form a line, and at most one of them is <i>signaled</i> at a time:
 * <pre>
 *   a value is put under the key    no one signaled: signal the first waiter (it runs its command again)
 *                                   one signaled:    note that the key was written since
 *   the signaled one is served      it leaves the line (of every key it waited on); the next is
 *   (or leaves: timeout, unblock,   signaled if the key may hold something
 *   its client closed)
 *   the signaled one is not served  it stays first; it is signaled again only if the key was
 *   (the element was taken)         written since its signal
 *   a waiter joins                  it is signaled if it is first and the key may hold something
 * </pre>
 * So each put wakes one waiter, the oldest first; a waiter that finds nothing stays where it was
 * in line; and no wake-up is lost: a put while the signaled waiter is away is remembered, and a
 * served waiter passes the key on. Lists and sorted sets are deleted when empty, so a key a client
 * waits on gets a value only by a put (a push that creates it, a RENAME, RESTORE...), which is
 * where the store calls {@link #written}.
 * <p>
 * <b>Threads.</b> Sharded mode: one per shard, touched by its loop thread alone. Shared-state
 * modes: one per store, touched by every loop or connection thread, under this object's monitor
 * (a put calls {@link #written} while it holds the store's lock or key lock, so a waiter's command
 * run again sees the write). {@link Waiter#onReady} is called under the monitor: it only posts
 * (a task, a message, a condition signal), so a waiter never runs inside a writer's command.
 * {@link #isEmpty} is one volatile read, all a put pays while nobody waits.
 */
public final class BlockedKeys {
    /** One blocked client's wait, as the owner of a key sees it. */
    public interface Waiter {
        /** Unique in the process while it waits: the shard in the high bits, as a connection id. */
        long waitId();

        /** The key may hold what it waits for: run the command again, soon, not inside this call. */
        void onReady(Key key);
    }

    private static final class Line {
        final Key key;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        Waiter signaled;
        boolean writtenSince;

        Line(Key key) {
            this.key = key;
        }
    }

    private final HashMap<Key, Line> lines = new HashMap<>();
    private final Predicate<Key> mayHold;
    private volatile int size;
    private long signals;

    /**
     * @param mayHold whether the key may hold a value now (the owner's lookup in sharded mode;
     *                always true where the store cannot be read from here)
     */
    public BlockedKeys(Predicate<Key> mayHold) {
        this.mayHold = mayHold;
    }

    /** Whether no client waits on any key here. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Wake-ups sent so far. */
    public synchronized long signals() {
        return signals;
    }

    /** The waiter joins the line of the key (it ran its command and found nothing). */
    public synchronized void block(Key key, Waiter w) {
        Line line = lines.get(key);
        if (line == null) {
            line = new Line(key.owned());
            lines.put(line.key, line);
            size = lines.size();
        }
        line.waiters.addLast(w);
        if (line.signaled == null && line.waiters.peekFirst() == w && mayHold.test(key)) {
            signal(line);
        }
    }

    /** A value was put under the key (called by the store, inside the write). */
    public synchronized void written(Key key) {
        Line line = lines.get(key);
        if (line == null) {
            return;
        }
        if (line.signaled != null) {
            line.writtenSince = true;
        } else {
            signal(line);
        }
    }

    /**
     * SWAPDB exchanged these two databases' keys: every waited-on key of either is as if written
     * (Redis's scanDatabaseForReadyKeys), so a key that now holds a value serves its first waiter;
     * one without lets its waiter find nothing and keep its place.
     */
    public synchronized void databasesSwapped(int a, int b) {
        for (Line line : new java.util.ArrayList<>(lines.values())) {
            int db = DbKeys.db(line.key);
            if ((db == a || db == b) && mayHold.test(line.key)) {
                written(line.key);
            }
        }
    }

    /** The waiter leaves the key's line: served, timed out, unblocked or gone. */
    public synchronized void leave(Key key, long waitId) {
        Line line = lines.get(key);
        if (line == null) {
            return;
        }
        for (Iterator<Waiter> it = line.waiters.iterator(); it.hasNext(); ) {
            if (it.next().waitId() == waitId) {
                it.remove();
                break;
            }
        }
        if (line.waiters.isEmpty()) {
            lines.remove(key);
            size = lines.size();
            return;
        }
        if (line.signaled != null && line.signaled.waitId() == waitId) {
            line.signaled = null;
            if (line.writtenSince || mayHold.test(key)) {
                signal(line); // what it left there goes to the next
            }
        }
    }

    /** The signaled waiter ran its command and was not served: it stays first in line. */
    public synchronized void decline(Key key, long waitId) {
        Line line = lines.get(key);
        if (line == null || line.signaled == null || line.signaled.waitId() != waitId) {
            return;
        }
        line.signaled = null;
        if (line.writtenSince) {
            signal(line);
        }
    }

    private void signal(Line line) {
        Waiter first = line.waiters.peekFirst();
        if (first == null) {
            return;
        }
        line.signaled = first;
        line.writtenSince = false;
        signals++;
        first.onReady(line.key);
    }
}
