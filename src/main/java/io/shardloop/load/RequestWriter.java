package io.shardloop.load;

import io.shardloop.runtime.net.OutboundBuffer;

/**
 * Writes the next request of a workload into a connection's outbound buffer without allocating.
 * One instance per load loop, on its thread.
 */
public interface RequestWriter {
    /** A response of any type is right (HTTP: the parser checks the status). */
    int EXPECT_ANY = 0;
    /** RESP GET: a bulk string or a null. */
    int EXPECT_BULK_OR_NULL = 1;
    /** RESP SET: a simple string (+OK). */
    int EXPECT_SIMPLE = 2;

    /**
     * Appends one request.
     *
     * @return what a right response to it looks like, for {@link ResponseParser#parse}.
     */
    int write(OutboundBuffer out);

    /** A new parser for one connection's responses. */
    ResponseParser newParser();

    /** Largest response expected, to size what a connection may buffer of a partial one. */
    default int maxResponseBytes() {
        return 1 << 20;
    }
}
