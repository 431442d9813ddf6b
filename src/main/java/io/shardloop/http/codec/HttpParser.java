package io.shardloop.http.codec;

import java.nio.ByteBuffer;

/**
 * An incremental HTTP/1.x request parser: bytes in, one {@link HttpRequest} at a time out. Requests
 * may be split at any byte or several may arrive in one buffer (pipelining); the parser consumes
 * exactly the bytes of one request per {@link #REQUEST} and never reads ahead. Sans-I/O: it knows
 * no socket, and allocates only as bytes arrive (a body grows with the bytes received, never past the limits).
 * <pre>
 *   HEAD ──blank line──▶ (Content-Length) BODY ──────────────────────▶ REQUEST
 *     │                  (chunked) CHUNKED_BODY: a {@link ChunkedDecoder} ──▶ REQUEST
 *     └── anything malformed or over a limit, in any state ─▶ ERROR (sticky: answer, then close)
 * </pre>
 * Errors: malformed 400, request line too long 414, header block or field count over the limit 431,
 * body or chunk over the limit 413 (checked on the declared size, before anything is allocated),
 * a version other than 1.0/1.1 505, an unknown method or transfer coding 501; the chunked coding's
 * own are {@link ChunkedDecoder}'s.
 * <p>
 * Owned by one connection, on its shard's loop thread.
 */
public final class HttpParser {
    /** Every byte given was consumed and no request is complete yet. */
    public static final int NEED_MORE = 0;
    /** A request is complete: see {@link #request()}; bytes after it are left in the buffer. */
    public static final int REQUEST = 1;
    /** The input is not a request the server accepts: answer {@link #errorStatus()} and close. */
    public static final int ERROR = 2;

    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int CHUNKED_BODY = 2;
    private static final int DONE = 3;
    private static final int FAILED = 4;

    private static final byte[] CONTENT_LENGTH = Bytes.ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = Bytes.ascii("transfer-encoding");
    private static final byte[] CONNECTION = Bytes.ascii("connection");
    private static final byte[] HOST = Bytes.ascii("host");
    private static final byte[] CHUNKED = Bytes.ascii("chunked");
    private static final byte[] CLOSE = Bytes.ascii("close");
    private static final byte[] KEEP_ALIVE = Bytes.ascii("keep-alive");
    private static final byte[] HTTP_SLASH = Bytes.ascii("HTTP/");

    private final HttpLimits limits;
    private final HttpRequest req = new HttpRequest();
    /** Made on the first chunked body, so idle connections hold none. */
    private ChunkedDecoder chunks;

    private int state = HEAD;
    private int errorStatus;
    private String errorReason;
    /** HEAD: where the current line starts in the head buffer; -1 until the request line has ended. */
    private int lineStart;
    private boolean requestLineDone;
    private int headerLines;
    /** BODY: bytes still to come. */
    private long remaining;

    public HttpParser(HttpLimits limits) {
        this.limits = limits;
        req.reset();
    }

    public HttpRequest request() {
        return req;
    }

    /** The status to answer with after {@link #ERROR}. */
    public int errorStatus() {
        return errorStatus;
    }

    /** What was wrong, for logs. */
    public String errorReason() {
        return errorReason;
    }

    /** Whether a request has begun and is not complete (bytes of it have arrived). */
    public boolean inProgress() {
        return state != DONE && state != FAILED && (state != HEAD || req.headLength > 0);
    }

    /** Whether the header block of the current request is still arriving. */
    public boolean readingHead() {
        return state == HEAD && req.headLength > 0;
    }

    /** Bytes this parser holds for the request it is reading or last read (its head and body buffers). */
    public long bytesHeld() {
        return req.head.length + req.body.length;
    }

    /** Whether the header block is whole and the body of the request is still arriving. */
    public boolean readingBody() {
        return state == BODY || state == CHUNKED_BODY;
    }

