package io.shardloop.runtime.loop;

import io.shardloop.runtime.transport.TestTransports;
import io.shardloop.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLoopTest {
    private EventLoop loop;
    private Thread thread;

    @BeforeEach
    void start() throws Exception {
        loop = new EventLoop("test-loop", TestTransports.openLoop(), 0);
        thread = new Thread(loop, "test-loop");
        thread.start();
    }

    @AfterEach
    void stop() throws Exception {
        loop.stop();
        thread.join(5_000);
        assertFalse(thread.isAlive(), "loop thread should end after stop()");
    }

    @Test
    void shouldRunTaskFromAnotherThreadOnTheLoopThread() throws Exception {
        CompletableFuture<String> ranOn = new CompletableFuture<>();
        loop.execute(() -> ranOn.complete(Thread.currentThread().getName()));
        assertEquals("test-loop", ranOn.get(2, TimeUnit.SECONDS));
    }

    @Test
    void shouldWakeASleepingLoopForEveryTask() throws Exception {
        // The loop sleeps without a deadline between tasks: each must still run promptly. Most tasks
        // are posted as soon as the last one ran, racing the loop on its way to sleep; every hundredth
        // once the loop has ended its turn with nothing left to do (asleep, or about to be).
        for (int i = 0; i < 2_000; i++) {
            if (i % 100 == 0) {
                Await.until("the loop ends its turn", Duration.ofSeconds(5), () -> loop.stats().turnStartNanos() == 0);
            }
            CountDownLatch ran = new CountDownLatch(1);
            loop.execute(ran::countDown);
            assertTrue(ran.await(1, TimeUnit.SECONDS), "task " + i + " was not run: lost wake-up");
        }
    }

    @Test
    void shouldFireATimerNearItsDeadlineWhileOtherwiseIdle() throws Exception {
        CompletableFuture<Long> firedAt = new CompletableFuture<>();
        long[] deadline = new long[1];
        loop.execute(() -> {
            deadline[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            loop.scheduleTimer(deadline[0], now -> firedAt.complete(System.nanoTime()));
        });
        long fired = firedAt.get(2, TimeUnit.SECONDS);
        long lateMillis = TimeUnit.NANOSECONDS.toMillis(fired - deadline[0]);
        assertTrue(fired >= deadline[0], "fired before its deadline");
        assertTrue(lateMillis < 500, "fired " + lateMillis + " ms late: the poll timeout should follow the timer");
    }

    @Test
    void shouldFireTimersInDeadlineOrderAndSkipCancelledOnes() throws Exception {
        StringBuffer order = new StringBuffer();
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            long now = System.nanoTime();
            loop.scheduleTimer(now + TimeUnit.MILLISECONDS.toNanos(30), t -> order.append('b'));
            long cancelled = loop.scheduleTimer(now + TimeUnit.MILLISECONDS.toNanos(20), t -> order.append('x'));
            loop.scheduleTimer(now + TimeUnit.MILLISECONDS.toNanos(10), t -> order.append('a'));
            loop.scheduleTimer(now + TimeUnit.MILLISECONDS.toNanos(60), t -> done.countDown());
            assertTrue(loop.cancelTimer(cancelled));
            assertFalse(loop.cancelTimer(cancelled), "a timer cancels once");
        });
        assertTrue(done.await(2, TimeUnit.SECONDS));
        assertEquals("ab", order.toString());
    }

    @Test
    void shouldFireATimerScheduledFarAheadAfterALongIdleStretch() throws Exception {
        // Many ticks pass with nothing due: the wheel must catch up and still fire on time.
        CompletableFuture<Void> fired = new CompletableFuture<>();
        loop.execute(() -> loop.scheduleTimer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_200),
                now -> fired.complete(null)));
        fired.get(3, TimeUnit.SECONDS);
    }

    @Test
    @ExpectLoopFailures(IllegalStateException.class)
    void shouldKeepRunningAfterATaskThrows() throws Exception {
        loop.execute(() -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        AtomicInteger after = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(() -> {
            after.incrementAndGet();
            ran.countDown();
        });
        assertTrue(ran.await(2, TimeUnit.SECONDS));
        assertEquals(1, after.get());
        RecordedLoopFailure failure = LoopFailureExtension.awaitFailure(IllegalStateException.class, Duration.ofSeconds(1));
        assertEquals("test-loop", failure.loopName());
        assertEquals("a task", failure.activity());
    }

    @Test
    void shouldRunTurnEndActionsOncePerTurnAfterTheTasks() throws Exception {
        StringBuffer trace = new StringBuffer();
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            loop.atTurnEnd(() -> {
                trace.append("end");
                done.countDown();
            });
            loop.execute(() -> trace.append("task,"));
        });
        assertTrue(done.await(2, TimeUnit.SECONDS));
        assertTrue(trace.toString().endsWith("end"), trace.toString());
    }

    @Test
    void shouldCountTurnsAndBusyTime() throws Exception {
        CountDownLatch nextTurn = new CountDownLatch(1);
        loop.execute(() -> {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            // Timers of this turn's deadline fire in the next turn: the busy turn is recorded by then.
            loop.scheduleTimer(System.nanoTime(), now -> nextTurn.countDown());
        });
        assertTrue(nextTurn.await(2, TimeUnit.SECONDS));
        assertTrue(loop.stats().turns() > 0);
        assertTrue(loop.stats().busyNanos() >= TimeUnit.MILLISECONDS.toNanos(20), "busy " + loop.stats().busyNanos());
        Await.until("an idle loop publishes no turn start", Duration.ofSeconds(5), () -> loop.stats().turnStartNanos() == 0);
    }
}
