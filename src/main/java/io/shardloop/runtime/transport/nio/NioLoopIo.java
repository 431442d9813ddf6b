package io.shardloop.runtime.transport.nio;

import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.StreamSocket;
import io.shardloop.runtime.transport.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One loop's I/O over a {@link Selector}. It uses the {@code select(Consumer, ...)} overloads, so no
 * selected-key set is built and nothing is allocated per ready channel.
 * <p>
 * Owned by one event loop: all methods but {@link #wakeup()} run on that loop's thread.
 */
public final class NioLoopIo implements LoopIo {
    /** What a registered channel's attachment does with its ready set. */
    interface Ready {
        void onReady(int readyOps);
    }

    private final Selector selector;
    private final ByteBuffer readBuffer;
    /** Kept as a field so a poll does not allocate a lambda. */
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    private Runnable beforeDispatch;
    private boolean dispatching;

    public NioLoopIo(int readBufferSize) throws IOException {
        this.selector = Selector.open();
        this.readBuffer = ByteBuffer.allocateDirect(readBufferSize);
    }

    @Override
    public Transport transport() {
        return NioTransport.INSTANCE;
    }

    ByteBuffer readBuffer() {
        return readBuffer;
    }

    SelectionKey register(SelectableChannel channel, int ops, Ready handler) throws IOException {
        channel.configureBlocking(false);
        return channel.register(selector, ops, handler);
    }

    @Override
    public Watch watch(ListenSocket listener, Runnable onAcceptable) throws IOException {
        SelectionKey key = register(((NioListenSocket) listener).channel, SelectionKey.OP_ACCEPT, ops -> onAcceptable.run());
        return new Watch() {
            @Override
            public void enabled(boolean on) {
                if (key.isValid()) {
                    key.interestOps(on ? SelectionKey.OP_ACCEPT : 0);
                }
            }

            @Override
            public void cancel() {
                key.cancel();
            }
        };
    }

    @Override
    public StreamSocket open(AcceptedSocket accepted) throws IOException {
        SocketChannel channel = ((NioListenSocket.NioAccepted) accepted).channel();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new NioStreamSocket(channel, this);
    }

    @Override
    public PendingConnect connect(InetSocketAddress address, ConnectEvents events) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean connected = channel.connect(address);
            // Connected at once (possible on loopback): the socket is writable, so the outcome still
            // arrives from the next poll, as the contract says.
            Connecting connecting = new Connecting(channel, events);
            connecting.key = register(channel, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, connecting);
            return connecting;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A connect under way: its key fires once, connected or failed. */
    private final class Connecting implements Ready, PendingConnect {
        private final SocketChannel channel;
        private final ConnectEvents events;
        private SelectionKey key;
        private boolean done;

        Connecting(SocketChannel channel, ConnectEvents events) {
            this.channel = channel;
            this.events = events;
        }

        @Override
        public void onReady(int readyOps) {
            if (done) {
                return;
            }
            try {
                if (!channel.finishConnect()) {
                    return; // not yet: the key stays
                }
            } catch (IOException e) {
                done = true;
                closeQuietly();
                events.onConnectFailed(e);
                return;
            }
            done = true;
            key.interestOps(0); // the stream socket registers the channel again, with its own interest
            events.onConnected(new NioStreamSocket(channel, NioLoopIo.this));
        }

        @Override
        public void cancel() {
            if (!done) {
                done = true;
                closeQuietly();
            }
        }

        private void closeQuietly() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing more to do for a socket that will not close cleanly.
            }
        }
    }

    @Override
    public int poll(long timeoutNanos, Runnable beforeDispatch) throws IOException {
        this.beforeDispatch = beforeDispatch;
        this.dispatching = false;
        if (timeoutNanos <= 0) {
            return selector.selectNow(dispatch);
        }
        if (timeoutNanos == Long.MAX_VALUE) {
            return selector.select(dispatch);
        }
        // Selector timeouts are in milliseconds; round up so a timer is never woken for too early.
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999));
        return selector.select(dispatch, millis);
    }

    private void dispatch(SelectionKey key) {
        if (!dispatching) {
            dispatching = true;
            beforeDispatch.run();
        }
        int ready;
        try {
            ready = key.readyOps();
        } catch (CancelledKeyException e) {
            return; // closed earlier in this same poll
        }
        ((Ready) key.attachment()).onReady(ready);
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }

    /** Number of channels registered, for tests and stats. */
    public int registeredCount() {
        return selector.keys().size();
    }
}