    /**
     * Consumes bytes of at most one request.
     *
     * @return {@link #NEED_MORE}, {@link #REQUEST} or {@link #ERROR}
     */
    public int parse(ByteBuffer in) {
        if (state == DONE) {
            startNext();
        }
        while (true) {
            int result;
            switch (state) {
                case HEAD -> result = head(in);
                case BODY -> result = body(in);
                case CHUNKED_BODY -> result = chunked(in);
                case FAILED -> {
                    return ERROR;
                }
                default -> throw new IllegalStateException("state " + state);
            }
            if (result != NEED_MORE) {
                return result;
            }
            if (!in.hasRemaining()) {
                return NEED_MORE;
            }
        }
    }

    private void startNext() {
        req.reset();
        state = HEAD;
        lineStart = 0;
        requestLineDone = false;
        headerLines = 0;
    }

    // ---- header block --------------------------------------------------------------------------

    private int head(ByteBuffer in) {
        HttpRequest r = req;
        int pos = in.position();
        int limit = in.limit();
        while (pos < limit) {
            byte b = in.get(pos++);
            int at = r.headLength;
            if (at == limits.maxHeaderBytes()) {
                in.position(pos);
                return requestLineDone ? fail(431, "header block over " + limits.maxHeaderBytes() + " bytes")
                        : fail(414, "request line over " + limits.maxRequestLine() + " bytes");
            }
            if (at == r.head.length) {
                growHead();
            }
            r.head[at] = b;
            r.headLength = at + 1;
            if (b != '\n') {
                if (!requestLineDone && at >= limits.maxRequestLine() + 1) {
                    in.position(pos);
                    return fail(414, "request line over " + limits.maxRequestLine() + " bytes");
                }
                continue;
            }
            int end = at > lineStart && r.head[at - 1] == '\r' ? at - 1 : at;
            if (!requestLineDone) {
                if (end == lineStart) {
                    r.headLength = 0; // an empty line before the request line is ignored
                    continue;
                }
                if (end > limits.maxRequestLine()) {
                    in.position(pos);
                    return fail(414, "request line over " + limits.maxRequestLine() + " bytes");
                }
                requestLineDone = true;
            } else if (end == lineStart) {
                in.position(pos);
                return onHeadComplete();
            } else if (++headerLines > limits.maxHeaderCount()) {
                in.position(pos);
                return fail(431, "more than " + limits.maxHeaderCount() + " header fields");
            }
            lineStart = at + 1;
        }
        in.position(pos);
        return NEED_MORE;
    }

    private void growHead() {
        int len = req.head.length;
        req.head = java.util.Arrays.copyOf(req.head, (int) Math.min(limits.maxHeaderBytes(), 2L * len));
    }

    private int onHeadComplete() {
        int status = parseRequestLine();
        if (status == 0) {
            status = parseHeaders();
        }
        if (status != 0) {
            return fail(status, errorReason);
        }
        HttpRequest r = req;
        if (r.chunked) {
            if (chunks == null) {
                chunks = ChunkedDecoder.forRequests(limits);
            }
            chunks.reset();
            state = CHUNKED_BODY;
            return NEED_MORE;
        }
        if (r.contentLength > 0) {
            remaining = r.contentLength;
            state = BODY;
            return NEED_MORE;
        }
        state = DONE;
        return REQUEST;
    }

