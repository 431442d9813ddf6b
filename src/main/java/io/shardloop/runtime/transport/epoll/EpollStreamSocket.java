package io.shardloop.runtime.transport.epoll;

import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.LinuxSockets;
import io.shardloop.runtime.transport.ReadinessSocket;
import org.agrona.BufferUtil;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A connected descriptor in its loop's epoll set: read(2) into the loop's buffer, writev(2) straight
 * from the outbound chunks (their native addresses, no copy). In the set only while it wants to read
 * or to write ({@link EpollLoopIo}'s comment says why). Loop thread only.
 */
final class EpollStreamSocket extends ReadinessSocket implements EpollLoopIo.Handle {
    private final int fd;
    private final EpollLoopIo io;
    private final LinuxSockets calls;
    /** The registration's data while in the epoll set; 0 while out of it. */
    private long data;
    private int interest;
    private SocketAddress remote;
    private SocketAddress local;

    EpollStreamSocket(int fd, EpollLoopIo io) {
        super(io.readBuffer());
        this.fd = fd;
        this.io = io;
        this.calls = io.calls;
    }

    @Override
    protected int read(ByteBuffer into) throws IOException {
        int at = into.position();
        long n = calls.read(fd, BufferUtil.address(into) + at, into.remaining());
        if (n == LinuxSockets.AGAIN) {
            return 0;
        }
        if (n == 0) {
            return -1;
        }
        into.position(at + (int) n);
        return (int) n;
    }

    @Override
    public long write(ByteBuffer[] chunks, int count) throws IOException {
        MemorySegment iov = io.iovecs;
        int n = Math.min(count, EpollLoopIo.MAX_IOVECS);
        for (int i = 0; i < n; i++) {
            ByteBuffer chunk = chunks[i];
            long at = i * EpollLoopIo.IOVEC_SIZE;
            iov.set(ValueLayout.JAVA_LONG, at, BufferUtil.address(chunk) + chunk.position());
            iov.set(ValueLayout.JAVA_LONG, at + 8, chunk.remaining());
        }
        long written = calls.writev(fd, iov.address(), n);
        if (written == LinuxSockets.AGAIN) {
            return 0;
        }
        long left = written;
        for (int i = 0; i < n && left > 0; i++) {
            ByteBuffer chunk = chunks[i];
            int taken = (int) Math.min(left, chunk.remaining());
            chunk.position(chunk.position() + taken);
            left -= taken;
        }
        return written;
    }

    @Override
    protected void register() throws IOException {
        interestChangedOrThrow();
    }

    @Override
    protected void interestChanged() {
        try {
            interestChangedOrThrow();
        } catch (ErrnoException e) {
            // Only a descriptor the kernel no longer knows fails here; the next read or write says so.
            throw new IllegalStateException("epoll_ctl on fd " + fd + " failed: " + e.getMessage(), e);
        }
    }

    private void interestChangedOrThrow() throws ErrnoException {
        int wanted = (wantsRead() ? LinuxSockets.EPOLLIN | LinuxSockets.EPOLLRDHUP : 0)
                | (wantsWrite() ? LinuxSockets.EPOLLOUT : 0);
        if (wanted == interest && (wanted == 0) == (data == 0)) {
            return;
        }
        if (wanted == 0) {
            io.remove(fd);
            data = 0;
        } else if (data == 0) {
            data = io.add(fd, wanted, this);
        } else {
            io.modify(fd, wanted, data);
        }
        interest = wanted;
    }

    @Override
    public void onEvents(int events) {
        boolean failed = (events & (LinuxSockets.EPOLLERR | LinuxSockets.EPOLLHUP)) != 0;
        boolean readable = failed || (events & (LinuxSockets.EPOLLIN | LinuxSockets.EPOLLRDHUP)) != 0;
        boolean writable = failed || (events & LinuxSockets.EPOLLOUT) != 0;
        onReady(readable, writable); // a failure shows itself as the read's or the write's error
    }

    @Override
    protected void closeSocket() {
        io.forget(fd);
        data = 0;
        LinuxSockets.closeQuietly(fd); // also takes it out of the epoll set
    }

    @Override
    public void shutdownOutput() throws IOException {
        calls.shutdownOutput(fd);
    }

    @Override
    public SocketAddress remoteAddress() {
        if (remote == null && !isClosed()) {
            try {
                remote = calls.remoteAddress(fd);
            } catch (ErrnoException e) {
                return null; // not connected any more
            }
        }
        return remote;
    }

    @Override
    public SocketAddress localAddress() {
        if (local == null && !isClosed()) {
            try {
                local = calls.localAddress(fd);
            } catch (ErrnoException e) {
                return null;
            }
        }
        return local;
    }
}
