package io.shardloop.runtime.transport.uring;

import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.IoUring;
import io.shardloop.runtime.os.LinuxSockets;
import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.LoopIo;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A listening descriptor watched by a multishot poll on its loop's ring, its connections taken with
 * accept4(2) by the listener, at most its own number a turn.
 * <p>
 * Not a multishot accept: that request accepts the whole listen queue within one wait, before the
 * loop sees the first connection, so no listener could pace its accepts, and at the descriptor
 * limit the kernel would hand the process every last descriptor at once, leaving none for a class
 * to load, a file to open or a log to write. With readiness the listener takes what it can serve,
 * as on epoll, and backs off at the limit with descriptors to spare.
 * <p>
 * Bound on the control thread; accepted from and closed on the loop that watches it.
 */
final class IoUringListenSocket implements ListenSocket {
    final int fd;
    private final InetSocketAddress local;
    /** The watching loop's calls; set by the watch, before the first accept. */
    private LinuxSockets calls;
    /** The last accept found the queue empty. */
    private boolean drained;
    private boolean closed;

    IoUringListenSocket(int fd, InetSocketAddress local) {
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
        if (accepted == LinuxSockets.AGAIN) {
            drained = true;
            return null;
        }
        return new Accepted(accepted);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LinuxSockets.closeQuietly(fd); // the poll armed on it ends with it
        }
    }

    /** An accepted descriptor on its way to a loop. */
    record Accepted(int fd) implements AcceptedSocket {
        @Override
        public void close() {
            LinuxSockets.closeQuietly(fd);
        }
    }

    /**
     * A loop's watch of a listener: a multishot poll for POLLIN while on, cancelled while off. Once
     * armed the poll reports arrivals, not a level, so a listener that stopped short of an empty
     * queue (its per-turn bound) is offered the rest again from the next poll, as epoll's level would.
     */
    static final class AcceptWatch implements LoopIo.Watch, IoUringLoopIo.Owner {
        private final IoUringListenSocket socket;
        private final IoUringLoopIo io;
        private final Runnable onAcceptable;
        private long data;
        private boolean on = true;
        private boolean armed;
        private boolean cancelled;
        private boolean offerQueued;

        AcceptWatch(IoUringListenSocket socket, IoUringLoopIo io, Runnable onAcceptable) {
            this.socket = socket;
            this.io = io;
            this.onAcceptable = onAcceptable;
            socket.calls = io.calls;
            this.data = io.register(this);
            update(); // a poll armed on a listener with connections queued completes at once
        }

        /** Arms the poll when it is wanted and not armed; cancels it when it is armed and not wanted. */
        private void update() {
            boolean wanted = on && !cancelled && !socket.closed;
            try {
                if (wanted && !armed) {
                    io.ring.pollMultishot(socket.fd, IoUring.POLLIN, IoUringLoopIo.tagged(data, IoUringLoopIo.TAG_ACCEPT));
                    armed = true;
                } else if (!wanted && armed) {
                    armed = false;
                    io.ring.cancel(IoUringLoopIo.tagged(data, IoUringLoopIo.TAG_ACCEPT),
                            IoUringLoopIo.tagged(0, IoUringLoopIo.TAG_CANCEL));
                    // A new registration: the cancelled poll's last word is dropped, never taken for the next one's.
                    io.release(data);
                    data = cancelled ? 0 : io.register(this);
                }
            } catch (ErrnoException e) {
                throw new IllegalStateException("io_uring refused a request on a listener: " + e.getMessage(), e);
            }
        }

        @Override
        public void onCompletion(int tag, int res, int flags) {
            if ((flags & IoUring.CQE_F_MORE) == 0) {
                armed = false;
            }
            if (res >= 0) {
                offer();
            } else {
                update();
            }
        }

        private void offer() {
            if (on && !cancelled && !socket.closed) {
                socket.drained = false;
                onAcceptable.run();
                if (!socket.drained) {
                    offerSoon(); // stopped short of an empty queue: the rest from the next poll
                }
            }
            update();
        }

        private void offerSoon() {
            if (!offerQueued) {
                offerQueued = true;
                io.defer(() -> {
                    offerQueued = false;
                    offer();
                });
            }
        }

        @Override
        public void enabled(boolean wanted) {
            if (cancelled || wanted == on) {
                return;
            }
            on = wanted;
            update(); // armed again, the poll reports what queued while off at once
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                on = false;
                boolean wasArmed = armed;
                update();
                if (!wasArmed) {
                    io.release(data);
                }
            }
        }
    }
}