    /** @return 0 or the error status */
    private int parseRequestLine() {
        HttpRequest r = req;
        byte[] h = r.head;
        int end = 0;
        while (h[end] != '\n') {
            end++;
        }
        if (end > 0 && h[end - 1] == '\r') {
            end--;
        }
        int sp1 = indexOf(h, 0, end, (byte) ' ');
        if (sp1 <= 0) {
            return reason(400, "no method in the request line");
        }
        for (int i = 0; i < sp1; i++) {
            if (!isTokenChar(h[i])) {
                return reason(400, "bad character in the method");
            }
        }
        int sp2 = indexOf(h, sp1 + 1, end, (byte) ' ');
        if (sp2 < 0 || sp2 == sp1 + 1) {
            return reason(400, "no target or no version in the request line");
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            byte c = h[i];
            if (c <= ' ' || c == 0x7f || c == '#') { // bytes >= 0x80 are negative: refused too
                return reason(400, "bad character in the request target");
            }
        }
        int v = sp2 + 1;
        if (end - v != 8 || !Bytes.equals(h, v, HTTP_SLASH) || !isDigit(h[v + 5]) || h[v + 6] != '.'
                || !isDigit(h[v + 7])) {
            return reason(400, "malformed HTTP version");
        }
        if (h[v + 5] != '1' || (h[v + 7] != '0' && h[v + 7] != '1')) {
            return reason(505, "HTTP version " + Bytes.string(h, v, 8) + " is not supported");
        }
        r.minorVersion = h[v + 7] - '0';
        r.method = HttpMethod.lookup(h, 0, sp1);
        if (r.method == null) {
            return reason(501, "unknown method " + Bytes.string(h, 0, sp1));
        }
        r.targetStart = sp1 + 1;
        r.targetLength = sp2 - sp1 - 1;
        if (h[r.targetStart] != '/' && !(r.method == HttpMethod.OPTIONS && r.targetLength == 1 && h[r.targetStart] == '*')) {
            return reason(400, "the request target is not an absolute path");
        }
        int q = indexOf(h, r.targetStart, sp2, (byte) '?');
        r.pathLength = (q < 0 ? sp2 : q) - r.targetStart;
        return 0;
    }

    /** @return 0 or the error status */
    private int parseHeaders() {
        HttpRequest r = req;
        byte[] h = r.head;
        int pos = indexOf(h, 0, r.headLength, (byte) '\n') + 1;
        int hosts = 0;
        boolean connectionClose = false;
        boolean connectionKeepAlive = false;
        boolean transferEncoding = false;
        while (true) {
            int lf = indexOf(h, pos, r.headLength, (byte) '\n');
            int end = lf > pos && h[lf - 1] == '\r' ? lf - 1 : lf;
            if (end == pos) {
                break;
            }
            if (h[pos] == ' ' || h[pos] == '\t') {
                return reason(400, "obsolete line folding");
            }
            int colon = indexOf(h, pos, end, (byte) ':');
            if (colon <= pos) {
                return reason(400, "header line without a name and colon");
            }
            for (int i = pos; i < colon; i++) {
                if (!isTokenChar(h[i])) {
                    return reason(400, "bad character in a header name");
                }
            }
            int vs = Bytes.skipOws(h, colon + 1, end);
            int ve = Bytes.trimOws(h, vs, end);
            for (int i = vs; i < ve; i++) {
                byte c = h[i];
                if ((c >= 0 && c < ' ' && c != '\t') || c == 0x7f) {
                    return reason(400, "control character in a header value");
                }
            }
            addHeader(pos, colon - pos, vs, ve - vs);
            int nameLen = colon - pos;
            if (Bytes.equalsIgnoreCase(h, pos, nameLen, CONTENT_LENGTH)) {
                int s = parseContentLength(vs, ve);
                if (s != 0) {
                    return s;
                }
            } else if (Bytes.equalsIgnoreCase(h, pos, nameLen, TRANSFER_ENCODING)) {
                if (transferEncoding || !Bytes.equalsIgnoreCase(h, vs, ve - vs, CHUNKED)) {
                    return reason(501, "transfer coding other than a single 'chunked'");
                }
                transferEncoding = true;
                r.chunked = true;
            } else if (Bytes.equalsIgnoreCase(h, pos, nameLen, CONNECTION)) {
                connectionClose |= Bytes.listContains(h, vs, ve - vs, CLOSE);
                connectionKeepAlive |= Bytes.listContains(h, vs, ve - vs, KEEP_ALIVE);
            } else if (Bytes.equalsIgnoreCase(h, pos, nameLen, HOST)) {
                hosts++;
            }
            pos = lf + 1;
        }
        if (r.chunked && r.contentLength != HttpRequest.NONE) {
            return reason(400, "both Content-Length and Transfer-Encoding");
        }
        if (r.minorVersion == 1 && hosts != 1) {
            return reason(400, hosts == 0 ? "HTTP/1.1 request without Host" : "more than one Host header");
        }
        r.keepAlive = r.minorVersion == 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
        if (r.minorVersion == 0 && transferEncoding) {
            // RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing; answer it, then close.
            r.keepAlive = false;
        }
        return 0;
    }

