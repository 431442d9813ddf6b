package io.shardloop.runtime.net;

/**
 * What one connection may use. All sizes in bytes, all times in nanoseconds; 0 turns a timeout off.
 *
 * @param readBudget          bytes read from one connection per loop turn, so a busy client
 *                            cannot starve the others on its shard
 * @param highWater           unsent bytes above which the connection is no longer read
 * @param lowWater            unsent bytes at or below which reading resumes
 * @param hardLimit           unsent bytes above which the connection is closed
 * @param maxPendingInbound   received bytes a handler may leave unconsumed (a partial frame)
 * @param writeStallNanos     how long unsent bytes may wait with the peer taking none
 * @param idleNanos           how long a connection may sit with nothing received, sent or owed
 */
public record ConnectionLimits(int readBudget, long highWater, long lowWater, long hardLimit,
                               int maxPendingInbound, long writeStallNanos, long idleNanos) {
    public ConnectionLimits {
        // The message lists the parameters: in a compact constructor the fields, and so toString(), are not set yet.
        if (readBudget <= 0 || lowWater < 0 || highWater < lowWater || hardLimit < highWater || maxPendingInbound <= 0
                || writeStallNanos < 0 || idleNanos < 0) {
            throw new IllegalArgumentException("inconsistent connection limits (need read budget > 0, 0 <= low water"
                    + " <= high water <= hard limit, max pending inbound > 0, timeouts >= 0): read budget " + readBudget
                    + ", low water " + lowWater + ", high water " + highWater + ", hard limit " + hardLimit
                    + ", max pending inbound " + maxPendingInbound + ", write stall " + writeStallNanos + " ns, idle "
                    + idleNanos + " ns");
        }
    }

    /** The same limits with another idle timeout (a protocol's own: HTTP's keep-alive). */
    public ConnectionLimits withIdleNanos(long nanos) {
        return new ConnectionLimits(readBudget, highWater, lowWater, hardLimit, maxPendingInbound, writeStallNanos, nanos);
    }

    /** Defaults: 64 KiB per turn, pause at 1 MiB unsent, resume at 256 KiB, close at 64 MiB, 30 s write stall. */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(64 * 1024, 1 << 20, 256 * 1024, 64L << 20, 1 << 20,
                30_000_000_000L, 0);
    }
}
