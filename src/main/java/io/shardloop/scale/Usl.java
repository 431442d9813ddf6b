package io.shardloop.scale;

import java.util.List;

/**
 * Gunther's Universal Scalability Law fitted to one server's peaks by core count:
 * X(N) = X(1) N / (1 + σ (N - 1) + κ N (N - 1)), where σ is the share of the work that serializes
 * (contention: a lock, one CPU's worth of something) and κ the cost of keeping the cores coherent
 * with each other (crosstalk: messages, cache lines moving between cores), which makes throughput
 * fall past a peak. With X(1) measured, N X(1) / X(N) - 1 = σ (N - 1) + κ N (N - 1) is linear in the
 * two coefficients, fitted by least squares (no intercept).
 *
 * @param sigma contention, the share of serialized work
 * @param kappa coherency, per pair of cores
 * @param x1    the throughput at N = 1 the fit starts from
 */
record Usl(double sigma, double kappa, double x1) {
    /** One measured peak. */
    record Peak(int n, double rps) {
    }

    /**
     * The fit over {@code peaks}: needs N = 1 and at least two more distinct N, every rate positive;
     * null when they are not there.
     */
    static Usl fit(List<Peak> peaks) {
        double x1 = 0;
        long distinct = peaks.stream().filter(p -> p.rps() > 0).mapToInt(Peak::n).distinct().count();
        for (Peak p : peaks) {
            if (p.n() == 1 && p.rps() > 0) {
                x1 = p.rps();
            }
        }
        if (x1 <= 0 || distinct < 3) {
            return null;
        }
        double saa = 0;
        double sab = 0;
        double sbb = 0;
        double say = 0;
        double sby = 0;
        for (Peak p : peaks) {
            if (p.n() == 1 || p.rps() <= 0) {
                continue;
            }
            double a = p.n() - 1;
            double b = (double) p.n() * (p.n() - 1);
            double y = p.n() * x1 / p.rps() - 1;
            saa += a * a;
            sab += a * b;
            sbb += b * b;
            say += a * y;
            sby += b * y;
        }
        double det = saa * sbb - sab * sab;
        if (det == 0) {
            return null;
        }
        return new Usl((say * sbb - sby * sab) / det, (saa * sby - sab * say) / det, x1);
    }

    /** The throughput the fit predicts at {@code n} cores. */
    double predict(double n) {
        return x1 * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
    }

    /** Below this κ the fit sees no coherency cost: what is left is rounding. */
    static final double NO_KAPPA = 1e-9;

    /** Where the fitted curve peaks, sqrt((1 - σ) / κ); infinite when κ is about zero or below (no fall). */
    double peakN() {
        return kappa < NO_KAPPA ? Double.POSITIVE_INFINITY : Math.sqrt(Math.max(0, 1 - sigma) / kappa);
    }
}
