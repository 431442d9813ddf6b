package io.shardloop.runtime.loop;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link Poller} over a {@link Selector} (epoll on Linux). It uses the {@code select(Consumer, ...)}
 * overloads, so no selected-key set is built and nothing is allocated per ready channel.
 * <p>
 * Owned by one event loop: all methods but {@link #wakeup()} run on that loop's thread.
 */
public final class NioPoller implements Poller {
    private final Selector selector;
    /** Kept as a field so a poll does not allocate a lambda. */
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    private Runnable beforeDispatch;
    private boolean dispatching;

    public NioPoller() throws IOException {
        this.selector = Selector.open();
    }

    @Override
    public Registration register(SelectableChannel channel, int interestOps, IoReady handler) throws IOException {
        channel.configureBlocking(false);
        return new NioRegistration(channel.register(selector, interestOps, handler));
    }

    @Override
    public int poll(long timeoutNanos, Runnable beforeDispatch) throws IOException {
        this.beforeDispatch = beforeDispatch;
        this.dispatching = false;
        if (timeoutNanos <= 0) {
            return selector.selectNow(dispatch);
        }
        if (timeoutNanos == Long.MAX_VALUE) {
            return selector.select(dispatch);
        }
        // Selector timeouts are in milliseconds; round up so a timer is never woken for too early.
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999));
        return selector.select(dispatch, millis);
    }

    private void dispatch(SelectionKey key) {
        if (!dispatching) {
            dispatching = true;
            beforeDispatch.run();
        }
        int ready;
        try {
            ready = key.readyOps();
        } catch (CancelledKeyException e) {
            return; // closed earlier in this same poll
        }
        ((IoReady) key.attachment()).onReady(ready);
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }

    /** Number of channels registered, for tests and stats. */
    public int registeredCount() {
        return selector.keys().size();
    }

    private record NioRegistration(SelectionKey key) implements Registration {
        @Override
        public int interestOps() {
            return key.isValid() ? key.interestOps() : 0;
        }

        @Override
        public void interestOps(int ops) {
            if (key.isValid()) {
                key.interestOps(ops);
            }
        }

        @Override
        public void cancel() {
            key.cancel();
        }
    }
}
