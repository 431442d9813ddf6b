package io.shardloop.runtime.offload;

import io.shardloop.runtime.loop.EventLoop;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded pool for calls that may block (file reads, fsync, DNS), so that a shard's loop never
 * does. The task runs on a pool thread; its continuation runs back on the shard that offloaded it,
 * posted with {@link EventLoop#execute} (which wakes the loop).
 * <pre>{@code
 * int rc = pool.offload(loop, () -> Files.readAllBytes(path), (bytes, error) -> {
 *     // on the shard's loop thread again
 * });
 * if (rc != OffloadPool.ACCEPTED) { ... answer "busy": the pool is full or closed ... }
 * }</pre>
 * Threading: {@link #offload} from any thread (normally a shard's loop thread); the continuation
 * runs on the owner loop's thread, exactly once per accepted task.
 */
public final class OffloadPool implements AutoCloseable {
    /** The task was queued; its continuation will run on the owner's loop. */
    public static final int ACCEPTED = 0;
    /** Every thread is busy and the queue is full: nothing was queued, the continuation will not run. */
    public static final int REJECTED_FULL = -1;
    /** The pool is closed: nothing was queued. */
    public static final int REJECTED_CLOSED = -2;

    private final ThreadPoolExecutor executor;
    private final LongAdder completed = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder failed = new LongAdder();

    public OffloadPool(OffloadConfig config) {
        AtomicInteger ids = new AtomicInteger();
        // A SynchronousQueue when no queue is wanted: hand-off to an idle thread or reject.
        this.executor = new ThreadPoolExecutor(config.threads(), config.threads(), 0, TimeUnit.MILLISECONDS,
                config.queueSize() == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queueSize()),
                r -> {
                    Thread t = new Thread(r, "offload-" + ids.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        executor.prestartAllCoreThreads();
    }

    /**
     * Runs the task on a pool thread, then the continuation on {@code owner}'s loop thread with the
     * result, or with the exception the task threw.
     *
     * @return {@link #ACCEPTED}, {@link #REJECTED_FULL} or {@link #REJECTED_CLOSED}
     */
    public <T> int offload(EventLoop owner, Callable<T> task, Completion<? super T> continuation) {
        if (executor.isShutdown()) {
            rejected.increment();
            return REJECTED_CLOSED;
        }
        try {
            executor.execute(() -> {
                T result = null;
                Throwable failure = null;
                try {
                    result = task.call();
                } catch (Throwable e) {
                    failure = e;
                    failed.increment();
                }
                T r = result;
                Throwable f = failure;
                completed.increment(); // before the hand-back, so a continuation sees itself counted
                owner.execute(() -> {
                    assert owner.inLoop() : "an offload completion runs on its owner's loop thread";
                    continuation.onComplete(r, f);
                });
            });
            return ACCEPTED;
        } catch (RejectedExecutionException e) {
            rejected.increment();
            return executor.isShutdown() ? REJECTED_CLOSED : REJECTED_FULL;
        }
    }

    /** Tasks finished (successfully or not) and handed back to their shard. */
    public long completed() {
        return completed.sum();
    }

    /** Offloads refused because the pool was full or closed. */
    public long rejected() {
        return rejected.sum();
    }

    /** Tasks that threw. */
    public long failed() {
        return failed.sum();
    }

    /** Tasks waiting for a thread now. */
    public int queued() {
        return executor.getQueue().size();
    }

    /** Stops taking tasks; waits a little for running ones. Continuations posted to stopped loops do not run. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** What runs on the owning shard when an offloaded task ends. */
    @FunctionalInterface
    public interface Completion<T> {
        /** Exactly one of {@code result} (possibly null) and {@code failure} is meaningful: failure is null on success. */
        void onComplete(T result, Throwable failure);
    }
}
