package io.shardloop.http;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.loop.NioPoller;
import io.shardloop.runtime.net.BufferPool;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.net.ConnectionOwner;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.runtime.net.OutboundBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResponseSequencerTest {
    private EventLoop loop;
    private Thread thread;
    private Connection connection;
    private BufferPool pool;
    private final ByteBuffer[] iov = new ByteBuffer[8];

    @BeforeEach
    void start() throws Exception {
        loop = new EventLoop("sequencer-test", new NioPoller(), 0);
        thread = new Thread(loop, "sequencer-test");
        thread.start();
        pool = new BufferPool(256, 16);
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
    void shouldKeepRequestOrderWhenResponsesCompleteInReverseAcrossSlotGrowth() throws Exception {
        String sent = onLoop(() -> {
            ResponseSequencer sequencer = new ResponseSequencer(connection, pool, iov, 64, () -> { });
            int n = 40; // more than the slots an idle connection starts with: they must grow
            long[] seqs = new long[n];
            for (int i = 0; i < n; i++) {
                seqs[i] = sequencer.open();
            }
            for (int i = n - 1; i >= 0; i--) {
                sequencer.out(seqs[i]).writeAscii("r" + i + ";");
                sequencer.complete(seqs[i]);
            }
            return drain(connection.outbound());
        });
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            expected.append('r').append(i).append(';');
        }
        assertEquals(expected.toString(), sent);
    }

    @Test
    void shouldTellAWaitingResponseWhenItReachesTheHead() throws Exception {
        String trace = onLoop(() -> {
            StringBuilder t = new StringBuilder();
            ResponseSequencer sequencer = new ResponseSequencer(connection, pool, iov, 64, () -> { });
            long first = sequencer.open();
            long second = sequencer.open();
            sequencer.whenHead(second, new ResponseSequencer.HeadListener() {
                public void onHead() { t.append("second at head;"); }
                public void onDiscarded() { t.append("discarded;"); }
            });
            t.append("first done;");
            sequencer.complete(first);
            return t.toString();
        });
        assertEquals("first done;second at head;", trace);
    }

    private <T> T onLoop(Supplier<T> body) throws Exception {
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

    private static String drain(OutboundBuffer out) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try {
            out.flushTo(new GatheringByteChannel() {
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
