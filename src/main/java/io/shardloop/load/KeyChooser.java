package io.shardloop.load;

import java.util.SplittableRandom;

/**
 * Draws key numbers in [0, keys). Uniform, or Zipfian with skew 0.99 (key 0 the hottest), by the
 * method of Gray et al., "Quickly generating billion-record synthetic databases" (SIGMOD 1994), as
 * YCSB does: the normalising constant zeta(n) is computed once, then each draw is O(1) and allocates
 * nothing. Owned by one load loop.
 */
public abstract class KeyChooser {
    /** The Zipfian skew (YCSB's default). */
    public static final double ZIPF_THETA = 0.99;
    /** zeta(n) is summed exactly up to here, and by the integral (Euler-Maclaurin) beyond. */
    private static final long EXACT_ZETA_TERMS = 1_000_000;

    public abstract long next();

    public static KeyChooser of(LoadConfig.Distribution distribution, long keys, SplittableRandom random) {
        return distribution == LoadConfig.Distribution.UNIFORM ? new Uniform(keys, random) : new Zipfian(keys, random);
    }

    /** zeta(n, theta) = sum of 1 / i^theta for i in 1..n. */
    static double zeta(long n, double theta) {
        long exact = Math.min(n, EXACT_ZETA_TERMS);
        double sum = 0;
        for (long i = 1; i <= exact; i++) {
            sum += 1.0 / Math.pow(i, theta);
        }
        if (n > exact) {
            double a = exact;
            double b = n;
            sum += (Math.pow(b, 1 - theta) - Math.pow(a, 1 - theta)) / (1 - theta)
                    + (Math.pow(b, -theta) - Math.pow(a, -theta)) / 2;
        }
        return sum;
    }

    private static final class Uniform extends KeyChooser {
        private final long keys;
        private final SplittableRandom random;

        Uniform(long keys, SplittableRandom random) {
            this.keys = keys;
            this.random = random;
        }

        @Override
        public long next() {
            return random.nextLong(keys);
        }
    }

    private static final class Zipfian extends KeyChooser {
        private final long keys;
        private final SplittableRandom random;
        private final double zetaN;
        private final double alpha;
        private final double eta;
        private final double halfPowTheta;

        Zipfian(long keys, SplittableRandom random) {
            this.keys = keys;
            this.random = random;
            this.zetaN = zeta(keys, ZIPF_THETA);
            double zeta2 = zeta(2, ZIPF_THETA);
            this.alpha = 1.0 / (1.0 - ZIPF_THETA);
            this.eta = (1 - Math.pow(2.0 / keys, 1 - ZIPF_THETA)) / (1 - zeta2 / zetaN);
            this.halfPowTheta = 1 + Math.pow(0.5, ZIPF_THETA);
        }

        @Override
        public long next() {
            double u = random.nextDouble();
            double uz = u * zetaN;
            if (uz < 1.0 || keys == 1) {
                return 0;
            }
            if (uz < halfPowTheta) {
                return 1;
            }
            long key = (long) (keys * Math.pow(eta * u - eta + 1, alpha));
            return Math.min(key, keys - 1);
        }
    }
}
