package io.shardloop.http;

import io.shardloop.http.codec.HttpLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every tunable of the HTTP server, in one place.
 *
 * @param limits            sizes a request may use
 * @param keepAliveTimeout  how long a connection may sit between requests before it is closed (0: never)
 * @param headerTimeout     how long a client may take to send one request's header block (0: never)
 * @param staticRoot        the directory served under {@code /static/}; null serves no files
 * @param fileChunkSize     bytes read from a file at a time; the next read waits until the socket drains
 * @param maxKeyBytes       a key of {@code /kv/{key}}, once percent-decoded (over: 414)
 */
public record HttpConfig(HttpLimits limits, Duration keepAliveTimeout, Duration headerTimeout, Path staticRoot,
                         int fileChunkSize, int maxKeyBytes) {
    public HttpConfig {
        if (limits == null || keepAliveTimeout.isNegative() || headerTimeout.isNegative() || fileChunkSize < 1024
                || maxKeyBytes < 1) {
            throw new IllegalArgumentException("invalid HTTP configuration: " + this);
        }
    }

    /** Default limits, 60 s keep-alive, 10 s for a header block, 128 KiB file chunks, keys up to 1 KiB. */
    public static HttpConfig defaults(Path staticRoot) {
        return new HttpConfig(HttpLimits.defaults(), Duration.ofSeconds(60), Duration.ofSeconds(10), staticRoot,
                128 * 1024, 1024);
    }

    public HttpConfig withTimeouts(Duration keepAlive, Duration header) {
        return new HttpConfig(limits, keepAlive, header, staticRoot, fileChunkSize, maxKeyBytes);
    }

    public HttpConfig withLimits(HttpLimits newLimits) {
        return new HttpConfig(newLimits, keepAliveTimeout, headerTimeout, staticRoot, fileChunkSize, maxKeyBytes);
    }

    /** One line for the start-up log. */
    public String describe() {
        return "keep-alive=" + keepAliveTimeout.toMillis() + "ms header-timeout=" + headerTimeout.toMillis() + "ms"
                + " root=" + (staticRoot == null ? "none" : staticRoot) + " file-chunk=" + fileChunkSize
                + " max-key=" + maxKeyBytes + " " + limits;
    }
}