    private int parseContentLength(int from, int to) {
        if (from == to) {
            return reason(400, "empty Content-Length");
        }
        long value = Bytes.parseDecimal(req.head, from, to, limits.maxBodyBytes());
        if (value == Bytes.NOT_DECIMAL) {
            return reason(400, "Content-Length is not a number");
        }
        if (value == Bytes.OVER_MAXIMUM) {
            return reason(413, "declared body over " + limits.maxBodyBytes() + " bytes");
        }
        if (req.contentLength != HttpRequest.NONE && req.contentLength != value) {
            return reason(400, "conflicting Content-Length headers");
        }
        req.contentLength = value;
        return 0;
    }

    private void addHeader(int ns, int nl, int vs, int vl) {
        HttpRequest r = req;
        int i = r.headerCount;
        if (i == r.nameStart.length) {
            int n = Math.min(limits.maxHeaderCount(), 2 * i);
            r.nameStart = java.util.Arrays.copyOf(r.nameStart, n);
            r.nameLength = java.util.Arrays.copyOf(r.nameLength, n);
            r.valueStart = java.util.Arrays.copyOf(r.valueStart, n);
            r.valueLength = java.util.Arrays.copyOf(r.valueLength, n);
        }
        r.nameStart[i] = ns;
        r.nameLength[i] = nl;
        r.valueStart[i] = vs;
        r.valueLength[i] = vl;
        r.headerCount = i + 1;
    }

    // ---- bodies --------------------------------------------------------------------------------

    /**
     * Room for {@code n} more body bytes that have arrived, {@code toCome} more still declared after
     * them: the body grows with the bytes received (doubling, never past what is declared), so a
     * declared size a client never sends allocates nothing.
     */
    private void growBody(int n, long toCome) {
        long need = (long) req.bodyLength + n;
        if (req.body.length < need) {
            long declared = need + toCome;
            long grown = Math.min(declared, Math.max(need, Math.max(256, 2L * req.body.length)));
            req.body = java.util.Arrays.copyOf(req.body, (int) grown);
        }
    }

    private void take(ByteBuffer in, int n, long toCome) {
        growBody(n, toCome);
        in.get(req.body, req.bodyLength, n);
        req.bodyLength += n;
    }

    private int body(ByteBuffer in) {
        int n = (int) Math.min(remaining, in.remaining());
        remaining -= n;
        take(in, n, remaining);
        if (remaining == 0) {
            state = DONE;
            return REQUEST;
        }
        return NEED_MORE;
    }

    private int chunked(ByteBuffer in) {
        while (true) {
            switch (chunks.decode(in)) {
                case ChunkedDecoder.DATA -> take(in, chunks.dataLength(), chunks.chunkLeft());
                case ChunkedDecoder.DONE -> {
                    state = DONE;
                    return REQUEST;
                }
                case ChunkedDecoder.ERROR -> {
                    return fail(chunks.errorStatus(), chunks.errorReason());
                }
                default -> {
                    return NEED_MORE;
                }
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private int fail(int status, String why) {
        state = FAILED;
        errorStatus = status;
        errorReason = why;
        return ERROR;
    }

    private int reason(int status, String why) {
        errorReason = why;
        return status;
    }

    private static int indexOf(byte[] buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(byte c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }
}
