package io.shardloop.http.codec;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkedDecoderTest {
    private static final String BODY = "5\r\nhello\r\n1a;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n"
            + "3 ; spaced\r\n\r\n\n\r\nA\n0123456789\n0\r\nExpires: never\r\nX: y\r\n\r\n";
    private static final String DECODED = "hello" + "abcdefghijklmnopqrstuvwxyz" + "\r\n\n" + "0123456789";
    private static final String AFTER = "GET /next HTTP/1.1\r\n";

    private static ChunkedDecoder decoder() {
        return new ChunkedDecoder(64, 1024, 256, 4);
    }

    /** The body's data and what followed, decoded from pieces of these sizes; "ERROR status reason" on error. */
    private static String decode(ChunkedDecoder chunks, String input, int... pieces) {
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int at = 0;
        for (int k = 0; at < bytes.length; k++) {
            ByteBuffer in = ByteBuffer.wrap(bytes, at, Math.min(pieces[k % pieces.length], bytes.length - at));
            at += in.remaining();
            while (true) {
                int r = chunks.decode(in);
                if (r == ChunkedDecoder.DATA) {
                    int n = chunks.dataLength();
                    assertTrue(n > 0 && n <= in.remaining());
                    data.write(bytes, in.position(), n);
                    in.position(in.position() + n);
                } else if (r == ChunkedDecoder.NEED_MORE) {
                    assertEquals(0, in.remaining(), "NEED_MORE consumes every byte");
                    break;
                } else if (r == ChunkedDecoder.DONE) {
                    return data.toString(StandardCharsets.ISO_8859_1) + "|"
                            + new String(bytes, in.position(), bytes.length - in.position(), StandardCharsets.ISO_8859_1);
                } else {
                    return "ERROR " + chunks.errorStatus() + " " + chunks.errorReason();
                }
            }
        }
        return "NEED_MORE";
    }

    @Test
    void shouldDecodeTheSameBodyWhereverTheBytesAreSplit() {
        ChunkedDecoder chunks = decoder();
        String expected = DECODED + "|" + AFTER;
        for (int piece : new int[] {1, 2, 3, 7, 1000}) {
            chunks.reset();
            assertEquals(expected, decode(chunks, BODY + AFTER, piece), "pieces of " + piece);
        }
        SplittableRandom random = new SplittableRandom(3);
        for (int run = 0; run < 200; run++) {
            chunks.reset();
            assertEquals(expected, decode(chunks, BODY + AFTER, random.ints(16, 1, 12).toArray()), "run " + run);
        }
        assertEquals(DECODED.length(), chunks.declaredBytes());
    }

    @Test
    void shouldRefuseDeclaredSizesOverTheLimitsBeforeTheirData() {
        assertEquals("ERROR 413 chunk over 64 bytes", decode(decoder(), "41\r\n", 1));
        assertEquals("ERROR 413 chunk over 64 bytes", decode(decoder(), "fffffffffffffffffffffffffffffffff\r\n", 1));
        String twenty = "14\r\n" + "x".repeat(20) + "\r\n";
        assertEquals("ERROR 413 chunked body over 1024 bytes", decode(decoder(), twenty.repeat(51) + "40\r\n", 5));
        assertEquals("ERROR 400 chunk size line over 1024 bytes",
                decode(decoder(), "1;" + "e".repeat(1030) + "\r\n", 64));
        assertEquals("ERROR 431 trailers over 256 bytes", decode(decoder(), "0\r\nX: " + "y".repeat(300) + "\r\n\r\n", 9));
        assertEquals("ERROR 431 more than 4 trailer fields", decode(decoder(), "0\r\n" + "A: b\r\n".repeat(5) + "\r\n", 9));
    }

    @Test
    void shouldRejectMalformedChunks() {
        assertEquals("ERROR 400 malformed chunk size", decode(decoder(), "\r\n", 1));
        assertEquals("ERROR 400 malformed chunk size", decode(decoder(), "zz\r\n", 1));
        assertEquals("ERROR 400 malformed chunk size", decode(decoder(), "5x\r\nhello\r\n", 1));
        assertEquals("ERROR 400 malformed chunk size", decode(decoder(), " 5\r\nhello\r\n", 1));
        assertEquals("ERROR 400 malformed chunk size", decode(decoder(), "5\r\r\nhello\r\n", 1));
        assertEquals("ERROR 400 chunk data longer than its size", decode(decoder(), "2\r\nabc\r\n", 1));
        assertEquals("NEED_MORE", decode(decoder(), "5\r\nhel", 1));
    }

    @Test
    void shouldUseTheRequestLimitsForRequestBodies() {
        HttpLimits limits = new HttpLimits(64, 128, 3, 100, 10, 4, 256);
        ChunkedDecoder chunks = ChunkedDecoder.forRequests(limits);
        assertEquals("ERROR 413 chunk over 10 bytes", decode(chunks, "b\r\n", 1));
        chunks.reset();
        assertEquals("ERROR 413 chunked body over 100 bytes", decode(chunks, "a\r\n0123456789\r\n".repeat(10) + "1\r\n", 1));
        chunks.reset();
        assertEquals("ERROR 431 more than 3 trailer fields", decode(chunks, "0\r\n" + "A: b\r\n".repeat(4), 1));
    }
}
