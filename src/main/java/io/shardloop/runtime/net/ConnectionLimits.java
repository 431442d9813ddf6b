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
 * @param maxInputBytes       input one connection may hold in all, unconsumed bytes and what its
 *                            handler keeps of a request still arriving (Redis's
 *                            client-query-buffer-limit); past it the connection is closed
 * @param writeStallNanos     how long unsent bytes may wait with the peer taking none
 * @param idleNanos           how long a connection may sit with nothing received, sent or owed
 */
public record ConnectionLimits(int readBudget, long highWater, long lowWater, long hardLimit,
                               int maxPendingInbound, long maxInputBytes, long writeStallNanos, long idleNanos) {
    public ConnectionLimits {
        // The message lists the parameters: in a compact constructor the fields, and so toString(), are not set yet.
        if (readBudget <= 0 || lowWater < 0 || highWater < lowWater || hardLimit < highWater || maxPendingInbound <= 0
                || maxInputBytes < maxPendingInbound || writeStallNanos < 0 || idleNanos < 0) {
            throw new IllegalArgumentException("inconsistent connection limits (need read budget > 0, 0 <= low water"
                    + " <= high water <= hard limit, max pending inbound > 0, max input >= max pending inbound,"
                    + " timeouts >= 0): read budget " + readBudget + ", low water " + lowWater + ", high water "
                    + highWater + ", hard limit " + hardLimit + ", max pending inbound " + maxPendingInbound
                    + ", max input " + maxInputBytes + ", write stall " + writeStallNanos + " ns, idle "
                    + idleNanos + " ns");
        }
    }

    /** The limits with the default input bound of {@link #DEFAULT_MAX_INPUT_BYTES} (or the pending-input bound, if larger). */
    public ConnectionLimits(int readBudget, long highWater, long lowWater, long hardLimit, int maxPendingInbound,
                            long writeStallNanos, long idleNanos) {
        this(readBudget, highWater, lowWater, hardLimit, maxPendingInbound,
                Math.max(maxPendingInbound, DEFAULT_MAX_INPUT_BYTES), writeStallNanos, idleNanos);
    }

    /** Redis's client-query-buffer-limit default. */
    public static final long DEFAULT_MAX_INPUT_BYTES = 1L << 30;

    /** The same limits with another bound on the input one connection may hold. */
    public ConnectionLimits withMaxInputBytes(long bytes) {
        return new ConnectionLimits(readBudget, highWater, lowWater, hardLimit, maxPendingInbound, bytes,
                writeStallNanos, idleNanos);
    }

    /** The same limits with another idle timeout (a protocol's own: HTTP's keep-alive). */
    public ConnectionLimits withIdleNanos(long nanos) {
        return new ConnectionLimits(readBudget, highWater, lowWater, hardLimit, maxPendingInbound, maxInputBytes,
                writeStallNanos, nanos);
    }

    /**
     * Defaults: 64 KiB per turn, pause at 1 MiB unsent, resume at 256 KiB, close at 64 MiB unsent or
     * 1 GiB of input held (Redis's query-buffer limit), 30 s write stall.
     */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(64 * 1024, 1 << 20, 256 * 1024, 64L << 20, 1 << 20, DEFAULT_MAX_INPUT_BYTES,
                30_000_000_000L, 0);
    }
}
