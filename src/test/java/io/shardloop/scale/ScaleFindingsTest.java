package io.shardloop.scale;

import io.shardloop.load.LoadConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScaleFindingsTest {
    private static ScalePoint point(String server, int n, double rps, double cpu, boolean shared) {
        return new ScalePoint(Target.parse(LoadConfig.Protocol.RESP, server), n, List.of(), List.of(), shared, rps, 0, cpu,
                List.of(), List.of(), null);
    }

    @Test
    void shouldSayWhoLeadsAtEachNAndWhatTheHopCosts() {
        List<ScalePoint> points = List.of(
                point("loops+sharded", 1, 100_000, 10.0, false), point("loops+locked", 1, 110_000, 9.0, false),
                point("loops+locked", 1, 999_000, 1.0, false), // listed twice: the first one counts, as in the tables
                point("loops+sharded", 2, 150_000, 13.5, false), point("loops+locked", 2, 120_000, 12.0, false));
        List<String> lines = ScaleFindings.of(points);
        assertEquals(List.of(
                "N=1: loops+locked leads at 110000 requests/s, 1.10× loops+sharded, the next; the least CPU per request: "
                        + "loops+locked, 9.0 µs.",
                "N=2: loops+sharded leads at 150000 requests/s, 1.25× loops+locked, the next; the least CPU per request: "
                        + "loops+locked, 12.0 µs.",
                "N=2: sharded state costs 1.5 µs more CPU per request than one lock (13.5 against 12.0 µs): the hop to "
                        + "another shard's data costs more than the lock it replaces."), lines);
    }

    @Test
    void shouldFitEveryServerMeasuredAtThreeCountsOnCpusOfItsOwn() {
        List<ScalePoint> points = new ArrayList<>();
        for (int n : new int[] {1, 2, 4, 8}) {
            points.add(point("loops+sharded", n, 1000.0 * n / (1 + 0.02 * (n - 1) + 0.002 * n * (n - 1)), 5, false));
            points.add(point("loops+locked", n, 1000.0 * n / (1 + 0.5 * (n - 1)), 5, n == 8));
        }
        List<String> lines = ScaleFindings.of(points);
        assertTrue(lines.contains("loops+sharded, Universal Scalability Law over N=1,2,4,8: σ=0.0200 (contention), "
                + "κ=0.00200 (coherency), a fitted peak at N≈22 (past the largest N measured, 8)."), lines.toString());
        assertTrue(lines.contains("loops+locked, Universal Scalability Law over N=1,2,4: σ=0.5000 (contention), "
                + "κ=0.00000 (coherency), no peak (κ ≤ 0: no coherency cost seen)."), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("N=8")),
                "at N=8 one point ran on CPUs of its own: nothing to compare it with");
    }
}
