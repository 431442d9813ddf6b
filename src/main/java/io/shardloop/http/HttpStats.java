package io.shardloop.http;

import io.shardloop.http.codec.Bytes;
import io.shardloop.metrics.SingleWriterCounters;

/** The HTTP counters of one shard: indexes into its {@link SingleWriterCounters}. */
public final class HttpStats {
    /** Requests parsed whole and dispatched. */
    public static final int REQUESTS = 0;
    /** Requests refused by the parser (400, 413, 414, 431, 501, 505); each closes its connection. */
    public static final int PARSE_ERRORS = 1;
    /** Connections closed for idling between requests past the keep-alive timeout. */
    public static final int KEEP_ALIVE_CLOSES = 2;
    /** Connections closed for sending a header block too slowly. */
    public static final int HEADER_TIMEOUT_CLOSES = 3;
    /** File responses begun (200, 206, 304, 416). */
    public static final int FILE_RESPONSES = 4;
    /** Bytes of file content sent. */
    public static final int FILE_BYTES = 5;
    /** File requests answered 503 because the offload pool was full. */
    public static final int OFFLOAD_REJECTED = 6;
    /** Requests to /kv/{key}. */
    public static final int KV_REQUESTS = 7;
    /** Of those, the ones whose key another shard owns (sent over the mailbox). */
    public static final int KV_REMOTE = 8;
    /** Connections closed for sending a request body too slowly. */
    public static final int BODY_TIMEOUT_CLOSES = 9;

    public static final int COUNT = 10;

    private static final String[] NAMES = {
        "requests", "parse_errors", "keep_alive_closes", "header_timeout_closes", "file_responses", "file_bytes",
        "offload_rejected", "kv_requests", "kv_remote", "body_timeout_closes"
    };

    private HttpStats() {
    }

    public static String name(int counter) {
        return NAMES[counter];
    }
}
