package io.shardloop.runtime.stall;

import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class StallDetectorTest {
    private static RuntimeConfig config(StallConfig stall) {
        return RuntimeConfig.builder(2).pin(false).stall(stall).build();
    }

    @Test
    void shouldReportATaskThatSleepsOnTheLoopWithItsStackOnce() throws Exception {
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        Path jfr = Files.createTempFile("stall", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.shardloop.LoopStall");
            recording.start();
            try (ShardGroup group = ShardGroup.start(config(StallConfig.defaults()), List.of())) {
                group.stallDetector().addListener(reports::add);
                CountDownLatch done = new CountDownLatch(1);
                group.shard(1).loop().execute(() -> {
                    sleepOnTheLoop();
                    done.countDown();
                });
                assertTrue(done.await(5, TimeUnit.SECONDS));
                Thread.sleep(100); // a few more checks: the same turn must not be reported again
                assertEquals(1, reports.size(), "reports: " + reports);
                StallReport report = reports.getFirst();
                assertEquals(1, report.shard());
                assertEquals("shard-1", report.loopName());
                assertTrue(report.stalledNanos() >= TimeUnit.MILLISECONDS.toNanos(100), report.describe());
                assertTrue(Arrays.stream(report.stack()).anyMatch(f -> f.getMethodName().equals("sleepOnTheLoop")),
                        report.describe());
                assertEquals(1, group.stallDetector().stalls(1));
                assertEquals(0, group.stallDetector().stalls(0));
            }
            recording.stop();
            recording.dump(jfr);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        Files.delete(jfr);
        List<RecordedEvent> stalls = events.stream()
                .filter(e -> e.getEventType().getName().equals("io.shardloop.LoopStall")).toList();
        assertEquals(1, stalls.size());
        RecordedEvent event = stalls.getFirst();
        assertEquals(1, event.getInt("shard"));
        assertTrue(event.getString("stack").contains("sleepOnTheLoop"));
    }

    private static void sleepOnTheLoop() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldReportNothingWhenTheLoopsOnlyDoShortWork() throws Exception {
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        try (ShardGroup group = ShardGroup.start(config(StallConfig.defaults()), List.of())) {
            group.stallDetector().addListener(reports::add);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < end) {
                CountDownLatch done = new CountDownLatch(2);
                for (int s = 0; s < 2; s++) {
                    group.shard(s).loop().execute(done::countDown);
                }
                assertTrue(done.await(1, TimeUnit.SECONDS));
                Thread.sleep(1);
            }
            assertEquals(List.of(), reports);
            assertEquals(0, group.stallDetector().stalls(0) + group.stallDetector().stalls(1));
        }
    }

    @Test
    void shouldStaySilentWhenSwitchedOff() throws Exception {
        List<StallReport> reports = new CopyOnWriteArrayList<>();
        try (ShardGroup group = ShardGroup.start(config(StallConfig.off()), List.of())) {
            group.stallDetector().addListener(reports::add);
            CountDownLatch done = new CountDownLatch(1);
            group.shard(0).loop().execute(() -> {
                sleepOnTheLoop();
                done.countDown();
            });
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals(List.of(), reports);
        }
    }

    @Test
    void shouldRejectANonPositiveThreshold() {
        assertThrows(IllegalArgumentException.class, () -> StallConfig.defaults().withThreshold(Duration.ZERO));
    }
}
