package io.shardloop.runtime.net;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundBufferTest {
    private final BufferPool pool = new BufferPool(256, 8);
    private final OutboundBuffer out = new OutboundBuffer(pool, new ByteBuffer[4]);

    @Test
    void shouldWriteDecimalsWithoutLosingDigitsOrSign() {
        long[] values = {0, 7, -7, 10, 1234567890123L, Long.MAX_VALUE, Long.MIN_VALUE};
        StringBuilder expected = new StringBuilder();
        for (long v : values) {
            out.writeDecimal(v).writeByte(',');
            expected.append(v).append(',');
        }
        assertEquals(expected.toString(), new String(drain(Integer.MAX_VALUE), StandardCharsets.US_ASCII));
    }

    @Test
    void shouldSpanChunksAndSendEveryByteInOrder() {
        byte[] data = new byte[256 * 10 + 17];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        out.writeBytes(data, 0, 100).writeBytes(ByteBuffer.wrap(data, 100, data.length - 100));
        assertEquals(data.length, out.size());
        // A socket that takes 300 bytes at a time: partial gathering writes must resume exactly.
        assertArrayEquals(data, drain(300));
        assertTrue(out.isEmpty());
    }

    @Test
    void shouldReturnChunksToThePoolOnceSent() {
        out.writeBytes(new byte[1000]);
        drain(Integer.MAX_VALUE);
        assertEquals(4, pool.pooled(), "1000 bytes span four 256-byte chunks, all returned");
        long allocated = pool.allocated();
        out.writeBytes(new byte[1000]);
        drain(Integer.MAX_VALUE);
        assertEquals(allocated, pool.allocated(), "steady traffic reuses pooled chunks");
    }

    @Test
    void shouldPackSmallMovedPiecesIntoTheTargetsLastChunkAndHandOverLargeOnes() {
        OutboundBuffer target = new OutboundBuffer(pool, new ByteBuffer[4]);
        target.writeAscii("a");
        for (char c = 'b'; c <= 'e'; c++) {
            OutboundBuffer held = new OutboundBuffer(pool, new ByteBuffer[4]);
            held.writeAscii(String.valueOf(c));
            held.moveTo(target);
            assertEquals(0, held.size());
        }
        long allocated = pool.allocated();
        OutboundBuffer large = new OutboundBuffer(pool, new ByteBuffer[4]);
        byte[] big = new byte[600];
        java.util.Arrays.fill(big, (byte) 'z');
        large.writeBytes(big);
        large.moveTo(target);
        target.writeAscii("!");
        assertEquals(5 + 600 + 1, target.size());
        StringBuilder expected = new StringBuilder("abcde").append("z".repeat(600)).append('!');
        assertEquals(expected.toString(), LoopFixture.drain(target));
        assertTrue(pool.allocated() <= allocated + 3, "small pieces reuse the target's chunk");
    }

    @Test
    void shouldDropDataAndChunksOnDiscard() {
        out.writeBytes(new byte[600]);
        out.discard();
        assertEquals(0, out.size());
        assertEquals(3, pool.pooled());
    }

    @Test
    void shouldStartAHeldReplySmallAndGrowIntoFullChunks() {
        BufferPool big = new BufferPool(4096, 1);
        OutboundBuffer.Tally tally = new OutboundBuffer.Tally();
        OutboundBuffer held = new OutboundBuffer(big, new ByteBuffer[4], tally);
        byte[] data = new byte[BufferPool.SMALL_CHUNK + 5000];
        java.util.Arrays.fill(data, (byte) 'q');
        held.writeBytes(data);
        assertEquals(data.length, held.size());
        assertEquals(data.length, tally.bytes(), "counted in its tally too");
        assertEquals("q".repeat(data.length), LoopFixture.drain(held));
        assertEquals(0, tally.bytes());
        assertEquals(2, big.pooled(), "one chunk of each size kept; the second full one freed");
        OutboundBuffer again = new OutboundBuffer(big, new ByteBuffer[4], tally);
        long allocated = big.allocated();
        again.writeAscii("+OK\r\n");
        assertEquals(allocated, big.allocated(), "the small chunk is reused");
        assertEquals("+OK\r\n", LoopFixture.drain(again));
    }

    @Test
    void shouldKeepAtMostTheConfiguredNumberOfFreeChunks() {
        OutboundBuffer wide = new OutboundBuffer(pool, new ByteBuffer[16]);
        wide.writeBytes(new byte[256 * 12]);
        LoopFixture.drain(wide);
        assertEquals(8, pool.pooled(), "chunks past the cap are freed, not kept");
    }

    private byte[] drain(int perWrite) {
        return LoopFixture.drain(out, perWrite);
    }
}
