package io.shardloop.runtime.transport.nio;

import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening {@link ServerSocketChannel}, non-blocking. */
final class NioListenSocket implements ListenSocket {
    final ServerSocketChannel channel;
    private final InetSocketAddress local;

    NioListenSocket(ServerSocketChannel channel) throws IOException {
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public AcceptedSocket accept() throws IOException {
        SocketChannel accepted = channel.accept();
        return accepted == null ? null : new NioAccepted(accepted);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** An accepted channel on its way to a loop. */
    record NioAccepted(SocketChannel channel) implements AcceptedSocket {
        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // The peer is gone either way.
            }
        }
    }
}
