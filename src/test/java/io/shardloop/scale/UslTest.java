package io.shardloop.scale;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UslTest {
    private static List<Usl.Peak> curve(double sigma, double kappa, int... ns) {
        List<Usl.Peak> peaks = new ArrayList<>();
        for (int n : ns) {
            peaks.add(new Usl.Peak(n, 1000.0 * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))));
        }
        return peaks;
    }

    @Test
    void shouldRecoverTheCoefficientsOfAnExactCurve() {
        Usl fit = Usl.fit(curve(0.05, 0.001, 1, 2, 4, 8, 16));
        assertEquals(0.05, fit.sigma(), 1e-9);
        assertEquals(0.001, fit.kappa(), 1e-9);
        assertEquals(Math.sqrt(0.95 / 0.001), fit.peakN(), 1e-6);
        assertEquals(1000.0 * 8 / (1 + 0.05 * 7 + 0.001 * 56), fit.predict(8), 1e-6);
    }

    @Test
    void shouldSeeNoPeakWhereThroughputGrowsLinearly() {
        Usl fit = Usl.fit(curve(0, 0, 1, 2, 3));
        assertEquals(0, fit.sigma(), 1e-12);
        assertEquals(0, fit.kappa(), 1e-12);
        assertTrue(Double.isInfinite(fit.peakN()));
    }

    @Test
    void shouldNotFitWithoutOneCoreAndTwoMoreCounts() {
        assertNull(Usl.fit(curve(0.1, 0.01, 1, 2)), "two counts");
        assertNull(Usl.fit(curve(0.1, 0.01, 2, 4, 8)), "no N=1 to start from");
        assertNull(Usl.fit(List.of(new Usl.Peak(1, 0), new Usl.Peak(2, 10), new Usl.Peak(4, 20))), "no rate at N=1");
    }
}
