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
 * @param lingerNanos         how long a connection the server closes keeps reading, and dropping,
 *                            what its peer still sends after the last reply went out with a FIN, so
 *                            that bytes it never read do not make the kernel answer with a reset that
 *                            can destroy the reply before the peer reads it (RFC 9112, section 9.6);
 *                            0 closes at once
 */
public record ConnectionLimits(int readBudget, long highWater, long lowWater, long hardLimit,
                               int maxPendingInbound, long maxInputBytes, long writeStallNanos, long idleNanos,
                               long lingerNanos) {
    public ConnectionLimits {
        // The message lists the parameters: in a compact constructor the fields, and so toString(), are not set yet.
        if (readBudget <= 0 || lowWater < 0 || highWater < lowWater || hardLimit < highWater || maxPendingInbound <= 0
                || maxInputBytes < maxPendingInbound || writeStallNanos < 0 || idleNanos < 0 || lingerNanos < 0) {
            throw new IllegalArgumentException("inconsistent connection limits (need read budget > 0, 0 <= low water"
                    + " <= high water <= hard limit, max pending inbound > 0, max input >= max pending inbound,"
                    + " timeouts >= 0): read budget " + readBudget + ", low water " + lowWater + ", high water "
                    + highWater + ", hard limit " + hardLimit + ", max pending inbound " + maxPendingInbound
                    + ", max input " + maxInputBytes + ", write stall " + writeStallNanos + " ns, idle "
                    + idleNanos + " ns, linger " + lingerNanos + " ns");
        }
    }

    /**
     * The limits with the default input bound of {@link #DEFAULT_MAX_INPUT_BYTES} (or the pending-input
     * bound, if larger) and the default linger of {@link #DEFAULT_LINGER_NANOS}.
     */
    public ConnectionLimits(int readBudget, long highWater, long lowWater, long hardLimit, int maxPendingInbound,
                            long writeStallNanos, long idleNanos) {
        this(readBudget, highWater, lowWater, hardLimit, maxPendingInbound,
                Math.max(maxPendingInbound, DEFAULT_MAX_INPUT_BYTES), writeStallNanos, idleNanos, DEFAULT_LINGER_NANOS);
    }

    /** Redis's client-query-buffer-limit default. */
    public static final long DEFAULT_MAX_INPUT_BYTES = 1L << 30;

    /** Two seconds, the time Apache httpd's lingering close gives each read from the peer (SECONDS_TO_LINGER). */
    public static final long DEFAULT_LINGER_NANOS = 2_000_000_000L;

    /** The same limits with another bound on the input one connection may hold. */
    public ConnectionLimits withMaxInputBytes(long bytes) {
        return new ConnectionLimits(readBudget, highWater, lowWater, hardLimit, maxPendingInbound, bytes,
                writeStallNanos, idleNanos, lingerNanos);
    }

    /** The same limits with another idle timeout (a protocol's own: HTTP's keep-alive). */
    public ConnectionLimits withIdleNanos(long nanos) {
        return new ConnectionLimits(readBudget, highWater, lowWater, hardLimit, maxPendingInbound, maxInputBytes,
                writeStallNanos, nanos, lingerNanos);
    }

    /** The same limits with another linger on close (0: close at once). */
    public ConnectionLimits withLingerNanos(long nanos) {
        return new ConnectionLimits(readBudget, highWater, lowWater, hardLimit, maxPendingInbound, maxInputBytes,
                writeStallNanos, idleNanos, nanos);
    }

    /**
     * Defaults: 64 KiB per turn, pause at 1 MiB unsent, resume at 256 KiB, close at 64 MiB unsent or
     * 1 GiB of input held (Redis's query-buffer limit), 30 s write stall, 2 s linger on close.
     */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(64 * 1024, 1 << 20, 256 * 1024, 64L << 20, 1 << 20, DEFAULT_MAX_INPUT_BYTES,
                30_000_000_000L, 0, DEFAULT_LINGER_NANOS);
    }
}
