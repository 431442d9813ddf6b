package io.shardloop.load;

import io.shardloop.runtime.shard.Pinning;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One load run, from start to report: the control plane. It starts the load loops, connects every
 * connection (bounded by the timeout), starts the schedule, prints a line per second from the
 * interval histograms, writes the interval log, waits for the last responses (bounded by the
 * timeout), ends the loops and builds the report. Runs on the caller's thread; nothing here is on
 * the data path.
 * <pre>
 *   connect (≤ timeout) ─▶ warmup ─▶ measured duration ─▶ drain outstanding (≤ timeout) ─▶ finish
 *                          └─ t0: the schedule starts; measureStart = t0 + warmup; end = measureStart + duration
 * </pre>
 * Every phase is bounded, so a run ends even against a dead or stalled server.
 */
public final class LoadRun {
    private static final long SECOND = 1_000_000_000L;
    private static final long POLL_NANOS = 5_000_000;

    private final LoadConfig config;
    private final PrintStream live;
    private final List<LoadLoop> loops = new ArrayList<>();
    private final Histogram[] recycled;
    private final Histogram total;
    private final List<LoadReport.Interval> intervals = new ArrayList<>();
    private final long highestUs;
    private HistogramLogWriter logWriter;
    private long t0;
    private long measureStart;
    private long end;
    private long startEpochMillis;
    private long lastTick;
    private long[] lastCounters = new long[LoadCounters.COUNT];

    private LoadRun(LoadConfig config, PrintStream live) {
        this.config = config;
        this.live = live;
        this.recycled = new Histogram[config.threads()];
        this.highestUs = (config.warmup().toNanos() + config.duration().toNanos() + 2 * config.timeout().toNanos()) / 1000
                + 60_000_000;
        this.total = new Histogram(highestUs, 3);
    }

    /**
     * Runs the load and returns its report.
     *
     * @param live where the settings and the line per second go
     * @param hlog where to write the HdrHistogram interval log, or null
     */
    public static LoadReport run(LoadConfig config, PrintStream live, Path hlog) throws IOException {
        LoadRun run = new LoadRun(config, live);
        try {
            return run.execute(hlog);
        } finally {
            run.stopLoops();
        }
    }

    private LoadReport execute(Path hlog) throws IOException {
        live.println("shardloop load: " + config.describe());
        createLoops();
        CountDownLatch started = new CountDownLatch(loops.size());
        for (LoadLoop loop : loops) {
            loop.start(started);
        }
        awaitQuietly(started, 10);
        List<String> placement = new ArrayList<>();
        for (LoadLoop loop : loops) {
            placement.add(loop.placement());
        }
        if (!config.cpus().isEmpty()) {
            live.println("load loops: " + String.join(", ", placement));
        }

        connectAll();
        t0 = System.nanoTime() + 1_000_000;
        measureStart = t0 + config.warmup().toNanos();
        end = measureStart + config.duration().toNanos();
        startEpochMillis = System.currentTimeMillis() + (t0 - System.nanoTime()) / 1_000_000;
        for (LoadLoop loop : loops) {
            loop.startSchedule(t0, measureStart, end);
        }
        if (hlog != null) {
            logWriter = new HistogramLogWriter(hlog.toFile());
            logWriter.outputComment("shardloop load: " + config.describe());
            logWriter.outputComment("values in microseconds, "
                    + (config.openLoop() ? "from the intended send time" : "from the actual send time"));
            logWriter.outputLogFormatVersion();
            logWriter.outputStartTime(startEpochMillis);
            logWriter.setBaseTime(startEpochMillis);
            logWriter.outputLegend();
        }

        lastTick = t0;
        long measuredEnd = reportEverySecond();
        drain(measuredEnd);
        stopLoops();
        collect(System.nanoTime(), true);
        if (logWriter != null) {
            logWriter.close();
        }

        long[] counters = sumCounters();
        double seconds = Math.max(1e-9, (measuredEnd - measureStart) / 1e9);
        String lastError = null;
        for (LoadLoop loop : loops) {
            if (loop.lastError() != null) {
                lastError = loop.lastError();
            }
        }
        return new LoadReport(config, total, counters, seconds, List.copyOf(intervals), placement, lastError);
    }

    private void createLoops() throws IOException {
        for (int t = 0; t < config.threads(); t++) {
            RequestWriter writer = config.protocol() == LoadConfig.Protocol.HTTP
                    ? new HttpRequestWriter(config.http(), config.target().getHostString(), config.target().getPort())
                    : new RespRequestWriter(config.resp(), 0x5eed + t);
            int cpu = config.cpus().isEmpty() ? Pinning.UNPINNED : config.cpus().get(t);
            loops.add(new LoadLoop(t, config, writer, cpu));
        }
        long requests = config.requests();
        int connections = config.connections();
        for (int i = 0; i < connections; i++) {
            long quota = requests == 0 ? Long.MAX_VALUE : requests / connections + (i < requests % connections ? 1 : 0);
            loops.get(i % loops.size()).addConnection(i, quota);
        }
    }

