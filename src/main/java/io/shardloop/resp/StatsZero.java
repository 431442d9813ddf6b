package io.shardloop.resp;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What INFO's counters read at the last CONFIG RESETSTAT: each figure is shown counted from there.
 * The counters stay their writers' own (a shard's single-writer counters are never written by the
 * thread that resets); only this zero moves. One per server.
 * <p>
 * Thread-safe.
 */
public final class StatsZero {
    private final ConcurrentHashMap<String, Long> zero = new ConcurrentHashMap<>();

    /** The counter's value counted from its zero. */
    public long since(String counter, long value) {
        return value - zero.getOrDefault(counter, 0L);
    }

    /** The counter reads {@code value} now: that is its zero from here on. */
    public void reset(String counter, long value) {
        zero.put(counter, value);
    }
}
