package io.shardloop.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A blocking RESP2 client over a plain socket that reads each reply back as one canonical line of
 * text, so replies from two servers can be compared exactly: {@code +OK}, {@code -ERR ...},
 * {@code :1}, {@code $3 foo}, {@code $-1}, {@code *2 [$1 a, :1]}, {@code *-1}.
 */
public final class RawResp implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RawResp(int port) throws IOException {
        this(port, 10_000);
    }

    /** @param timeoutMillis how long a read may wait for the server */
    public RawResp(int port, int timeoutMillis) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    }

    private RawResp(InputStream in) {
        this.socket = null;
        this.out = OutputStream.nullOutputStream();
        this.in = in;
    }

    /** Reads replies from bytes already in hand (a store's reply buffer), in the same canonical form. */
    public static RawResp reading(InputStream in) {
        return new RawResp(in);
    }

    public static byte[] encode(String... words) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + words.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String w : words) {
            byte[] bytes = w.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    /** Sends a command without waiting for its reply (pipelining); thread-safe against {@link #read}. */
    public synchronized void send(String... words) throws IOException {
        out.write(encode(words));
        out.flush();
    }

    /**
     * Reads one reply as its value: a simple string or integer without its type byte, a bulk's text
     * or null, an array as {@code [a, b]}, an error as {@code -ERR ...}.
     */
    public String value() throws IOException {
        return value(line());
    }

    private String value(String line) throws IOException {
        switch (line.charAt(0)) {
            case '+', ':' -> {
                return line.substring(1);
            }
            case '$' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(n + 2);
                if (data.length < n + 2) {
                    throw new IOException("closed inside a bulk reply");
                }
                return new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(line.substring(1));
                java.util.List<String> items = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(value(line()));
                }
                return items.toString();
            }
            default -> {
                return line;
            }
        }
    }

    /** Sends one command and returns its reply in canonical form. */
    public String call(String... words) throws IOException {
        send(words);
        return read();
    }

    public String read() throws IOException {
        String line = line();
        char type = line.charAt(0);
        switch (type) {
            case '$' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    return "$-1";
                }
                byte[] data = in.readNBytes(n + 2);
                if (data.length < n + 2) {
                    throw new IOException("closed inside a bulk reply");
                }
                return "$" + n + " " + new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '*', '>' -> { // an array, or a RESP3 push (pub/sub), written with its own type
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    return "*-1";
                }
                StringBuilder sb = new StringBuilder().append(type).append(n).append(" [");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ", ").append(read());
                }
                return sb.append(']').toString();
            }
            case '=' -> { // RESP3 verbatim string: "txt:" and the text
                int n = Integer.parseInt(line.substring(1));
                byte[] data = in.readNBytes(n + 2);
                if (data.length < n + 2) {
                    throw new IOException("closed inside a verbatim reply");
                }
                return "=" + n + " " + new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '~', '%' -> { // RESP3 set and map: their elements (a map's pairs) sorted, as neither has an order
                int n = Integer.parseInt(line.substring(1));
                List<String> elements = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    elements.add(type == '%' ? read() + "=" + read() : read());
                }
                Collections.sort(elements);
                return type + String.valueOf(n) + " {" + String.join(", ", elements) + "}";
            }
            default -> {
                return line;
            }
        }
    }

    /** One line of the stream, without its CRLF: for a caller reading a reply by hand. */
    public String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed by the server after: " + sb);
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        } else {
            in.close();
        }
    }
}
