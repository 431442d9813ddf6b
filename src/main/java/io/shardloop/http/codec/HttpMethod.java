package io.shardloop.http.codec;

import java.nio.charset.StandardCharsets;

/** The request methods the server knows; any other token is answered 501. */
public enum HttpMethod {
    GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE, CONNECT;

    private static final HttpMethod[] ALL = values();
    private static final byte[][] TOKENS = new byte[ALL.length][];

    static {
        for (HttpMethod m : ALL) {
            TOKENS[m.ordinal()] = m.name().getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** The method whose token is {@code buf[from, from+len)} (case-sensitive, as RFC 9110 says), or null. */
    static HttpMethod lookup(byte[] buf, int from, int len) {
        for (HttpMethod m : ALL) {
            byte[] t = TOKENS[m.ordinal()];
            if (t.length == len && Bytes.equals(buf, from, t)) {
                return m;
            }
        }
        return null;
    }
}
