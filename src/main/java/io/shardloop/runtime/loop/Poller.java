package io.shardloop.runtime.loop;

import java.io.IOException;

/**
 * The I/O backend of an {@link EventLoop}, as the loop sees it: a wait for events that dispatches
 * them, and a wake-up. What is registered with it and how its events are handled belong to the
 * transport that implements it ({@code io.shardloop.runtime.transport.LoopIo}).
 * <p>
 * Threading: every method but {@link #wakeup()} MUST be called on the owning loop's thread.
 * {@link #wakeup()} may be called from any thread; a wake-up that arrives before {@link #poll} makes
 * the next poll return at once, so a wake-up is never lost.
 * <p>
 * Which calls may sleep: only {@link #poll(long, Runnable)} with a non-zero timeout.
 */
public interface Poller extends AutoCloseable {
    /**
     * Waits for events and dispatches each to its handler.
     *
     * @param timeoutNanos   0 to return at once, {@code Long.MAX_VALUE} to wait without a deadline,
     *                       otherwise the longest time to wait.
     * @param beforeDispatch run once after the wait ends and before the first handler, so the loop
     *                       can tell its busy time (and a handler that blocks) from its sleep.
     * @return the number of events dispatched.
     */
    int poll(long timeoutNanos, Runnable beforeDispatch) throws IOException;

    /** Makes a poll in progress, or the next one, return at once. Any thread. */
    void wakeup();

    @Override
    void close() throws IOException;
}