    /** Opens every connection; waits until all are open or the timeout passes, whichever comes first. */
    private void connectAll() {
        for (LoadLoop loop : loops) {
            loop.connectAll();
        }
        long deadline = System.nanoTime() + config.timeout().toNanos();
        while (System.nanoTime() < deadline) {
            long[] c = sumCounters();
            long failures = c[LoadCounters.CONNECT_REFUSED] + c[LoadCounters.CONNECT_TIMEOUT] + c[LoadCounters.CONNECT_ERROR];
            if (c[LoadCounters.CONNECTS] + failures >= config.connections()) {
                break;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Prints a line per second until the end; returns when the measured part ended. */
    private long reportEverySecond() {
        // Ticks fall on whole seconds from the start of the measured part, so no line mixes warmup and measurement.
        long nextTick = measureStart - (config.warmup().toNanos() / SECOND) * SECOND;
        if (nextTick <= t0) {
            nextTick += SECOND;
        }
        while (true) {
            long now = System.nanoTime();
            if (config.requests() > 0 && doneConnections() >= config.connections()) {
                collect(now, false);
                return Math.min(now, end);
            }
            if (now >= end) {
                collect(now, false);
                return end;
            }
            if (now >= nextTick) {
                collect(now, false);
                nextTick += SECOND;
                continue;
            }
            LockSupport.parkNanos(Math.min(POLL_NANOS * 4, Math.min(nextTick, end) - now));
        }
    }

    /** Waits for the requests still to be sent or answered at the end, at most the timeout. */
    private void drain(long measuredEnd) {
        long deadline = Math.max(measuredEnd, System.nanoTime()) + config.timeout().toNanos();
        while (System.nanoTime() < deadline && !drained()) {
            for (LoadLoop loop : loops) {
                loop.nudge(); // a loop with nothing to do sleeps; it must still look at itself
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Takes the latencies recorded since the last tick into the total, the log and a live line. */
    private void collect(long now, boolean last) {
        for (LoadLoop loop : loops) {
            loop.nudge();
        }
        Histogram interval = new Histogram(highestUs, 3);
        for (int i = 0; i < loops.size(); i++) {
            recycled[i] = loops.get(i).takeInterval(recycled[i]);
            interval.add(recycled[i]);
        }
        total.add(interval);
        long[] counters = sumCounters();
        long responses = counters[LoadCounters.RESPONSES] - lastCounters[LoadCounters.RESPONSES];
        long warmupResponses = counters[LoadCounters.WARMUP_RESPONSES] - lastCounters[LoadCounters.WARMUP_RESPONSES];
        long errors = LoadReport.errorTotal(counters) - LoadReport.errorTotal(lastCounters);
        lastCounters = counters;
        double seconds = Math.max(1e-9, (now - lastTick) / 1e9);
        double at = (now - t0) / 1e9;
        // Ticks are aligned on the start of the measured part, so an interval that began before it is warmup.
        boolean warmup = lastTick < measureStart;
        // Only measured responses are recorded: an interval holding any belongs in the log.
        if (logWriter != null && (!warmup || interval.getTotalCount() > 0)) {
            interval.setStartTimeStamp(startEpochMillis + (lastTick - t0) / 1_000_000);
            interval.setEndTimeStamp(startEpochMillis + (now - t0) / 1_000_000);
            logWriter.outputIntervalHistogram(interval);
        }
        if (!warmup && (!last || interval.getTotalCount() + errors > 0)) {
            intervals.add(new LoadReport.Interval(at, responses / seconds, errors, interval.getTotalCount() == 0 ? 0
                    : interval.getValueAtPercentile(50), interval.getValueAtPercentile(99), interval.getMaxValue()));
        }
        lastTick = now;
        if (last && responses + errors + warmupResponses == 0) {
            return;
        }
        StringBuilder line = new StringBuilder();
        line.append(String.format("%6.1fs %s %9.1f req/s", at, last ? "drain " : warmup ? "warmup" : "      ",
                (responses + warmupResponses) / seconds));
        line.append(String.format("  errors %-6d", errors));
        if (interval.getTotalCount() > 0) {
            line.append("  p50 ").append(LoadReport.formatMicros(interval.getValueAtPercentile(50)))
                    .append("  p99 ").append(LoadReport.formatMicros(interval.getValueAtPercentile(99)))
                    .append("  max ").append(LoadReport.formatMicros(interval.getMaxValue()));
        }
        if (config.openLoop() && !warmup && !last && responses / seconds < config.rate() * 0.9) {
            line.append("  (below the target of ").append(LoadConfig.formatRate(config.rate())).append("/s)");
        }
        live.println(line);
    }

    private long[] sumCounters() {
        long[] sum = new long[LoadCounters.COUNT];
        for (LoadLoop loop : loops) {
            for (int i = 0; i < sum.length; i++) {
                long v = loop.counters().get(i);
                sum[i] = i == LoadCounters.MAX_SEND_LAG_US ? Math.max(sum[i], v) : sum[i] + v;
            }
        }
        return sum;
    }

    /** True when every loop has seen, on its own thread, that it has nothing outstanding and nothing left to send. */
    private boolean drained() {
        for (LoadLoop loop : loops) {
            if (!loop.drained()) {
                return false;
            }
        }
        return true;
    }

    private long doneConnections() {
        long n = 0;
        for (LoadLoop loop : loops) {
            n += loop.doneConnections();
        }
        return n;
    }

    private boolean stopped;

    /** Finishes every connection and stops the loops; idempotent. */
    private void stopLoops() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (LoadLoop loop : loops) {
            loop.finishAndStop();
        }
        for (LoadLoop loop : loops) {
            try {
                if (!loop.awaitStopped(5_000)) {
                    live.println("warning: " + loop.name() + " did not stop within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch, long seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
