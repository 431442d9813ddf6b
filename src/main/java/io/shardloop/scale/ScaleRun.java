package io.shardloop.scale;

import io.shardloop.load.LoadConfig;
import io.shardloop.load.LoadReport;
import io.shardloop.load.LoadRun;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The experiment's control plane: for every target and every N, starts the server on N CPUs,
 * warms it up, measures its closed-loop peak with its CPU time, then its latency at each open-loop
 * rate, and stops it. One line of progress per step, with the time left. A point that fails (the
 * server does not start, the load cannot connect) is recorded as failed and the run goes on.
 */
public final class ScaleRun {
    private final ScaleConfig config;
    private final PrintStream progress;
    private final List<ScalePoint> points = new ArrayList<>();
    private final long startNanos = System.nanoTime();

    private ScaleRun(ScaleConfig config, PrintStream progress) {
        this.config = config;
        this.progress = progress;
    }

    /** Runs every point in order: for each protocol's targets, N ascending. */
    public static List<ScalePoint> run(ScaleConfig config, PrintStream progress) throws IOException {
        ScaleRun run = new ScaleRun(config, progress);
        Files.createDirectories(config.out().resolve("logs"));
        int total = config.points();
        int done = 0;
        java.util.Set<LoadConfig.Protocol> warmed = java.util.EnumSet.noneOf(LoadConfig.Protocol.class);
        for (Target target : config.targets()) {
            if (warmed.add(target.protocol())) {
                run.warmUp(target, config.shardCounts().getFirst());
            }
            for (int n : config.shardCounts()) {
                run.points.add(run.measure(target, n, ++done, total));
            }
        }
        return run.points;
    }

    /**
     * Before a protocol's first point: the same server and load for a warmup and a run, not
     * measured. The load generator runs in this process, so without it the first point is measured
     * while the JIT still compiles the generator's side of it.
     */
    private void warmUp(Target target, int n) {
        List<Integer> serverCpus = config.serverCpus(n);
        String name = target.protocolName() + "-warmup";
        progress.printf(Locale.ROOT, "[warm-up] %s %s N=%d: one run that is not measured%n", target.protocolName(),
                target.label(), n);
        try (PrintStream loadOut = new PrintStream(Files.newOutputStream(config.out().resolve("logs").resolve(name + ".load.log")), true)) {
            Path work = config.out().resolve("logs").resolve(name);
            Files.createDirectories(work);
            int port = ServerProcess.freePort();
            List<String> command = ServerProcess.command(config, target, serverCpus, port, work);
            try (ServerProcess server = ServerProcess.start(command, port, config.out().resolve("logs").resolve(name + ".server.log"))) {
                load(new InetSocketAddress("127.0.0.1", port), target, 0, config.warmup().plus(config.duration()), loadOut);
            }
        } catch (IOException | RuntimeException e) {
            progress.println("[warm-up] " + target.protocolName() + " " + target.label() + ": failed (" + e.getMessage()
                    + "); the first point is measured cold");
        }
    }

    private ScalePoint measure(Target target, int n, int index, int total) {
        List<Integer> serverCpus = config.serverCpus(n);
        String name = target.protocolName() + "-" + target.label().replace('+', '-') + "-n" + n;
        Path log = config.out().resolve("logs").resolve(name + ".server.log");
        Path loadLog = config.out().resolve("logs").resolve(name + ".load.log");
        Path work = config.out().resolve("logs").resolve(name);
        List<String> command = List.of();
        say(index, total, target, n, "starting on CPUs " + serverCpus + (config.sharesCpus(n)
                ? " (shared with the load on " + config.loadCpus() + ")" : ", load on " + config.loadCpus()));
        try (PrintStream loadOut = new PrintStream(Files.newOutputStream(loadLog), true)) {
            Files.createDirectories(work);
            int port = ServerProcess.freePort();
            command = ServerProcess.command(config, target, serverCpus, port, work);
            try (ServerProcess server = ServerProcess.start(command, port, log)) {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
                if (!config.warmup().isZero()) {
                    load(address, target, 0, config.warmup(), loadOut);
                }
                long cpuBefore = server.cpuMicros();
                LoadReport peak = load(address, target, 0, config.duration(), loadOut);
                long cpuUsed = server.cpuMicros() - cpuBefore;
                double peakRps = peak.achievedRate();
                double cpuPerReq = peak.responses() == 0 ? 0 : (double) cpuUsed / peak.responses();
                say(index, total, target, n, String.format(Locale.ROOT, "peak %.0f req/s, %.1f us CPU/req%s", peakRps,
                        cpuPerReq, peak.errors() > 0 ? ", " + peak.errors() + " errors" : ""));
                List<ScalePoint.RatePoint> rates = new ArrayList<>();
                for (double f : config.fractions()) {
                    double rate = Math.max(1, Math.floor(peakRps * f));
                    if (peakRps <= 0) {
                        break;
                    }
                    LoadReport r = load(address, target, rate, config.duration(), loadOut);
                    Histogram h = r.latency();
                    rates.add(new ScalePoint.RatePoint(f, rate, r.achievedRate(), h.getValueAtPercentile(50),
                            h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), r.errors()));
                    say(index, total, target, n, String.format(Locale.ROOT, "%.0f%% of peak (%.0f/s): p50 %s p99 %s",
                            f * 100, rate, LoadReport.formatMicros(h.getValueAtPercentile(50)),
                            LoadReport.formatMicros(h.getValueAtPercentile(99))));
                }
                return new ScalePoint(target, n, serverCpus, config.loadCpus(), config.sharesCpus(n), peakRps,
                        peak.errors(), cpuPerReq, rates, command, null);
            }
        } catch (IOException | RuntimeException e) {
            say(index, total, target, n, "FAILED: " + e.getMessage());
            return new ScalePoint(target, n, serverCpus, config.loadCpus(), config.sharesCpus(n), 0, 0, 0, List.of(),
                    command, String.valueOf(e.getMessage()));
        }
    }

    private LoadReport load(InetSocketAddress address, Target target, double rate, Duration duration, PrintStream out)
            throws IOException {
        int threads = config.clientCpus();
        LoadConfig.Builder b = LoadConfig.builder(target.protocol(), address).rate(rate).duration(duration)
                .connections(config.connections()).threads(threads).cpus(config.pin() ? config.loadCpus() : List.of()).pipeline(config.pipeline())
                .timeout(Duration.ofSeconds(2));
        if (target.protocol() == LoadConfig.Protocol.HTTP) {
            b.http(LoadConfig.HttpSettings.get("/plaintext"));
        }
        return LoadRun.run(b.build(), out, null);
    }

    private void say(int index, int total, Target target, int n, String what) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double left = points.isEmpty()
                ? (total - index + 1) * config.plannedSecondsPerPoint()
                : (total - index + 1) * (elapsed / points.size());
        progress.printf(Locale.ROOT, "[%d/%d] %s %s N=%d: %s  (elapsed %s, ~%s left)%n", index, total,
                target.protocolName(), target.label(), n, what, clock(elapsed), clock(left));
    }

    /** Seconds as "1m05s" or "2h10m". */
    public static String clockText(double seconds) {
        return clock(seconds);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
