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
    /** RESP EVAL of a script that returns a number: an integer. */
    int EXPECT_INTEGER = 3;
    /** RESP MGET: an array. */
    int EXPECT_ARRAY = 4;
    /**
     * RESP MULTI, commands, EXEC: +OK, a +QUEUED per command, then EXEC's array of one reply per
     * command (the parser knows how many commands a transaction has).
     */
    int EXPECT_TRANSACTION = 5;
    /** {@link #writeSetup}: nothing to send. */
    int NO_SETUP = -1;

    /**
     * Appends one request.
     *
     * @return what a right response to it looks like, for {@link ResponseParser#parse}.
     */
    int write(OutboundBuffer out);

    /**
     * Appends one request in full, for a connection whose server refused its short form (RESP: EVAL
     * of the script after EVALSHA of its digest was answered {@link ResponseParser#NO_SCRIPT}).
     */
    default int writeFull(OutboundBuffer out) {
        return write(out);
    }

    /**
     * Appends what each new connection sends once before its first request (RESP: SCRIPT LOAD). Its
     * reply is not counted or timed; when it is not right, the connection writes its requests in
     * full ({@link #writeFull}).
     *
     * @return what a right reply looks like, or {@link #NO_SETUP} when nothing was written
     */
    default int writeSetup(OutboundBuffer out) {
        return NO_SETUP;
    }

    /** A new parser for one connection's responses. */
    ResponseParser newParser();

    /** Largest response expected, to size what a connection may buffer of a partial one. */
    default int maxResponseBytes() {
        return 1 << 20;
    }
}
