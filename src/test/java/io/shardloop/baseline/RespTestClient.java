package io.shardloop.baseline;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A blocking Redis-protocol client for tests: writes commands as multibulk arrays, reads replies as text. */
final class RespTestClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespTestClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static byte[] encode(String... args) {
        StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sends one command and reads its reply. */
    String call(String... args) throws IOException {
        send(encode(args));
        return read();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One reply: "+OK", "-ERR ...", ":5", "$hello" / "$nil", "*N" then the elements joined with ',' in brackets. */
    String read() throws IOException {
        String line = line();
        return switch (line.charAt(0)) {
            case '+', '-', ':' -> line;
            case '$' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    yield "$nil";
                }
                byte[] data = in.readNBytes(n + 2);
                yield "$" + new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(line.substring(1));
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                yield items.toString();
            }
            default -> throw new IOException("not a RESP reply: " + line);
        };
    }

    /** The buffered input, for reading a reply of another protocol over this socket. */
    InputStream rawInput() {
        return in;
    }

    /** True when the server closed the connection (end of input) before another byte. */
    boolean closedByServer() throws IOException {
        return in.read() < 0;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed mid-reply");
            }
            b.write(c);
        }
        in.read(); // '\n'
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
