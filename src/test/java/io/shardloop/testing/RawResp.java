package io.shardloop.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

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
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
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

    /** Sends one command and returns its reply in canonical form. */
    public String call(String... words) throws IOException {
        out.write(encode(words));
        out.flush();
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
            case '*' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    return "*-1";
                }
                StringBuilder sb = new StringBuilder("*").append(n).append(" [");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ", ").append(read());
                }
                return sb.append(']').toString();
            }
            default -> {
                return line;
            }
        }
    }

    private String line() throws IOException {
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
