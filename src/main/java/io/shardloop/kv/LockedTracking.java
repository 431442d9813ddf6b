package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.TreeMap;

/**
 * Client-side caching (CLIENT TRACKING, Redis 7.0's tracking.c) for the thread-per-connection
 * server: one table of who read what for every connection, the connections' {@link TrackingClient}s,
 * and the BCAST clients, all under this object's monitor.
 * <p>
 * <b>Reads and writes.</b> A tracking client's read is remembered before it runs
 * ({@link TrackingClient#beforeRead}); a write, once it ran on the store, takes each key's entry out
 * and tells its clients ({@link #afterCommand}), on the writer's thread, which only copies the frame
 * into the reader's queue. Remembering before the read and invalidating after the write, a reader
 * never keeps a value older than a write it was not told of. A key that expires (a lookup finding
 * it, or the timer's cycle) is told as a write by nobody ({@link #expired}), as Redis's
 * deleteExpiredKeyAndPropagate does.
 * <p>
 * <b>BCAST.</b> Each thread gathers the keys it wrote during its turn (a connection's batch of
 * commands, up to the write of their replies; one step of the timer's cycle) with the last writer of
 * each, and at the turn's end ({@link #endOfTurn}) sends each BCAST client one array per prefix, as
 * Redis does from beforeSleep for its one loop.
 * <p>
 * <b>Lock order.</b> A store's locks, then this monitor, then a client's queue: an expiry is told
 * with the store's lock held; nothing here touches the store.
 * <p>
 * Thread-safe.
 */
public final class LockedTracking extends TrackingTable implements ExpiryListener {
    private final HashMap<Long, TrackingClient> clients = new HashMap<>();
    private final HashMap<Key, LinkedHashSet<Long>> table = new HashMap<>();
    private long items;
    private final ArrayList<TrackingClient> broadcast = new ArrayList<>();
    private int prefixes;
    /** Clients with tracking on: while none does, a write reads this and nothing else. */
    private volatile int trackingClients;
    /** The keys the calling thread wrote in its turn, with the last writer of each, for the BCAST clients. */
    private final ThreadLocal<TreeMap<Key, Long>> writtenThisTurn = ThreadLocal.withInitial(TreeMap::new);
    private final Key probe = Key.probe();

    /** A new connection: a redirect may name it from now on. */
    public synchronized TrackingClient connect(long id, TrackingClient.Output output) {
        TrackingClient c = new TrackingClient(id, this, output);
        clients.put(id, c);
        return c;
    }

    @Override
    void disconnect(TrackingClient c) {
        clients.remove(c.id());
    }

    @Override
    boolean exists(long id) {
        return clients.containsKey(id);
    }

    @Override
    void trackingOn() {
        trackingClients++; // under the monitor: one writer at a time
    }

    @Override
    void trackingOff() {
        trackingClients--;
    }

    @Override
    void broadcastOn(TrackingClient c) {
        broadcast.add(c);
        publishPrefixes();
    }

    @Override
    void broadcastOff(TrackingClient c) {
        broadcast.remove(c);
        publishPrefixes();
    }

    @Override
    void publishPrefixes() {
        HashSet<Key> distinct = new HashSet<>();
        for (TrackingClient c : broadcast) {
            distinct.addAll(c.prefixes());
        }
        prefixes = distinct.size();
    }

    @Override
    void remember(byte[] b, int offset, int length, long client) {
        LinkedHashSet<Long> ids = table.get(probe.view(b, offset, length));
        if (ids == null) {
            ids = new LinkedHashSet<>();
            table.put(Key.copyOf(b, offset, length), ids);
        }
        if (ids.add(client)) {
            items++;
        }
    }

