package io.shardloop.load;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyChooserTest {
    @Test
    void shouldDrawUniformKeysEvenlyWithinTheKeySpace() {
        KeyChooser keys = KeyChooser.of(LoadConfig.Distribution.UNIFORM, 10, new SplittableRandom(1));
        int[] counts = new int[10];
        for (int i = 0; i < 100_000; i++) {
            counts[(int) keys.next()]++;
        }
        for (int c : counts) {
            assertTrue(c > 9_000 && c < 11_000, "count " + c);
        }
    }

    @Test
    void shouldDrawZipfianKeysWithTheLowestTheHottest() {
        long n = 1000;
        KeyChooser keys = KeyChooser.of(LoadConfig.Distribution.ZIPFIAN, n, new SplittableRandom(2));
        int[] counts = new int[(int) n];
        int draws = 200_000;
        for (int i = 0; i < draws; i++) {
            long k = keys.next();
            assertTrue(k >= 0 && k < n);
            counts[(int) k]++;
        }
        // With skew 0.99 over 1000 keys key 0 takes 1 / zeta(1000) of the draws, about 13 %.
        double expected = 1.0 / KeyChooser.zeta(n, KeyChooser.ZIPF_THETA);
        assertEquals(expected, counts[0] / (double) draws, 0.01);
        assertTrue(counts[0] > counts[1] && counts[1] > counts[10] && counts[10] > counts[500]);
    }

    @Test
    void shouldApproximateZetaOfHugeKeySpacesClosely() {
        double exact = KeyChooser.zeta(3_000_000, KeyChooser.ZIPF_THETA);
        double sum = 0;
        for (long i = 1; i <= 3_000_000; i++) {
            sum += 1.0 / Math.pow(i, KeyChooser.ZIPF_THETA);
        }
        assertEquals(sum, exact, sum * 1e-6);
    }
}
