package io.shardloop.runtime.offload;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.transport.TestTransports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class OffloadPoolTest {
    private EventLoop loop;
    private Thread loopThread;

    @BeforeEach
    void startLoop() throws IOException {
        loop = new EventLoop("owner", TestTransports.openLoop(), 0);
        loopThread = new Thread(loop, "owner");
        loopThread.start();
    }

    @AfterEach
    void stopLoop() throws InterruptedException {
        loop.stop();
        loopThread.join(5_000);
    }

    @Test
    void shouldRunTheContinuationOnTheOwningShardWithTheResult() throws Exception {
        try (OffloadPool pool = new OffloadPool(new OffloadConfig(2, 8))) {
            AtomicReference<String> taskThread = new AtomicReference<>();
            AtomicReference<String> continuationThread = new AtomicReference<>();
            AtomicReference<Object> result = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            loop.execute(() -> assertEquals(OffloadPool.ACCEPTED, pool.offload(loop, () -> {
                taskThread.set(Thread.currentThread().getName());
                Thread.sleep(20); // a blocking call, allowed here
                return "read";
            }, (value, error) -> {
                continuationThread.set(Thread.currentThread().getName());
                assertTrue(loop.inLoop());
                result.set(error == null ? value : error);
                done.countDown();
            })));
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertTrue(taskThread.get().startsWith("offload-"));
            assertEquals("owner", continuationThread.get());
            assertEquals("read", result.get());
            assertEquals(1, pool.completed());
        }
    }

    @Test
    void shouldHandTheTasksExceptionToTheContinuation() throws Exception {
        try (OffloadPool pool = new OffloadPool(new OffloadConfig(1, 1))) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            loop.execute(() -> pool.offload(loop, () -> {
                throw new IOException("disk gone");
            }, (value, error) -> {
                assertNull(value);
                failure.set(error);
                done.countDown();
            }));
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, failure.get());
            assertEquals("disk gone", failure.get().getMessage());
            assertEquals(1, pool.failed());
        }
    }

    @Test
    void shouldRejectWhenEveryThreadIsBusyAndTheQueueIsFull() throws Exception {
        try (OffloadPool pool = new OffloadPool(new OffloadConfig(1, 1))) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch finished = new CountDownLatch(2);
            OffloadPool.Completion<Object> onDone = (v, e) -> finished.countDown();
            assertEquals(OffloadPool.ACCEPTED, pool.offload(loop, () -> {
                running.countDown();
                return release.await(5, TimeUnit.SECONDS);
            }, onDone));
            assertTrue(running.await(5, TimeUnit.SECONDS));
            assertEquals(OffloadPool.ACCEPTED, pool.offload(loop, () -> 1, onDone), "one task may wait in the queue");
            assertEquals(OffloadPool.REJECTED_FULL, pool.offload(loop, () -> 2, onDone));
            assertEquals(1, pool.rejected());
            release.countDown();
            assertTrue(finished.await(5, TimeUnit.SECONDS));
            pool.close();
            assertEquals(OffloadPool.REJECTED_CLOSED, pool.offload(loop, () -> 3, onDone));
        }
    }
}
