package io.shardloop.runtime.shard;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.mailbox.Mailbox;
import io.shardloop.runtime.net.BufferPool;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.net.ConnectionOwner;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.StreamSocket;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One core's share of the server: an event loop on a thread of its own (pinned to a CPU when it
 * can be) with the buffers its connections use, a {@link LoopHost}, and the connections it
 * accepted or was handed.
 * <p>
 * <b>Ownership.</b> The connections, buffers, listeners and protocol state of a shard are touched by
 * its loop thread alone. Other threads reach a shard only through {@link EventLoop#execute} and,
 * its {@link #mailbox()}; the counters are readable from anywhere.
 */
public final class Shard implements ConnectionOwner {
    private static final System.Logger LOG = System.getLogger(Shard.class.getName());
    /** A connection's id is {@code (shard << CONNECTION_ID_SHARD_SHIFT) | seq}: its shard is in the high bits. */
    public static final int CONNECTION_ID_SHARD_SHIFT = 48;

    private final int index;
    private final String name;
    private final ShardGroup group;
    private final RuntimeConfig config;
    private final LoopHost host;
    private final EventLoop loop;
    private final SingleWriterCounters netStats;
    private final Long2ObjectHashMap<Connection> connections = new Long2ObjectHashMap<>();
    private final List<Listener> listeners = new ArrayList<>();
    private ConnectionHandler.Factory[] handlers;
    private ConnectionLimits[] limits;
    /** Starts at 1: as in Redis, no client has id 0 (CLIENT KILL ID refuses it). */
    private long nextConnectionSeq = 1;
    /** Bytes this shard's connections hold (input and unsent output), as they report it. */
    private long clientMemory;

    private CountDownLatch drained;
    private boolean shuttingDown;
    private Mailbox mailbox;

    Shard(int index, ShardGroup group, RuntimeConfig config, int plannedCpu) throws IOException {
        this.index = index;
        this.name = "shard-" + index;
        this.group = group;
        this.config = config;
        this.host = new LoopHost(name, plannedCpu, config.idleSpins(), config.transport(),
                new LoopHost.Buffers(config.readBufferSize(), config.chunkSize(), config.maxPooledChunks()));
        this.loop = host.loop();
        this.netStats = host.netStats();
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public ShardGroup group() {
        return group;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    /** This shard's end of the cross-shard transport; its methods run on this shard's loop thread. */
    public Mailbox mailbox() {
        return mailbox;
    }

    /**
     * Runs a blocking call on the group's offload pool; the continuation runs on this shard's
     * loop thread. Returns {@link io.shardloop.runtime.offload.OffloadPool#ACCEPTED} or a
     * rejection the caller must handle.
     */
    public <T> int offload(java.util.concurrent.Callable<T> task,
                           io.shardloop.runtime.offload.OffloadPool.Completion<? super T> continuation) {
        return group.offload().offload(loop, task, continuation);
    }

    /** Connects the mailbox and adds it to the loop's work sources; before the loop starts. */
    void mailbox(Mailbox mailbox) {
        this.mailbox = mailbox;
        loop.addWorkSource(mailbox);
    }

    /** The CPU this shard's thread is pinned to, or {@link Pinning#UNPINNED}. */
    public int pinnedCpu() {
        return host.pinnedCpu();
    }

    /** "shard-0→CPU 1" or "shard-0→unpinned". */
    String placement() {
        return host.placement();
    }

    /** This shard's I/O: its sockets and its wait for events. Loop thread only. */
    public LoopIo io() {
        return host.io();
    }

    @Override
    public BufferPool bufferPool() {
        return host.bufferPool();
    }

    @Override
    public ByteBuffer[] iov() {
        return host.iov();
    }

    @Override
    public SingleWriterCounters netStats() {
        return netStats;
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    Throwable startFailure() {
        return host.startFailure();
    }

    /** The shard thread's body: pin, prepare protocols and listeners, then run the loop. */
    void run(List<Endpoint> endpoints, CountDownLatch started) {
        host.run(() -> prepare(endpoints), this::closeAllConnections, started);
    }

    /** On the loop's own thread, before its first turn: protocols set up their per-shard state. */
    private void prepare(List<Endpoint> endpoints) throws IOException {
        handlers = new ConnectionHandler.Factory[endpoints.size()];
        limits = new ConnectionLimits[endpoints.size()];
        for (int i = 0; i < handlers.length; i++) {
            handlers[i] = endpoints.get(i).protocol().forShard(this);
            limits[i] = endpoints.get(i).protocol().connectionLimits(config.limits());
        }
        for (Listener listener : listeners) {
            listener.register();
        }
    }

    /** Takes ownership of an accepted socket. Loop thread only. */
    void adopt(AcceptedSocket accepted, int endpointIndex) {
        assert loop.inLoop();
        if (shuttingDown) {
            // Handed over by the acceptor just before it stopped: the drain has begun here without it.
            accepted.close();
            return;
        }
        if (!group.reserveConnection()) {
            netStats.increment(NetStats.REFUSED);
            accepted.close();
            return;
        }
        StreamSocket socket;
        try {
            socket = host.io().open(accepted);
        } catch (IOException | RuntimeException e) {
            group.releaseConnection();
            accepted.close();
            LOG.log(System.Logger.Level.DEBUG, name + ": could not take a connection: " + e);
            return;
        }
        long id = ((long) index << CONNECTION_ID_SHARD_SHIFT) | nextConnectionSeq++;
        Connection connection = new Connection(id, socket, this, limits[endpointIndex]);
        try {
            connections.put(id, connection);
            netStats.increment(NetStats.ACCEPTED);
            connection.start(handlers[endpointIndex]);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, name + ": could not start a connection: " + e);
            connection.close(e.toString());
        } catch (RuntimeException e) {
            loop.reportFailure("starting connection " + id + " (closed)", e);
            connection.close(e.toString());
        }
    }

    @Override
    public void onClosed(Connection connection) {
        assert loop.inLoop();
        if (connections.remove(connection.id()) != null) {
            group.releaseConnection();
        }
        if (drained != null && connections.isEmpty()) {
            drained.countDown();
            drained = null;
        }
    }

    @Override
    public void onMemoryChange(Connection connection, long delta) {
        assert loop.inLoop();
        clientMemory += delta;
        netStats.set(NetStats.CLIENT_MEMORY, clientMemory);
        long budget = config.maxClientMemory();
        // Over the budget in all means at least one shard holds its share of it: only such a shard adds up.
        if (delta > 0 && budget > 0 && clientMemory * group.shardCount() >= budget && group.clientMemory() > budget) {
            group.evictLargestClients();
        }
    }

    /**
     * Closes this shard's connection that holds the most, if it holds enough to matter (never an
     * idle one): a step of keeping all connections within the server's client-memory budget.
     */
    void evictLargestClient() {
        assert loop.inLoop();
        long budget = config.maxClientMemory();
        if (budget == 0 || group.clientMemory() <= budget) {
            return;
        }
        Connection largest = null;
        long most = Math.max(64 * 1024, budget / 64);
        for (Connection c : connections.values()) {
            long m = c.memory();
            if (m >= most) {
                most = m;
                largest = c;
            }
        }
        if (largest != null) {
            netStats.increment(NetStats.MEMORY_EVICTIONS);
            group.logEviction(name, largest, most, budget);
            largest.close("holds " + most + " bytes while all connections hold more than maxmemory-clients ("
                    + budget + " bytes)");
        }
    }

    /** Open connections on this shard. Loop thread only. */
    public int connectionCount() {
        assert loop.inLoop();
        return connections.size();
    }

    // ---- shutdown steps, each run on the loop thread --------------------------------------------

    /**
     * The first step of shutdown: no more connections here, and those open close once flushed (and,
     * with {@code waitForReplies}, once their handlers owe no reply).
     */
    void stopAcceptingAndDrain(CountDownLatch done, boolean waitForReplies) {
        shuttingDown = true;
        pauseAccepting();
        drain(done, waitForReplies);
    }

    void pauseAccepting() {
        assert loop.inLoop();
        for (Listener listener : listeners) {
            listener.pause();
        }
    }

    /** Loop thread only, or any one thread before the loop ran. */
    void closeListeners() {
        assert loop.inLoopOrUnclaimed();
        for (Listener listener : listeners) {
            listener.close();
        }
    }

    /** Closes every connection once its unsent bytes are out and the replies it is owed; counts down when none is left. */
    void drain(CountDownLatch done) {
        drain(done, true);
    }

    /**
     * Closes every connection once its unsent bytes are out (and, with {@code waitForReplies}, the
     * replies it is owed); counts down when none is left.
     */
    void drain(CountDownLatch done, boolean waitForReplies) {
        assert loop.inLoop();
        if (connections.isEmpty()) {
            done.countDown();
            return;
        }
        drained = done;
        for (Connection connection : new ArrayList<>(connections.values())) {
            connection.drainForShutdown(waitForReplies);
        }
    }

    private void closeAllConnections() {
        assert loop.inLoopOrUnclaimed();
        for (Connection connection : new ArrayList<>(connections.values())) {
            connection.close("shutdown");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
