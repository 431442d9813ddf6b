package io.shardloop.scale;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code report.md}: environment, settings, one table per measure and protocol, what they say
 * ({@link ScaleFindings}), the charts, the commands.
 */
final class ScaleReport {
    private ScaleReport() {
    }

    static String render(ScaleConfig c, ScaleEnvironment env, List<ScalePoint> points, String commandLine,
                         List<Path> charts, double p99Fraction) {
        StringBuilder b = new StringBuilder();
        b.append("# shardloop scaling by core count").append(c.quick() ? " (quick mode: short runs, not for quoting)" : "")
                .append("\n\n## Environment\n\n");
        b.append("- date: ").append(env.date()).append('\n');
        b.append("- CPU: ").append(env.cpuModel()).append(", ").append(env.onlineCpus()).append(" online, usable here: ")
                .append(env.usableCpus()).append('\n');
        b.append("- kernel: ").append(env.kernel()).append('\n');
        b.append("- JDK: ").append(env.jdk()).append('\n');
        b.append("- server JVM flags: `").append(String.join(" ", c.serverJvmFlags())).append("`\n");
        b.append("- peers: redis ").append(env.redisVersion() == null ? "not installed" : "`" + env.redisVersion() + "`")
                .append("; nginx ").append(env.nginxVersion() == null ? "not installed" : "`" + env.nginxVersion() + "`")
                .append('\n');
        b.append("- pinning: ").append(!c.pin() ? "none (--no-pin: the numbers are unpinned)"
                : env.taskset() == null ? "none (taskset not found: the numbers are unpinned)"
                : "server with `taskset -c` on its N CPUs (shardloop loops also pin one shard per CPU with --cpus); "
                + "load generator threads pinned to CPUs " + c.loadCpus()).append('\n');
        boolean shared = points.stream().anyMatch(ScalePoint::sharedCpus);
        if (shared) {
            b.append("- **CPUs shared**: at N where the server's CPUs plus the load's ").append(c.clientCpus())
                    .append(" exceed the ").append(c.cpus().size()).append(" usable, the server and the load generator ")
                    .append("share CPUs (column `shared_cpus` in peak.csv). Those points understate the server.\n");
        }
        for (String note : env.notes()) {
            b.append("- ").append(note).append('\n');
        }
        b.append("\n## Settings\n\n");
        b.append("- command: `").append(commandLine).append("`\n");
        b.append(String.format(Locale.ROOT, "- each run %d ms after a %d ms closed-loop warmup; %d connections on %d "
                        + "load thread(s), pipeline %d; open-loop rates at %s of each point's own peak%n",
                c.duration().toMillis(), c.warmup().toMillis(), c.connections(), c.clientCpus(), c.pipeline(),
                c.fractions()));
        b.append("- before each protocol's first point, one run of it that is not measured (the load generator, in this "
                + "process, compiles there rather than in the first point)\n");
        b.append("- RESP load: `shardloop load` defaults (SET:GET 1:10, 100000 keys uniform, 100-byte values); HTTP load: GET /plaintext\n");
        b.append("- server CPU per request: utime+stime from /proc/PID/stat (and its child processes) over the closed-loop run, "
                + "divided by its responses; 10 ms tick resolution\n");
        for (String protocol : ScaleResults.protocols(points)) {
            List<ScalePoint> ps = ScaleResults.only(points, protocol);
            b.append("\n## ").append(protocol).append("\n\n");
            table(b, "Peak throughput (requests/s, closed loop)", ps, p -> ScaleResults.num(Math.round(p.peakRps())));
            table(b, "Efficiency T(N) / (N x T(1))", ps, p -> fmt(ScaleResults.efficiency(points, p), "%.2f"));
            table(b, "Server CPU per request (us)", ps, p -> fmt(p.cpuUsPerReq(), "%.1f"));
            table(b, String.format(Locale.ROOT, "p99 at %.0f%% of the point's peak (ms, open loop)", p99Fraction * 100), ps,
                    p -> {
                        ScalePoint.RatePoint r = p.rateNearest(p99Fraction);
                        return r == null ? "" : fmt(r.p99Us() / 1000.0, "%.2f") + (r.errors() > 0 ? " (" + r.errors() + " err)" : "");
                    });
            List<String> findings = ScaleFindings.of(ps);
            if (!findings.isEmpty()) {
                b.append("### What the numbers say\n\n");
                findings.forEach(line -> b.append("- ").append(line).append('\n'));
                b.append('\n');
            }
            for (Path chart : charts) {
                if (chart.getFileName().toString().startsWith(protocol + "-")) {
                    b.append("![").append(chart.getFileName()).append("](charts/").append(chart.getFileName()).append(")\n");
                }
            }
        }
        List<String> failures = new ArrayList<>();
        for (ScalePoint p : points) {
            if (p.failed()) {
                failures.add("- " + p.target().protocolName() + " " + p.target().label() + " N=" + p.n() + ": " + p.failure());
            }
        }
        if (!failures.isEmpty()) {
            b.append("\n## Failed points\n\n").append(String.join("\n", failures)).append('\n');
        }
        b.append("\n## Server commands\n\n```\n");
        for (ScalePoint p : points) {
            b.append(String.join(" ", p.command().stream().map(ScaleReport::shellWord).toList())).append('\n');
        }
        b.append("```\n\nRaw data: peak.csv, latency.csv, results.json; per-run logs under logs/.\n");
        return b.toString();
    }

    private static void table(StringBuilder b, String title, List<ScalePoint> ps, Function<ScalePoint, String> cell) {
        TreeSet<Integer> ns = new TreeSet<>();
        List<String> targets = new ArrayList<>();
        for (ScalePoint p : ps) {
            ns.add(p.n());
            if (!targets.contains(p.target().label())) {
                targets.add(p.target().label());
            }
        }
        b.append("### ").append(title).append("\n\n| server |");
        ns.forEach(n -> b.append(" N=").append(n).append(" |"));
        b.append("\n|---|");
        ns.forEach(n -> b.append("---:|"));
        b.append('\n');
        for (String t : targets) {
            b.append("| ").append(t).append(" |");
            for (int n : ns) {
                ScalePoint p = ps.stream().filter(q -> q.target().label().equals(t) && q.n() == n).findFirst().orElse(null);
                b.append(' ').append(p == null ? "" : p.failed() ? "failed" : cell.apply(p)).append(" |");
            }
            b.append('\n');
        }
        b.append('\n');
    }

    private static String fmt(double v, String format) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }

    private static String shellWord(String s) {
        return s.isEmpty() ? "''" : s.matches("[A-Za-z0-9_./:=,+@%-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
