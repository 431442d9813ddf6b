package io.shardloop.baseline;

import io.shardloop.kv.Subscriber;
import io.shardloop.resp.PubSubLimit;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * The way out of a thread-per-connection client that subscribed (or ran MONITOR, or is sent
 * client-side caching's invalidations by other threads): its own replies and the messages (or
 * invalidations) other clients' threads send it go into one queue, each whole, in the order
 * they were added, and a writer thread of its own sends them. The connection's thread stays free to
 * block in read, and a publisher never blocks on a subscriber's socket: it copies the frame and
 * goes. A subscriber whose queue grows past the {@link PubSubLimit} is closed (its socket, so its
 * reader stops too), and nothing more is queued for it.
 * <p>
 * Thread-safe: {@link #append} and {@link #deliver} from any thread, under this object's monitor;
 * only the writer thread touches the stream.
 */
final class SubscriberOutbox implements Subscriber {
    private final OutputStream out;
    private final PubSubLimit.Watch limit;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final Thread writer;
    private long queuedBytes;
    private boolean closed;
    /** Messages held back while the connection's thread writes a reply they must not cut (an EXEC's); null when none. */
    private ArrayDeque<byte[]> held;
    /** The writer waits: the connection's thread is still writing the socket itself ({@link #holdWriter}). */
    private boolean writerHeld;
    /** Whether messages are pushes ({@code >}): the client said HELLO 3. Written by the connection's thread. */
    private volatile boolean resp3;

    SubscriberOutbox(OutputStream out, PubSubLimit.Watch limit, String name) {
        this.out = out;
        this.limit = limit;
        this.writer = Thread.ofVirtual().name(name).start(this::writeLoop);
    }

    void protocol(int version) {
        resp3 = version == 3;
    }

    /** The connection's own replies, whole. */
    synchronized void append(byte[] bytes, int offset, int length) {
        if (closed || length == 0) {
            return;
        }
        byte[] copy = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
        queue.addLast(copy);
        queuedBytes += length;
        notifyAll();
    }

    @Override
    public synchronized void deliver(byte[] frame, int offset, int length, boolean push) {
        if (closed) {
            return;
        }
        byte[] copy = java.util.Arrays.copyOfRange(frame, offset, offset + length);
        if (push && resp3) {
            copy[0] = '>';
        }
        (held != null ? held : queue).addLast(copy);
        queuedBytes += length;
        if (limit.exceeded(queuedBytes)) {
            cut();
            return;
        }
        notifyAll();
    }

    /**
     * Keeps the writer from the socket until {@link #releaseWriter}: the outbox was started by another
     * thread (an invalidation to pass on) while the connection's thread was writing replies itself.
     * Call before anything is queued.
     */
    synchronized void holdWriter() {
        writerHeld = true;
    }

    synchronized void releaseWriter() {
        writerHeld = false;
        notifyAll();
    }

    /** Holds messages back from now until {@link #releaseDeliveries}: a reply is being written whole. */
    synchronized void holdDeliveries() {
        if (held == null) {
            held = new ArrayDeque<>();
        }
    }

    /** Queues the messages held back, behind the reply appended meanwhile. */
    synchronized void releaseDeliveries() {
        if (held != null) {
            queue.addAll(held);
            held = null;
            notifyAll();
        }
    }

    /** Over the limit: drop what waits and close the socket, which the connection's reader sees as the end. */
    private void cut() {
        closed = true;
        queue.clear();
        held = null;
        queuedBytes = 0;
        notifyAll();
        Thread.ofVirtual().start(this::closeStream); // never block a publisher on the socket
    }

    /** The connection is over: what is queued is still sent, then the writer stops. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /**
     * Waits, at most that long, until the writer has sent what was queued before {@link #close}
     * (QUIT's +OK) and stopped; a client that reads nothing is not waited for past it.
     */
    void awaitWriter(java.time.Duration atMost) throws InterruptedException {
        writer.join(atMost);
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] next;
                synchronized (this) {
                    while ((queue.isEmpty() && !closed) || writerHeld) {
                        wait();
                    }
                    next = queue.pollFirst();
                    if (next == null) {
                        return; // closed and drained
                    }
                    queuedBytes -= next.length;
                }
                out.write(next); // a socket's stream: nothing buffered to flush
            }
        } catch (IOException | InterruptedException e) {
            synchronized (this) {
                closed = true;
                queue.clear();
            }
            closeStream();
        }
    }

    private void closeStream() {
        try {
            out.close();
        } catch (IOException ignored) {
            // The socket is going anyway.
        }
    }
}
