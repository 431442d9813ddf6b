package io.shardloop.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.UnixChannelOption;

import java.util.ArrayList;
import java.util.List;

/**
 * The reference echo server: Netty 4.2 on a native transport (epoll by default, or io_uring), N
 * event loops and the port bound N times with SO_REUSEPORT, as Netty recommends for multi-core
 * servers. Usage: {@code NettyEchoServer PORT N [epoll|io_uring]}.
 */
public final class NettyEchoServer {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        NettyTransport transport = NettyTransport.fromArgs(args, 2);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(UnixChannelOption.SO_REUSEPORT, true)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(Echo.INSTANCE);
                        }
                    });
            List<Channel> listeners = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                listeners.add(bootstrap.bind("127.0.0.1", port).sync().channel());
            }
            System.out.println("netty echo on 127.0.0.1:" + port + " with " + threads + " " + transport.label + " loop(s)");
            for (Channel listener : listeners) {
                listener.closeFuture().sync();
            }
        } finally {
            group.shutdownGracefully();
        }
    }

    /** Writes what it reads; flushes once per read batch, as Netty's own echo example does. */
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        static final Echo INSTANCE = new Echo();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
