package io.shardloop.scale;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * What one protocol's numbers say, as sentences for the report: which server leads at each N, in
 * throughput and in CPU per request; what the hop to another shard's data costs against one lock
 * (RESP: loops+sharded against loops+locked at the same N); and each server's Universal
 * Scalability Law fit ({@link Usl}) where it was measured at three core counts or more. Points
 * where the server shared CPUs with the load are left out, unless every point at that N did.
 */
final class ScaleFindings {
    static final String SHARDED = "loops+sharded";
    static final String LOCKED = "loops+locked";

    private ScaleFindings() {
    }

    static List<String> of(List<ScalePoint> points) {
        List<ScalePoint> measured = new ArrayList<>(); // one per server and N: the first, as the tables show it
        for (ScalePoint p : points) {
            if (!p.failed() && p.peakRps() > 0 && measured.stream()
                    .noneMatch(q -> q.n() == p.n() && q.target().label().equals(p.target().label()))) {
                measured.add(p);
            }
        }
        List<String> lines = new ArrayList<>();
        TreeSet<Integer> ns = new TreeSet<>();
        measured.forEach(p -> ns.add(p.n()));
        for (int n : ns) {
            List<ScalePoint> at = at(measured, n);
            if (at.size() < 2) {
                continue;
            }
            String shared = at.getFirst().sharedCpus() ? " (server and load share CPUs here)" : "";
            List<ScalePoint> byRate = at.stream().sorted(Comparator.comparingDouble(ScalePoint::peakRps).reversed()).toList();
            ScalePoint first = byRate.get(0);
            ScalePoint second = byRate.get(1);
            List<ScalePoint> byCpu = at.stream().filter(p -> p.cpuUsPerReq() > 0)
                    .sorted(Comparator.comparingDouble(ScalePoint::cpuUsPerReq)).toList();
            String cheapest = byCpu.isEmpty() ? "" : String.format(Locale.ROOT, "; the least CPU per request: %s, %.1f µs",
                    byCpu.getFirst().target().label(), byCpu.getFirst().cpuUsPerReq());
            lines.add(String.format(Locale.ROOT, "N=%d%s: %s leads at %s requests/s, %.2f× %s, the next%s.", n, shared,
                    first.target().label(), ScaleResults.num(Math.round(first.peakRps())), first.peakRps() / second.peakRps(),
                    second.target().label(), cheapest));
            ScalePoint sharded = find(at, SHARDED);
            ScalePoint locked = find(at, LOCKED);
            if (n >= 2 && sharded != null && locked != null && sharded.cpuUsPerReq() > 0 && locked.cpuUsPerReq() > 0) {
                double hop = sharded.cpuUsPerReq() - locked.cpuUsPerReq();
                lines.add(String.format(Locale.ROOT, "N=%d%s: sharded state costs %.1f µs %s CPU per request than one lock "
                                + "(%.1f against %.1f µs): %s.", n, shared, Math.abs(hop), hop >= 0 ? "more" : "less",
                        sharded.cpuUsPerReq(), locked.cpuUsPerReq(),
                        hop >= 0 ? "the hop to another shard's data costs more than the lock it replaces"
                                : "the lock costs more than the hop to another shard's data"));
            }
        }
        List<String> labels = new ArrayList<>();
        measured.forEach(p -> {
            if (!labels.contains(p.target().label())) {
                labels.add(p.target().label());
            }
        });
        for (String label : labels) {
            List<Usl.Peak> peaks = measured.stream().filter(p -> p.target().label().equals(label) && !p.sharedCpus())
                    .map(p -> new Usl.Peak(p.n(), p.peakRps())).toList();
            Usl fit = Usl.fit(peaks);
            if (fit == null) {
                continue;
            }
            int largest = peaks.stream().mapToInt(Usl.Peak::n).max().orElse(1);
            double peakN = fit.peakN();
            String peak = Double.isInfinite(peakN) ? "no peak (κ ≤ 0: no coherency cost seen)"
                    : String.format(Locale.ROOT, "a fitted peak at N≈%.0f%s", peakN,
                    peakN > largest ? " (past the largest N measured, " + largest + ")" : "");
            lines.add(String.format(Locale.ROOT, "%s, Universal Scalability Law over N=%s: σ=%.4f (contention), "
                            + "κ=%.5f (coherency), %s.", label, peaks.stream().map(p -> Integer.toString(p.n())).distinct()
                            .reduce((a, b) -> a + "," + b).orElse(""), fit.sigma(), fit.kappa(), peak));
        }
        return lines;
    }

    /** The points at {@code n}: those on CPUs of their own, or all of them when every one shared. */
    private static List<ScalePoint> at(List<ScalePoint> points, int n) {
        List<ScalePoint> all = points.stream().filter(p -> p.n() == n).toList();
        List<ScalePoint> own = all.stream().filter(p -> !p.sharedCpus()).toList();
        return own.isEmpty() ? all : own;
    }

    private static ScalePoint find(List<ScalePoint> points, String label) {
        return points.stream().filter(p -> p.target().label().equals(label)).findFirst().orElse(null);
    }
}
