package io.shardloop.http.codec;

import java.nio.ByteBuffer;

/**
 * The chunked transfer coding (RFC 9112 7.1), decoded incrementally from bytes split anywhere:
 * the body of a request ({@link HttpParser}) or of a response (the load generator's parser). It
 * does not copy the data: it stops in front of each piece of chunk data and says how long it is,
 * and the caller copies it (a request body) or skips it (a response whose body nobody reads).
 * <pre>
 *   SIZE ─n &gt; 0─▶ DATA ─n bytes─▶ DATA_END (CR LF) ─▶ SIZE ...
 *     └─ 0 ─▶ TRAILERS ─blank line─▶ DONE
 *   anything malformed or over a limit ─▶ ERROR (sticky)
 * </pre>
 * <pre>{@code
 * while (true) {
 *     int r = chunks.decode(in);
 *     if (r == ChunkedDecoder.DATA) { copy or skip chunks.dataLength() bytes of in; continue; }
 *     ... NEED_MORE (every byte consumed), DONE (the body ended), ERROR ...
 * }
 * }</pre>
 * A chunk-size line and the trailers are read a byte at a time and never held, so the decoder
 * keeps no buffer. Errors: a chunk-size line over {@value #MAX_CHUNK_LINE} bytes or a malformed
 * size 400; a chunk or the whole body over its limit 413 (checked on the declared size, before
 * any of its data); trailers over the header limits 431. Chunk extensions and trailer fields are
 * read past, not interpreted.
 * <p>
 * Owned by one connection, on its loop's thread; allocates nothing.
 */
public final class ChunkedDecoder {
    /** Every byte given was consumed and the body goes on. */
    public static final int NEED_MORE = 0;
    /** {@link #dataLength()} bytes of chunk data start at the buffer's position: consume them before the next call. */
    public static final int DATA = 1;
    /** The last chunk and the trailers were consumed; bytes after them are left in the buffer. */
    public static final int DONE = 2;
    /** The body is malformed or over a limit: see {@link #errorStatus()} and {@link #errorReason()}. */
    public static final int ERROR = 3;

    /** Longest chunk-size line, extensions included, before its LF. */
    public static final int MAX_CHUNK_LINE = 1024;

    private static final int SIZE = 0;
    private static final int DATA_BYTES = 1;
    private static final int DATA_END = 2;
    private static final int TRAILERS = 3;
    private static final int FINISHED = 4;
    private static final int FAILED = 5;

    private final long maxChunkSize;
    private final long maxBodyBytes;
    private final int maxTrailerBytes;
    private final int maxTrailerFields;

    private int state = SIZE;
    private int errorStatus;
    private String errorReason;
    /** Bytes of chunk data declared so far, the current chunk included. */
    private long declared;
    /** DATA_BYTES: bytes of the current chunk still to come. */
    private long chunkLeft;
    private int dataLength;

    // The chunk-size line being read: its length so far, the hex digits at its start and their value.
    private int lineLength;
    private int digits;
    private long size;
    private boolean sizeOverLimit;
    /** The first byte after the digits, or -1 while there has been none. */
    private int afterDigits;
    private byte lastByte;

    private int trailerBytes;
    private int trailerFields;

    /**
     * @param maxChunkSize     one chunk's declared size
     * @param maxBodyBytes     all chunks together
     * @param maxTrailerBytes  the trailer section, its final blank line included
     * @param maxTrailerFields trailer lines
     */
    public ChunkedDecoder(long maxChunkSize, long maxBodyBytes, int maxTrailerBytes, int maxTrailerFields) {
        if (maxChunkSize < 1 || maxBodyBytes < 0 || maxTrailerBytes < 2 || maxTrailerFields < 0) {
            throw new IllegalArgumentException("inconsistent chunked-body limits");
        }
        this.maxChunkSize = maxChunkSize;
        this.maxBodyBytes = maxBodyBytes;
        this.maxTrailerBytes = maxTrailerBytes;
        this.maxTrailerFields = maxTrailerFields;
        reset();
    }

    /** A request body's decoder: chunk and body sizes as the request limits say; trailers bounded like headers. */
    public static ChunkedDecoder forRequests(HttpLimits limits) {
        return new ChunkedDecoder(limits.maxChunkSize(), limits.maxBodyBytes(), limits.maxHeaderBytes(),
                limits.maxHeaderCount());
    }

    /** Readies the decoder for the next chunked body. */
    public void reset() {
        state = SIZE;
        declared = 0;
        chunkLeft = 0;
        dataLength = 0;
        trailerBytes = 0;
        trailerFields = 0;
        startLine();
    }

