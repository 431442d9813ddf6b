package io.shardloop.runtime.loop;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLoopTimerTest {
    @Test
    void shouldFireATimerScheduledFromTheCallbackOfAnEarlierOne() throws Exception {
        EventLoop loop = new EventLoop("timer-test", new NioPoller(), 0);
        Thread thread = new Thread(loop, "timer-test");
        thread.start();
        try {
            CountDownLatch second = new CountDownLatch(1);
            // Far enough into the wheel that the spoke's timer id, read as a deadline, lies in the future.
            loop.execute(() -> loop.scheduleTimer(System.nanoTime() + 400_000_000L,
                    now -> loop.scheduleTimer(System.nanoTime() + 5_000_000L, later -> second.countDown())));
            assertTrue(second.await(3, TimeUnit.SECONDS), "the second timer never fired");
        } finally {
            loop.stop();
            thread.join(2000);
        }
    }
}