    @Override
    void notify(long target, long by, long redirectedFrom, byte kind, byte[] b, int offset, int length) {
        TrackingClient c = clients.get(target);
        if (c == null && redirectedFrom != TrackingShard.NO_CLIENT) {
            notify(redirectedFrom, TrackingShard.NO_CLIENT, TrackingShard.NO_CLIENT, TrackingShard.REDIRECT_GONE, b, 0, 0);
        } else if (c != null && redirectedFrom == TrackingShard.NO_CLIENT) {
            c.invalidated(kind, b, offset, length, by);
        } else if (c != null) {
            c.deliver(kind, b, offset, length, true);
        }
    }

    // ---- writes -------------------------------------------------------------------------------

    /** A command of client {@code writer} ran on the store: a write invalidates its keys (a flush, every key). */
    public void afterCommand(Command c, CommandArgs args, long writer) {
        if (TrackingShard.flushes(c)) { // even while nobody tracks: the entries outlive CLIENT TRACKING OFF
            synchronized (this) {
                flushed();
            }
            return;
        }
        if (trackingClients == 0 || !c.isWrite()) {
            return;
        }
        synchronized (this) {
            int keys = c.keyCount(args);
            for (int n = 0; n < keys; n++) {
                int i = c.keyIndex(args, n);
                written(args.array(), args.offset(i), args.length(i), writer);
            }
        }
    }

    /** A transaction of client {@code writer} ran on the store: each of its commands, as {@link #afterCommand}. */
    public void afterCommand(Transaction tx, long writer) {
        for (int i = 0; i < tx.size(); i++) {
            afterCommand(tx.command(i), tx.args(i), writer);
        }
    }

    /**
     * A key expired, on the thread that found it: its trackers are told, as after a write by
     * nobody. One a command's lookup found keeps its entry: that command's client, which may track
     * it, was remembered before it ran and must still hear of the key's next write.
     */
    @Override
    public void expired(Key key, boolean onLookup) {
        if (trackingClients == 0) {
            return;
        }
        synchronized (this) {
            if (!onLookup) {
                written(key.array(), key.offset(), key.length(), TrackingShard.NO_CLIENT);
                return;
            }
            LinkedHashSet<Long> ids = table.get(key);
            if (ids != null) {
                for (long id : new ArrayList<>(ids)) {
                    notify(id, TrackingShard.NO_CLIENT, TrackingShard.NO_CLIENT, TrackingShard.KEY,
                            key.array(), key.offset(), key.length());
                }
            }
            gather(key.array(), key.offset(), key.length(), TrackingShard.NO_CLIENT);
        }
    }

    private void written(byte[] b, int offset, int length, long by) {
        gather(b, offset, length, by);
        if (table.isEmpty()) {
            return;
        }
        LinkedHashSet<Long> ids = table.remove(probe.view(b, offset, length));
        if (ids == null) {
            return;
        }
        items -= ids.size();
        for (long id : ids) {
            notify(id, by, TrackingShard.NO_CLIENT, TrackingShard.KEY, b, offset, length);
        }
    }

    private void gather(byte[] b, int offset, int length, long by) {
        if (!broadcast.isEmpty()) {
            writtenThisTurn.get().put(Key.copyOf(b, offset, length), by);
        }
    }

    private void flushed() {
        table.clear();
        items = 0;
        for (TrackingClient c : new ArrayList<>(clients.values())) {
            c.invalidated(TrackingShard.ALL, null, 0, 0, TrackingShard.NO_CLIENT);
        }
    }

    /** The calling thread's turn ends: each BCAST client is sent the keys it wrote under each prefix. */
    public void endOfTurn() {
        TreeMap<Key, Long> written = writtenThisTurn.get();
        if (written.isEmpty()) {
            return;
        }
        synchronized (this) {
            for (TrackingClient c : new ArrayList<>(broadcast)) {
                c.broadcast(written);
            }
        }
        written.clear();
    }

    /** INFO's tracking_clients, tracking_total_keys, tracking_total_items and tracking_total_prefixes. */
    public synchronized long[] totals() {
        return new long[] {trackingClients, table.size(), items, prefixes};
    }
}
