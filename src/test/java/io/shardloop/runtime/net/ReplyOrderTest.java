package io.shardloop.runtime.net;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.loop.NioPoller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyOrderTest {
    private EventLoop loop;
    private Thread thread;
    private Connection connection;

    @BeforeEach
    void start() throws Exception {
        loop = new EventLoop("order-test", new NioPoller(), 0);
        thread = new Thread(loop, "order-test");
        thread.start();
        BufferPool pool = new BufferPool(64, 16); // small chunks: replies span several
        ByteBuffer[] iov = new ByteBuffer[8];
        SingleWriterCounters stats = NetStats.newCounters();
        connection = new Connection(1, SocketChannel.open(), new ConnectionOwner() {
            public EventLoop loop() { return loop; }
            public ByteBuffer readBuffer() { return ByteBuffer.allocate(1024); }
            public BufferPool bufferPool() { return pool; }
            public ByteBuffer[] iov() { return iov; }
            public SingleWriterCounters netStats() { return stats; }
            public void onClosed(Connection c) { }
        }, ConnectionLimits.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        loop.stop();
        thread.join(5_000);
    }

    @Test
    void shouldWriteStraightOutWhileNothingIsDeferred() throws Exception {
        onLoop(() -> {
            ReplyOrder order = new ReplyOrder(connection, 8);
            assertEquals(connection.outbound(), order.immediate());
            assertTrue(order.isEmpty());
        });
    }

    @Test
    void shouldHoldLaterRepliesBehindADeferredOneAndReleaseThemInOrder() throws Exception {
        String sent = onLoop(() -> {
            ReplyOrder order = new ReplyOrder(connection, 8);
            order.immediate().writeAscii("+one\r\n");
            long second = order.defer();
            order.immediate().writeAscii("+three-is-a-longer-reply-that-spans-more-than-one-64-byte-chunk...\r\n");
            long fourth = order.defer();
            order.immediate().writeAscii("+five\r\n");
            assertEquals(4, order.outstanding());
            // The fourth answer arrives first: nothing may move past the second.
            order.deferred(fourth).writeAscii("+four\r\n");
            order.complete(fourth);
            assertEquals("+one\r\n", text(connection.outbound()), "sent so far (and drained by the test)");
            order.deferred(second).writeAscii("+two\r\n");
            order.complete(second);
            assertTrue(order.isEmpty());
            order.immediate().writeAscii("+six\r\n");
            return text(connection.outbound());
        });
        assertEquals("+two\r\n+three-is-a-longer-reply-that-spans-more-than-one-64-byte-chunk...\r\n"
                + "+four\r\n+five\r\n+six\r\n", sent);
    }

    @Test
    void shouldTellWhenTheLineIsFull() throws Exception {
        onLoop(() -> {
            ReplyOrder order = new ReplyOrder(connection, 4);
            long first = order.defer();
            for (int i = 0; i < 3; i++) {
                order.immediate().writeAscii("+x\r\n");
            }
            assertTrue(order.isFull());
            assertThrows(IllegalStateException.class, order::defer);
            order.complete(first);
            assertFalse(order.isFull());
        });
    }

    private void onLoop(Runnable body) throws Exception {
        onLoop(() -> {
            body.run();
            return "";
        });
    }

    private <T> T onLoop(java.util.function.Supplier<T> body) throws Exception {
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

    /** Everything in the buffer as text, without consuming it from the caller's view of order. */
    private static String text(OutboundBuffer out) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutboundBuffer copy = out; // drained: the test reads what would be sent, in order
        try {
            copy.flushTo(new java.nio.channels.GatheringByteChannel() {
                public long write(ByteBuffer[] srcs, int offset, int length) {
                    long n = 0;
                    for (int i = offset; i < offset + length; i++) {
                        while (srcs[i].hasRemaining()) {
                            sink.write(srcs[i].get());
                            n++;
                        }
                    }
                    return n;
                }
                public long write(ByteBuffer[] srcs) { return write(srcs, 0, srcs.length); }
                public int write(ByteBuffer src) { return (int) write(new ByteBuffer[] {src}, 0, 1); }
                public boolean isOpen() { return true; }
                public void close() { }
            });
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return sink.toString(StandardCharsets.US_ASCII);
    }
}
