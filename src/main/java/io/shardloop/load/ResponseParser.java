package io.shardloop.load;

import java.nio.ByteBuffer;

/**
 * Finds the end of each response a server sends on one connection and says whether it is right.
 * A response is all the replies of one request: a RESP transaction's MULTI, queued commands and
 * EXEC give one outcome.
 * Sans-I/O: bytes in, outcomes out; one instance per connection, on its load loop's thread.
 * <pre>{@code
 *   while (in.hasRemaining()) {
 *       int outcome = parser.parse(in, expectedOfOldestRequest);
 *       if (outcome == NEED_MORE) break;      // the rest of the response comes with the next read
 *       ... one response complete (or a protocol error) ...
 *   }
 * }</pre>
 * A parser may consume a partial response (and keep its state) or leave it in the buffer to be
 * offered again with more bytes after it; callers must support both.
 */
public interface ResponseParser {
    /** No complete response yet. */
    int NEED_MORE = 0;
    /** A complete, right response. */
    int OK = 1;
    /** A complete HTTP response with another status than expected. */
    int WRONG_STATUS = 2;
    /** A complete RESP error reply. */
    int ERROR_REPLY = 3;
    /** A complete RESP reply of another type than expected. */
    int WRONG_TYPE = 4;
    /** The bytes are not a valid response; the connection cannot be trusted any further. */
    int PROTOCOL_ERROR = 5;
    /** A complete RESP transaction that the server did not run: EXEC replied null or {@code -EXECABORT}. */
    int ABORTED = 6;
    /**
     * A complete RESP {@code -NOSCRIPT} reply: the server does not hold the script the request named
     * by its digest. Counted as an error reply; the connection's later requests are written in full
     * ({@link RequestWriter#writeFull}).
     */
    int NO_SCRIPT = 7;

    /**
     * Parses at most one response.
     *
     * @param expected what the oldest outstanding request expects (a {@link RequestWriter} kind)
     */
    int parse(ByteBuffer in, int expected);

    /** Why the last {@link #PROTOCOL_ERROR} was returned. */
    String lastError();

    /** Forgets any partial response (the connection was replaced). */
    void reset();
}
