package io.shardloop.baseline;

import io.shardloop.http.HttpDate;
import io.shardloop.http.codec.Bytes;
import io.shardloop.http.codec.HttpLimits;
import io.shardloop.http.codec.HttpMethod;
import io.shardloop.http.codec.HttpParser;
import io.shardloop.http.codec.HttpRequest;
import io.shardloop.http.codec.HttpStatus;
import io.shardloop.http.codec.ResponseEncoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP client on its own thread: parses every complete request in what was read, answers each
 * in order into one buffer, and writes the buffer when the input runs dry, so pipelined requests
 * read at once are answered by one write. A request that is not keep-alive, or one the parser
 * refuses (answered with its status), is the last; the connection then closes. Responses are
 * encoded by the codec's {@link ResponseEncoder}, the event-loop server's own, so the two send the
 * same bytes.
 * <p>
 * Owned by its connection thread.
 */
final class BlockingHttpConnection {
    private static final byte[] PLAINTEXT = Bytes.ascii("/plaintext");
    private static final byte[] HELLO = Bytes.ascii("Hello, World!");
    private static final byte[] ALLOW = Bytes.ascii("Allow");
    private static final byte[] NOT_FOUND = Bytes.ascii("Not Found\n");
    private static final byte[] NOT_ALLOWED = Bytes.ascii(HttpStatus.reason(405) + "\n");

    private final BlockingHttpProtocol server;
    private final HttpParser parser;
    private final ReadWindow window;
    private final HttpDate date = new HttpDate();
    private final ResponseBuffer out = new ResponseBuffer(8 * 1024);
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
                    if (out.length() >= server.flushAt()) {
                        flush(socketOut);
                    }
                } else if (r == HttpParser.ERROR) {
                    int status = parser.errorStatus();
                    byte[] body = (HttpStatus.reason(status) + "\n").getBytes(StandardCharsets.UTF_8);
                    ResponseEncoder.full(ResponseBuffer.SINK, out, status, date.now(), ResponseEncoder.TEXT_PLAIN_UTF8,
                            body, 1, false, false);
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
        int minor = req.minorVersion();
        if (!req.pathEquals(PLAINTEXT)) {
            ResponseEncoder.full(ResponseBuffer.SINK, out, 404, date.now(), ResponseEncoder.TEXT_PLAIN_UTF8, NOT_FOUND,
                    minor, keepAlive, head);
        } else if (m == HttpMethod.GET || head) {
            ResponseEncoder.full(ResponseBuffer.SINK, out, 200, date.now(), ResponseEncoder.TEXT_PLAIN, HELLO,
                    minor, keepAlive, head);
        } else {
            ResponseEncoder.begin(ResponseBuffer.SINK, out, 405, date.now(), ResponseEncoder.TEXT_PLAIN, minor, keepAlive);
            ResponseEncoder.header(ResponseBuffer.SINK, out, ALLOW, "GET, HEAD");
            ResponseEncoder.contentLength(ResponseBuffer.SINK, out, NOT_ALLOWED.length);
            ResponseBuffer.SINK.writeBytes(out, NOT_ALLOWED);
        }
    }

    private void flush(OutputStream socketOut) throws IOException {
        if (unreported > 0) {
            server.onRequests(unreported);
            unreported = 0;
        }
        out.writeTo(socketOut);
    }
}
