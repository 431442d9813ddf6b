package io.shardloop.resp;

import io.shardloop.metrics.SingleWriterCounters;

/**
 * The Redis-protocol counters of one shard: written by its loop thread alone, read by INFO on any
 * shard ({@link SingleWriterCounters}).
 */
final class RespShardCounters {
    static final int CONNECTED = 0;
    /** Connections let in (those protected mode refused are {@link #REJECTED} instead). */
    static final int CONNECTIONS_RECEIVED = 1;
    static final int COMMANDS = 2;
    static final int NET_INPUT_BYTES = 3;
    static final int NET_OUTPUT_BYTES = 4;
    /** Connections refused by protected mode. */
    static final int REJECTED = 5;
    private static final int COUNT = 6;

    private final SingleWriterCounters counters = new SingleWriterCounters(COUNT);

    void onConnect() {
        counters.increment(CONNECTED);
        counters.increment(CONNECTIONS_RECEIVED);
    }

    void onDisconnect() {
        counters.add(CONNECTED, -1);
    }

    void onRejected() {
        counters.increment(REJECTED);
    }

    void onCommand() {
        counters.increment(COMMANDS);
    }

    void onBytes(long in, long out) {
        if (in > 0) {
            counters.add(NET_INPUT_BYTES, in);
        }
        if (out > 0) {
            counters.add(NET_OUTPUT_BYTES, out);
        }
    }

    /** Any thread. */
    long get(int counter) {
        return counters.get(counter);
    }
}