    /**
     * Consumes bytes of the body, up to the next piece of chunk data or the body's end.
     *
     * @return {@link #NEED_MORE}, {@link #DATA}, {@link #DONE} or {@link #ERROR}
     */
    public int decode(ByteBuffer in) {
        while (true) {
            switch (state) {
                case SIZE -> {
                    int r = sizeLine(in);
                    if (r != NEED_MORE || state == SIZE) {
                        return r;
                    }
                }
                case DATA_BYTES -> {
                    if (!in.hasRemaining()) {
                        return NEED_MORE;
                    }
                    dataLength = (int) Math.min(chunkLeft, in.remaining());
                    chunkLeft -= dataLength;
                    if (chunkLeft == 0) {
                        state = DATA_END;
                        lineLength = 0;
                    }
                    return DATA;
                }
                case DATA_END -> {
                    int r = dataEnd(in);
                    if (r != NEED_MORE || state == DATA_END) {
                        return r;
                    }
                }
                case TRAILERS -> {
                    return trailers(in);
                }
                case FINISHED -> {
                    return DONE;
                }
                default -> {
                    return ERROR;
                }
            }
        }
    }

    /** The length of the chunk data {@link #DATA} stopped in front of. */
    public int dataLength() {
        return dataLength;
    }

    /** Bytes of the current chunk still to come after that piece. */
    public long chunkLeft() {
        return state == DATA_BYTES || state == DATA_END ? chunkLeft : 0;
    }

    /** Bytes of chunk data declared so far (the chunks whose size line has been read). */
    public long declaredBytes() {
        return declared;
    }

    /** Whether the body is still arriving (neither ended nor failed). */
    public boolean inProgress() {
        return state != FINISHED && state != FAILED;
    }

    /** The status to answer with after {@link #ERROR}. */
    public int errorStatus() {
        return errorStatus;
    }

    /** What was wrong, for logs. */
    public String errorReason() {
        return errorReason;
    }

    private void startLine() {
        lineLength = 0;
        digits = 0;
        size = 0;
        sizeOverLimit = false;
        afterDigits = -1;
    }

    private int sizeLine(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                return onSizeLine();
            }
            if (lineLength == MAX_CHUNK_LINE) {
                return fail(400, "chunk size line over " + MAX_CHUNK_LINE + " bytes");
            }
            if (afterDigits < 0) {
                int d = hexDigit(b);
                if (d >= 0) {
                    digits++;
                    if (!sizeOverLimit) {
                        // Checked before it grows: the size never passes the limit, so it never overflows.
                        sizeOverLimit = d > maxChunkSize || size > (maxChunkSize - d) / 16;
                        size = sizeOverLimit ? size : size * 16 + d;
                    }
                } else {
                    afterDigits = b & 0xff;
                }
            }
            lastByte = b;
            lineLength++;
        }
        return NEED_MORE;
    }

    private int onSizeLine() {
        int end = lineLength > 0 && lastByte == '\r' ? lineLength - 1 : lineLength;
        long chunk = size;
        boolean over = sizeOverLimit;
        int hex = digits;
        int stop = afterDigits;
        startLine();
        if (over) {
            return fail(413, "chunk over " + maxChunkSize + " bytes");
        }
        // After the size: nothing, or an extension (";name=value") after optional whitespace.
        if (hex == 0 || (hex < end && stop != ';' && stop != ' ' && stop != '\t')) {
            return fail(400, "malformed chunk size");
        }
        if (chunk == 0) {
            state = TRAILERS;
            return NEED_MORE;
        }
        if (chunk > maxBodyBytes - declared) {
            return fail(413, "chunked body over " + maxBodyBytes + " bytes");
        }
        declared += chunk;
        chunkLeft = chunk;
        state = DATA_BYTES;
        return NEED_MORE;
    }

    private int dataEnd(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\r' && lineLength == 0) {
                lineLength = 1;
            } else if (b == '\n') {
                startLine();
                state = SIZE;
                return NEED_MORE;
            } else {
                return fail(400, "chunk data longer than its size");
            }
        }
        return NEED_MORE;
    }

    private int trailers(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (++trailerBytes > maxTrailerBytes) {
                return fail(431, "trailers over " + maxTrailerBytes + " bytes");
            }
            if (b != '\n') {
                if (b != '\r') {
                    lineLength++;
                }
                continue;
            }
            if (lineLength == 0) {
                state = FINISHED;
                return DONE;
            }
            lineLength = 0;
            if (++trailerFields > maxTrailerFields) {
                return fail(431, "more than " + maxTrailerFields + " trailer fields");
            }
        }
        return NEED_MORE;
    }

    private static int hexDigit(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private int fail(int status, String why) {
        state = FAILED;
        errorStatus = status;
        errorReason = why;
        return ERROR;
    }
}
