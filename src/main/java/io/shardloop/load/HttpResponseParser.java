package io.shardloop.load;

import java.nio.ByteBuffer;

/**
 * HTTP/1.x responses, streamed: it consumes every byte it is given and keeps its place, so a large
 * body is skipped as it arrives and never buffered. It reads the status line, then the headers for
 * {@code Content-Length} and {@code Transfer-Encoding: chunked}, then skips the body (fixed length, or
 * chunks and trailers). Interim 1xx responses are skipped; responses to HEAD and 204/304 have no body.
 * A response framed only by the server closing the connection is refused as a protocol error.
 * <pre>
 *   STATUS ─▶ HEADERS ─blank─▶ BODY(length) ─────────────────────────────▶ complete
 *                          └─▶ CHUNK_SIZE ─n>0─▶ CHUNK_DATA ─▶ CHUNK_END ─┘ (back to CHUNK_SIZE)
 *                                        └─0─▶ TRAILERS ─blank─▶ complete
 * </pre>
 * One instance per connection, on its load loop's thread; allocates nothing after construction.
 */
public final class HttpResponseParser implements ResponseParser {
    private static final int STATUS = 0;
    private static final int HEADERS = 1;
    private static final int BODY = 2;
    private static final int CHUNK_SIZE = 3;
    private static final int CHUNK_DATA = 4;
    private static final int CHUNK_END = 5;
    private static final int TRAILERS = 6;

    private static final byte[] CONTENT_LENGTH = "content-length".getBytes();
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes();
    private static final byte[] CHUNKED = "chunked".getBytes();

    private final int expectedStatus;
    private final boolean headRequests;
    private final byte[] line;
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
     * @param maxLineBytes   longest status line, header line or chunk-size line accepted
     */
    public HttpResponseParser(int expectedStatus, boolean headRequests, int maxLineBytes) {
        this.expectedStatus = expectedStatus;
        this.headRequests = headRequests;
        this.line = new byte[maxLineBytes];
    }

    @Override
    public int parse(ByteBuffer in, int expected) {
        while (true) {
            switch (state) {
                case BODY, CHUNK_DATA -> {
                    int skip = (int) Math.min(remaining, in.remaining());
                    in.position(in.position() + skip);
                    remaining -= skip;
                    if (remaining > 0) {
                        return NEED_MORE;
                    }
                    if (state == BODY) {
                        return complete();
                    }
                    state = CHUNK_END;
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

    /** Handles the line just read; returns an outcome, or NEED_MORE to go on parsing. */
    private int onLine() {
        int length = lineLength;
        lineLength = 0;
        switch (state) {
            case STATUS -> {
                if (length < 12 || !startsWith("HTTP/1.") || line[8] != ' ' || !digits(9, 12)
                        || (length > 12 && line[12] != ' ')) {
                    return fail("not an HTTP/1.x status line");
                }
                status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
                contentLength = -1;
                chunked = false;
                state = HEADERS;
            }
            case HEADERS -> {
                if (length == 0) {
                    return endOfHeaders();
                }
                int colon = indexOf((byte) ':', length);
                if (colon <= 0) {
                    return fail("a header line without a name and ':'");
                }
                if (nameIs(CONTENT_LENGTH, colon)) {
                    contentLength = parseLong(colon + 1, length, 10);
                    if (contentLength < 0) {
                        return fail("a bad Content-Length");
                    }
                } else if (nameIs(TRANSFER_ENCODING, colon)) {
                    chunked = contains(CHUNKED, colon + 1, length);
                }
            }
            case CHUNK_SIZE -> {
                int end = indexOf((byte) ';', length);
                long size = parseLong(0, end < 0 ? length : end, 16);
                if (size < 0) {
                    return fail("a bad chunk size");
                }
                if (size == 0) {
                    state = TRAILERS;
                } else {
                    remaining = size;
                    state = CHUNK_DATA;
                }
            }
            case CHUNK_END -> {
                if (length != 0) {
                    return fail("chunk data longer than its size");
                }
                state = CHUNK_SIZE;
            }
            case TRAILERS -> {
                if (length == 0) {
                    return complete();
                }
            }
            default -> throw new IllegalStateException("state " + state);
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
            state = CHUNK_SIZE;
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

    private boolean startsWith(String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
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

    private boolean nameIs(byte[] lowerName, int nameLength) {
        if (nameLength != lowerName.length) {
            return false;
        }
        for (int i = 0; i < nameLength; i++) {
            if ((line[i] | 0x20) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean contains(byte[] lowerWord, int from, int to) {
        for (int i = from; i + lowerWord.length <= to; i++) {
            int j = 0;
            while (j < lowerWord.length && (line[i + j] | 0x20) == lowerWord[j]) {
                j++;
            }
            if (j == lowerWord.length) {
                return true;
            }
        }
        return false;
    }

    /** The number in line[from, to), spaces and tabs around it allowed; -1 when there is none or it overflows. */
    private long parseLong(int from, int to, int radix) {
        while (from < to && (line[from] == ' ' || line[from] == '\t')) {
            from++;
        }
        while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
            to--;
        }
        if (from == to || to - from > 15) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = Character.digit(line[i], radix);
            if (digit < 0) {
                return -1;
            }
            value = value * radix + digit;
        }
        return value;
    }
}
