package io.shardloop.http;

import io.shardloop.http.codec.Bytes;
import io.shardloop.http.codec.HttpStatus;
import io.shardloop.runtime.net.OutboundBuffer;

/**
 * Writes response heads and bodies into an {@link OutboundBuffer} from pre-encoded pieces: nothing
 * is allocated per response. Every response says {@code Server} and {@code Date}; the connection
 * header is written only when it differs from the version's default (1.1 keeps alive, 1.0 closes).
 */
public final class ResponseWriter {
    public static final byte[] TEXT_PLAIN = Bytes.ascii("text/plain");
    public static final byte[] TEXT_PLAIN_UTF8 = Bytes.ascii("text/plain; charset=utf-8");
    public static final byte[] APPLICATION_JSON = Bytes.ascii("application/json");
    public static final byte[] PROMETHEUS_TEXT = Bytes.ascii("text/plain; version=0.0.4; charset=utf-8");

    private static final byte[] SERVER_AND_DATE = Bytes.ascii("Server: shardloop\r\nDate: ");
    private static final byte[] CRLF = Bytes.ascii("\r\n");
    private static final byte[] CONTENT_TYPE = Bytes.ascii("Content-Type: ");
    private static final byte[] CONTENT_LENGTH = Bytes.ascii("Content-Length: ");
    private static final byte[] CHUNKED = Bytes.ascii("Transfer-Encoding: chunked\r\n");
    private static final byte[] CLOSE = Bytes.ascii("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = Bytes.ascii("Connection: keep-alive\r\n");
    private static final byte[] LAST_CHUNK = Bytes.ascii("0\r\n\r\n");
    private static final byte[] HEX = Bytes.ascii("0123456789abcdef");

    private ResponseWriter() {
    }

    /**
     * Status line, Server, Date, Content-Type (when not null), Connection when needed.
     * The caller adds its own headers, then {@link #contentLength} or {@link #chunked}, which end the head.
     */
    public static void begin(OutboundBuffer out, int status, byte[] date, byte[] contentType, int minorVersion,
                             boolean keepAlive) {
        out.writeBytes(HttpStatus.line(status)).writeBytes(SERVER_AND_DATE).writeBytes(date).writeBytes(CRLF);
        if (contentType != null) {
            out.writeBytes(CONTENT_TYPE).writeBytes(contentType).writeBytes(CRLF);
        }
        if (!keepAlive) {
            out.writeBytes(CLOSE);
        } else if (minorVersion == 0) {
            out.writeBytes(KEEP_ALIVE);
        }
    }

    /** One header line; name without the colon. */
    public static void header(OutboundBuffer out, byte[] name, CharSequence value) {
        out.writeBytes(name).writeByte(':').writeByte(' ').writeAscii(value).writeBytes(CRLF);
    }

    /** Content-Length and the blank line that ends the head. */
    public static void contentLength(OutboundBuffer out, long length) {
        out.writeBytes(CONTENT_LENGTH).writeDecimal(length).writeBytes(CRLF).writeBytes(CRLF);
    }

    /** The blank line that ends a head with no body and no length (a 304). */
    public static void endHead(OutboundBuffer out) {
        out.writeBytes(CRLF);
    }

    /** Transfer-Encoding: chunked and the blank line; follow with {@link #chunk} and {@link #lastChunk}. */
    public static void chunked(OutboundBuffer out) {
        out.writeBytes(CHUNKED).writeBytes(CRLF);
    }

    public static void chunk(OutboundBuffer out, byte[] data, int offset, int length) {
        if (length == 0) {
            return; // a zero-size chunk would end the body
        }
        int shift = 28;
        while (shift > 0 && ((length >>> shift) & 0xf) == 0) {
            shift -= 4;
        }
        for (; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(length >>> shift) & 0xf]);
        }
        out.writeBytes(CRLF).writeBytes(data, offset, length).writeBytes(CRLF);
    }

    public static void lastChunk(OutboundBuffer out) {
        out.writeBytes(LAST_CHUNK);
    }

    /** A whole response with a fixed body; HEAD requests get the head alone. */
    public static void full(OutboundBuffer out, int status, byte[] date, byte[] contentType, byte[] body,
                            int minorVersion, boolean keepAlive, boolean head) {
        begin(out, status, date, contentType, minorVersion, keepAlive);
        contentLength(out, body.length);
        if (!head) {
            out.writeBytes(body);
        }
    }
}
