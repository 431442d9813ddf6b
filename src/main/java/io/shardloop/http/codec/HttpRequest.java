package io.shardloop.http.codec;

/**
 * One parsed request, reused for every request of a connection: the header block stays in one
 * byte array and every part of it (target, header names and values) is a range into that array.
 * Strings are made only when a caller asks for one.
 * <p>
 * Valid from the moment {@link HttpParser#parse} returns {@link HttpParser#REQUEST} until the next
 * call to {@code parse}. Owned by one connection, on its shard's loop thread.
 */
public final class HttpRequest {
    static final int NONE = -1;

    byte[] head = new byte[512];
    int headLength;

    HttpMethod method;
    int targetStart;
    int targetLength;
    int pathLength;
    int minorVersion;
    boolean keepAlive;

    int headerCount;
    int[] nameStart = new int[16];
    int[] nameLength = new int[16];
    int[] valueStart = new int[16];
    int[] valueLength = new int[16];

    long contentLength;
    boolean chunked;
    byte[] body = EMPTY;
    int bodyLength;

    private static final byte[] EMPTY = new byte[0];

    void reset() {
        headLength = 0;
        method = null;
        targetStart = targetLength = pathLength = 0;
        minorVersion = 1;
        keepAlive = false;
        headerCount = 0;
        contentLength = NONE;
        chunked = false;
        bodyLength = 0;
    }

    public HttpMethod method() {
        return method;
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public int minorVersion() {
        return minorVersion;
    }

    /** Whether the connection stays open after this request's response. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the path (the target up to '?') equals the given bytes. */
    public boolean pathEquals(byte[] path) {
        return pathLength == path.length && Bytes.equals(head, targetStart, path);
    }

    /** Whether the path starts with the given bytes. */
    public boolean pathStartsWith(byte[] prefix) {
        return pathLength >= prefix.length && Bytes.equals(head, targetStart, prefix);
    }

    /** The path's bytes after the first {@code skip}, as an ISO-8859-1 string (still percent-encoded). */
    public String pathAfter(int skip) {
        return Bytes.string(head, targetStart + skip, pathLength - skip);
    }

    /** The header block's bytes; the path is {@link #pathLength()} bytes at {@link #targetStart()}. */
    public byte[] headBytes() {
        return head;
    }

    public int targetStart() {
        return targetStart;
    }

    /** Bytes of the path: the target up to '?'. */
    public int pathLength() {
        return pathLength;
    }

    public String target() {
        return Bytes.string(head, targetStart, targetLength);
    }

    public int headerCount() {
        return headerCount;
    }

    /** The index of the first header with this name (given in lower case), or -1. */
    public int headerIndex(byte[] lowerName) {
        for (int i = 0; i < headerCount; i++) {
            if (Bytes.equalsIgnoreCase(head, nameStart[i], nameLength[i], lowerName)) {
                return i;
            }
        }
        return NONE;
    }

    /** The value of the first header with this name (given in lower case), or null. Allocates. */
    public String header(String lowerName) {
        int i = headerIndex(Bytes.ascii(lowerName));
        return i < 0 ? null : headerValue(i);
    }

    public String headerName(int index) {
        return Bytes.string(head, nameStart[index], nameLength[index]);
    }

    public String headerValue(int index) {
        return Bytes.string(head, valueStart[index], valueLength[index]);
    }

    /** Body bytes, valid up to {@link #bodyLength()}. */
    public byte[] body() {
        return body;
    }

    public int bodyLength() {
        return bodyLength;
    }

    @Override
    public String toString() {
        return method + " " + target() + " HTTP/1." + minorVersion;
    }
}
