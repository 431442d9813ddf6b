package io.shardloop.runtime.loop;

import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * The I/O backend of an {@link EventLoop}: it tells which registered channels are ready.
 * <p>
 * Threading: every method but {@link #wakeup()} MUST be called on the owning loop's thread.
 * {@link #wakeup()} may be called from any thread; a wake-up that arrives before {@link #poll} makes
 * the next poll return at once, so a wake-up is never lost.
 * <p>
 * Which calls may sleep: only {@link #poll(long)} with a non-zero timeout.
 */
public interface Poller extends AutoCloseable {
    /** Interest in reading (same value as {@code SelectionKey.OP_READ}). */
    int READ = 1;
    /** Interest in writing (same value as {@code SelectionKey.OP_WRITE}). */
    int WRITE = 4;
    /** Interest in an outbound connect completing (same value as {@code SelectionKey.OP_CONNECT}). */
    int CONNECT = 8;
    /** Interest in accepting (same value as {@code SelectionKey.OP_ACCEPT}). */
    int ACCEPT = 16;

    /**
     * Registers a non-blocking channel. The handler is called from {@link #poll} with the ready set.
     * Registering a channel that is already registered replaces its interest and handler (an
     * outbound connection is registered for CONNECT, then again by its {@code Connection}).
     *
     * @return the handle through which interest is changed and the registration cancelled.
     */
    Registration register(SelectableChannel channel, int interestOps, IoReady handler) throws IOException;

    /**
     * Waits for ready channels and dispatches each to its handler.
     *
     * @param timeoutNanos   0 to return at once, {@code Long.MAX_VALUE} to wait without a deadline,
     *                       otherwise the longest time to wait.
     * @param beforeDispatch run once after the wait ends and before the first handler, so the loop
     *                       can tell its busy time (and a handler that blocks) from its sleep.
     * @return the number of channels dispatched.
     */
    int poll(long timeoutNanos, Runnable beforeDispatch) throws IOException;

    /** Makes a poll in progress, or the next one, return at once. Any thread. */
    void wakeup();

    @Override
    void close() throws IOException;

    /** A channel's registration with a poller. Loop thread only. */
    interface Registration {
        int interestOps();

        void interestOps(int ops);

        /** Cancels the registration; the channel is not closed. */
        void cancel();
    }

    /** Called on the loop thread with the operations a channel is ready for. */
    @FunctionalInterface
    interface IoReady {
        void onReady(int readyOps);
    }
}
