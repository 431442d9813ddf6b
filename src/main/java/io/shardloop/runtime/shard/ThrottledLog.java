package io.shardloop.runtime.shard;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets through at most one log line a second for a kind of event however often it happens, and
 * counts the events that went unlogged so the next line can say how many. A flood (failed accepts
 * past the descriptor limit, connections closed for memory) must not make the log the next thing
 * to run out.
 * <p>
 * Threading: any thread; the counters are atomics, touched when the event happens only.
 */
final class ThrottledLog {
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong events = new AtomicLong();
    private final AtomicLong unlogged = new AtomicLong();
    private final AtomicLong lastLineNanos = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);

    /**
     * Counts one event.
     *
     * @return -1 when no line may go out now, else how many events went unlogged before this one
     */
    long onEvent(long nowNanos) {
        events.incrementAndGet();
        long last = lastLineNanos.get();
        // One thread wins the CAS for a given second; the others count themselves as unlogged.
        if (nowNanos - last < INTERVAL_NANOS || !lastLineNanos.compareAndSet(last, nowNanos)) {
            unlogged.incrementAndGet();
            return -1;
        }
        return unlogged.getAndSet(0);
    }

    /** Events counted but not logged since the last line. */
    long unlogged() {
        return unlogged.get();
    }

    /** Events over the life of this log. */
    long events() {
        return events.get();
    }

    /** " (N more EVENTS since the last line)", or "" when none went unlogged. */
    static String skipped(long skipped, String one, String many) {
        return skipped > 0 ? " (" + skipped + " more " + (skipped == 1 ? one : many) + " since the last line)" : "";
    }
}
