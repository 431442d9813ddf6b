package io.shardloop.resp.codec;

import io.shardloop.resp.OutboundReplyWriter;

/**
 * Where a command writes its reply, one element at a time, in the protocol its client speaks
 * (RESP2, or RESP3 after {@code HELLO 3}). Implementations encode straight into their destination
 * and allocate nothing per reply: {@link OutboundReplyWriter} (a connection's outbound buffer) and
 * {@link BufferReplyWriter} (bytes that cross shards).
 * <p>
 * A command says what its reply is, as Redis's own replies do ({@code addReplyMapLen},
 * {@code addReplySetLen}, {@code addReplyNull}, {@code addReplyVerbatim}): a map, a set, a null, a
 * verbatim text. RESP2 writes each as Redis does there (a flat array of pairs, an array, a null bulk
 * or array, a bulk string); RESP3 with its own type.
 * <p>
 * Messages passed to {@link #simple} and {@link #error} are ASCII without CR or LF; an error
 * message starts with its code ("ERR ...", "WRONGTYPE ...").
 */
public interface ReplySink {
    void simple(String ascii);

    /** A simple string or error already encoded, e.g. "+OK\r\n" as bytes: the cheapest reply. */
    void raw(byte[] encoded, int offset, int length);

    default void raw(byte[] encoded) {
        raw(encoded, 0, encoded.length);
    }

    void error(String message);

    void integer(long value);

    void bulk(byte[] value, int offset, int length);

    default void bulk(byte[] value) {
        bulk(value, 0, value.length);
    }

    /** A bulk reply holding the decimal text of the value (Redis's addReplyBulkLongLong). */
    void bulkDecimal(long value);

    void nullBulk();

    void arrayHeader(int count);

    void nullArray();

    /** A map of {@code pairs} key-value pairs follows (RESP2: an array of twice as many elements). */
    default void mapHeader(int pairs) {
        arrayHeader(pairs * 2);
    }

    /**
     * Out-of-band data of {@code count} elements follows, which the client did not ask for by this
     * reply (pub/sub messages and confirmations: Redis's addReplyPushLen); RESP2: an array.
     */
    default void pushHeader(int count) {
        arrayHeader(count);
    }

    /** A set of {@code count} elements follows (RESP2: an array). */
    default void setHeader(int count) {
        arrayHeader(count);
    }

    /** Text meant to be shown as it is, INFO's or CLIENT LIST's (RESP3: a verbatim string of format txt). */
    default void verbatim(byte[] text, int offset, int length) {
        bulk(text, offset, length);
    }

    default void verbatim(byte[] text) {
        verbatim(text, 0, text.length);
    }

    /**
     * A floating-point reply as Redis 7.0's addReplyDouble writes it: the text of C's "%.17g"
     * ({@link RespWriter#doubleText}), "inf" or "-inf"; RESP2: a bulk string, RESP3: a double.
     */
    default void doubleValue(double d) {
        byte[] text = RespWriter.doubleText(d).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        bulk(text, 0, text.length);
    }

    /** The protocol version the replies are written in: 2 or 3. */
    default int protocol() {
        return 2;
    }

    /**
     * Writes what follows, this reply included, in another protocol version (HELLO answers in the
     * version it chose). Sinks that speak RESP2 only refuse.
     */
    default void protocol(int version) {
        if (version != 2) {
            throw new UnsupportedOperationException("this reply sink speaks RESP2 only");
        }
    }
}
