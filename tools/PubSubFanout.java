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
 * <p>
 * With RATE over 0 it measures delivery latency instead: the publisher sends at most RATE
 * PUBLISHes a second (WINDOW still bounds those in flight), each message is the publisher's
 * {@code System.nanoTime()} when it was written, as 19 digits (the same clock as the readers': one
 * JVM), and each subscriber's reader takes the time it read the frame's end minus that stamp. The
 * messages published in the first second are not counted (the readers and servers warm up); every
 * other sample is kept (a reader keeps its first 8 M) and sorted at the end: p50, p99, p99.9 and
 * the max are printed in microseconds, over every counted message every subscriber read.
 *   java tools/PubSubFanout.java PORT SUBSCRIBERS [SECONDS=5] [WINDOW=16] [PAYLOAD=16] [READERS=2] [RATE=0]
 */
public final class PubSubFanout {
    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]);
        int subscribers = Integer.parseInt(a[1]);
        int seconds = a.length > 2 ? Integer.parseInt(a[2]) : 5;
        int window = a.length > 3 ? Integer.parseInt(a[3]) : 16;
        int payload = a.length > 4 ? Integer.parseInt(a[4]) : 16;
        int readers = a.length > 5 ? Integer.parseInt(a[5]) : 2;
        int rate = a.length > 6 ? Integer.parseInt(a[6]) : 0;
        if (rate > 0) {
            payload = STAMP_DIGITS;
        }
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
        int stampAt = frame.length - 2 - payload;
        List<Latencies> samples = new ArrayList<>();
        for (Selector s : selectors) {
            Latencies l = rate > 0 ? new Latencies(frame.length, stampAt) : null;
            samples.add(l);
            threads.add(Thread.ofPlatform().start(() -> read(s, bytes, running, l)));
        }
        try (Socket pub = new Socket("127.0.0.1", port)) {
            pub.setTcpNoDelay(true);
            OutputStream out = pub.getOutputStream();
            InputStream in = new java.io.BufferedInputStream(pub.getInputStream(), 1 << 16);
            byte[] publish = command("PUBLISH", channel, message);
            int stampInCommand = publish.length - 2 - payload;
            long interval = rate > 0 ? 1_000_000_000L / rate : 0;
            long published = 0;
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long start = System.nanoTime();
            recordFrom = start + WARM_UP_NANOS;
            for (int i = 0; i < window; i++) {
                send(out, publish, stampInCommand, rate > 0, start + i * interval);
            }
            long sent = window;
            while (true) {
                readLine(in); // ":N"
                published++;
                long due = start + sent * interval;
                if (due < end && System.nanoTime() < end) {
                    send(out, publish, stampInCommand, rate > 0, due);
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
            System.out.printf("subscribers=%d publishes/s=%.0f delivered/s=%.0f delivered=%d of %d", subscribers,
                    published / elapsed, delivered / drained, delivered, published * subscribers);
            if (rate > 0) {
                System.out.print(Latencies.summary(samples));
            }
            System.out.println();
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

    private static final int STAMP_DIGITS = 19;
    private static final long WARM_UP_NANOS = 1_000_000_000L;
    /** Messages stamped before this are not counted: the publisher sets it when it starts. */
    private static volatile long recordFrom = Long.MAX_VALUE;

    /**
     * Writes a PUBLISH; with {@code stamped}, first waits until {@code due} and writes the time now
     * as the message's digits.
     */
    private static void send(OutputStream out, byte[] publish, int stampAt, boolean stamped, long due)
            throws IOException {
        if (stamped) {
            long now;
            while ((now = System.nanoTime()) < due) {
                java.util.concurrent.locks.LockSupport.parkNanos(due - now);
            }
            long v = System.nanoTime();
            for (int i = STAMP_DIGITS - 1; i >= 0; i--) {
                publish[stampAt + i] = (byte) ('0' + v % 10);
                v /= 10;
            }
        }
        out.write(publish);
        out.flush();
    }

    /**
     * One reader's latency samples: per connection, where it is in the fixed-length frame and the
     * stamp read so far; a sample at each frame's end. Owned by the reader's thread until it ends.
     */
    private static final class Latencies {
        private static final int MAX_SAMPLES = 8 << 20;
        private final int frameLength;
        private final int stampAt;
        private long[] samples = new long[1 << 16];
        private int count;

        Latencies(int frameLength, int stampAt) {
            this.frameLength = frameLength;
            this.stampAt = stampAt;
        }

        /** The bytes just read on the connection whose place is {@code at}, read at {@code now}. */
        void onBytes(ByteBuffer b, int n, long[] at, long now) {
            int pos = (int) at[0];
            long stamp = at[1];
            for (int i = 0; i < n; i++) {
                if (pos >= stampAt && pos < stampAt + STAMP_DIGITS) {
                    stamp = stamp * 10 + (b.get(i) - '0');
                }
                if (++pos == frameLength) {
                    if (stamp >= recordFrom) {
                        add(now - stamp);
                    }
                    pos = 0;
                    stamp = 0;
                }
            }
            at[0] = pos;
            at[1] = stamp;
        }

        private void add(long nanos) {
            if (count == samples.length) {
                if (count == MAX_SAMPLES) {
                    return;
                }
                samples = java.util.Arrays.copyOf(samples, Math.min(MAX_SAMPLES, count * 2));
            }
            samples[count++] = nanos;
        }

        static String summary(List<Latencies> readers) {
            int total = 0;
            for (Latencies l : readers) {
                total += l.count;
            }
            long[] all = new long[total];
            int at = 0;
            for (Latencies l : readers) {
                System.arraycopy(l.samples, 0, all, at, l.count);
                at += l.count;
            }
            java.util.Arrays.sort(all);
            if (total == 0) {
                return " samples=0";
            }
            return String.format(" samples=%d p50_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f", total,
                    all[(int) (total * 0.50)] / 1e3, all[Math.min(total - 1, (int) (total * 0.99))] / 1e3,
                    all[Math.min(total - 1, (int) (total * 0.999))] / 1e3, all[total - 1] / 1e3);
        }
    }

    private static void read(Selector s, LongAdder bytes, AtomicBoolean running, Latencies latencies) {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 16);
        try {
            while (running.get()) {
                s.select(key -> {
                    b.clear();
                    try {
                        int n = ((SocketChannel) key.channel()).read(b);
                        if (n > 0 && latencies != null) {
                            if (key.attachment() == null) {
                                key.attach(new long[2]);
                            }
                            latencies.onBytes(b, n, (long[]) key.attachment(), System.nanoTime());
                        }
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
