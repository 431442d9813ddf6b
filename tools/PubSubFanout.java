import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * PUBLISH fan-out: SUBSCRIBERS connections subscribe to one channel, one publisher publishes with
 * WINDOW commands in flight for SECONDS, and reader threads count the message frames delivered
 * (each frame has the same length, so bytes received over its length). Prints one line: the
 * subscribers, publishes/s and messages delivered/s.
 *   java tools/PubSubFanout.java PORT SUBSCRIBERS [SECONDS=5] [WINDOW=16] [PAYLOAD=16] [READERS=2]
 */
public final class PubSubFanout {
    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]);
        int subscribers = Integer.parseInt(a[1]);
        int seconds = a.length > 2 ? Integer.parseInt(a[2]) : 5;
        int window = a.length > 3 ? Integer.parseInt(a[3]) : 16;
        int payload = a.length > 4 ? Integer.parseInt(a[4]) : 16;
        int readers = a.length > 5 ? Integer.parseInt(a[5]) : 2;
        String channel = "fanout";
        String message = "m".repeat(payload);
        byte[] frame = ("*3\r\n$7\r\nmessage\r\n$" + channel.length() + "\r\n" + channel + "\r\n$" + payload + "\r\n"
                + message + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] confirm = ("*3\r\n$9\r\nsubscribe\r\n$" + channel.length() + "\r\n" + channel + "\r\n:1\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] subscribe = command("SUBSCRIBE", channel);
        List<Selector> selectors = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            selectors.add(Selector.open());
        }
        for (int i = 0; i < subscribers; i++) {
            SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            c.write(ByteBuffer.wrap(subscribe));
            ByteBuffer b = ByteBuffer.allocate(confirm.length);
            while (b.hasRemaining()) {
                if (c.read(b) < 0) {
                    throw new IOException("closed while subscribing");
                }
            }
            c.configureBlocking(false);
            c.register(selectors.get(i % readers), SelectionKey.OP_READ);
        }
        LongAdder bytes = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (Selector s : selectors) {
            threads.add(Thread.ofPlatform().start(() -> read(s, bytes, running)));
        }
        try (Socket pub = new Socket("127.0.0.1", port)) {
            pub.setTcpNoDelay(true);
            OutputStream out = pub.getOutputStream();
            InputStream in = new java.io.BufferedInputStream(pub.getInputStream(), 1 << 16);
            byte[] publish = command("PUBLISH", channel, message);
            long published = 0;
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long start = System.nanoTime();
            for (int i = 0; i < window; i++) {
                out.write(publish);
            }
            long sent = window;
            long bytesAtStart = bytes.sum();
            while (true) {
                readLine(in); // ":N"
                published++;
                if (System.nanoTime() < end) {
                    out.write(publish);
                    sent++;
                } else if (published == sent) {
                    break;
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long target = (published) * (long) subscribers * frame.length;
            long waitUntil = System.nanoTime() + 30_000_000_000L;
            while (bytes.sum() < target && System.nanoTime() < waitUntil) {
                Thread.sleep(10);
            }
            double drained = (System.nanoTime() - start) / 1e9;
            long delivered = bytes.sum() / frame.length;
            System.out.printf("subscribers=%d publishes/s=%.0f delivered/s=%.0f delivered=%d of %d%n", subscribers,
                    published / elapsed, delivered / drained, delivered, published * subscribers);
        }
        running.set(false);
        for (Selector s : selectors) {
            s.wakeup();
        }
        for (Thread t : threads) {
            t.join();
        }
        System.exit(0);
    }

    private static void read(Selector s, LongAdder bytes, AtomicBoolean running) {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 16);
        try {
            while (running.get()) {
                s.select(key -> {
                    b.clear();
                    try {
                        int n = ((SocketChannel) key.channel()).read(b);
                        if (n > 0) {
                            bytes.add(n);
                        } else if (n < 0) {
                            key.cancel();
                        }
                    } catch (IOException e) {
                        key.cancel();
                    }
                }, 100);
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static void readLine(InputStream in) throws IOException {
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("publisher closed");
            }
        }
    }

    private static byte[] command(String... words) {
        StringBuilder b = new StringBuilder("*").append(words.length).append("\r\n");
        for (String w : words) {
            b.append('$').append(w.length()).append("\r\n").append(w).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
