package io.shardloop.runtime.loop;

import io.shardloop.runtime.transport.TestTransports;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** An {@link EventLoop} turning on a thread of its own (named as the loop), for tests. */
public final class RunningLoop implements AutoCloseable {
    public final EventLoop loop;
    public final Thread thread;

    private RunningLoop(String name) throws IOException {
        loop = new EventLoop(name, TestTransports.openLoop(), 0);
        thread = new Thread(loop, name);
        thread.start();
    }

    public static RunningLoop start(String name) throws IOException {
        return new RunningLoop(name);
    }

    /** Waits until a task posted now has run on the loop: everything posted before it has run too. */
    public void sync() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        if (!ran.await(5, TimeUnit.SECONDS)) {
            throw new AssertionError(loop.name() + " did not run a task within 5 s (stopped: " + !thread.isAlive() + ")");
        }
    }

    /** Runs the task on the loop and waits until it has run. */
    public void runAndSync(Runnable task) throws InterruptedException {
        loop.execute(task);
        sync();
    }

    /** Waits for the loop's thread to end; true if it did within the timeout. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    @Override
    public void close() throws InterruptedException {
        loop.stop();
        if (!thread.join(Duration.ofSeconds(5))) {
            throw new AssertionError(loop.name() + " did not end within 5 s of stop()");
        }
    }
}
