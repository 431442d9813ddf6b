package io.shardloop.runtime.net;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.transport.SocketEvents;
import io.shardloop.runtime.transport.StreamSocket;
import io.shardloop.runtime.transport.TestTransports;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A running event loop and an unconnected {@link Connection} owned by it, for tests of what writes
 * into a connection's buffers on the loop thread (reply ordering, outbound buffers). Nothing is sent:
 * the tests read what would be, with {@link #drain}.
 */
public final class LoopFixture implements AutoCloseable {
    public final EventLoop loop;
    public final BufferPool pool;
    public final ByteBuffer[] iov = new ByteBuffer[8];
    public final Connection connection;
    private final Thread thread;

    public LoopFixture(String name, int chunkSize) throws IOException {
        this(name, chunkSize, ConnectionLimits.defaults());
    }

    public LoopFixture(String name, int chunkSize, ConnectionLimits limits) throws IOException {
        loop = new EventLoop(name, TestTransports.openLoop(), 0);
        thread = new Thread(loop, name);
        thread.start();
        pool = new BufferPool(chunkSize, 16);
        SingleWriterCounters stats = NetStats.newCounters();
        connection = new Connection(1, new UnconnectedSocket(), new ConnectionOwner() {
            public EventLoop loop() { return loop; }
            public BufferPool bufferPool() { return pool; }
            public ByteBuffer[] iov() { return iov; }
            public SingleWriterCounters netStats() { return stats; }
            public void onClosed(Connection c) { }
        }, limits);
    }

    /** Runs the body on the loop thread and returns its result (or rethrows its failure). */
    public <T> T onLoop(Supplier<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(body.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(5, TimeUnit.SECONDS);
    }

    public void onLoop(Runnable body) throws Exception {
        onLoop(() -> {
            body.run();
            return null;
        });
    }

    /** Sends everything in the buffer to a collecting channel and returns it as ASCII. */
    public static String drain(OutboundBuffer out) {
        return new String(drain(out, Integer.MAX_VALUE), StandardCharsets.US_ASCII);
    }

    /** Sends everything in the buffer to a channel taking at most {@code perWrite} bytes a call. */
    public static byte[] drain(OutboundBuffer out, int perWrite) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        GatheringByteChannel channel = new LimitedChannel(sink, perWrite);
        try {
            while (!out.isEmpty()) {
                out.flushTo((chunks, count) -> channel.write(chunks, 0, count));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return sink.toByteArray();
    }

    @Override
    public void close() throws InterruptedException {
        loop.stop();
        thread.join(5_000);
    }

    /** A socket never started: the fixture's connection sends nothing; the tests drain its buffers. */
    private static final class UnconnectedSocket implements StreamSocket {
        @Override
        public void start(SocketEvents events, int readBudget) {
            throw new UnsupportedOperationException("the fixture's connection is not connected");
        }

        @Override
        public void reading(boolean on) {
        }

        @Override
        public long write(ByteBuffer[] chunks, int count) {
            return 0; // full: what is written stays in the buffers for drain()
        }

        @Override
        public void awaitWritable(boolean on) {
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void close() {
        }

        @Override
        public SocketAddress remoteAddress() {
            return null;
        }

        @Override
        public SocketAddress localAddress() {
            return null;
        }
    }

    /** Takes at most {@code perWrite} bytes per call, like a socket with a small send buffer. */
    private record LimitedChannel(ByteArrayOutputStream sink, int perWrite) implements GatheringByteChannel {
        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long total = 0;
            for (int i = offset; i < offset + length && total < perWrite; i++) {
                ByteBuffer src = srcs[i];
                int n = (int) Math.min(src.remaining(), perWrite - total);
                for (int k = 0; k < n; k++) {
                    sink.write(src.get());
                }
                total += n;
            }
            return total;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            return (int) write(new ByteBuffer[] {src}, 0, 1);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
