package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.mailbox.Mailbox;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Client-side caching (CLIENT TRACKING, Redis 7.0's tracking.c) on one shard of the event loops,
 * shared nothing.
 * <p>
 * <b>The table</b> of who read what: key name (not database, as Redis's table) to the ids of the
 * clients that read it while tracking. It lives where the keys' commands run: on the owner shard
 * in the sharded mode (a client on another shard sends {@link #MSG_TRACK_READ} one way <i>before</i>
 * its read, over the same ordered ring, so the owner knows of it before any later write), on the
 * reader's own shard in the shared-state modes. A write that ran here removes the key's entry and
 * sends one invalidation per client to the client's shard ({@link #MSG_INVALIDATE}, or a call when
 * it is here); in the shared-state modes, where any shard may have read the key, the key also goes
 * ({@link #MSG_WRITTEN}) to every other shard whose table is not empty. FLUSHDB and FLUSHALL empty
 * the table and send a null invalidation to every tracking client.
 * <p>
 * <b>BCAST.</b> A written key goes ({@link #MSG_WRITTEN}) to every shard with clients in BCAST mode;
 * each gathers the keys written during its loop's turn and, at the turn's end, sends each of its
 * BCAST clients one array per prefix of the keys under it, as Redis does in beforeSleep.
 * <p>
 * <b>Cost while nobody tracks:</b> a write reads one shared count ({@link KvGroup#trackingClients()}).
 * <p>
 * Owned by its shard's loop thread. The map of clients (every RESP connection of the shard: a
 * REDIRECT may name any of them) is read from other shards' threads to check that a client exists;
 * the sizes INFO reads are published with plain volatile stores.
 */
public final class TrackingShard extends TrackingTable implements Keyspace.ChangeListener {
    /** One way to a key's owner: a tracking client is about to read it; {@code long client, key}. */
    static final int MSG_TRACK_READ = 50;
    /** One way to a client's shard: {@code long target, long writer, long redirectedFrom (NO_CLIENT: its own), byte kind, bytes}. */
    static final int MSG_INVALIDATE = 51;
    /** One way to a shard with tracking state: a key written elsewhere; {@code long writer, key}. */
    static final int MSG_WRITTEN = 52;
    /** One way, shared-state modes: the databases were flushed on the sending shard; {@code long} the flush's number. */
    static final int MSG_FLUSHED = 53;
    /** One way to a key's owner: the next command from the sending shard is this client's ({@code long}), for NOLOOP. */
    static final int MSG_WRITER = 54;

    /** No client: no writer known, or an invalidation for the client's own tracking (ids start at 0). */
    public static final long NO_CLIENT = -1;

    /** What an invalidation names: one key, every key (a flush), or a RESP array of keys already encoded (BCAST). */
    static final byte KEY = 0;
    static final byte ALL = 1;
    static final byte KEYS = 2;
    /** To a tracking client: the client it redirects to went away before an invalidation reached it. */
    static final byte REDIRECT_GONE = 3;

    private final KvGroup group;
    private final int here;
    private final int shardCount;
    private final boolean sharded;
    private final EventLoop loop;
    private final Mailbox mailbox;
    private final AtomicInteger trackingClients;
    private final ConcurrentHashMap<Long, TrackingClient> clients = new ConcurrentHashMap<>();
    private final HashMap<Key, LinkedHashSet<Long>> table = new HashMap<>();
    private long items;
    /** Keys in {@link #table}: read by the other shards (shared-state modes) to know whether a write concerns this one. */
    private volatile int tableKeys;
    private volatile long publishedItems;
    /** This shard's clients in BCAST mode, and how many: a write anywhere reads the count. */
    private final ArrayList<TrackingClient> broadcast = new ArrayList<>();
    private volatile int broadcastClients;
    private volatile int publishedPrefixes;
    /** Keys written during this turn, with the last writer of each, for the BCAST clients. */
    private final TreeMap<Key, Long> writtenThisTurn = new TreeMap<>();
    private final EventLoop.TurnEnd broadcastAtTurnEnd = this::broadcastWritten;
    /** The client whose command runs now, when its NOLOOP needs it known; {@link #NO_CLIENT} otherwise. */
    private long writer = NO_CLIENT;
    private final long[] nextWriterFrom;
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(128);
    private final Key probe = Key.probe();

    TrackingShard(KvGroup group, int here, boolean sharded, EventLoop loop, Mailbox mailbox) {
        this.group = group;
        this.here = here;
        this.shardCount = group.shardCount();
        this.sharded = sharded;
        this.loop = loop;
        this.mailbox = mailbox;
        this.trackingClients = group.trackingClients();
        this.nextWriterFrom = new long[shardCount];
        java.util.Arrays.fill(nextWriterFrom, NO_CLIENT);
    }

    /** The shard of a connection id ({@code (shard << 48) | sequence}). */
    static int shardOf(long clientId) {
        return (int) (clientId >>> 48);
    }

    // ---- clients ------------------------------------------------------------------------------

    /** A new connection of this shard: a redirect may name it from now on. Loop thread. */
    public TrackingClient connect(long id, TrackingClient.Output output) {
        TrackingClient c = new TrackingClient(id, this, output);
        clients.put(id, c);
        return c;
    }

    @Override
    void disconnect(TrackingClient c) {
        clients.remove(c.id());
    }

    /** Whether a client with this id is connected, on any shard. Any thread. */
    @Override
    boolean exists(long id) {
        int shard = shardOf(id);
        if (shard < 0 || shard >= shardCount) {
            return false;
        }
        KvShard s = group.service(shard);
        return s != null && s.tracking().clients.containsKey(id);
    }

    @Override
    long flushes() {
        return group.trackingFlushes().get();
    }

    @Override
    void trackingOn() {
        trackingClients.incrementAndGet();
    }

    @Override
    void trackingOff() {
        trackingClients.decrementAndGet();
    }

    @Override
    void broadcastOn(TrackingClient c) {
        broadcast.add(c);
        broadcastClients = broadcast.size();
        publishPrefixes();
    }

    @Override
    void broadcastOff(TrackingClient c) {
        broadcast.remove(c);
        broadcastClients = broadcast.size();
        publishPrefixes();
    }

    /** Distinct prefixes of this shard's BCAST clients, published for INFO. */
    @Override
    void publishPrefixes() {
        java.util.HashSet<Key> distinct = new java.util.HashSet<>();
        for (TrackingClient c : broadcast) {
            distinct.addAll(c.prefixes());
        }
        publishedPrefixes = distinct.size();
    }

    /** Adds this shard's keys, items and prefixes to INFO's totals ({@link KvGroup#trackingTotals}). Any thread. */
    void addTotals(long[] totals) {
        totals[1] += tableKeys;
        totals[2] += publishedItems;
        totals[3] += publishedPrefixes;
    }

    // ---- reads --------------------------------------------------------------------------------

    /**
     * A tracking client of this shard is about to run a read over this key: its owner's table
     * remembers it. Sent before the command, so no write the read could miss is run between.
     */
    @Override
    void remember(byte[] b, int offset, int length, long client) {
        int owner = sharded ? Slots.ownerOf(b, offset, length, shardCount) : here;
        if (owner == here) {
            rememberHere(b, offset, length, client);
            return;
        }
        scratch.putLong(0, client);
        scratch.putBytes(8, b, offset, length);
        mailbox.sendAlways(owner, MSG_TRACK_READ, scratch, 0, 8 + length); // an invalidation owed must not be lost
    }

    private void rememberHere(byte[] b, int offset, int length, long client) {
        LinkedHashSet<Long> ids = table.get(probe.view(b, offset, length));
        if (ids == null) {
            ids = new LinkedHashSet<>();
            table.put(Key.copyOf(b, offset, length), ids);
            tableKeys = table.size();
        }
        if (ids.add(client)) {
            publishedItems = ++items;
        }
    }

    // ---- writes -------------------------------------------------------------------------------

    /**
     * The client running its command now, for NOLOOP ({@link #NO_CLIENT} when none is known); set by its connection
     * around the command's submission.
     */
    public void writer(long client) {
        writer = client;
    }

    /** The client running its command now, for NOLOOP, or {@link #NO_CLIENT}: what a transaction's parts carry. */
    long writer() {
        return writer;
    }

    /** Before a command goes to its owner: a NOLOOP writer is named there first. */
    void beforeSend(int owner) {
        if (writer != NO_CLIENT) {
            scratch.putLong(0, writer);
            mailbox.sendAlways(owner, MSG_WRITER, scratch, 0, 8);
        }
    }

    /** A command from another shard is about to run here: its writer, if that shard named one. */
    void runningFrom(int source) {
        writer = nextWriterFrom[source];
        nextWriterFrom[source] = NO_CLIENT;
    }

    /** A command ran here: a write invalidates its keys (a flush, every key). */
    void afterCommand(Command c, CommandArgs args) {
        if (flushes(c)) { // even while nobody tracks: the entries outlive CLIENT TRACKING OFF, as Redis's
            flushed(Long.MAX_VALUE);
            if (!sharded) {
                scratch.putLong(0, group.trackingFlushes().incrementAndGet()); // before the reply: see flushed(long)
                for (int s = 0; s < shardCount; s++) {
                    if (s != here) {
                        mailbox.sendAlways(s, MSG_FLUSHED, scratch, 0, 8);
                    }
                }
            }
            return;
        }
        if (trackingClients.get() == 0 || !c.isWrite()) {
            return;
        }
        int keys = c.keyCount(args);
        for (int n = 0; n < keys; n++) {
            int i = c.keyIndex(args, n);
            written(args.array(), args.offset(i), args.length(i), writer);
        }
    }

    /** FLUSHDB or FLUSHALL, which empty the table (Redis's trackingInvalidateKeysOnFlush): one enum compare for others. */
    static boolean flushes(Command c) {
        return c.route() == Command.Route.ALL_SHARDS && (c.name().equals("flushdb") || c.name().equals("flushall"));
    }

    /**
     * A key expired: one of this shard's (the sharded mode), or one of the shared store's found on
     * this shard's loop (the shared-state modes, where the other shards' tables hear of it as of a
     * write). Its trackers are told, as after a write. One that a command's lookup found expired
     * keeps its entry here: the command's own client, which may track it, was remembered before it
     * ran, and must still hear of the key's next write.
     */
    @Override
    public void expired(Key key, boolean onLookup) {
        if (trackingClients.get() == 0) {
            return;
        }
        if (!onLookup) {
            written(key.array(), key.offset(), key.length(), NO_CLIENT);
            return;
        }
        LinkedHashSet<Long> ids = table.get(key);
        if (ids != null) {
            for (long id : new ArrayList<>(ids)) {
                notify(id, NO_CLIENT, NO_CLIENT, KEY, key.array(), key.offset(), key.length());
            }
        }
        broadcastAndPassOn(key.array(), key.offset(), key.length(), NO_CLIENT);
    }

    @Override
    public void applied(Key key) {
        if (trackingClients.get() > 0) {
            written(key.array(), key.offset(), key.length(), writer);
        }
    }

    private void written(byte[] b, int offset, int length, long by) {
        invalidateHere(b, offset, length, by);
        broadcastAndPassOn(b, offset, length, by);
    }

    /** A written key for this shard's BCAST clients, and for the other shards that may need it. */
    private void broadcastAndPassOn(byte[] b, int offset, int length, long by) {
        if (broadcastClients > 0) {
            rememberWritten(b, offset, length, by);
        }
        boolean encoded = false;
        for (int s = 0; s < shardCount; s++) {
            KvShard other = s == here ? null : group.service(s);
            if (other == null) {
                continue;
            }
            TrackingShard t = other.tracking();
            if ((!sharded && t.tableKeys > 0) || t.broadcastClients > 0) {
                if (!encoded) {
                    scratch.putLong(0, by);
                    scratch.putBytes(8, b, offset, length);
                    encoded = true;
                }
                mailbox.sendAlways(s, MSG_WRITTEN, scratch, 0, 8 + length);
            }
        }
    }

    private void invalidateHere(byte[] b, int offset, int length, long by) {
        if (table.isEmpty()) {
            return;
        }
        LinkedHashSet<Long> ids = table.remove(probe.view(b, offset, length));
        if (ids == null) {
            return;
        }
        tableKeys = table.size();
        items -= ids.size();
        publishedItems = items;
        for (long id : ids) {
            notify(id, by, NO_CLIENT, KEY, b, offset, length);
        }
    }

    /**
     * The databases were flushed, here or (the shared-state modes) on another shard, whose message
     * may arrive after a client here turned tracking on again: only the clients that tracked
     * before the flush numbered {@code flush} hear of it.
     */
    private void flushed(long flush) {
        table.clear();
        tableKeys = 0;
        items = 0;
        publishedItems = 0;
        for (TrackingClient c : clients.values()) {
            if (c.trackedBefore(flush)) {
                c.invalidated(ALL, null, 0, 0, NO_CLIENT);
            }
        }
    }

    /** An invalidation for a client: called here when it is on this shard, else sent to its shard. */
    @Override
    void notify(long target, long by, long redirectedFrom, byte kind, byte[] b, int offset, int length) {
        int shard = shardOf(target);
        if (shard == here) {
            TrackingClient c = clients.get(target);
            if (c == null && redirectedFrom != NO_CLIENT) {
                notify(redirectedFrom, NO_CLIENT, NO_CLIENT, REDIRECT_GONE, b, 0, 0);
            } else if (c != null && redirectedFrom == NO_CLIENT) {
                c.invalidated(kind, b, offset, length, by);
            } else if (c != null) {
                c.deliver(kind, b, offset, length, true);
            }
            return;
        }
        if (shard < 0 || shard >= shardCount) {
            return;
        }
        scratch.putLong(0, target);
        scratch.putLong(8, by);
        scratch.putLong(16, redirectedFrom);
        scratch.putByte(24, kind);
        if (length > 0) {
            scratch.putBytes(25, b, offset, length);
        }
        mailbox.sendAlways(shard, MSG_INVALIDATE, scratch, 0, 25 + length);
    }

    // ---- BCAST --------------------------------------------------------------------------------

    private void rememberWritten(byte[] b, int offset, int length, long by) {
        if (writtenThisTurn.isEmpty()) {
            loop.atTurnEnd(broadcastAtTurnEnd);
        }
        writtenThisTurn.put(Key.copyOf(b, offset, length), by);
    }

    private void broadcastWritten() {
        for (TrackingClient c : new ArrayList<>(broadcast)) {
            c.broadcast(writtenThisTurn);
        }
        writtenThisTurn.clear();
    }

    // ---- messages -----------------------------------------------------------------------------

    /** A message of this class from another shard; false for any other type. */
    boolean onMessage(int type, int source, DirectBuffer buffer, int offset, int length) {
        switch (type) {
            case MSG_TRACK_READ -> {
                byte[] key = bytes(buffer, offset + 8, length - 8);
                rememberHere(key, 0, key.length, buffer.getLong(offset));
            }
            case MSG_INVALIDATE -> {
                byte[] bytes = bytes(buffer, offset + 25, length - 25);
                notify(buffer.getLong(offset), buffer.getLong(offset + 8), buffer.getLong(offset + 16),
                        buffer.getByte(offset + 24), bytes, 0, bytes.length);
            }
            case MSG_WRITTEN -> {
                byte[] key = bytes(buffer, offset + 8, length - 8);
                long by = buffer.getLong(offset);
                invalidateHere(key, 0, key.length, by);
                if (broadcastClients > 0) {
                    rememberWritten(key, 0, key.length, by);
                }
            }
            case MSG_FLUSHED -> flushed(buffer.getLong(offset));
            case MSG_WRITER -> nextWriterFrom[source] = buffer.getLong(offset);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(DirectBuffer buffer, int offset, int length) {
        byte[] b = new byte[length];
        buffer.getBytes(offset, b);
        return b;
    }

    /** The keys of a turn under one prefix, as Redis's broadcast reply; null when none is left for this client. */
    static byte[] keysUnder(Map<Key, Long> written, Key prefix, long skipWriter) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int count = 0;
        for (Map.Entry<Key, Long> e : written.entrySet()) {
            Key k = e.getKey();
            if (k.length() < prefix.length() || !startsWith(k, prefix) || (skipWriter != NO_CLIENT && e.getValue() == skipWriter)) {
                continue;
            }
            count++;
            byte[] len = ("$" + k.length() + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            out.write(len, 0, len.length);
            out.write(k.array(), k.offset(), k.length());
            out.write('\r');
            out.write('\n');
        }
        if (count == 0) {
            return null;
        }
        byte[] header = ("*" + count + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] body = out.toByteArray();
        byte[] all = java.util.Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, all, header.length, body.length);
        return all;
    }

    static boolean startsWith(Key k, Key prefix) {
        return java.util.Arrays.equals(k.array(), k.offset(), k.offset() + prefix.length(),
                prefix.array(), prefix.offset(), prefix.offset() + prefix.length());
    }
}
