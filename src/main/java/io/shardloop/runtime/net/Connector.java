package io.shardloop.runtime.net;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.StreamSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/**
 * One outbound TCP connection being opened on an event loop, without blocking it: the loop's
 * transport connects ({@link LoopIo#connect}), and the connected socket is handed to a
 * {@link Connection} that runs the given handler, exactly as an accepted one would.
 * <pre>
 *   connect() ──▶ PENDING ──connected──▶ DONE: Connection started, onConnected
 *                    ├──connect failed (refused, unreachable)──▶ DONE: onConnectFailed
 *                    ├──timeout──▶ DONE: onConnectFailed(SocketTimeoutException)
 *                    └──cancel()──▶ DONE: no callback
 * </pre>
 * <b>Ownership.</b> Created and driven on the owner's loop thread alone. Exactly one callback is
 * made (none after {@link #cancel()}), always from a later point of the loop than {@link #connect},
 * so the caller's state is settled before it is called back.
 */
public final class Connector implements LoopIo.ConnectEvents, EventLoop.TimerTask {
    private static final long NO_TIMER = -1;

    /** Told how the attempt ended, on the loop thread. */
    public interface Listener {
        /** The connection is open, registered and its handler made by the factory. */
        void onConnected(Connection connection);

        /**
         * The attempt failed: {@link java.net.ConnectException} when refused,
         * {@link SocketTimeoutException} when the timeout passed, another {@link IOException} otherwise.
         */
        void onConnectFailed(IOException cause);
    }

    private final ConnectionOwner owner;
    private final EventLoop loop;
    private final long id;
    private final ConnectionLimits limits;
    private final ConnectionHandler.Factory handlers;
    private final Listener listener;
    private final long timeoutNanos;
    private LoopIo.PendingConnect pending;
    private long timerId = NO_TIMER;
    private boolean done;

    private Connector(ConnectionOwner owner, long id, ConnectionLimits limits, ConnectionHandler.Factory handlers,
                      long timeoutNanos, Listener listener) {
        this.owner = owner;
        this.loop = owner.loop();
        this.id = id;
        this.limits = limits;
        this.handlers = handlers;
        this.timeoutNanos = timeoutNanos;
        this.listener = listener;
    }

    /**
     * Starts connecting to the address. Loop thread only.
     *
     * @param id           the id of the {@link Connection} to make
     * @param timeoutNanos how long the connect may take; 0 for no limit but the kernel's
     */
    public static Connector connect(ConnectionOwner owner, LoopIo io, InetSocketAddress address, long id,
                                    ConnectionLimits limits, ConnectionHandler.Factory handlers, long timeoutNanos,
                                    Listener listener) {
        assert owner.loop().inLoop();
        Connector connector = new Connector(owner, id, limits, handlers, timeoutNanos, listener);
        connector.start(io, address);
        return connector;
    }

    private void start(LoopIo io, InetSocketAddress address) {
        try {
            pending = io.connect(address, this);
            if (timeoutNanos > 0) {
                timerId = loop.scheduleTimer(System.nanoTime() + timeoutNanos, this);
            }
        } catch (IOException | RuntimeException e) {
            IOException cause = e instanceof IOException failure ? failure : new IOException(e.toString(), e);
            loop.execute(() -> fail(cause));
        }
    }

    /** Abandons the attempt: closes the socket; no callback follows. Loop thread only. */
    public void cancel() {
        assert loop.inLoop();
        if (!done) {
            done = true;
            cancelTimer();
            cancelPending();
        }
    }

    @Override
    public void onConnected(StreamSocket socket) {
        if (done) {
            socket.close();
            return;
        }
        done = true;
        cancelTimer();
        Connection connection = new Connection(id, socket, owner, limits);
        try {
            connection.start(handlers);
        } catch (IOException | RuntimeException e) {
            connection.close(e.toString());
            listener.onConnectFailed(e instanceof IOException io ? io : new IOException(e.toString(), e));
            return;
        }
        listener.onConnected(connection);
    }

    @Override
    public void onConnectFailed(IOException cause) {
        pending = null; // the transport closed the socket
        fail(cause);
    }

    @Override
    public void onTimer(long nowNanos) {
        timerId = NO_TIMER;
        fail(new SocketTimeoutException("connect timed out after " + timeoutNanos / 1_000_000 + " ms"));
    }

    private void fail(IOException cause) {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        cancelPending();
        listener.onConnectFailed(cause);
    }

    private void cancelTimer() {
        if (timerId != NO_TIMER) {
            loop.cancelTimer(timerId);
            timerId = NO_TIMER;
        }
    }

    private void cancelPending() {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
    }
}
