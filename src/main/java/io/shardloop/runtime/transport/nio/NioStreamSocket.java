package io.shardloop.runtime.transport.nio;

import io.shardloop.runtime.transport.ReadinessSocket;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** A connected {@link SocketChannel} registered with its loop's selector. Loop thread only. */
final class NioStreamSocket extends ReadinessSocket implements NioLoopIo.Ready {
    private final SocketChannel channel;
    private final NioLoopIo io;
    private SelectionKey key;

    NioStreamSocket(SocketChannel channel, NioLoopIo io) {
        super(io.readBuffer());
        this.channel = channel;
        this.io = io;
    }

    @Override
    protected int read(ByteBuffer into) throws IOException {
        return channel.read(into);
    }

    @Override
    public long write(ByteBuffer[] chunks, int count) throws IOException {
        return channel.write(chunks, 0, count);
    }

    @Override
    protected void register() throws IOException {
        key = io.register(channel, interest(), this);
    }

    @Override
    protected void interestChanged() {
        if (key != null && key.isValid()) {
            key.interestOps(interest());
        }
    }

    private int interest() {
        return (wantsRead() ? SelectionKey.OP_READ : 0) | (wantsWrite() ? SelectionKey.OP_WRITE : 0);
    }

    @Override
    public void onReady(int readyOps) {
        onReady((readyOps & SelectionKey.OP_READ) != 0, (readyOps & SelectionKey.OP_WRITE) != 0);
    }

    @Override
    protected void closeSocket() {
        try {
            channel.close(); // also cancels the key
        } catch (IOException ignored) {
            // Nothing more to do for a socket that will not close cleanly.
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public SocketAddress remoteAddress() {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public SocketAddress localAddress() {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }
}
