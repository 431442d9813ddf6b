package io.shardloop.runtime.shard;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.mailbox.Mailbox;
import io.shardloop.runtime.mailbox.Mailboxes;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.runtime.offload.OffloadPool;
import io.shardloop.runtime.stall.StallDetector;
import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * N shards serving a set of endpoints: the control plane that starts them, pins them, binds their
 * listeners and stops them in order. Nothing here is on the data path.
 * <pre>{@code
 * try (ShardGroup group = ShardGroup.start(config, List.of(Endpoint.of("127.0.0.1", 0, new EchoProtocol())))) {
 *     int port = group.port(0);
 *     ...
 * } // close(): stop accepting everywhere, drain, close listeners together, stop the loops
 * }</pre>
 */
public final class ShardGroup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ShardGroup.class.getName());
    /** What {@link #close()} gives the loops, after the drain timeout, to close their listeners and end. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(2);
    /** Stack frames of an abandoned shard's thread named in the log line about it. */
    private static final int FRAMES_LOGGED = 8;

    private final RuntimeConfig config;
    private final List<Endpoint> endpoints;
    private final Shard[] shards;
    private final Thread[] threads;
    private final int[] ports;
    private final AcceptMode acceptMode;
    /** Open connections over all shards, against {@link RuntimeConfig#maxConnections()}; touched on accept and close only. */
    private final AtomicInteger openConnections = new AtomicInteger();
    /** Per shard: 1 while an eviction step is queued on its loop, so a flood of growth queues one. */
    private final AtomicIntegerArray evicting;
    /** One per shard, opened when its thread has left the loop and closed its connections. */
    private final CountDownLatch[] ended;
    private final OffloadPool offload;
    private final StallDetector stallDetector;
    private final AcceptFailureLog acceptFailures = new AcceptFailureLog();
    private final ThrottledLog evictions = new ThrottledLog();
    private int nextHandoff;
    private volatile boolean closed;
    /** The shards that did not stop by the deadline of {@link #stop}, by name; written once, by the stopping thread. */
    private volatile List<String> abandoned = List.of();

    private ShardGroup(RuntimeConfig config, List<Endpoint> endpoints, AcceptMode acceptMode) throws IOException {
        this.config = config;
        this.endpoints = List.copyOf(endpoints);
        this.acceptMode = acceptMode;
        this.shards = new Shard[config.shards()];
        this.evicting = new AtomicIntegerArray(config.shards());
        this.threads = new Thread[config.shards()];
        this.ports = new int[endpoints.size()];
        this.ended = new CountDownLatch[config.shards()];
        int[] cpus = Pinning.plan(config.shards(), config.pin(), config.cpus());
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard(i, this, config, cpus[i]);
            ended[i] = new CountDownLatch(1);
        }
        EventLoop[] loops = new EventLoop[shards.length];
        for (int i = 0; i < shards.length; i++) {
            loops[i] = shards[i].loop();
        }
        Mailbox[] mailboxes = Mailboxes.create(config.mailbox(), loops);
        for (int i = 0; i < shards.length; i++) {
            shards[i].mailbox(mailboxes[i]);
        }
        this.offload = new OffloadPool(config.offload());
        this.stallDetector = new StallDetector(config.stall());
    }

    /**
     * Binds every endpoint and starts the shards; returns once all of them are running.
     *
     * @throws PortInUseException when an endpoint's port is taken.
     * @throws AddressUnavailableException when an endpoint's address is not one of this machine's.
     */
    public static ShardGroup start(RuntimeConfig config, List<Endpoint> endpoints) throws IOException {
        AcceptMode mode = config.acceptMode();
        if (mode == AcceptMode.REUSEPORT && !config.transport().reusePortSupported()) {
            LOG.log(System.Logger.Level.WARNING, "SO_REUSEPORT is not supported here: one acceptor hands connections to shards");
            mode = AcceptMode.HANDOFF;
        }
        ShardGroup group = new ShardGroup(config, endpoints, mode);
        try {
            group.bindAll();
            group.startThreads();
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
        return group;
    }

    private void bindAll() throws IOException {
        for (int e = 0; e < endpoints.size(); e++) {
            InetSocketAddress address = endpoints.get(e).address();
            if (acceptMode == AcceptMode.HANDOFF) {
                ListenSocket socket = bind(address, false);
                ports[e] = socket.localAddress().getPort();
                shards[0].addListener(new Listener(socket, e, shards[0], acceptFailures));
                continue;
            }
            if (address.getPort() != 0) {
                // With SO_REUSEPORT a second server of the same user would silently share the port:
                // a plain bind first tells whether anyone holds it.
                bind(address, false).close();
            }
            InetSocketAddress bound = address;
            for (Shard shard : shards) {
                ListenSocket socket = bind(bound, true);
                bound = new InetSocketAddress(address.getAddress(), socket.localAddress().getPort());
                shard.addListener(new Listener(socket, e, shard, acceptFailures));
            }
            ports[e] = bound.getPort();
        }
    }

    private ListenSocket bind(InetSocketAddress address, boolean reusePort) throws IOException {
        try {
            return config.transport().listen(address, config.backlog(), reusePort);
        } catch (BindException e) {
            throw BindFailures.classify(address, e);
        }
    }

    private void startThreads() throws IOException {
        CountDownLatch started = new CountDownLatch(shards.length);
        for (int i = 0; i < shards.length; i++) {
            Shard shard = shards[i];
            CountDownLatch shardEnded = ended[i];
            threads[i] = new Thread(() -> {
                try {
                    shard.run(endpoints, started);
                } finally {
                    shardEnded.countDown();
                }
            }, shard.name());
            threads[i].start();
        }
        awaitUninterruptibly(started);
        for (Shard shard : shards) {
            if (shard.startFailure() != null) {
                throw new IOException(shard.name() + " failed to start", shard.startFailure());
            }
        }
        for (int i = 0; i < shards.length; i++) {
            stallDetector.watch(i, shards[i].name(), shards[i].loop().stats(), threads[i]);
        }
        stallDetector.start();
        StringBuilder placement = new StringBuilder();
        for (Shard shard : shards) {
            placement.append(placement.isEmpty() ? "" : ", ").append(shard.placement());
        }
        LOG.log(System.Logger.Level.INFO, shards.length + " shard(s) running, accept=" + acceptMode.name().toLowerCase()
                + ": " + placement);
    }

    public RuntimeConfig config() {
        return config;
    }

    public AcceptMode acceptMode() {
        return acceptMode;
    }

    public int shardCount() {
        return shards.length;
    }

    public Shard shard(int index) {
        return shards[index];
    }

    /** The blocking-work pool shared by the shards; continuations return to the offloading shard. */
    public OffloadPool offload() {
        return offload;
    }

    /** The watchdog that reports turns longer than the stall threshold. */
    public StallDetector stallDetector() {
        return stallDetector;
    }

    /** The port endpoint {@code endpointIndex} listens on (the real one when 0 was asked). */
    public int port(int endpointIndex) {
        return ports[endpointIndex];
    }

    /** The port the first endpoint serving {@code protocol} listens on, or 0 when none serves it. */
    public int port(Protocol protocol) {
        for (int e = 0; e < endpoints.size(); e++) {
            if (endpoints.get(e).protocol() == protocol) {
                return ports[e];
            }
        }
        return 0;
    }

    /** Open connections over all shards. */
    public int openConnections() {
        return openConnections.get();
    }

    boolean reserveConnection() {
        if (openConnections.incrementAndGet() > config.maxConnections()) {
            openConnections.decrementAndGet();
            return false;
        }
        return true;
    }

    void releaseConnection() {
        openConnections.decrementAndGet();
    }

    /** Bytes all connections hold now, input and unsent output, as each shard last published it. Any thread. */
    public long clientMemory() {
        long total = 0;
        for (Shard shard : shards) {
            total += shard.netStats().get(NetStats.CLIENT_MEMORY);
        }
        return total;
    }

    /** One line a second at most, over all shards, for connections closed to keep the client-memory budget. */
    void logEviction(String shard, Connection connection, long held, long budget) {
        long skipped = evictions.onEvent(System.nanoTime());
        if (skipped >= 0) {
            LOG.log(System.Logger.Level.WARNING, shard + ": closed " + connection + ", which held " + held
                    + " bytes while all connections held more than maxmemory-clients (" + budget + " bytes)"
                    + ThrottledLog.skipped(skipped, "connection closed", "connections closed"));
        }
    }

    /**
     * All connections together hold more than the budget: each shard closes its largest (if large),
     * on its own loop, once per request however many shards asked. Any shard's loop.
     */
    void evictLargestClients() {
        for (int i = 0; i < shards.length; i++) {
            Shard shard = shards[i];
            if (evicting.compareAndSet(i, 0, 1)) {
                shard.loop().execute(() -> {
                    evicting.set(shard.index(), 0);
                    shard.evictLargestClient();
                });
            }
        }
    }

    /** Called on the accepting shard's thread: keep the socket, or hand it to the next shard. */
    void dispatchAccepted(Shard acceptor, AcceptedSocket accepted, int endpointIndex) {
        assert acceptor.loop().inLoop();
        if (acceptMode == AcceptMode.REUSEPORT) {
            acceptor.adopt(accepted, endpointIndex);
            return;
        }
        Shard target = shards[nextHandoff];
        nextHandoff = (nextHandoff + 1) % shards.length;
        if (target == acceptor) {
            target.adopt(accepted, endpointIndex);
        } else {
            target.loop().execute(() -> target.adopt(accepted, endpointIndex));
        }
    }

    /** A snapshot of every shard's counters. Any thread. */
    public List<ShardStats> stats() {
        List<ShardStats> list = new ArrayList<>(shards.length);
        for (Shard shard : shards) {
            list.add(ShardStats.of(shard));
        }
        return list;
    }

    /** {@link #stop(Duration)} with {@link #DEFAULT_STOP_TIMEOUT}. */
    @Override
    public void close() {
        stop(DEFAULT_STOP_TIMEOUT);
    }

    /** {@link #stop(Duration, boolean)}, the drain waiting for the replies connections are owed. */
    public List<String> stop(Duration stopTimeout) {
        return stop(stopTimeout, true);
    }

    /**
     * Stops in order, and returns by the drain timeout plus {@code stopTimeout} whatever the loops
     * do: every listener stops accepting; connections drain their unsent bytes (within the drain
     * timeout); the listeners close together (closing a SO_REUSEPORT listener resets the
     * connections queued on it, so none closes while another still accepts); the loops stop. A
     * loop that has not ended by then (stuck in a turn that never returns) is abandoned: one line
     * names it with the top of its stack, and its thread is left to end when it can (a process
     * exits regardless). Idempotent: a later call returns the first one's answer (at once, and
     * empty, while the first still runs).
     *
     * @param waitForReplies whether a connection's drain waits for the replies its handler still
     *                       owes ({@link io.shardloop.runtime.net.ConnectionHandler#hasRepliesInFlight});
     *                       false where none may come (the server serves nothing more)
     * @return the names of the shards abandoned; empty when every loop stopped.
     */
    public List<String> stop(Duration stopTimeout, boolean waitForReplies) {
        if (closed) {
            return abandoned;
        }
        closed = true;
        long drainDeadline = System.nanoTime() + config.drainTimeout().toNanos();
        long stopDeadline = drainDeadline + stopTimeout.toNanos();
        stallDetector.close();
        // The pool lets running file reads finish (their completions feed the drain) for up to its
        // own grace period; a stuck read must not hold the shutdown past its deadline.
        Thread.ofPlatform().name("offload-close").daemon(true).start(offload::close);
        boolean running = threads[shards.length - 1] != null;
        if (!running) {
            for (Shard shard : shards) {
                shard.closeListeners();
                shard.loop().stop();
                shard.loop().run(); // closes the poller; returns at once since the loop is stopped
            }
            return abandoned;
        }
        CountDownLatch[] drained = new CountDownLatch[shards.length];
        for (int i = 0; i < shards.length; i++) {
            Shard shard = shards[i];
            CountDownLatch done = drained[i] = new CountDownLatch(1);
            shard.loop().execute(() -> shard.stopAcceptingAndDrain(done, waitForReplies));
        }
        List<String> draining = new ArrayList<>();
        for (int i = 0; i < shards.length; i++) {
            if (!awaitUntil(drained[i], drainDeadline)) {
                draining.add(shards[i].name());
            }
        }
        if (!draining.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "drain timeout of " + config.drainTimeout().toMillis()
                    + " ms passed with " + String.join(", ", draining) + " still draining: closing the connections left");
        }
        for (Shard shard : shards) {
            // Queued before the stop: a loop runs the tasks it holds before it ends, so this closes.
            shard.loop().execute(shard::closeListeners);
            shard.loop().stop();
        }
        List<String> left = new ArrayList<>();
        for (int i = 0; i < shards.length; i++) {
            if (!awaitUntil(ended[i], stopDeadline)) {
                left.add(shards[i].name());
                LOG.log(System.Logger.Level.ERROR, shards[i].name() + " did not stop within " + stopTimeout.toMillis()
                        + " ms after the drain timeout and is abandoned; it is at " + topFrames(threads[i]));
            }
        }
        abandoned = List.copyOf(left);
        return abandoned;
    }

    /** The shards {@link #stop} abandoned, by name; empty before it and when every loop stopped. */
    public List<String> abandonedShards() {
        return abandoned;
    }

    private static String topFrames(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        StringBuilder frames = new StringBuilder();
        for (int i = 0; i < Math.min(FRAMES_LOGGED, stack.length); i++) {
            frames.append(i == 0 ? "" : " < ").append(stack[i]);
        }
        return stack.length == 0 ? "(no stack: the thread is ending)" : frames.toString();
    }

    /** Waits on the latch until the deadline ({@link System#nanoTime()} clock); true if it opened. */
    private static boolean awaitUntil(CountDownLatch latch, long deadlineNanos) {
        try {
            return latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return latch.getCount() == 0;
        }
    }

    /** Waits for every shard thread to end. */
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        boolean all = true;
        for (CountDownLatch shardEnded : ended) {
            all &= awaitUntil(shardEnded, deadline);
        }
        return all;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
