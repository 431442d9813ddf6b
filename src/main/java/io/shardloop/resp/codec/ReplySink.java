package io.shardloop.resp.codec;

import io.shardloop.resp.OutboundReplyWriter;

/**
 * Where a command writes its reply, one RESP2 element at a time. Implementations encode straight
 * into their destination and allocate nothing per reply: {@link OutboundReplyWriter} (a
 * connection's outbound buffer) and {@link BufferReplyWriter} (bytes that cross shards).
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
}
