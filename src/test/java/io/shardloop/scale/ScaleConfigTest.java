package io.shardloop.scale;

import io.shardloop.kv.StateMode;
import io.shardloop.load.LoadConfig;
import io.shardloop.baseline.ServerModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScaleConfigTest {
    private static ScaleConfig config(List<Integer> cpus, int clientCpus, List<Integer> ns) {
        return config(cpus, clientCpus, ns, null, true);
    }

    private static ScaleConfig config(List<Integer> cpus, int clientCpus, List<Integer> ns, String taskset, boolean pin) {
        return new ScaleConfig(List.of(Target.parse(LoadConfig.Protocol.HTTP, "loops")), ns, cpus, clientCpus,
                Duration.ofSeconds(1), Duration.ZERO, List.of(0.5), 16, 1, Path.of("x"), taskset, "java", List.of(), "",
                true, pin);
    }

    @Test
    void shouldPinTheLoopsAndTasksetTheServerUnlessToldNotTo() throws Exception {
        Target loops = Target.parse(LoadConfig.Protocol.HTTP, "loops");
        List<String> pinned = ServerProcess.command(config(List.of(0, 1, 2), 1, List.of(2), "/usr/bin/taskset", true),
                loops, List.of(1, 2), 8080, Path.of("."));
        assertEquals(List.of("/usr/bin/taskset", "-c", "1,2"), pinned.subList(0, 3));
        assertTrue(String.join(" ", pinned).endsWith("--shards 2 --cpus 1,2"), pinned.toString());
        assertEquals("", pinned.get(pinned.indexOf("--save") + 1), "no snapshots of its own, as redis-server's --save ''");
        List<String> unpinned = ServerProcess.command(config(List.of(0, 1, 2), 1, List.of(2), "/usr/bin/taskset", false),
                loops, List.of(1, 2), 8080, Path.of("."));
        assertFalse(unpinned.contains("/usr/bin/taskset"), unpinned.toString());
        assertTrue(String.join(" ", unpinned).endsWith("--shards 2 --no-pin"), unpinned.toString());
    }

    @Test
    void shouldGiveTheServerCpusAfterTheLoadGeneratorsWhileThereAreEnough() {
        ScaleConfig c = config(List.of(0, 1, 2, 3, 4, 5, 6, 7), 2, List.of(1, 6, 8));
        assertEquals(List.of(0, 1), c.loadCpus());
        assertEquals(List.of(2), c.serverCpus(1));
        assertEquals(List.of(2, 3, 4, 5, 6, 7), c.serverCpus(6));
        assertFalse(c.sharesCpus(6));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), c.serverCpus(8));
        assertTrue(c.sharesCpus(8));
    }

    @Test
    void shouldParseServerNamesAndRefuseShardedStateWithoutLoops() {
        assertEquals(new Target(LoadConfig.Protocol.RESP, null, ServerModel.LOOPS, StateMode.SHARDED),
                Target.parse(LoadConfig.Protocol.RESP, "loops"));
        assertEquals("virtual+concurrent", Target.parse(LoadConfig.Protocol.RESP, "Virtual+Concurrent").label());
        assertEquals("threads", Target.parse(LoadConfig.Protocol.HTTP, "threads+locked").label(), "HTTP holds no state");
        assertEquals("redis-server", Target.parse(LoadConfig.Protocol.RESP, "redis").label());
        assertThrows(IllegalArgumentException.class, () -> Target.parse(LoadConfig.Protocol.HTTP, "redis"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse(LoadConfig.Protocol.RESP, "threads+sharded"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse(LoadConfig.Protocol.RESP, "fibers"));
    }

    @Test
    void shouldMeasureEfficiencyAgainstTheSmallestCoreCount() {
        Target t = Target.parse(LoadConfig.Protocol.HTTP, "loops");
        List<ScalePoint> points = new ArrayList<>();
        points.add(new ScalePoint(t, 1, List.of(1), List.of(0), false, 1000, 0, 10, List.of(), List.of(), null));
        points.add(new ScalePoint(t, 4, List.of(1, 2, 3, 4), List.of(0), false, 3000, 0, 10, List.of(), List.of(), null));
        assertEquals(1.0, ScaleResults.efficiency(points, points.get(0)), 1e-9);
        assertEquals(0.75, ScaleResults.efficiency(points, points.get(1)), 1e-9);
    }
}
