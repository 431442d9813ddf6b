package io.shardloop.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference HTTP server: Netty 4.2 on a native transport (epoll by default, or io_uring), N
 * loops bound N times with SO_REUSEPORT, {@code GET /plaintext} answering {@code Hello, World!}
 * the way Netty's own TechEmpower entry does (a shared pre-encoded body, a Date header refreshed
 * once a second, flush per read batch).
 * Usage: {@code NettyHttpServer PORT N [epoll|io_uring]}.
 */
public final class NettyHttpServer {
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
    private static final AsciiString SERVER = AsciiString.cached("netty");
    private static final AsciiString BODY_LENGTH = AsciiString.cached(String.valueOf(BODY.length));

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
                            ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192, false), new Handler());
                        }
                    });
            List<Channel> listeners = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                listeners.add(bootstrap.bind("127.0.0.1", port).sync().channel());
            }
            System.out.println("netty http on 127.0.0.1:" + port + " with " + threads + " " + transport.label + " loop(s)");
            for (Channel listener : listeners) {
                listener.closeFuture().sync();
            }
        } finally {
            group.shutdownGracefully();
        }
    }

    static final class Handler extends SimpleChannelInboundHandler<Object> {
        private static final ByteBuf BODY_BUF = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(BODY));
        private AsciiString date;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            refreshDate();
            ctx.executor().scheduleAtFixedRate(this::refreshDate, 1, 1, TimeUnit.SECONDS);
        }

        private void refreshDate() {
            date = new AsciiString(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now()));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpRequest request)) {
                return; // the empty last content of a GET
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            FullHttpResponse response;
            if ("/plaintext".equals(request.uri())) {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, BODY_BUF.duplicate(), false);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN)
                        .set(HttpHeaderNames.CONTENT_LENGTH, BODY_LENGTH);
            } else {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER, false);
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
            }
            response.headers().set(HttpHeaderNames.SERVER, SERVER).set(HttpHeaderNames.DATE, date);
            if (keepAlive) {
                ctx.write(response, ctx.voidPromise());
            } else {
                ctx.write(response).addListener(ChannelFutureListener.CLOSE);
            }
            ReferenceCountUtil.touch(msg);
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
