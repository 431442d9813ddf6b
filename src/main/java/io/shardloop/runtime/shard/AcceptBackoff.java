package io.shardloop.runtime.shard;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * How long a listener stops accepting after an accept failed for want of a resource (file
 * descriptors, socket buffers, memory). The connection stays queued in the kernel, so the
 * listener stays ready: accepting again at once would fail again at once, in a loop that burns a
 * core and floods the log. Instead the listener drops its interest for a while: 10 ms at first,
 * doubling while the failures repeat, to at most 1 s, and back to 10 ms after an accept succeeds.
 * (Tomcat waits 50 ms doubling to 1.6 s; Netty stops reading the listener for 1 s.)
 * <p>
 * Owned by one {@link Listener}, on its shard's loop thread.
 */
final class AcceptBackoff {
    static final long FIRST_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(1);

    private long nextNanos = FIRST_NANOS;

    /** The pause to take after this failure; the next one will be twice as long, up to the maximum. */
    long onExhausted() {
        long pause = nextNanos;
        nextNanos = Math.min(MAX_NANOS, nextNanos * 2);
        return pause;
    }

    /** An accept worked: the next failure starts from the shortest pause again. */
    void onAccepted() {
        nextNanos = FIRST_NANOS;
    }

    /**
     * Whether an accept failed because the process or the system ran out of something that only
     * frees up with time (EMFILE, ENFILE, ENOBUFS, ENOMEM), rather than because of the connection
     * itself. NIO gives no errno, only its text (strerror's, as glibc words it).
     */
    static boolean isResourceExhaustion(IOException failure) {
        String message = failure.getMessage();
        if (message == null) {
            return false;
        }
        return message.contains("Too many open files")      // EMFILE, ENFILE ("... in system")
                || message.contains("No buffer space available") // ENOBUFS
                || message.contains("Cannot allocate memory");   // ENOMEM
    }
}
