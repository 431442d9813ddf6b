package io.shardloop.load;

import io.shardloop.runtime.net.OutboundBuffer;

import java.nio.charset.StandardCharsets;

/** One fixed HTTP/1.1 request, encoded once and copied out for every send. */
public final class HttpRequestWriter implements RequestWriter {
    private static final int MAX_LINE_BYTES = 16 * 1024;

    private final byte[] request;
    private final LoadConfig.HttpSettings settings;

    public HttpRequestWriter(LoadConfig.HttpSettings settings, String host, int port) {
        this.settings = settings;
        this.request = encode(settings, host, port);
    }

    /** The bytes of the request: request line, Host, Content-Length when there is a body, then the body. */
    public static byte[] encode(LoadConfig.HttpSettings settings, String host, int port) {
        byte[] body = settings.body().getBytes(StandardCharsets.UTF_8);
        String hostHeader = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        StringBuilder head = new StringBuilder()
                .append(settings.method()).append(' ').append(settings.path()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n");
        if (body.length > 0 || settings.method().equals("POST") || settings.method().equals("PUT")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    @Override
    public int write(OutboundBuffer out) {
        out.writeBytes(request);
        return EXPECT_ANY;
    }

    @Override
    public ResponseParser newParser() {
        return new HttpResponseParser(settings.expectedStatus(), settings.method().equals("HEAD"), MAX_LINE_BYTES);
    }
}
