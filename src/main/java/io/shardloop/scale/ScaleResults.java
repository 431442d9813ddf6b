package io.shardloop.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes what the experiment measured: {@code peak.csv} (one row per target and N),
 * {@code latency.csv} (one row per open-loop run), {@code results.json} (all of it, with the
 * environment and the commands), the charts under {@code charts/} and {@code report.md}.
 */
public final class ScaleResults {
    private ScaleResults() {
    }

    /**
     * Efficiency of a point: its throughput per CPU over the same target's at the smallest N
     * measured (N=1 in a full run): T(N) / (N × T(1)). NaN when there is no base.
     */
    static double efficiency(List<ScalePoint> all, ScalePoint p) {
        ScalePoint base = null;
        for (ScalePoint q : all) {
            if (q.target().equals(p.target()) && !q.failed() && q.peakRps() > 0 && (base == null || q.n() < base.n())) {
                base = q;
            }
        }
        if (base == null || p.failed()) {
            return Double.NaN;
        }
        return (p.peakRps() / p.n()) / (base.peakRps() / base.n());
    }

    /** The open-loop fraction the p99 chart and table use: the measured one closest to half the peak. */
    static double p99Fraction(ScaleConfig config) {
        double best = config.fractions().isEmpty() ? 0.5 : config.fractions().getFirst();
        for (double f : config.fractions()) {
            if (Math.abs(f - 0.5) < Math.abs(best - 0.5)) {
                best = f;
            }
        }
        return best;
    }

    /** Writes every file; returns the report's path. */
    public static Path write(ScaleConfig config, ScaleEnvironment env, List<ScalePoint> points, String commandLine)
            throws IOException {
        Path out = config.out();
        Files.createDirectories(out.resolve("charts"));
        Files.writeString(out.resolve("peak.csv"), peakCsv(points));
        Files.writeString(out.resolve("latency.csv"), latencyCsv(points));
        Files.writeString(out.resolve("results.json"), ScaleJson.render(config, env, points, commandLine));
        double fraction = p99Fraction(config);
        List<Path> charts = new ArrayList<>();
        for (String protocol : protocols(points)) {
            charts.addAll(ScaleCharts.write(out.resolve("charts"), protocol, only(points, protocol), fraction));
        }
        Path report = out.resolve("report.md");
        Files.writeString(report, ScaleReport.render(config, env, points, commandLine, charts, fraction));
        return report;
    }

    static List<String> protocols(List<ScalePoint> points) {
        List<String> names = new ArrayList<>();
        for (ScalePoint p : points) {
            if (!names.contains(p.target().protocolName())) {
                names.add(p.target().protocolName());
            }
        }
        return names;
    }

    static List<ScalePoint> only(List<ScalePoint> points, String protocol) {
        return points.stream().filter(p -> p.target().protocolName().equals(protocol)).toList();
    }

    static String peakCsv(List<ScalePoint> points) {
        StringBuilder b = new StringBuilder("protocol,target,n,server_cpus,load_cpus,shared_cpus,peak_rps,peak_errors,"
                + "cpu_us_per_request,efficiency,failure\n");
        for (ScalePoint p : points) {
            b.append(p.target().protocolName()).append(',').append(p.target().label()).append(',').append(p.n())
                    .append(',').append(cpus(p.serverCpus())).append(',').append(cpus(p.loadCpus())).append(',')
                    .append(p.sharedCpus()).append(',').append(num(p.peakRps())).append(',').append(p.peakErrors())
                    .append(',').append(num(p.cpuUsPerReq())).append(',').append(num(efficiency(points, p))).append(',')
                    .append(p.failed() ? csvText(p.failure()) : "").append('\n');
        }
        return b.toString();
    }

    static String latencyCsv(List<ScalePoint> points) {
        StringBuilder b = new StringBuilder("protocol,target,n,fraction,target_rps,achieved_rps,p50_us,p99_us,p999_us,"
                + "max_us,errors\n");
        for (ScalePoint p : points) {
            for (ScalePoint.RatePoint r : p.rates()) {
                b.append(p.target().protocolName()).append(',').append(p.target().label()).append(',').append(p.n())
                        .append(',').append(num(r.fraction())).append(',').append(num(r.targetRps())).append(',')
                        .append(num(r.achievedRps())).append(',').append(r.p50Us()).append(',').append(r.p99Us())
                        .append(',').append(r.p999Us()).append(',').append(r.maxUs()).append(',').append(r.errors())
                        .append('\n');
            }
        }
        return b.toString();
    }

    /** CPU lists joined with spaces, so a CSV field needs no quotes. */
    static String cpus(List<Integer> cpus) {
        return String.join(" ", cpus.stream().map(String::valueOf).toList());
    }

    /** A number as CSV and JSON want it; NaN (no value) as empty text. */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String csvText(String s) {
        return "\"" + s.replace("\"", "\"\"").replace('\n', ' ') + "\"";
    }
}
