package io.shardloop.runtime.transport.epoll;

import io.shardloop.runtime.os.Errno;
import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.LinuxSockets;
import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.StreamSocket;
import io.shardloop.runtime.transport.Transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loop's epoll instance, its eventfd for wake-ups, and the native memory its calls use: the
 * event array, the iovec array of gathering writes and the read buffer the loop's sockets share.
 * <p>
 * A registration's 64-bit data is {@code generation << 32 | fd}: a descriptor closed and reused
 * within one batch of events would otherwise receive the events of the socket it replaced.
 * <p>
 * Level-triggered. A socket that wants neither to read nor to write is taken out of the epoll set
 * rather than left in it with no interest, since the kernel reports a hang-up or an error whatever
 * the interest, and a paused connection whose peer reset it would wake the loop on every poll.
 * <p>
 * Owned by one event loop: all methods but {@link #wakeup()} run on that loop's thread.
 */
final class EpollLoopIo implements LoopIo {
    /** Events taken from the kernel per poll. */
    private static final int MAX_EVENTS = 512;
    /** iovecs of one gathering write (the runtime's gathering arrays are no longer). */
    static final int MAX_IOVECS = 64;
    static final long IOVEC_SIZE = 16;
    /** The data of the eventfd's registration: no descriptor has generation -1. */
    private static final long WAKE_DATA = -1L;

    /** What a registered descriptor does with its events. */
    interface Handle {
        void onEvents(int events);
    }

    final LinuxSockets calls = new LinuxSockets();
    private final Arena arena = Arena.ofShared(); // made on the starting thread, used on the loop's
    private final int epfd;
    private final int wakeFd;
    private final MemorySegment events;
    final MemorySegment iovecs;
    private final ByteBuffer readBuffer;
    private Handle[] handles = new Handle[256];
    private int[] generations = new int[256];
    private int nextGeneration;
    /**
     * Set before the eventfd closes; {@link #wakers} counts the threads inside {@link #wakeup()}.
     * Both are volatile, so either a waker sees {@code closed} or the closer sees the waker and waits
     * for it: a wake-up never writes to a descriptor number that may already name another file.
     */
    private volatile boolean closed;
    private final AtomicInteger wakers = new AtomicInteger();

    EpollLoopIo(int readBufferSize) throws IOException {
        this.events = arena.allocate(MAX_EVENTS * LinuxSockets.EPOLL_EVENT_SIZE, 8);
        this.iovecs = arena.allocate(MAX_IOVECS * IOVEC_SIZE, 8);
        this.readBuffer = arena.allocate(readBufferSize, 64).asByteBuffer();
        int ep = calls.epollCreate();
        int wake;
        try {
            wake = calls.eventfd();
        } catch (ErrnoException e) {
            LinuxSockets.closeQuietly(ep);
            throw e;
        }
        this.epfd = ep;
        this.wakeFd = wake;
        calls.epollCtl(epfd, LinuxSockets.EPOLL_CTL_ADD, wakeFd, LinuxSockets.EPOLLIN, WAKE_DATA);
    }

    @Override
    public Transport transport() {
        return EpollTransport.INSTANCE;
    }

    ByteBuffer readBuffer() {
        return readBuffer;
    }

    // ---- registrations -------------------------------------------------------------------------

    /** Adds the descriptor to the epoll set with the interest; returns the data that names it. */
    long add(int fd, int interest, Handle handle) throws ErrnoException {
        if (fd >= handles.length) {
            int size = Math.max(fd + 1, handles.length * 2);
            handles = Arrays.copyOf(handles, size);
            generations = Arrays.copyOf(generations, size);
        }
        int generation = nextGeneration++ & 0x7fff_ffff;
        long data = ((long) generation << 32) | fd;
        calls.epollCtl(epfd, LinuxSockets.EPOLL_CTL_ADD, fd, interest, data);
        handles[fd] = handle;
        generations[fd] = generation;
        return data;
    }

    void modify(int fd, int interest, long data) throws ErrnoException {
        calls.epollCtl(epfd, LinuxSockets.EPOLL_CTL_MOD, fd, interest, data);
    }

    /** Takes the descriptor out of the epoll set (it stays open). */
    void remove(int fd) throws ErrnoException {
        forget(fd);
        calls.epollCtl(epfd, LinuxSockets.EPOLL_CTL_DEL, fd, 0, 0);
    }

    /** Forgets the descriptor's handle; closing it ends the kernel's registration. */
    void forget(int fd) {
        if (fd < handles.length) {
            handles[fd] = null;
        }
    }

    @Override
    public Watch watch(ListenSocket listener, Runnable onAcceptable) throws IOException {
        EpollListenSocket socket = (EpollListenSocket) listener;
        socket.calls = calls;
        Handle handle = events -> onAcceptable.run();
        add(socket.fd, LinuxSockets.EPOLLIN, handle);
        return new Watch() {
            private boolean on = true;
            private boolean cancelled;

            @Override
            public void enabled(boolean wanted) {
                if (cancelled || wanted == on) {
                    return;
                }
                on = wanted;
                try {
                    if (wanted) {
                        add(socket.fd, LinuxSockets.EPOLLIN, handle);
                    } else {
                        remove(socket.fd);
                    }
                } catch (ErrnoException e) {
                    throw new IllegalStateException("epoll_ctl on a listener failed: " + e.getMessage(), e);
                }
            }

            @Override
            public void cancel() {
                if (!cancelled) {
                    cancelled = true;
                    if (on) {
                        on = false;
                        try {
                            remove(socket.fd);
                        } catch (ErrnoException ignored) {
                            // Closed already: the kernel dropped the registration with it.
                        }
                    }
                }
            }
        };
    }

    @Override
    public StreamSocket open(AcceptedSocket accepted) throws IOException {
        int fd = ((EpollListenSocket.Accepted) accepted).fd();
        calls.setOption(fd, LinuxSockets.IPPROTO_TCP, LinuxSockets.TCP_NODELAY, 1);
        return new EpollStreamSocket(fd, this);
    }

    @Override
    public PendingConnect connect(InetSocketAddress address, ConnectEvents events) throws IOException {
        if (address.isUnresolved()) {
            throw new IOException("cannot connect to an unresolved address: " + address);
        }
        int fd = calls.openStream(address.getAddress() instanceof Inet6Address);
        try {
            calls.setOption(fd, LinuxSockets.IPPROTO_TCP, LinuxSockets.TCP_NODELAY, 1);
            calls.connect(fd, address); // connected or in progress: either way the socket turns writable
            Connecting connecting = new Connecting(fd, address, events);
            add(fd, LinuxSockets.EPOLLOUT, connecting);
            return connecting;
        } catch (ErrnoException e) {
            LinuxSockets.closeQuietly(fd);
            throw e.errno() == Errno.ECONNREFUSED ? refused(address) : e;
        } catch (IOException | RuntimeException e) {
            LinuxSockets.closeQuietly(fd);
            throw e;
        }
    }

    private static ConnectException refused(InetSocketAddress address) {
        return new ConnectException("Connection refused: " + address);
    }

    /** A connect under way: it turns writable once, connected or failed (SO_ERROR says which). */
    private final class Connecting implements Handle, PendingConnect {
        private final int fd;
        private final InetSocketAddress address;
        private final ConnectEvents events;
        private boolean done;

        Connecting(int fd, InetSocketAddress address, ConnectEvents events) {
            this.fd = fd;
            this.address = address;
            this.events = events;
        }

        @Override
        public void onEvents(int ready) {
            if (done) {
                return;
            }
            done = true;
            int error;
            try {
                error = calls.option(fd, LinuxSockets.SOL_SOCKET, LinuxSockets.SO_ERROR);
                remove(fd); // the stream socket registers it again, with its own interest
            } catch (ErrnoException e) {
                forget(fd);
                LinuxSockets.closeQuietly(fd);
                events.onConnectFailed(e);
                return;
            }
            if (error != 0) {
                LinuxSockets.closeQuietly(fd);
                events.onConnectFailed(error == Errno.ECONNREFUSED ? refused(address)
                        : new ErrnoException("connect", address.toString(), error));
                return;
            }
            events.onConnected(new EpollStreamSocket(fd, EpollLoopIo.this));
        }

        @Override
        public void cancel() {
            if (!done) {
                done = true;
                forget(fd);
                LinuxSockets.closeQuietly(fd);
            }
        }
    }

    // ---- the wait ------------------------------------------------------------------------------

    @Override
    public int poll(long timeoutNanos, Runnable beforeDispatch) throws IOException {
        int millis;
        if (timeoutNanos <= 0) {
            millis = 0;
        } else if (timeoutNanos == Long.MAX_VALUE) {
            millis = -1;
        } else {
            // epoll_wait counts milliseconds; round up so a timer is never woken for too early.
            millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999)));
        }
        int n = calls.epollWait(epfd, events.address(), MAX_EVENTS, millis);
        boolean dispatching = false;
        int dispatched = 0;
        for (int i = 0; i < n; i++) {
            long data = LinuxSockets.dataAt(events, i);
            if (data == WAKE_DATA) {
                calls.drain(wakeFd);
                continue;
            }
            int fd = (int) data;
            int generation = (int) (data >>> 32);
            if (fd >= handles.length || handles[fd] == null || generations[fd] != generation) {
                continue; // closed earlier in this same batch
            }
            if (!dispatching) {
                dispatching = true;
                beforeDispatch.run();
            }
            handles[fd].onEvents(LinuxSockets.eventsAt(events, i));
            dispatched++;
        }
        return dispatched;
    }

    @Override
    public void wakeup() {
        wakers.incrementAndGet();
        try {
            if (!closed) {
                LinuxSockets.signalFromAnyThread(wakeFd);
            }
        } finally {
            wakers.decrementAndGet();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (wakers.get() != 0) {
            Thread.onSpinWait(); // a waker is between its check and its write: a few instructions
        }
        LinuxSockets.closeQuietly(wakeFd);
        LinuxSockets.closeQuietly(epfd);
        calls.close();
        arena.close();
    }

    /** Descriptors registered now, for tests. */
    int registeredCount() {
        int count = 0;
        for (Handle handle : handles) {
            if (handle != null) {
                count++;
            }
        }
        return count;
    }
}
