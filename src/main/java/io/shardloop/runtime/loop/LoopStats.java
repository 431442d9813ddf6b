package io.shardloop.runtime.loop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of one event loop. Single writer (the loop thread); any thread may read. Writes are
 * opaque: atomic and eventually visible, with no fence on the loop's hot path.
 */
public final class LoopStats {
    private static final VarHandle TURNS;
    private static final VarHandle BUSY_NANOS;
    private static final VarHandle TURN_START_NANOS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TURNS = lookup.findVarHandle(LoopStats.class, "turns", long.class);
            BUSY_NANOS = lookup.findVarHandle(LoopStats.class, "busyNanos", long.class);
            TURN_START_NANOS = lookup.findVarHandle(LoopStats.class, "turnStartNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long turns;
    private long busyNanos;
    private long turnStartNanos;

    void onTurn(long busy) {
        TURNS.setOpaque(this, turns + 1);
        BUSY_NANOS.setOpaque(this, busyNanos + busy);
    }

    void turnStartNanos(long nanos) {
        TURN_START_NANOS.setOpaque(this, nanos);
    }

    /** Turns run so far. */
    public long turns() {
        return (long) TURNS.getOpaque(this);
    }

    /** Nanoseconds spent working (not sleeping in poll) so far. */
    public long busyNanos() {
        return (long) BUSY_NANOS.getOpaque(this);
    }

    /** When the turn in progress started working ({@link System#nanoTime()}), or 0 while asleep. */
    public long turnStartNanos() {
        return (long) TURN_START_NANOS.getOpaque(this);
    }
}
