package io.shardloop.http.codec;

/**
 * The bytes of an HTTP/1.1 response's framing, from pre-encoded pieces, written into any
 * destination through a {@link ByteSink}: the event-loop server's connection buffers and the
 * thread-per-connection server's arrays get the same bytes, and nothing is allocated per response.
 * Every response says {@code Server} and {@code Date}; the connection header is written only when
 * it differs from the version's default (1.1 keeps alive, 1.0 closes).
 * <pre>{@code
 * ResponseEncoder.begin(sink, out, 200, date, TEXT_PLAIN, minorVersion, keepAlive);
 * ResponseEncoder.header(sink, out, name, value);        // any of the caller's own
 * ResponseEncoder.contentLength(sink, out, body.length); // or chunked(...), or endHead(...)
 * }</pre>
 */
public final class ResponseEncoder {
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

    private ResponseEncoder() {
    }

    /**
     * Status line, Server, Date, Content-Type (when not null), Connection when needed. The caller
     * adds its own headers, then {@link #contentLength}, {@link #chunked} or {@link #endHead}.
     */
    public static <T> void begin(ByteSink<T> sink, T out, int status, byte[] date, byte[] contentType,
                                 int minorVersion, boolean keepAlive) {
        sink.writeBytes(out, HttpStatus.line(status));
        sink.writeBytes(out, SERVER_AND_DATE);
        sink.writeBytes(out, date);
        sink.writeBytes(out, CRLF);
        if (contentType != null) {
            sink.writeBytes(out, CONTENT_TYPE);
            sink.writeBytes(out, contentType);
            sink.writeBytes(out, CRLF);
        }
        if (!keepAlive) {
            sink.writeBytes(out, CLOSE);
        } else if (minorVersion == 0) {
            sink.writeBytes(out, KEEP_ALIVE);
        }
    }

    /** One header line; name without the colon, value ASCII. */
    public static <T> void header(ByteSink<T> sink, T out, byte[] name, CharSequence value) {
        sink.writeBytes(out, name);
        sink.writeByte(out, ':');
        sink.writeByte(out, ' ');
        sink.writeAscii(out, value);
        sink.writeBytes(out, CRLF);
    }

    /** Content-Length and the blank line that ends the head. */
    public static <T> void contentLength(ByteSink<T> sink, T out, long length) {
        sink.writeBytes(out, CONTENT_LENGTH);
        sink.writeDecimal(out, length);
        sink.writeBytes(out, CRLF);
        sink.writeBytes(out, CRLF);
    }

    /** The blank line that ends a head with no body and no length (a 204, a 304). */
    public static <T> void endHead(ByteSink<T> sink, T out) {
        sink.writeBytes(out, CRLF);
    }

    /** Transfer-Encoding: chunked and the blank line; follow with {@link #chunk} and {@link #lastChunk}. */
    public static <T> void chunked(ByteSink<T> sink, T out) {
        sink.writeBytes(out, CHUNKED);
        sink.writeBytes(out, CRLF);
    }

    /** One chunk of data; none for an empty range, since a zero-size chunk would end the body. */
    public static <T> void chunk(ByteSink<T> sink, T out, byte[] data, int offset, int length) {
        if (length == 0) {
            return;
        }
        int shift = 28;
        while (shift > 0 && ((length >>> shift) & 0xf) == 0) {
            shift -= 4;
        }
        for (; shift >= 0; shift -= 4) {
            sink.writeByte(out, HEX[(length >>> shift) & 0xf]);
        }
        sink.writeBytes(out, CRLF);
        sink.writeBytes(out, data, offset, length);
        sink.writeBytes(out, CRLF);
    }

    public static <T> void lastChunk(ByteSink<T> sink, T out) {
        sink.writeBytes(out, LAST_CHUNK);
    }

    /** A whole response with a fixed body; HEAD requests get the head alone. */
    public static <T> void full(ByteSink<T> sink, T out, int status, byte[] date, byte[] contentType, byte[] body,
                                int minorVersion, boolean keepAlive, boolean head) {
        begin(sink, out, status, date, contentType, minorVersion, keepAlive);
        contentLength(sink, out, body.length);
        if (!head) {
            sink.writeBytes(out, body);
        }
    }
}
