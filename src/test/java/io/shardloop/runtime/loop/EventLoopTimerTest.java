package io.shardloop.runtime.loop;

import io.shardloop.runtime.transport.TestTransports;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLoopTimerTest {
    /**
     * Each timer is scheduled after the previous one fired, so the loop recomputes its earliest
     * deadline from the wheel every time; a wrong deadline there leaves a timer unfired.
     */
    @Test
    void shouldFireEveryTimerScheduledAfterAnEarlierOneFired() throws Exception {
        EventLoop loop = new EventLoop("timers", TestTransports.openLoop(), 0);
        Thread thread = new Thread(loop, "timers");
        thread.start();
        try {
            for (int round = 0; round < 2000; round++) {
                CountDownLatch fired = new CountDownLatch(1);
                long delay = (round % 7) * 300_000L;
                loop.execute(() -> loop.scheduleTimer(System.nanoTime() + delay, now -> fired.countDown()));
                assertTrue(fired.await(2, TimeUnit.SECONDS), "timer of round " + round + " did not fire");
            }
        } finally {
            loop.stop();
            thread.join(5_000);
        }
    }
}
