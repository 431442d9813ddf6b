package io.shardloop.runtime.transport.epoll;

import io.shardloop.runtime.os.Errno;
import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.LinuxSockets;
import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Linux's epoll, called directly through the Foreign Function and Memory API ({@link LinuxSockets}):
 * level-triggered, one epoll instance and one eventfd (for wake-ups) per loop, sockets read and
 * written straight from the loop's native buffers. Against NIO it saves the selector's bookkeeping,
 * the locks and interrupt checks of every channel call, and a map from descriptor to key.
 */
public final class EpollTransport implements Transport {
    public static final EpollTransport INSTANCE = new EpollTransport();
    /** Why epoll cannot run here, found once; null when it can. */
    private static final String UNAVAILABLE = probe();

    private EpollTransport() {
    }

    /** Null when epoll can run here; otherwise one line saying why not. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static String probe() {
        if (!LinuxSockets.available()) {
            return LinuxSockets.unavailableReason();
        }
        // Loaded now, not on the first failure: out of descriptors (EMFILE), a class could not be
        // read from the jar, and the accept back-off would fail for want of its own exception.
        new ErrnoException("accept", null, Errno.EMFILE).getMessage();
        LinuxSockets calls = new LinuxSockets();
        try {
            int epfd = calls.epollCreate();
            calls.close(epfd);
            int eventFd = calls.eventfd();
            calls.close(eventFd);
            return null;
        } catch (ErrnoException | RuntimeException e) {
            return "epoll or eventfd refused: " + e.getMessage();
        } finally {
            calls.close();
        }
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public LoopIo openLoop(String loopName, int readBufferSize) throws IOException {
        requireAvailable();
        return new EpollLoopIo(readBufferSize);
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
                return new EpollListenSocket(fd, calls.localAddress(fd));
            } catch (IOException | RuntimeException e) {
                LinuxSockets.closeQuietly(fd);
                throw e;
            }
        }
    }

    @Override
    public boolean reusePortSupported() {
        return true; // Linux 3.9 and later balance connections over SO_REUSEPORT listeners
    }

    private static void requireAvailable() throws IOException {
        if (UNAVAILABLE != null) {
            throw new IOException("the epoll transport cannot start: " + UNAVAILABLE);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
