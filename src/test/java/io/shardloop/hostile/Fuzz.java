package io.shardloop.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded generation of hostile input for the parser fuzz tests: each case draws everything from
 * one {@link SplittableRandom}, so a failure names the seed that replays it exactly
 * ({@code -Dshardloop.fuzz.seed=N} runs that case first and alone).
 */
final class Fuzz {
    interface Case {
        void run(SplittableRandom random) throws Exception;
    }

    private Fuzz() {
    }

    /** Runs {@code tries} cases, each from its own seed; a failure is rethrown naming the seed. */
    static void check(int tries, Case body) {
        String fixed = System.getProperty("shardloop.fuzz.seed");
        long base = fixed != null ? Long.parseLong(fixed) : new SplittableRandom().nextLong();
        int n = fixed != null ? 1 : tries;
        for (int i = 0; i < n; i++) {
            long seed = base + i;
            try {
                body.run(new SplittableRandom(seed));
            } catch (Throwable e) {
                throw new AssertionError("failed for -Dshardloop.fuzz.seed=" + seed + ": " + e, e);
            }
        }
    }

    static byte[] bytes(SplittableRandom r, int maxLength) {
        byte[] b = new byte[r.nextInt(maxLength + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    /** Piece sizes (cycled) in which input is handed over: 1 to 97 bytes, several at a time. */
    static List<Integer> splits(SplittableRandom r) {
        List<Integer> s = new ArrayList<>();
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            s.add(r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(97));
        }
        return s;
    }

    static String word(SplittableRandom r, int minLength, int maxLength, String alphabet) {
        int n = minLength + r.nextInt(maxLength - minLength + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
