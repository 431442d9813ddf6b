package io.shardloop.baseline;

import io.shardloop.http.HttpDate;
import io.shardloop.http.codec.HttpLimits;
import io.shardloop.http.codec.HttpMethod;
import io.shardloop.http.codec.HttpParser;
import io.shardloop.http.codec.HttpRequest;
import io.shardloop.http.codec.HttpStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One HTTP client on its own thread: parses every complete request in what was read, answers each
 * in order into one buffer, and writes the buffer when the input runs dry, so pipelined requests
 * read at once are answered by one write. A request that is not keep-alive, or one the parser
 * refuses (answered with its status), is the last; the connection then closes.
 * <p>
 * Owned by its connection thread.
 */
final class BlockingHttpConnection {
    private static final byte[] PLAINTEXT = ascii("/plaintext");
    private static final byte[] HELLO = ascii("Hello, World!");
    private static final byte[] SERVER_AND_DATE = ascii("Server: shardloop\r\nDate: ");
    private static final byte[] TEXT_PLAIN = ascii("Content-Type: text/plain\r\n");
    private static final byte[] CLOSE = ascii("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] ALLOW = ascii("Allow: GET, HEAD\r\n");
    private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] NOT_FOUND = ascii("Not Found\n");
    private static final byte[] NOT_ALLOWED = ascii("Method Not Allowed\n");
    /** "HTTP/1.1 200 OK\r\n" and the like, for every status with a reason phrase. */
    private static final byte[][] STATUS_LINES = new byte[600][];

    static {
        for (int status = 100; status < STATUS_LINES.length; status++) {
            String reason = HttpStatus.reason(status);
            if (reason != null) {
                STATUS_LINES[status] = ascii("HTTP/1.1 " + status + " " + reason + "\r\n");
            }
        }
    }

    private final BlockingHttpProtocol server;
    private final HttpParser parser;
    private final ReadWindow window;
    private final HttpDate date = new HttpDate();
    private byte[] out = new byte[8 * 1024];
    private int outLength;
    private long unreported;
    private boolean closing;

    BlockingHttpConnection(BlockingHttpProtocol server, HttpLimits limits, int readBuffer) {
        this.server = server;
        this.parser = new HttpParser(limits);
        this.window = new ReadWindow(readBuffer, readBuffer); // the parser consumes all it is given
    }

    void serve(InputStream in, OutputStream socketOut) throws IOException {
        try {
            ByteBuffer bytes = window.bytes();
            while (!closing) {
                int r = bytes.hasRemaining() ? parser.parse(bytes) : HttpParser.NEED_MORE;
                if (r == HttpParser.REQUEST) {
                    unreported++;
                    respond(parser.request());
                    if (outLength >= server.flushAt()) {
                        flush(socketOut);
                    }
                } else if (r == HttpParser.ERROR) {
                    int status = parser.errorStatus();
                    byte[] body = (HttpStatus.reason(status) + "\n").getBytes(StandardCharsets.US_ASCII);
                    head(status, 1, false);
                    put(TEXT_PLAIN);
                    body(body, false);
                    closing = true;
                } else {
                    flush(socketOut);
                    if (!window.fill(in)) {
                        return;
                    }
                    bytes = window.bytes();
                }
            }
        } finally {
            flush(socketOut);
        }
    }

    private void respond(HttpRequest req) {
        boolean keepAlive = req.keepAlive();
        if (!keepAlive) {
            closing = true;
        }
        HttpMethod m = req.method();
        boolean head = m == HttpMethod.HEAD;
        if (req.pathEquals(PLAINTEXT)) {
            if (m == HttpMethod.GET || head) {
                head(200, req.minorVersion(), keepAlive);
                put(TEXT_PLAIN);
                body(HELLO, head);
            } else {
                head(405, req.minorVersion(), keepAlive);
                put(TEXT_PLAIN);
                put(ALLOW);
                body(NOT_ALLOWED, false);
            }
        } else {
            head(404, req.minorVersion(), keepAlive);
            put(TEXT_PLAIN);
            body(NOT_FOUND, head);
        }
    }

    /** Status line, Server, Date, and Connection when it differs from the version's default. */
    private void head(int status, int minorVersion, boolean keepAlive) {
        put(STATUS_LINES[status]);
        put(SERVER_AND_DATE);
        put(date.now());
        put(CRLF);
        if (!keepAlive) {
            put(CLOSE);
        } else if (minorVersion == 0) {
            put(KEEP_ALIVE);
        }
    }

    private void body(byte[] body, boolean headOnly) {
        put(CONTENT_LENGTH);
        putDecimal(body.length);
        put(CRLF);
        put(CRLF);
        if (!headOnly) {
            put(body);
        }
    }

    private void put(byte[] b) {
        if (outLength + b.length > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + b.length));
        }
        System.arraycopy(b, 0, out, outLength, b.length);
        outLength += b.length;
    }

    private void putDecimal(int value) {
        int digits = 1;
        for (int v = value; v >= 10; v /= 10) {
            digits++;
        }
        if (outLength + digits > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + digits));
        }
        for (int i = outLength + digits - 1, v = value; i >= outLength; i--, v /= 10) {
            out[i] = (byte) ('0' + v % 10);
        }
        outLength += digits;
    }

    private void flush(OutputStream socketOut) throws IOException {
        if (unreported > 0) {
            server.onRequests(unreported);
            unreported = 0;
        }
        if (outLength > 0) {
            int n = outLength;
            outLength = 0;
            socketOut.write(out, 0, n);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
