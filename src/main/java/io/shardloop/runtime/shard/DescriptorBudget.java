package io.shardloop.runtime.shard;

import com.sun.management.UnixOperatingSystemMXBean;

import java.lang.management.ManagementFactory;

/**
 * How many connections the process's open-file limit ({@code ulimit -n}) leaves room for, the
 * way Redis sizes {@code maxclients}: the limit less the descriptors the server keeps for itself.
 * Past that room every accept fails with "Too many open files"; the listeners back off
 * ({@link AcceptBackoff}), but a limit on connections below it refuses the excess cleanly instead.
 * <p>
 * The reserve, item by item:
 * <ul>
 *   <li>{@value #PROCESS} for the JVM itself: standard streams, the runtime image, the jars of the
 *       class path, log files (a running server holds 16 with the jar, about 50 from a build tree);</li>
 *   <li>{@value #PER_SHARD} per shard for its selector (an epoll descriptor and an eventfd for
 *       wake-ups), plus one per shard and endpoint for its listener;</li>
 *   <li>one per offload thread, for the file it reads;</li>
 *   <li>{@value #FILES_SERVED} for files open at once for HTTP responses in flight (a static file
 *       stays open while it streams); past them, opening one fails that request only.</li>
 * </ul>
 *
 * @param fileLimit the most descriptors the process may hold, or {@code -1} when unknown
 * @param reserve   the descriptors kept for the server itself
 */
public record DescriptorBudget(long fileLimit, int reserve) {
    /** The connection limit when the file limit is high enough, or unknown. */
    public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
    static final int PROCESS = 64;
    static final int PER_SHARD = 2;
    static final int FILES_SERVED = 64;

    /** The budget of this process for a server of these shards, endpoints and offload threads. */
    public static DescriptorBudget forServer(int shards, int endpoints, int offloadThreads) {
        return new DescriptorBudget(processFileLimit(), reserveFor(shards, endpoints, offloadThreads));
    }

    static int reserveFor(int shards, int endpoints, int offloadThreads) {
        return PROCESS + shards * (PER_SHARD + endpoints) + offloadThreads + FILES_SERVED;
    }

    /** The process's open-file limit as the JVM sees it (HotSpot raises the soft limit to the hard one), or -1. */
    public static long processFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** Connections the limit leaves room for: at least 1; {@link Integer#MAX_VALUE} when the limit is unknown. */
    public int connectionRoom() {
        if (fileLimit < 0) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, fileLimit - reserve));
    }

    /**
     * The connection limit to run with, and the line to log about it (null when there is nothing
     * to say): unset, it is {@link #DEFAULT_MAX_CONNECTIONS} lowered to the room; set above the room,
     * it is kept as asked, with a warning.
     *
     * @param requested the user's value, or null when unset
     */
    public Choice choose(Integer requested) {
        int room = connectionRoom();
        if (requested == null) {
            if (room >= DEFAULT_MAX_CONNECTIONS) {
                return new Choice(DEFAULT_MAX_CONNECTIONS, false, null);
            }
            return new Choice(room, false, "max-connections is " + room + ", below the default of "
                    + DEFAULT_MAX_CONNECTIONS + ": the process may open " + fileLimit + " files (ulimit -n) and keeps "
                    + reserve + " for listeners, selectors, offload threads, logs and files served");
        }
        if (requested > room) {
            return new Choice(requested, true, "--max-connections " + requested + " is more than the open-file limit of "
                    + fileLimit + " leaves room for (" + room + ", after " + reserve + " kept for the server): past "
                    + room + " connections accepts fail and the listeners back off; raise ulimit -n");
        }
        return new Choice(requested, false, null);
    }

    /**
     * @param maxConnections the limit to run with
     * @param warning        whether the line is a warning (asked for more than fits) or information
     * @param line           what to log, or null
     */
    public record Choice(int maxConnections, boolean warning, String line) {
    }
}
