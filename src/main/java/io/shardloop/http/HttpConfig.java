package io.shardloop.http;

import io.shardloop.http.codec.HttpLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every tunable of the HTTP server, in one place.
 *
 * @param limits            sizes a request may use
 * @param keepAliveTimeout  how long a connection may sit with nothing received, sent or owed before it is
 *                          closed (0: never); the connection's idle timeout
 * @param headerTimeout     how long a client may take to send one request's header block (0: never)
 * @param bodyTimeout       how long a client may take to send one request's body, before the
 *                          extension the body's size earns (0: never)
 * @param bodyMinRate       bytes per second a body must keep up: each this many bytes received adds a
 *                          second to the body's deadline (0: a fixed deadline)
 * @param staticRoot        the directory served under {@code /static/}; null serves no files
 * @param fileChunkSize     bytes read from a file at a time; the next read waits until the socket drains
 * @param maxKeyBytes       a key of {@code /kv/{key}}, once percent-decoded (over: 414)
 * @param requirePass       the password {@code /kv} requests must give (HTTP Basic as user {@code default},
 *                          or Bearer), or null for none; {@code /metrics}, {@code /stats}, {@code /plaintext}
 *                          and {@code /static} stay open
 * @param protectedMode     Redis's protected mode for {@code /kv}: with no password, a client that is not
 *                          on the loopback interface gets 403 ({@link io.shardloop.runtime.net.ProtectedMode})
 */
public record HttpConfig(HttpLimits limits, Duration keepAliveTimeout, Duration headerTimeout, Duration bodyTimeout,
                         long bodyMinRate, Path staticRoot, int fileChunkSize, int maxKeyBytes, String requirePass,
                         boolean protectedMode) {
    public HttpConfig {
        if (limits == null || keepAliveTimeout.isNegative() || headerTimeout.isNegative() || bodyTimeout.isNegative()
                || bodyMinRate < 0 || fileChunkSize < 1024 || maxKeyBytes < 1) {
            // The parameters, not toString(): the fields are not set yet in a compact constructor.
            throw new IllegalArgumentException("invalid HTTP configuration (need limits, timeouts >= 0, body rate >= 0,"
                    + " file chunk >= 1024, max key >= 1): limits " + limits + ", keep-alive " + keepAliveTimeout
                    + ", header timeout " + headerTimeout + ", body timeout " + bodyTimeout + ", body rate " + bodyMinRate
                    + ", file chunk " + fileChunkSize + ", max key " + maxKeyBytes);
        }
    }

    /**
     * Default limits, 60 s keep-alive, 10 s for a header block, 20 s for a body plus a second per
     * 500 bytes (Apache's mod_reqtimeout defaults), 128 KiB file chunks, keys up to 1 KiB, no password,
     * protected mode on.
     */
    public static HttpConfig defaults(Path staticRoot) {
        return new HttpConfig(HttpLimits.defaults(), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(20),
                500, staticRoot, 128 * 1024, 1024, null, true);
    }

    public HttpConfig withTimeouts(Duration keepAlive, Duration header) {
        return new HttpConfig(limits, keepAlive, header, bodyTimeout, bodyMinRate, staticRoot, fileChunkSize, maxKeyBytes,
                requirePass, protectedMode);
    }

    public HttpConfig withBodyTimeout(Duration timeout, long minRate) {
        return new HttpConfig(limits, keepAliveTimeout, headerTimeout, timeout, minRate, staticRoot, fileChunkSize,
                maxKeyBytes, requirePass, protectedMode);
    }

    public HttpConfig withLimits(HttpLimits newLimits) {
        return new HttpConfig(newLimits, keepAliveTimeout, headerTimeout, bodyTimeout, bodyMinRate, staticRoot,
                fileChunkSize, maxKeyBytes, requirePass, protectedMode);
    }

    public HttpConfig withRequirePass(String password) {
        return new HttpConfig(limits, keepAliveTimeout, headerTimeout, bodyTimeout, bodyMinRate, staticRoot,
                fileChunkSize, maxKeyBytes, password, protectedMode);
    }

    public HttpConfig withProtectedMode(boolean on) {
        return new HttpConfig(limits, keepAliveTimeout, headerTimeout, bodyTimeout, bodyMinRate, staticRoot,
                fileChunkSize, maxKeyBytes, requirePass, on);
    }

    /** One line for the start-up log. */
    public String describe() {
        return "keep-alive=" + keepAliveTimeout.toMillis() + "ms header-timeout=" + headerTimeout.toMillis() + "ms"
                + " body-timeout=" + bodyTimeout.toMillis() + "ms+1s/" + bodyMinRate + "B"
                + " kv-auth=" + (requirePass == null ? "none" : "required") + " protected-mode=" + (protectedMode ? "yes" : "no")
                + " root=" + (staticRoot == null ? "none" : staticRoot) + " file-chunk=" + fileChunkSize
                + " max-key=" + maxKeyBytes + " " + limits;
    }
}
