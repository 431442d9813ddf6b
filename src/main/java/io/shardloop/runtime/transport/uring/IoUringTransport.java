package io.shardloop.runtime.transport.uring;

import io.shardloop.runtime.os.Errno;
import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.IoUring;
import io.shardloop.runtime.os.LinuxSockets;
import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Linux's io_uring, driven directly through the Foreign Function and Memory API ({@link IoUring}):
 * one ring per loop, set up for that loop's thread alone with its completions deferred to its own
 * wait. A multishot poll per listener says when connections wait (the listener accepts them at its
 * own pace: {@link IoUringListenSocket} says why not a multishot accept), and each connection is
 * read by one multishot receive into a ring of buffers the loop provides; everything a turn queues, sends included,
 * goes to the kernel in the one {@code io_uring_enter} that also waits for the next events, with
 * the timer's deadline as its timeout. Another thread wakes the loop through an eventfd whose read
 * is itself a request on the ring.
 * <p>
 * Needs Linux 6.1 (single-issuer rings with deferred completions); {@link #unavailableReason()}
 * says why it cannot run where it cannot (no io_uring, switched off by
 * {@code kernel.io_uring_disabled}, refused by seccomp, too old a kernel).
 */
public final class IoUringTransport implements Transport {
    public static final IoUringTransport INSTANCE = new IoUringTransport();
    private static final String UNAVAILABLE = probe();

    private IoUringTransport() {
    }

    /** Null when io_uring can run here; otherwise one line saying why not. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static String probe() {
        if (!LinuxSockets.available()) {
            return LinuxSockets.unavailableReason();
        }
        // Loaded now, not on the first failure (see EpollTransport's probe).
        new ErrnoException("accept4", null, Errno.EMFILE).getMessage();
        String missing = IoUring.unavailableReason();
        if (missing != null) {
            return missing;
        }
        try (IoUring ring = new IoUring(8, 16)) {
            ring.enable();
            ring.registerBuffers(0, 2, 4096); // provided-buffer rings: Linux 5.19
            return null;
        } catch (ErrnoException | RuntimeException e) {
            return "io_uring refused a ring of provided buffers: " + e.getMessage();
        }
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public LoopIo openLoop(String loopName, int readBufferSize) throws IOException {
        requireAvailable();
        return new IoUringLoopIo();
    }

    @Override
    public ListenSocket listen(InetSocketAddress address, int backlog, boolean reusePort) throws IOException {
        requireAvailable();
        if (address.isUnresolved()) {
            throw new IOException("cannot listen on an unresolved address: " + address);
        }
        try (LinuxSockets calls = new LinuxSockets()) {
            int fd = calls.openListener(address, backlog, reusePort);
            try {
                return new IoUringListenSocket(fd, calls.localAddress(fd));
            } catch (IOException | RuntimeException e) {
                LinuxSockets.closeQuietly(fd);
                throw e;
            }
        }
    }

    @Override
    public boolean reusePortSupported() {
        return true;
    }

    private static void requireAvailable() throws IOException {
        if (UNAVAILABLE != null) {
            throw new IOException("the io_uring transport cannot start: " + UNAVAILABLE);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
