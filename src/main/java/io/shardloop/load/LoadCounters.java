package io.shardloop.load;

import io.shardloop.metrics.SingleWriterCounters;

/**
 * The counters of one load loop: indexes into its {@link SingleWriterCounters} (written by the loop,
 * read by the reporter). Only events of the measured part of a run are counted, except
 * {@link #WARMUP_RESPONSES}.
 * <p>
 * Error kinds, {@link #FIRST_ERROR} to {@link #LAST_ERROR}: connect errors count attempts; all others
 * count requests.
 */
public final class LoadCounters {
    /** Requests written to a socket. */
    public static final int SENT = 0;
    /** Responses received and parsed, right or wrong; each one's latency is recorded. */
    public static final int RESPONSES = 1;
    /** Responses received during the warmup, not recorded. */
    public static final int WARMUP_RESPONSES = 2;
    /** Connections opened (first ones and reconnects). */
    public static final int CONNECTS = 3;
    /** The longest a request was sent after its scheduled time, in microseconds (open loop). */
    public static final int MAX_SEND_LAG_US = 4;

    /** A connect refused (nothing listening). */
    public static final int CONNECT_REFUSED = 5;
    /** A connect that did not complete within the timeout. */
    public static final int CONNECT_TIMEOUT = 6;
    /** Any other connect failure. */
    public static final int CONNECT_ERROR = 7;
    /** Requests lost when their connection was reset or failed with an I/O error. */
    public static final int RESET = 8;
    /** Requests lost when the server closed the connection before answering them. */
    public static final int CLOSED = 9;
    /** Requests with no response within the timeout (the connection is then closed and reopened). */
    public static final int TIMEOUT = 10;
    /** Responses that could not be parsed (the connection is then closed and reopened). */
    public static final int PROTOCOL = 11;
    /** HTTP responses with another status than the expected one. */
    public static final int WRONG_STATUS = 12;
    /** RESP error replies ({@code -ERR ...}). */
    public static final int ERROR_REPLY = 13;
    /** RESP replies of another type than the command gives. */
    public static final int WRONG_TYPE = 14;
    /** Requests scheduled in the measured part that were never sent (connection down or pipeline full). */
    public static final int UNSENT = 15;
    /** RESP transactions the server did not run: EXEC replied with a null array or {@code -EXECABORT}. */
    public static final int ABORTED = 16;

    public static final int FIRST_ERROR = CONNECT_REFUSED;
    public static final int LAST_ERROR = ABORTED;
    public static final int COUNT = 17;

    private static final String[] NAMES = {
        "sent", "responses", "warmup_responses", "connects", "max_send_lag_us",
        "connect_refused", "connect_timeout", "connect_error", "reset", "closed", "timeout", "protocol",
        "wrong_status", "error_reply", "wrong_type", "unsent", "aborted"
    };

    private LoadCounters() {
    }

    public static SingleWriterCounters newCounters() {
        return new SingleWriterCounters(COUNT);
    }

    public static String name(int counter) {
        return NAMES[counter];
    }
}
