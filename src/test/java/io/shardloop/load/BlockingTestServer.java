package io.shardloop.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small loopback server on plain JDK sockets, a thread per connection, with faults on demand:
 * every Nth request answered after a delay, or every request paused during one window that opens a
 * set time after the first request. Speaks HTTP/1.1 (200 "ok" to anything) or RESP (GET and SET on
 * a map). Written without the runtime, so it judges the load generator from outside.
 */
final class BlockingTestServer implements AutoCloseable {
    enum Kind { HTTP, RESP }

    private final Kind kind;
    private final ServerSocket server;
    private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong delayed = new AtomicLong();
    final AtomicLong gets = new AtomicLong();
    final AtomicLong sets = new AtomicLong();
    final Map<String, byte[]> data = new ConcurrentHashMap<>();
    private volatile int delayEvery;
    private volatile long delayMillis;
    private volatile long pauseAfterMillis = -1;
    private volatile long pauseMillis;
    private volatile long pauseStartNanos = Long.MAX_VALUE;
    private final AtomicLong firstRequestNanos = new AtomicLong();
    private volatile boolean closed;

    BlockingTestServer(Kind kind) throws IOException {
        this.kind = kind;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        Thread acceptor = new Thread(this::acceptLoop, "test-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Every Nth request (over all connections) is answered after the delay. */
    BlockingTestServer delayEvery(int n, long millis) {
        delayEvery = n;
        delayMillis = millis;
        return this;
    }

    /** Requests arriving during [first request + after, + pause) are held until the window closes. */
    BlockingTestServer pauseOnce(long afterMillis, long pauseMillis) {
        this.pauseAfterMillis = afterMillis;
        this.pauseMillis = pauseMillis;
        return this;
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "test-server-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            OutputStream out = s.getOutputStream();
            while (!closed) {
                byte[] reply = kind == Kind.HTTP ? httpRequest(in) : respCommand(in);
                if (reply == null) {
                    return;
                }
                holdIfAsked();
                out.write(reply);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // The client went away or the server is closing.
        }
    }

    private void holdIfAsked() throws InterruptedException {
        long n = requests.incrementAndGet();
        long now = System.nanoTime();
        if (pauseAfterMillis >= 0 && firstRequestNanos.compareAndSet(0, now)) {
            pauseStartNanos = now + pauseAfterMillis * 1_000_000;
        }
        long pauseEnd = pauseStartNanos + pauseMillis * 1_000_000;
        if (now >= pauseStartNanos && now < pauseEnd) {
            Thread.sleep((pauseEnd - now) / 1_000_000, (int) ((pauseEnd - now) % 1_000_000));
        }
        if (delayEvery > 0 && n % delayEvery == 0) {
            delayed.incrementAndGet();
            Thread.sleep(delayMillis);
        }
    }

    private static final byte[] HTTP_OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    /** Reads one request head (and a Content-Length body); null at end of stream. */
    private static byte[] httpRequest(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int contentLength = 0;
        boolean any = false;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                String l = line.toString().trim();
                line.setLength(0);
                if (l.isEmpty()) {
                    if (any) {
                        break;
                    }
                    continue;
                }
                any = true;
                if (l.toLowerCase().startsWith("content-length:")) {
                    contentLength = Integer.parseInt(l.substring(15).trim());
                }
            } else {
                line.append((char) b);
            }
        }
        if (in.readNBytes(contentLength).length < contentLength) {
            return null;
        }
        return HTTP_OK;
    }

    /** Reads one RESP command array of bulk strings and executes it; null at end of stream. */
    private byte[] respCommand(InputStream in) throws IOException {
        String head = readLine(in);
        if (head == null) {
            return null;
        }
        int n = Integer.parseInt(head.substring(1));
        byte[][] args = new byte[n][];
        for (int i = 0; i < n; i++) {
            String len = readLine(in);
            if (len == null) {
                return null;
            }
            args[i] = in.readNBytes(Integer.parseInt(len.substring(1)));
            in.readNBytes(2);
        }
        String command = new String(args[0], StandardCharsets.US_ASCII).toUpperCase();
        switch (command) {
            case "GET" -> {
                gets.incrementAndGet();
                byte[] v = data.get(new String(args[1], StandardCharsets.US_ASCII));
                if (v == null) {
                    return "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
                }
                byte[] prefix = ("$" + v.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] reply = new byte[prefix.length + v.length + 2];
                System.arraycopy(prefix, 0, reply, 0, prefix.length);
                System.arraycopy(v, 0, reply, prefix.length, v.length);
                reply[reply.length - 2] = '\r';
                reply[reply.length - 1] = '\n';
                return reply;
            }
            case "SET" -> {
                sets.incrementAndGet();
                data.put(new String(args[1], StandardCharsets.US_ASCII), args[2]);
                return "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
            }
            default -> {
                return "-ERR unknown command\r\n".getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return s.toString().trim();
            }
            s.append((char) b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
