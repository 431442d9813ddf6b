package io.shardloop.runtime.net;

import io.shardloop.metrics.SingleWriterCounters;

/** The network counters of one shard: indexes into its {@link SingleWriterCounters}. */
public final class NetStats {
    public static final int ACCEPTED = 0;
    public static final int CLOSED = 1;
    public static final int BYTES_READ = 2;
    public static final int BYTES_WRITTEN = 3;
    /** Times a connection stopped being read because its unsent bytes passed the high-water mark. */
    public static final int READ_PAUSES = 4;
    /** Connections closed because their unsent bytes passed the hard limit. */
    public static final int OUTPUT_LIMIT_CLOSES = 5;
    /** Connections closed because their peer took no bytes for the write-stall timeout. */
    public static final int WRITE_STALL_CLOSES = 6;
    /** Connections closed for sending nothing for the idle timeout. */
    public static final int IDLE_CLOSES = 7;
    /** Connections closed because a handler threw or a protocol limit was passed. */
    public static final int ERROR_CLOSES = 8;
    /** The most unsent bytes any one connection of the shard has held. */
    public static final int PEAK_OUTBOUND_BYTES = 9;
    /** Connections refused because the server was at its connection limit. */
    public static final int REFUSED = 10;
    /** Connections closed because a request did not arrive whole in time. */
    public static final int FRAME_TIMEOUT_CLOSES = 11;
    /** Connections closed because the input they held passed its bound (the query-buffer limit). */
    public static final int INPUT_LIMIT_CLOSES = 12;
    /** Connections closed, largest first, because all connections together held more than the budget. */
    public static final int MEMORY_EVICTIONS = 13;
    /** Bytes the shard's connections hold now: input not yet used and replies not yet sent (a gauge). */
    public static final int CLIENT_MEMORY = 14;

    public static final int COUNT = 15;

    private static final String[] NAMES = {
        "accepted", "closed", "bytes_read", "bytes_written", "read_pauses", "output_limit_closes",
        "write_stall_closes", "idle_closes", "error_closes", "peak_outbound_bytes", "refused",
        "frame_timeout_closes", "input_limit_closes", "memory_evictions", "client_memory"
    };

    private NetStats() {
    }

    public static SingleWriterCounters newCounters() {
        return new SingleWriterCounters(COUNT);
    }

    public static String name(int counter) {
        return NAMES[counter];
    }
}
