package io.shardloop.runtime.stall;

import io.shardloop.runtime.loop.LoopStats;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * A watchdog thread that proves the loops never block: every check interval it reads each shard's
 * {@link LoopStats#turnStartNanos()} (opaque, written by the loop at the start of each working turn,
 * 0 while it sleeps) and reports a turn older than the threshold, once per stalled turn, with the
 * loop thread's stack. Reports go to the log (rate-limited), to listeners, to JFR
 * ({@code io.shardloop.LoopStall}) and to a per-shard counter.
 * <p>
 * GC: the collectors' accumulated pause time is sampled at each check; the time it grew between
 * the last check before the turn started and the moment of the report is given with the report,
 * so a stall the JVM itself caused can be told apart. Concurrent collector cycles are not counted.
 * <p>
 * Threading: {@link #watch} before {@link #start}; everything else from any thread.
 */
public final class StallDetector implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StallDetector.class.getName());
    private static final int GC_SAMPLES = 256;

    private final StallConfig config;
    private final List<Watched> watched = new CopyOnWriteArrayList<>();
    private final List<Consumer<StallReport>> listeners = new CopyOnWriteArrayList<>();
    private final List<GarbageCollectorMXBean> pausingCollectors;
    private final long[] gcSampleTimes = new long[GC_SAMPLES];
    private final long[] gcSampleTotals = new long[GC_SAMPLES];
    private int gcSamples;
    private AtomicLongArray stalls;
    private Thread thread;
    private volatile boolean running;
    private long lastLogNanos;
    /** Passes over the shards so far; one writer (the watchdog thread), so a volatile write is enough. */
    private volatile long checks;
    private int suppressedLogs;

    public StallDetector(StallConfig config) {
        this.config = config;
        this.pausingCollectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(bean -> !bean.getName().contains("Cycles") && !bean.getName().contains("Concurrent"))
                .toList();
    }

    /** Watches one shard's loop. Before {@link #start}. */
    public void watch(int shard, String name, LoopStats stats, Thread loopThread) {
        watched.add(new Watched(shard, name, stats, loopThread));
    }

    /** Receives every report on the watchdog thread; keep it quick. */
    public void addListener(Consumer<StallReport> listener) {
        listeners.add(listener);
    }

    /** Starts the watchdog thread, unless the detector is switched off. */
    public StallDetector start() {
        int maxShard = watched.stream().mapToInt(w -> w.shard).max().orElse(-1);
        stalls = new AtomicLongArray(maxShard + 1);
        if (!config.enabled()) {
            return this;
        }
        running = true;
        thread = new Thread(this::run, "stall-detector");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Passes the watchdog has made over every shard so far; tests wait on it instead of sleeping. */
    public long checks() {
        return checks;
    }

    /** Stalls reported for a shard so far. */
    public long stalls(int shard) {
        return stalls == null || shard >= stalls.length() ? 0 : stalls.get(shard);
    }

    private void run() {
        long intervalNanos = config.checkInterval().toNanos();
        while (running) {
            check(System.nanoTime());
            java.util.concurrent.locks.LockSupport.parkNanos(intervalNanos);
        }
    }

    /** One pass over every shard; package-private for tests. */
    void check(long now) {
        sampleGc(now);
        long threshold = config.threshold().toNanos();
        for (Watched w : watched) {
            long start = w.stats.turnStartNanos();
            if (start == 0 || start == w.reportedTurn || now - start < threshold) {
                continue;
            }
            StackTraceElement[] stack = w.thread.getStackTrace();
            if (w.stats.turnStartNanos() != start) {
                continue; // the turn ended while the stack was taken: the stack would be of another turn
            }
            w.reportedTurn = start;
            report(new StallReport(w.shard, w.name, now - start, gcPausedSince(start), stack));
        }
        checks++; // one writer: not a lost update
    }

    private void report(StallReport report) {
        stalls.incrementAndGet(report.shard());
        LoopStallEvent event = new LoopStallEvent();
        if (event.isEnabled()) {
            event.shard = report.shard();
            event.loop = report.loopName();
            event.stalled = report.stalledNanos();
            event.gc = report.gcNanos();
            event.stack = report.describe();
            event.commit();
        }
        for (Consumer<StallReport> listener : listeners) {
            try {
                listener.accept(report);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a stall listener threw", e);
            }
        }
        long now = System.nanoTime();
        if (lastLogNanos != 0 && now - lastLogNanos < config.logInterval().toNanos()) {
            suppressedLogs++;
            return;
        }
        String suppressed = suppressedLogs == 0 ? "" : " (" + suppressedLogs + " more stall(s) not logged since the last line)";
        suppressedLogs = 0;
        lastLogNanos = now;
        LOG.log(System.Logger.Level.WARNING, report.describe() + suppressed);
    }

    private void sampleGc(long now) {
        int i = gcSamples++ % GC_SAMPLES;
        gcSampleTimes[i] = now;
        gcSampleTotals[i] = gcPauseMillis();
    }

    /** Pause time the collectors added since the last sample taken before {@code since}. */
    private long gcPausedSince(long since) {
        long nowTotal = gcSampleTotals[(gcSamples - 1) % GC_SAMPLES];
        long before = -1;
        long beforeTime = Long.MIN_VALUE;
        for (int k = 0, n = Math.min(gcSamples, GC_SAMPLES); k < n; k++) {
            if (gcSampleTimes[k] <= since && gcSampleTimes[k] > beforeTime) {
                beforeTime = gcSampleTimes[k];
                before = gcSampleTotals[k];
            }
        }
        if (before < 0) {
            return 0; // the turn started before the oldest sample: unknown, reported as none
        }
        return (nowTotal - before) * 1_000_000L;
    }

    private long gcPauseMillis() {
        long total = 0;
        for (GarbageCollectorMXBean bean : pausingCollectors) {
            long t = bean.getCollectionTime();
            if (t > 0) {
                total += t;
            }
        }
        return total;
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Watched {
        final int shard;
        final String name;
        final LoopStats stats;
        final Thread thread;
        long reportedTurn;

        Watched(int shard, String name, LoopStats stats, Thread thread) {
            this.shard = shard;
            this.name = name;
            this.stats = stats;
            this.thread = thread;
        }
    }
}
