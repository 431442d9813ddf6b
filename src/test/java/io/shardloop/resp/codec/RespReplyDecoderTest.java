package io.shardloop.resp.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespReplyDecoderTest {
    private static final ReplyLimits LIMITS = new ReplyLimits(1024, 1 << 20, 1000, 8);

    /** One reply of each shape, RESP2 and RESP3, with its top-level type and whether it is a null. */
    private static final String[][] REPLIES = {
        {"+OK\r\n", "+"},
        {"-ERR wrong type\r\n", "-"},
        {":-9223372036854775808\r\n", ":"},
        {"$5\r\nhello\r\n", "$"},
        {"$0\r\n\r\n", "$"},
        {"$6\r\n\r\n\r\n\r\n\r\n", "$"}, // a payload of CR LFs is still skipped by its length
        {"$-1\r\n", "$", "null"},
        {"*-1\r\n", "*", "null"},
        {"*0\r\n", "*"},
        {"*3\r\n$3\r\nfoo\r\n*2\r\n:1\r\n+x\r\n*0\r\n", "*"},
        {"_\r\n", "_", "null"},
        {"#t\r\n", "#"},
        {",3.14\r\n", ","},
        {"(3492890328409238509324850943850943825024385\r\n", "("},
        {"=15\r\ntxt:Some string\r\n", "="},
        {"!21\r\nSYNTAX invalid syntax\r\n", "!"},
        {"%2\r\n+first\r\n:1\r\n+second\r\n*1\r\n$1\r\nx\r\n", "%"},
        {"~2\r\n+a\r\n+b\r\n", "~"},
        {">3\r\n+message\r\n+channel\r\n$2\r\nhi\r\n", ">"},
        {"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n", "*"},
        {"|0\r\n+after an empty attribute\r\n", "+"},
        {"*1\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n", "*"},
        {"$4096\r\n" + "x".repeat(4096) + "\r\n", "$"},
    };

    private static String all() {
        StringBuilder s = new StringBuilder();
        for (String[] r : REPLIES) {
            s.append(r[0]);
        }
        return s.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Decodes the input as a connection would receive it: in pieces, keeping only the bytes the
     * decoder has not consumed (the rest of a line), in a buffer no larger than that plus a piece.
     * Returns "type@end" for each reply, and checks that nothing else was ever held back.
     */
    private static List<String> feed(RespReplyDecoder decoder, byte[] input, int[] pieces, int maxHeld) {
        byte[] held = new byte[maxHeld + pieces[0] + 4096];
        int heldLength = 0;
        long consumedBefore = 0; // input offset of held[0]
        List<String> out = new ArrayList<>();
        int at = 0;
        for (int k = 0; at < input.length; k++) {
            int n = Math.min(pieces[k % pieces.length], input.length - at);
            System.arraycopy(input, at, held, heldLength, n);
            heldLength += n;
            at += n;
            UnsafeBuffer view = new UnsafeBuffer(held, 0, heldLength);
            int position = 0;
            while (true) {
                int r = decoder.decode(view, position, heldLength);
                assertTrue(r != RespReplyDecoder.INVALID, () -> "invalid: " + decoder.error());
                assertTrue(decoder.position() >= position && decoder.position() <= heldLength);
                position = decoder.position();
                if (r == RespReplyDecoder.NEED_MORE) {
                    break;
                }
                out.add((char) decoder.replyType() + (decoder.replyIsNull() ? "null" : "") + "@" + (consumedBefore + position));
            }
            int left = heldLength - position;
            assertTrue(left <= maxHeld, "held " + left + " unconsumed bytes");
            System.arraycopy(held, position, held, 0, left);
            consumedBefore += position;
            heldLength = left;
        }
        assertEquals(0, heldLength, "the input ends on a reply's end");
        return out;
    }

    private static List<String> expected() {
        List<String> out = new ArrayList<>();
        long end = 0;
        for (String[] r : REPLIES) {
            end += r[0].length();
            out.add(r[1] + (r.length > 2 ? r[2] : "") + "@" + end);
        }
        return out;
    }

    @Test
    void shouldFindEachReplyEndWhenFedByteByByte() {
        // Only the line being read is ever held back: the longest here is under 64 bytes.
        assertEquals(expected(), feed(new RespReplyDecoder(LIMITS), bytes(all()), new int[] {1}, 64));
    }

    @Test
    void shouldFindEachReplyEndWhereverTheInputIsSplit() {
        byte[] input = bytes(all());
        RespReplyDecoder decoder = new RespReplyDecoder(LIMITS);
        for (int piece : new int[] {2, 3, 5, 7, 64, 4096, input.length}) {
            assertEquals(expected(), feed(decoder, input, new int[] {piece}, 64), "pieces of " + piece);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int run = 0; run < 50; run++) {
            int[] pieces = random.ints(32, 1, 40).toArray();
            assertEquals(expected(), feed(decoder, input, pieces, 64), "run " + run);
        }
    }

    @Test
    void shouldSkipALargePayloadAsItArrivesWithoutHoldingIt() {
        int size = 8 << 20;
        byte[] input = bytes("$" + size + "\r\n" + "v".repeat(size) + "\r\n+OK\r\n");
        RespReplyDecoder decoder = new RespReplyDecoder(new ReplyLimits(1024, size, 10, 4));
        assertEquals(List.of("$@" + (input.length - 5), "+@" + input.length),
                feed(decoder, input, new int[] {4093}, 16));
    }

    @Test
    void shouldRefuseAbsurdDeclaredSizesAsSoonAsTheHeaderArrives() {
        assertInvalid("$1048577\r\n", "a bulk length of 1048577 bytes, over the limit of 1048576");
        assertInvalid("=9223372036854775807\r\n", "over the limit");
        assertInvalid("$92233720368547758070\r\n", "a bulk length that is not a number");
        assertInvalid("$-2\r\n", "a negative bulk length: -2");
        assertInvalid("!-1\r\n", "a negative bulk length");
        assertInvalid("*1001\r\n", "an aggregate of 1001 elements, over the limit of 1000");
        assertInvalid("%9223372036854775807\r\n", "over the limit");
        assertInvalid("~-1\r\n", "a negative aggregate length: -1");
        assertInvalid("*x\r\n", "an aggregate length that is not a number");
        assertInvalid("*1\r\n".repeat(9) + ":1\r\n", "aggregates nested deeper than 8");
        // Eight levels are fine, and so is an empty ninth.
        assertEquals(RespReplyDecoder.REPLY, decodeAll("*1\r\n".repeat(8) + ":1\r\n"));
        assertEquals(RespReplyDecoder.REPLY, decodeAll("*1\r\n".repeat(8) + "*0\r\n"));
    }

    @Test
    void shouldRefuseALineOverTheLimitBeforeItsEndArrives() {
        assertEquals(RespReplyDecoder.NEED_MORE, decodeAll("+" + "a".repeat(1024)));
        assertEquals(RespReplyDecoder.REPLY, decodeAll("+" + "a".repeat(1024) + "\r\n"));
        assertInvalid("+" + "a".repeat(1025), "a line longer than 1024 bytes");
        assertInvalid(":" + "1".repeat(5000), "a line longer than 1024 bytes");
    }

    @Test
    void shouldRejectMalformedReplies() {
        assertInvalid("?what\r\n", "unknown reply type byte 0x3f");
        assertInvalid("+a\rb\r\n", "a CR not followed by LF");
        assertInvalid("+a\nb\r\n", "an LF without a CR before it");
        assertInvalid("$3\r\nabcd\r\n", "a bulk string not ended by CR LF");
        assertInvalid(":12a\r\n", "an integer reply that is not a 64-bit decimal");
        assertInvalid(":007\r\n", "an integer reply that is not a 64-bit decimal");
        assertInvalid(":9223372036854775808\r\n", "an integer reply that is not a 64-bit decimal");
        assertInvalid(":\r\n", "an integer reply that is not a 64-bit decimal");
        assertInvalid("#x\r\n", "a boolean other than #t or #f");
        assertInvalid("_x\r\n", "a null ('_') with text after it");
        assertInvalid(",\r\n", "an empty number");
        assertInvalid("*2\r\n:1\r\n?\r\n", "unknown reply type byte");
    }

    @Test
    void shouldStartOverAfterAReset() {
        RespReplyDecoder decoder = new RespReplyDecoder(LIMITS);
        byte[] partial = bytes("*3\r\n:1\r\n$10\r\nabc");
        assertEquals(RespReplyDecoder.NEED_MORE, decoder.decode(new UnsafeBuffer(partial), 0, partial.length));
        decoder.reset();
        byte[] next = bytes("+OK\r\n");
        assertEquals(RespReplyDecoder.REPLY, decoder.decode(new UnsafeBuffer(next), 0, next.length));
        assertEquals('+', decoder.replyType());
        assertEquals(next.length, decoder.position());
    }

    @Test
    void shouldReplayWhatTheWriterWroteElementByElement() {
        BufferReplyWriter w = new BufferReplyWriter();
        writeSample(w);
        Recorder direct = new Recorder();
        writeSample(direct);

        byte[] bytes = w.toByteArray();
        Recorder replayed = new Recorder();
        RespReplyDecoder decoder = new RespReplyDecoder(LIMITS);
        UnsafeBuffer view = new UnsafeBuffer(bytes);
        int at = 0;
        while (at < bytes.length) {
            assertEquals(RespReplyDecoder.REPLY, decoder.replay(view, at, bytes.length, replayed));
            at = decoder.position();
        }
        assertEquals(direct.events, replayed.events);

        // Byte by byte: a bulk string is emitted once whole, every other element as its line ends.
        Recorder slow = new Recorder();
        at = 0;
        for (int limit = 1; limit <= bytes.length; limit++) {
            while (decoder.replay(view, at, limit, slow) == RespReplyDecoder.REPLY || decoder.position() > at) {
                at = decoder.position();
            }
        }
        assertEquals(direct.events, slow.events);
    }

    @Test
    void shouldReplayThroughTheReaderFromABufferWithoutAByteArray() {
        BufferReplyWriter w = new BufferReplyWriter();
        writeSample(w);
        Recorder direct = new Recorder();
        writeSample(direct);
        ByteBuffer offHeap = ByteBuffer.allocateDirect(w.length() + 3);
        offHeap.position(3);
        offHeap.put(w.toByteArray());
        UnsafeBuffer view = new UnsafeBuffer(offHeap);
        Recorder replayed = new Recorder();
        int at = 3;
        while (at < view.capacity()) {
            at = ReplyReader.replay(view, at, replayed);
        }
        assertEquals(direct.events, replayed.events);
    }

    @Test
    void shouldReportAReplyCutShortOrNotRespTwoFromTheReader() {
        UnsafeBuffer cut = new UnsafeBuffer(bytes("*2\r\n:1\r\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplyReader.skip(cut, 0));
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
        UnsafeBuffer resp3 = new UnsafeBuffer(bytes("%1\r\n+a\r\n+b\r\n"));
        e = assertThrows(IllegalArgumentException.class, () -> ReplyReader.replay(resp3, 0, new Recorder()));
        assertTrue(e.getMessage().contains("RESP2"), e.getMessage());
    }

    @Test
    void shouldAllocateNothingPerReply() {
        byte[] input = bytes(all().repeat(4));
        UnsafeBuffer view = new UnsafeBuffer(input);
        RespReplyDecoder decoder = new RespReplyDecoder(LIMITS);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int replies = 0;
        for (int round = 0; round < 2; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2_000; i++) {
                int at = 0;
                while (at < input.length) {
                    decoder.decode(view, at, input.length);
                    at = decoder.position();
                    replies++;
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                assertTrue(allocated < 64 * 1024, allocated + " bytes allocated for " + replies / 2 + " replies");
            }
        }
        assertFalse(replies == 0);
    }

    private static void writeSample(ReplySink out) {
        out.simple("OK");
        out.error("ERR bad");
        out.integer(Long.MIN_VALUE);
        out.bulk(bytes("hello"));
        out.bulk(new byte[0]);
        out.nullBulk();
        out.arrayHeader(3);
        out.bulk(bytes("a\r\nb"));
        out.arrayHeader(2);
        out.integer(1);
        out.nullArray();
        out.arrayHeader(0);
        out.nullArray();
    }

    private static void assertInvalid(String input, String message) {
        RespReplyDecoder decoder = new RespReplyDecoder(LIMITS);
        byte[] b = bytes(input);
        assertEquals(RespReplyDecoder.INVALID, decoder.decode(new UnsafeBuffer(b), 0, b.length), input);
        assertTrue(decoder.error().contains(message), () -> "'" + decoder.error() + "' should say '" + message + "'");
    }

    private static int decodeAll(String input) {
        byte[] b = bytes(input);
        return new RespReplyDecoder(LIMITS).decode(new UnsafeBuffer(b), 0, b.length);
    }

    /** Records the elements a sink is given, as text. */
    private static final class Recorder implements ReplySink {
        final List<String> events = new ArrayList<>();

        @Override
        public void simple(String ascii) {
            events.add("+" + ascii);
        }

        @Override
        public void raw(byte[] encoded, int offset, int length) {
            events.add("raw " + new String(encoded, offset, length, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void error(String message) {
            events.add("-" + message);
        }

        @Override
        public void integer(long value) {
            events.add(":" + value);
        }

        @Override
        public void bulk(byte[] value, int offset, int length) {
            events.add("$" + new String(value, offset, length, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void bulkDecimal(long value) {
            events.add("$" + value);
        }

        @Override
        public void nullBulk() {
            events.add("$-1");
        }

        @Override
        public void arrayHeader(int count) {
            events.add("*" + count);
        }

        @Override
        public void nullArray() {
            events.add("*-1");
        }
    }
}
