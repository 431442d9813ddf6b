package io.shardloop.load;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.net.BufferPool;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.net.ConnectionOwner;
import io.shardloop.runtime.net.Connector;
import io.shardloop.runtime.shard.LoopHost;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One load-generating event loop: its thread (pinned when asked), its connections, its latency
 * recorder and its counters. Each loop runs the runtime's own {@link EventLoop} on a
 * {@link LoopHost}, as a server's shard does, with outbound connections opened by {@link Connector}.
 * <p>
 * <b>Ownership.</b> Everything here is touched by the loop's thread alone, except: the
 * {@link SingleWriterRecorder} (recorded here, swapped out by the reporter thread, which is what it
 * is made for), the counters (single writer, any reader) and {@link #lastError} (volatile, written
 * on error paths only). The reporter reaches the loop through {@link EventLoop#execute}.
 * <p>
 * <b>Pacing</b> (open loop). The loop is a work source of its own event loop: each turn it sends
 * every request that has come due. Its sleeps are millisecond-precise, so when the next send is
 * within the spin window it reports pending work and the loop polls without blocking until then;
 * otherwise it sets a timer to wake at the start of the window.
 */
final class LoadLoop implements ConnectionOwner, EventLoop.WorkSource, EventLoop.TimerTask {
    /** Indexes into {@link #state}. */
    static final int DONE_CONNECTIONS = 0;
    /** 1 once the schedule has ended and no request is outstanding or still to be sent. */
    static final int DRAINED = 1;

    private static final long NO_TIMER = -1;
    private static final long TICK_NANOS = 10_000_000;
    private static final LoopHost.Buffers BUFFERS = new LoopHost.Buffers(64 * 1024, 16 * 1024, 256);
    private static final LoopHost.Startup NO_STARTUP = () -> { };
    private static final Runnable NOTHING_AT_EXIT = () -> { };

    private final int index;
    private final String name;
    private final LoadConfig config;
    private final LoopHost host;
    private final EventLoop loop;
    private final SingleWriterCounters counters = LoadCounters.newCounters();
    private final SingleWriterCounters state = new SingleWriterCounters(2);
    private final SingleWriterRecorder recorder;
    private final long highestUs;
    private final RequestWriter writer;
    private final ConnectionLimits limits;
    private final List<LoadConnection> connections = new ArrayList<>();
    private final long timeoutNanos;
    private final long reconnectDelayNanos;
    private final long spinWindowNanos;
    private final double nanosPerRequest;
    private final int totalConnections;
    private final EventLoop.TimerTask wake = now -> wakeTimer = NO_TIMER;
    private final Runnable checkNow = () -> check(System.nanoTime());

    private long t0;
    private long measureStart = Long.MIN_VALUE;
    private long end = Long.MAX_VALUE;
    private boolean scheduleStarted;
    private long earliestDue = Long.MAX_VALUE;
    private long wakeTimer = NO_TIMER;
    private long wakeDeadline;
    private long nextConnectionSeq;
    private Thread thread;
    private long nextCheckNanos;
    private volatile String lastError;

    LoadLoop(int index, LoadConfig config, RequestWriter writer, int plannedCpu) throws IOException {
        this.index = index;
        this.name = "load-" + index;
        this.config = config;
        this.writer = writer;
        this.host = new LoopHost(name, plannedCpu, 0, config.transport(), BUFFERS);
        this.loop = host.loop();
        this.timeoutNanos = config.timeout().toNanos();
        this.reconnectDelayNanos = config.reconnectDelay().toNanos();
        this.spinWindowNanos = config.spinWindow().toNanos();
        this.nanosPerRequest = config.openLoop() ? 1e9 / config.rate() : 0;
        this.totalConnections = config.connections();
        this.limits = new ConnectionLimits(64 * 1024, 1 << 20, 256 * 1024, 64L << 20,
                writer.maxResponseBytes(), timeoutNanos, 0);
        // Any latency the run can produce fits: a request can wait at most the whole run plus its timeout.
        this.highestUs = (config.warmup().toNanos() + config.duration().toNanos() + 2 * timeoutNanos) / 1000 + 60_000_000;
        this.recorder = new SingleWriterRecorder(highestUs, 3);
        loop.addWorkSource(this);
    }

    /** Adds a connection; before {@link #start}. */
    void addConnection(int globalIndex, long quota) {
        connections.add(new LoadConnection(this, globalIndex, writer.newParser(), config.pipeline(), quota));
    }

    /** Starts the loop's thread; counts the latch down once it is pinned (or not) and about to run. */
    void start(CountDownLatch started) {
        thread = new Thread(() -> host.run(NO_STARTUP, NOTHING_AT_EXIT, started), name);
        thread.setDaemon(true);
        thread.start();
    }

    // ---- commands from the reporter thread, each run on the loop -----------------------------------

    void connectAll() {
        loop.execute(() -> {
            loop.scheduleTimer(System.nanoTime() + TICK_NANOS, this);
            for (LoadConnection c : connections) {
                c.connect();
            }
        });
    }

    /** Starts the schedule: sending begins at t0, measuring at measureStart, sending ends at end. */
    void startSchedule(long t0, long measureStart, long end) {
        loop.execute(() -> {
            this.t0 = t0;
            this.measureStart = measureStart;
            this.end = end;
            this.scheduleStarted = true;
            if (!config.openLoop()) {
                // t0 lies a moment ahead: a request sent before it would be warmup, outside the
                // measured part and the request limit.
                if (System.nanoTime() >= t0) {
                    startClosedLoop();
                } else {
                    loop.scheduleTimer(t0, now -> startClosedLoop());
                }
            }
        });
    }

    /** Ends every connection (counting what is left), then stops the loop. */
    void finishAndStop() {
        loop.execute(() -> {
            for (LoadConnection c : connections) {
                c.finish();
            }
            loop.stop();
        });
    }

    /** Runs the timeout and drain checks on the loop soon, waking it if it sleeps. Any thread. */
    void nudge() {
        loop.execute(checkNow);
    }

    boolean awaitStopped(long millis) throws InterruptedException {
        if (thread == null) {
            return true;
        }
        thread.join(millis);
        return !thread.isAlive();
    }

    // ---- read by the reporter ------------------------------------------------------------------

    String name() {
        return name;
    }

    /** "load-0→CPU 1" or "load-0→unpinned". */
    String placement() {
        return host.placement();
    }

    SingleWriterCounters counters() {
        return counters;
    }

    boolean drained() {
        return state.get(DRAINED) == 1;
    }

    long doneConnections() {
        return state.get(DONE_CONNECTIONS);
    }

    int connectionCount() {
        return connections.size();
    }

    String lastError() {
        return lastError;
    }

    /** The latencies recorded since the last call; recycles the histogram it was given. Any thread. */
    Histogram takeInterval(Histogram recycle) {
        return recorder.getIntervalHistogram(recycle);
    }

    // ---- used by the connections, on the loop thread ---------------------------------------------

    @Override
    public EventLoop loop() {
        return loop;
    }

    boolean openLoop() {
        return config.openLoop();
    }

    /** Closed loop, from t0 on: every connection fills its pipeline (a timer may fire a hair early: its sends count from t0). */
    private void startClosedLoop() {
        long now = Math.max(System.nanoTime(), t0);
        for (LoadConnection c : connections) {
            c.startClosedLoop(now);
        }
    }

    boolean scheduleStarted() {
        return scheduleStarted;
    }

    /** When the schedule starts (the warmup's start, t0). */
    long scheduleStartNanos() {
        return t0;
    }

    long measureStartNanos() {
        return measureStart;
    }

    long endNanos() {
        return end;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    long reconnectDelayNanos() {
        return reconnectDelayNanos;
    }

    RequestWriter writer() {
        return writer;
    }

    /** When request {@code seq} of connection {@code connection} should be sent: the connections interleave evenly. */
    long intendedTime(long seq, int connection) {
        return t0 + (long) ((seq * totalConnections + connection) * nanosPerRequest);
    }

    /** How many requests of the connection the schedule puts before the time. */
    long scheduledBefore(long time, int connection) {
        double slots = ((time - t0) / nanosPerRequest - connection) / totalConnections;
        return slots <= 0 ? 0 : (long) Math.ceil(slots);
    }

    Connector connect(LoadConnection connection) {
        long id = ((long) index << 48) | nextConnectionSeq++;
        return Connector.connect(this, host.io(), config.target(), id, limits, c -> connection, timeoutNanos, connection);
    }

    void onResponse(long start, long now, int outcome) {
        if (start < measureStart) {
            counters.increment(LoadCounters.WARMUP_RESPONSES);
            return;
        }
        recorder.recordValue(Math.min(Math.max(0, (now - start) / 1000), highestUs));
        counters.increment(LoadCounters.RESPONSES);
        switch (outcome) {
            case ResponseParser.WRONG_STATUS -> counters.increment(LoadCounters.WRONG_STATUS);
            case ResponseParser.ERROR_REPLY, ResponseParser.NO_SCRIPT -> counters.increment(LoadCounters.ERROR_REPLY);
            case ResponseParser.ABORTED -> counters.increment(LoadCounters.ABORTED);
            case ResponseParser.WRONG_TYPE -> counters.increment(LoadCounters.WRONG_TYPE);
            default -> { }
        }
    }

    void countError(int kind, long now) {
        if (now >= measureStart) {
            counters.increment(kind);
        }
    }

    void noteError(String message) {
        lastError = message; // volatile: error paths only
    }

    void connectionDone() {
        state.increment(DONE_CONNECTIONS);
    }

    // ---- pacing and timeouts -------------------------------------------------------------------

    @Override
    public int doWork() {
        long now = System.nanoTime();
        if (now >= nextCheckNanos) {
            // Also checked here, not only from the tick timer: a busy loop turns often, and the checks
            // must not depend on one timer alone.
            check(now);
        }
        if (!scheduleStarted || !config.openLoop()) {
            return 0;
        }
        int work = 0;
        long earliest = Long.MAX_VALUE;
        for (int i = 0, n = connections.size(); i < n; i++) {
            LoadConnection c = connections.get(i);
            work += c.sendDue(now);
            earliest = Math.min(earliest, c.nextDue());
        }
        earliestDue = earliest;
        if (earliest != Long.MAX_VALUE) {
            long wakeAt = earliest - spinWindowNanos;
            if (wakeAt > now && wakeTimer == NO_TIMER) {
                wakeDeadline = wakeAt;
                wakeTimer = loop.scheduleTimer(wakeAt, wake);
            }
        }
        return work;
    }

    @Override
    public boolean hasPendingWork() {
        return earliestDue != Long.MAX_VALUE && earliestDue - System.nanoTime() <= spinWindowNanos;
    }

    /** The periodic tick. */
    @Override
    public void onTimer(long nowNanos) {
        check(nowNanos);
        loop.scheduleTimer(nowNanos + TICK_NANOS, this);
    }

    /** Request timeouts, and whether the loop has drained after the end. */
    private void check(long nowNanos) {
        nextCheckNanos = nowNanos + TICK_NANOS;
        boolean idle = scheduleStarted;
        for (int i = 0, n = connections.size(); i < n; i++) {
            LoadConnection c = connections.get(i);
            c.checkTimeout(nowNanos);
            idle &= c.idle(nowNanos);
        }
        state.set(DRAINED, idle ? 1 : 0);
    }

    // ---- ConnectionOwner -----------------------------------------------------------------------

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
        return host.netStats();
    }

    @Override
    public void onClosed(Connection connection) {
        // The load connection that held it has already counted what was lost.
    }
}
