package io.shardloop.runtime.stall;

/**
 * One stalled turn, as the watchdog saw it.
 *
 * @param shard          the shard's index
 * @param loopName       the loop's name (its thread's name)
 * @param stalledNanos   how long the turn had been working when it was seen (at least the threshold)
 * @param gcNanos        collector pause time the JVM reported during the stall (0 when none)
 * @param stack          the loop thread's stack at that moment
 */
public record StallReport(int shard, String loopName, long stalledNanos, long gcNanos, StackTraceElement[] stack) {
    /** True when the JVM's collectors account for most of the stall. */
    public boolean likelyGc() {
        return gcNanos * 2 >= stalledNanos;
    }

    /** A multi-line description: the headline, then the stack. */
    public String describe() {
        StringBuilder sb = new StringBuilder(loopName).append(" (shard ").append(shard).append(") turn stalled for ")
                .append(stalledNanos / 1_000_000).append(" ms");
        if (gcNanos > 0) {
            sb.append(", of which GC pauses ").append(gcNanos / 1_000_000).append(" ms")
                    .append(likelyGc() ? " (likely GC)" : "");
        }
        for (StackTraceElement frame : stack) {
            sb.append("\n\tat ").append(frame);
        }
        return sb.toString();
    }
}
