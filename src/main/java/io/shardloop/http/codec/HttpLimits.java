package io.shardloop.http.codec;

/**
 * What one HTTP request may use. Every size is in bytes and checked as the bytes arrive; a size
 * a client declares (Content-Length, a chunk size) is checked before anything is allocated for it.
 *
 * @param maxRequestLine     the request line, without its CRLF (over: 414)
 * @param maxHeaderBytes     the whole header block, request line included; also bounds trailers (over: 431)
 * @param maxHeaderCount     header fields in one request; also bounds trailers (over: 431)
 * @param maxBodyBytes       a request body, declared or chunked (over: 413)
 * @param maxChunkSize       one chunk of a chunked body (over: 413)
 * @param maxPipelined       requests of one connection waiting for their responses; past it the
 *                           connection stops parsing until earlier responses leave
 * @param maxPipelinedBytes  received bytes held unparsed while the connection waits (over: the
 *                           connection is closed, as a peer that will not wait for its answers)
 */
public record HttpLimits(int maxRequestLine, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes,
                         long maxChunkSize, int maxPipelined, int maxPipelinedBytes) {
    public HttpLimits {
        if (maxRequestLine < 16 || maxHeaderBytes < maxRequestLine || maxHeaderCount < 1 || maxBodyBytes < 0
                || maxChunkSize < 1 || maxPipelined < 1 || maxPipelinedBytes < maxHeaderBytes) {
            // The parameters, not toString(): the fields are not set yet in a compact constructor.
            throw new IllegalArgumentException("inconsistent HTTP limits (need request line >= 16, header bytes >="
                    + " request line, header count >= 1, body >= 0, chunk >= 1, pipelined >= 1, pipelined bytes >="
                    + " header bytes): request line " + maxRequestLine + ", header bytes " + maxHeaderBytes
                    + ", header count " + maxHeaderCount + ", body " + maxBodyBytes + ", chunk " + maxChunkSize
                    + ", pipelined " + maxPipelined + ", pipelined bytes " + maxPipelinedBytes);
        }
    }

    /** 8 KiB request line, 16 KiB of headers in at most 100 fields, 1 MiB bodies and chunks, 64 requests in flight. */
    public static HttpLimits defaults() {
        return new HttpLimits(8 * 1024, 16 * 1024, 100, 1 << 20, 1 << 20, 64, 256 * 1024);
    }
}
