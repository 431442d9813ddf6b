package io.shardloop.load;

import io.shardloop.http.codec.Bytes;
import io.shardloop.http.codec.ChunkedDecoder;

import java.nio.ByteBuffer;

/**
 * HTTP/1.x responses, streamed: it consumes every byte it is given and keeps its place, so a large
 * body is skipped as it arrives and never buffered. It reads the status line, then the headers for
 * {@code Content-Length} and {@code Transfer-Encoding: chunked}, then skips the body: a fixed
 * length, or chunks and trailers through the codec's {@link ChunkedDecoder} (the one the server
 * reads request bodies with). Interim 1xx responses are skipped; responses to HEAD and 204/304
 * have no body. A response framed only by the server closing the connection is refused as a
 * protocol error.
 * <pre>
 *   STATUS ─▶ HEADERS ─blank─▶ BODY(length) ──────────▶ complete
 *                          └─▶ CHUNKED (ChunkedDecoder) ─▶ complete
 * </pre>
 * One instance per connection, on its load loop's thread; allocates nothing after construction.
 */
public final class HttpResponseParser implements ResponseParser {
    private static final int STATUS = 0;
    private static final int HEADERS = 1;
    private static final int BODY = 2;
    private static final int CHUNKED = 3;

    /** Largest body (fixed or chunked) accepted: it is skipped, never held, so only a long bounds it. */
    private static final long MAX_BODY_BYTES = Long.MAX_VALUE / 4;
    /** Trailer fields accepted after a chunked body. */
    private static final int MAX_TRAILER_FIELDS = 100;

    private static final byte[] HTTP_1 = Bytes.ascii("HTTP/1.");
    private static final byte[] CONTENT_LENGTH = Bytes.ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = Bytes.ascii("transfer-encoding");
    private static final byte[] CHUNKED_CODING = Bytes.ascii("chunked");

    private final int expectedStatus;
    private final boolean headRequests;
    private final byte[] line;
    private final ChunkedDecoder chunks;
    private int lineLength;
    private int state = STATUS;
    private int status;
    private long contentLength;
    private boolean chunked;
    private long remaining;
    private String error;

    /**
     * @param expectedStatus the status a right response has
     * @param headRequests   the requests are HEAD: responses carry no body whatever their headers say
     * @param maxLineBytes   longest status line or header line accepted; also bounds the trailers
     */
    public HttpResponseParser(int expectedStatus, boolean headRequests, int maxLineBytes) {
        this.expectedStatus = expectedStatus;
        this.headRequests = headRequests;
        this.line = new byte[maxLineBytes];
        this.chunks = new ChunkedDecoder(MAX_BODY_BYTES, MAX_BODY_BYTES, maxLineBytes, MAX_TRAILER_FIELDS);
    }

    @Override
    public int parse(ByteBuffer in, int expected) {
        while (true) {
            switch (state) {
                case BODY -> {
                    int skip = (int) Math.min(remaining, in.remaining());
                    in.position(in.position() + skip);
                    remaining -= skip;
                    return remaining > 0 ? NEED_MORE : complete();
                }
                case CHUNKED -> {
                    switch (chunks.decode(in)) {
                        case ChunkedDecoder.DATA -> in.position(in.position() + chunks.dataLength());
                        case ChunkedDecoder.DONE -> {
                            return complete();
                        }
                        case ChunkedDecoder.ERROR -> {
                            return fail(chunks.errorReason());
                        }
                        default -> {
                            return NEED_MORE;
                        }
                    }
                }
                default -> {
                    int lineResult = readLine(in);
                    if (lineResult != OK) {
                        return lineResult;
                    }
                    int outcome = onLine();
                    if (outcome != NEED_MORE) {
                        return outcome;
                    }
                }
            }
        }
    }

    /** Accumulates one line; OK once its LF is seen (the line is then in {@link #line} without CR LF). */
    private int readLine(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                if (lineLength > 0 && line[lineLength - 1] == '\r') {
                    lineLength--;
                }
                return OK;
            }
            if (lineLength == line.length) {
                return fail("a line longer than " + line.length + " bytes");
            }
            line[lineLength++] = b;
        }
        return NEED_MORE;
    }

    /** Handles the status or header line just read; returns an outcome, or NEED_MORE to go on parsing. */
    private int onLine() {
        int length = lineLength;
        lineLength = 0;
        if (state == STATUS) {
            // HTTP-version SP 3DIGIT [SP reason-phrase]
            if (length < 12 || !Bytes.equals(line, 0, HTTP_1) || !digits(7, 8) || line[8] != ' ' || !digits(9, 12)
                    || (length > 12 && line[12] != ' ')) {
                return fail("not an HTTP/1.x status line");
            }
            status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
            contentLength = -1;
            chunked = false;
            state = HEADERS;
            return NEED_MORE;
        }
        if (length == 0) {
            return endOfHeaders();
        }
        int colon = indexOf((byte) ':', length);
        if (colon <= 0) {
            return fail("a header line without a name and ':'");
        }
        int valueStart = Bytes.skipOws(line, colon + 1, length);
        int valueEnd = Bytes.trimOws(line, valueStart, length);
        if (Bytes.equalsIgnoreCase(line, 0, colon, CONTENT_LENGTH)) {
            contentLength = Bytes.parseDecimal(line, valueStart, valueEnd, MAX_BODY_BYTES);
            if (contentLength < 0) {
                return fail("a bad Content-Length");
            }
        } else if (Bytes.equalsIgnoreCase(line, 0, colon, TRANSFER_ENCODING)) {
            chunked = Bytes.listContains(line, valueStart, valueEnd - valueStart, CHUNKED_CODING);
        }
        return NEED_MORE;
    }

    private int endOfHeaders() {
        if (status >= 100 && status < 200 && status != 101) {
            state = STATUS; // an interim response: the real one follows
            return NEED_MORE;
        }
        if (headRequests || status == 204 || status == 304 || status == 101) {
            return complete();
        }
        if (chunked) {
            chunks.reset();
            state = CHUNKED;
            return NEED_MORE;
        }
        if (contentLength < 0) {
            return fail("a response with neither Content-Length nor chunked encoding (bodies ended by closing "
                    + "the connection are not supported)");
        }
        if (contentLength == 0) {
            return complete();
        }
        remaining = contentLength;
        state = BODY;
        return NEED_MORE;
    }

    private int complete() {
        state = STATUS;
        return status == expectedStatus ? OK : WRONG_STATUS;
    }

    private int fail(String why) {
        error = why;
        state = STATUS;
        lineLength = 0;
        return PROTOCOL_ERROR;
    }

    /** Status of the last complete response. */
    public int lastStatus() {
        return status;
    }

    @Override
    public String lastError() {
        return error;
    }

    @Override
    public void reset() {
        state = STATUS;
        lineLength = 0;
        remaining = 0;
    }

    private boolean digits(int from, int to) {
        for (int i = from; i < to; i++) {
            if (line[i] < '0' || line[i] > '9') {
                return false;
            }
        }
        return true;
    }

    private int indexOf(byte b, int length) {
        for (int i = 0; i < length; i++) {
            if (line[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
