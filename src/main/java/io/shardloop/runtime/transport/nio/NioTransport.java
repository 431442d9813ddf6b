package io.shardloop.runtime.transport.nio;

import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * The JDK's NIO: a {@link java.nio.channels.Selector} per loop (epoll underneath on Linux) and
 * {@link java.nio.channels.SocketChannel}s. Portable, and the reference the native transports are
 * measured against.
 */
public final class NioTransport implements Transport {
    public static final NioTransport INSTANCE = new NioTransport();

    private NioTransport() {
    }

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public LoopIo openLoop(String loopName, int readBufferSize) throws IOException {
        return new NioLoopIo(readBufferSize);
    }

    @Override
    public ListenSocket listen(InetSocketAddress address, int backlog, boolean reusePort) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.configureBlocking(false);
            channel.bind(address, backlog);
            return new NioListenSocket(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public boolean reusePortSupported() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
