package io.shardloop.runtime.shard;

import io.shardloop.runtime.RuntimeConfig;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.mailbox.Mailbox;
import io.shardloop.runtime.mailbox.Mailboxes;
import io.shardloop.runtime.offload.OffloadPool;
import io.shardloop.runtime.stall.StallDetector;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

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

    private final RuntimeConfig config;
    private final List<Endpoint> endpoints;
    private final Shard[] shards;
    private final Thread[] threads;
    private final int[] ports;
    private final AcceptMode acceptMode;
    /** Open connections over all shards, against {@link RuntimeConfig#maxConnections()}; touched on accept and close only. */
    private final AtomicInteger openConnections = new AtomicInteger();
    private final CountDownLatch terminated;
    private final OffloadPool offload;
    private final StallDetector stallDetector;
    private int nextHandoff;
    private volatile boolean closed;

    private ShardGroup(RuntimeConfig config, List<Endpoint> endpoints, AcceptMode acceptMode) throws IOException {
        this.config = config;
        this.endpoints = List.copyOf(endpoints);
        this.acceptMode = acceptMode;
        this.shards = new Shard[config.shards()];
        this.threads = new Thread[config.shards()];
        this.ports = new int[endpoints.size()];
        this.terminated = new CountDownLatch(config.shards());
        int[] cpus = Pinning.plan(config.shards(), config.pin(), config.cpus());
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard(i, this, config, cpus[i]);
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
     */
    public static ShardGroup start(RuntimeConfig config, List<Endpoint> endpoints) throws IOException {
        AcceptMode mode = config.acceptMode();
        if (mode == AcceptMode.REUSEPORT && !reusePortSupported()) {
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

    public static boolean reusePortSupported() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    private void bindAll() throws IOException {
        for (int e = 0; e < endpoints.size(); e++) {
            InetSocketAddress address = endpoints.get(e).address();
            if (acceptMode == AcceptMode.HANDOFF) {
                ServerSocketChannel channel = bind(address, false);
                ports[e] = ((InetSocketAddress) channel.getLocalAddress()).getPort();
                shards[0].addListener(new Listener(channel, e, shards[0]));
                continue;
            }
            if (address.getPort() != 0) {
                // With SO_REUSEPORT a second server of the same user would silently share the port:
                // a plain bind first tells whether anyone holds it.
                bind(address, false).close();
            }
            InetSocketAddress bound = address;
            for (Shard shard : shards) {
                ServerSocketChannel channel = bind(bound, true);
                bound = new InetSocketAddress(address.getAddress(), ((InetSocketAddress) channel.getLocalAddress()).getPort());
                shard.addListener(new Listener(channel, e, shard));
            }
            ports[e] = bound.getPort();
        }
    }

    private ServerSocketChannel bind(InetSocketAddress address, boolean reusePort) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.configureBlocking(false);
            channel.bind(address, config.backlog());
            return channel;
        } catch (BindException e) {
            channel.close();
            throw new PortInUseException(address, e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void startThreads() throws IOException {
        CountDownLatch started = new CountDownLatch(shards.length);
        for (int i = 0; i < shards.length; i++) {
            Shard shard = shards[i];
            threads[i] = new Thread(() -> {
                try {
                    shard.run(endpoints, started);
                } finally {
                    terminated.countDown();
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
            placement.append(placement.isEmpty() ? "" : ", ").append(shard.name()).append("→")
                    .append(shard.pinnedCpu() == Pinning.UNPINNED ? "unpinned" : "CPU " + shard.pinnedCpu());
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

    /** Called on the accepting shard's thread: keep the socket, or hand it to the next shard. */
    void dispatchAccepted(Shard acceptor, SocketChannel channel, int endpointIndex) {
        assert acceptor.loop().inLoop();
        if (acceptMode == AcceptMode.REUSEPORT) {
            acceptor.adopt(channel, endpointIndex);
            return;
        }
        Shard target = shards[nextHandoff];
        nextHandoff = (nextHandoff + 1) % shards.length;
        if (target == acceptor) {
            target.adopt(channel, endpointIndex);
        } else {
            target.loop().execute(() -> target.adopt(channel, endpointIndex));
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

    /**
     * Stops in order: every listener stops accepting; connections drain their unsent bytes
     * (within the drain timeout); the listeners close together (closing a SO_REUSEPORT listener
     * resets the connections queued on it, so none closes while another still accepts); the loops
     * stop. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stallDetector.close();
        offload.close();
        boolean running = threads[shards.length - 1] != null;
        if (!running) {
            for (Shard shard : shards) {
                shard.closeListeners();
                shard.loop().stop();
                shard.loop().run(); // closes the poller; returns at once since the loop is stopped
            }
            return;
        }
        onEveryShard(Shard::pauseAccepting, 1_000);
        CountDownLatch drained = new CountDownLatch(shards.length);
        for (Shard shard : shards) {
            shard.loop().execute(() -> shard.drain(drained));
        }
        try {
            if (!drained.await(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "drain timeout of " + config.drainTimeout().toMillis()
                        + " ms passed: closing the connections left");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onEveryShard(Shard::closeListeners, 1_000);
        for (Shard shard : shards) {
            shard.loop().stop();
        }
        awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Waits for every shard thread to end. */
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        try {
            return terminated.await(timeout, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void onEveryShard(Consumer<Shard> step, long timeoutMillis) {
        CountDownLatch done = new CountDownLatch(shards.length);
        for (Shard shard : shards) {
            shard.loop().execute(() -> {
                try {
                    step.accept(shard);
                } finally {
                    done.countDown();
                }
            });
        }
        try {
            done.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
