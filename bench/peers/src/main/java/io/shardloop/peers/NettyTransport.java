package io.shardloop.peers;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The native transport a Netty reference server runs on: {@code epoll} (the default, what Netty's
 * users pick for speed on Linux) or {@code io_uring}. A transport this kernel or container cannot
 * give makes the server exit at once with one line saying why, as shardloop does, so the scripts
 * can report it and go on.
 */
enum NettyTransport {
    EPOLL("epoll"),
    IO_URING("io_uring");

    final String label;

    NettyTransport(String label) {
        this.label = label;
    }

    /** The transport named by {@code args[index]}, epoll when absent; exits when it cannot run. */
    static NettyTransport fromArgs(String[] args, int index) {
        String name = args.length > index ? args[index] : "epoll";
        NettyTransport transport = switch (name) {
            case "epoll" -> EPOLL;
            case "io_uring", "io-uring", "iouring" -> IO_URING;
            default -> fail("unknown transport " + name + " (epoll or io_uring)");
        };
        Throwable cause = switch (transport) {
            case EPOLL -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
            case IO_URING -> IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
        };
        if (cause != null) {
            fail(transport.label + " is not available: " + rootMessage(cause));
        }
        return transport;
    }

    IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : IoUringIoHandler.newFactory();
    }

    Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : IoUringServerSocketChannel.class;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t).replaceAll("\\s+", " ");
    }

    private static NettyTransport fail(String why) {
        System.err.println("netty: " + why);
        System.exit(1);
        throw new AssertionError();
    }
}
