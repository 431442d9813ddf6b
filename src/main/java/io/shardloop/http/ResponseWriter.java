package io.shardloop.http;

import io.shardloop.http.codec.ByteSink;
import io.shardloop.http.codec.ResponseEncoder;
import io.shardloop.runtime.net.OutboundBuffer;

/**
 * Writes response heads and bodies into an {@link OutboundBuffer}: the codec's
 * {@link ResponseEncoder}, bound to a connection's outbound buffer. Nothing is allocated per
 * response. Every response says {@code Server} and {@code Date}; the connection header is written
 * only when it differs from the version's default (1.1 keeps alive, 1.0 closes).
 */
public final class ResponseWriter {
    public static final byte[] TEXT_PLAIN = ResponseEncoder.TEXT_PLAIN;
    public static final byte[] TEXT_PLAIN_UTF8 = ResponseEncoder.TEXT_PLAIN_UTF8;
    public static final byte[] APPLICATION_JSON = ResponseEncoder.APPLICATION_JSON;
    public static final byte[] PROMETHEUS_TEXT = ResponseEncoder.PROMETHEUS_TEXT;

    /** Appends to the outbound buffer it is given; holds nothing. */
    private static final ByteSink<OutboundBuffer> OUTBOUND = new ByteSink<>() {
        @Override
        public void writeByte(OutboundBuffer out, int b) {
            out.writeByte(b);
        }

        @Override
        public void writeBytes(OutboundBuffer out, byte[] src, int offset, int length) {
            out.writeBytes(src, offset, length);
        }

        @Override
        public void writeAscii(OutboundBuffer out, CharSequence s) {
            out.writeAscii(s);
        }

        @Override
        public void writeDecimal(OutboundBuffer out, long value) {
            out.writeDecimal(value);
        }
    };

    private ResponseWriter() {
    }

    /**
     * Status line, Server, Date, Content-Type (when not null), Connection when needed.
     * The caller adds its own headers, then {@link #contentLength} or {@link #chunked}, which end the head.
     */
    public static void begin(OutboundBuffer out, int status, byte[] date, byte[] contentType, int minorVersion,
                             boolean keepAlive) {
        ResponseEncoder.begin(OUTBOUND, out, status, date, contentType, minorVersion, keepAlive);
    }

    /** One header line; name without the colon. */
    public static void header(OutboundBuffer out, byte[] name, CharSequence value) {
        ResponseEncoder.header(OUTBOUND, out, name, value);
    }

    /** Content-Length and the blank line that ends the head. */
    public static void contentLength(OutboundBuffer out, long length) {
        ResponseEncoder.contentLength(OUTBOUND, out, length);
    }

    /** The blank line that ends a head with no body and no length (a 304). */
    public static void endHead(OutboundBuffer out) {
        ResponseEncoder.endHead(OUTBOUND, out);
    }

    /** Transfer-Encoding: chunked and the blank line; follow with {@link #chunk} and {@link #lastChunk}. */
    public static void chunked(OutboundBuffer out) {
        ResponseEncoder.chunked(OUTBOUND, out);
    }

    public static void chunk(OutboundBuffer out, byte[] data, int offset, int length) {
        ResponseEncoder.chunk(OUTBOUND, out, data, offset, length);
    }

    public static void lastChunk(OutboundBuffer out) {
        ResponseEncoder.lastChunk(OUTBOUND, out);
    }

    /** A whole response with a fixed body; HEAD requests get the head alone. */
    public static void full(OutboundBuffer out, int status, byte[] date, byte[] contentType, byte[] body,
                            int minorVersion, boolean keepAlive, boolean head) {
        ResponseEncoder.full(OUTBOUND, out, status, date, contentType, body, minorVersion, keepAlive, head);
    }
}
