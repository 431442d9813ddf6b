package io.shardloop.runtime.transport.epoll;

import io.shardloop.runtime.os.LinuxSockets;
import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A listening descriptor. Bound on the control thread; accepted from on the loop that watches it,
 * with that loop's calls ({@link EpollLoopIo#watch}).
 */
final class EpollListenSocket implements ListenSocket {
    final int fd;
    private final InetSocketAddress local;
    /** The watching loop's calls; set by the watch, before the first accept. */
    LinuxSockets calls;
    private boolean closed;

    EpollListenSocket(int fd, InetSocketAddress local) {
        this.fd = fd;
        this.local = local;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public AcceptedSocket accept() throws IOException {
        int accepted = calls.accept(fd);
        return accepted == LinuxSockets.AGAIN ? null : new Accepted(accepted);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LinuxSockets.closeQuietly(fd); // also ends its epoll registration
        }
    }

    /** An accepted descriptor on its way to a loop. */
    record Accepted(int fd) implements AcceptedSocket {
        @Override
        public void close() {
            LinuxSockets.closeQuietly(fd);
        }
    }
}
