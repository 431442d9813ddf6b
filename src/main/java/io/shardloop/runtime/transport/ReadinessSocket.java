package io.shardloop.runtime.transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The half of a {@link StreamSocket} that readiness transports (NIO, epoll) share: told that its
 * socket is readable or writable, it reads within the budget into the loop's read buffer and hands
 * each read to the connection, or tells the connection there is room. The subclass makes the system
 * calls and keeps the kernel's interest in step with {@link #interestChanged}.
 * <p>
 * Owned by one loop's thread.
 */
public abstract class ReadinessSocket implements StreamSocket {
    private final ByteBuffer readBuffer;
    private SocketEvents events;
    private int readBudget;
    private boolean reading = true;
    private boolean awaitingWritable;
    private boolean closed;

    /** @param readBuffer the loop's read buffer, shared by its sockets one read at a time */
    protected ReadinessSocket(ByteBuffer readBuffer) {
        this.readBuffer = readBuffer;
    }

    /** Reads into the buffer's remaining room: bytes read, 0 when none wait, -1 at the end of input. */
    protected abstract int read(ByteBuffer into) throws IOException;

    /** Registers with the loop's poller, with the interest {@link #wantsRead()} and {@link #wantsWrite()} give. */
    protected abstract void register() throws IOException;

    /** The interest changed: bring the poller's registration in line. */
    protected abstract void interestChanged();

    /** Releases the descriptor and the registration; called once. */
    protected abstract void closeSocket();

    protected final boolean wantsRead() {
        return reading && !closed;
    }

    protected final boolean wantsWrite() {
        return awaitingWritable && !closed;
    }

    protected final boolean isClosed() {
        return closed;
    }

    @Override
    public final void start(SocketEvents events, int readBudget) throws IOException {
        this.events = events;
        this.readBudget = readBudget;
        register();
    }

    @Override
    public final void reading(boolean on) {
        if (reading != on) {
            reading = on;
            if (!closed) {
                interestChanged();
            }
        }
    }

    @Override
    public final void awaitWritable(boolean on) {
        if (awaitingWritable != on) {
            awaitingWritable = on;
            if (!closed) {
                interestChanged();
            }
        }
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            closeSocket();
        }
    }

    /** The poller found the socket ready: room first (it may free the connection to read), then input. */
    protected final void onReady(boolean readable, boolean writable) {
        if (writable && awaitingWritable && !closed) {
            events.onWritable();
        }
        if (readable && reading && !closed) {
            readWithinBudget();
        }
    }

    private void readWithinBudget() {
        ByteBuffer buf = readBuffer;
        int budget = readBudget;
        while (budget > 0 && reading && !closed) {
            buf.clear();
            if (budget < buf.capacity()) {
                buf.limit(budget);
            }
            int room = buf.remaining();
            int n;
            try {
                n = read(buf);
            } catch (IOException e) {
                events.onIoFailure(e);
                return;
            }
            if (n < 0) {
                events.onInputEnd();
                return;
            }
            if (n == 0) {
                return;
            }
            budget -= n;
            buf.flip();
            events.onInput(buf);
            if (n < room) {
                return; // the socket is drained; skip the read that would find nothing
            }
        }
    }
}
