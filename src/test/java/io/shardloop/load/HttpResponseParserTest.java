package io.shardloop.load;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpResponseParserTest {
    private final HttpResponseParser parser = new HttpResponseParser(200, false, 1024);

    /** Feeds the text in pieces of the given size; returns every outcome other than NEED_MORE. */
    private List<Integer> feed(String text, int piece) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        List<Integer> outcomes = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += piece) {
            ByteBuffer in = ByteBuffer.wrap(bytes, at, Math.min(piece, bytes.length - at));
            while (in.hasRemaining()) {
                int outcome = parser.parse(in, RequestWriter.EXPECT_ANY);
                if (outcome == ResponseParser.NEED_MORE) {
                    assertFalse(in.hasRemaining(), "NEED_MORE with bytes left: this parser consumes all it gets");
                    break;
                }
                outcomes.add(outcome);
                if (outcome == ResponseParser.PROTOCOL_ERROR) {
                    return outcomes;
                }
            }
        }
        return outcomes;
    }

    private static final String FIXED = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: t\r\n\r\n";

    @Test
    void shouldFindTheEndOfContentLengthResponsesWhateverTheReadSizes() {
        for (int piece : new int[] {1, 2, 3, 7, 1000}) {
            assertEquals(List.of(1, 1, 1), feed(FIXED + FIXED + FIXED, piece), "piece " + piece);
        }
    }

    @Test
    void shouldFindTheEndOfChunkedResponsesWhateverTheReadSizes() {
        for (int piece : new int[] {1, 2, 5, 1000}) {
            assertEquals(List.of(1, 1, 1), feed(CHUNKED + FIXED + CHUNKED, piece), "piece " + piece);
        }
    }

    @Test
    void shouldReportAnotherStatusAsWrong() {
        assertEquals(List.of(ResponseParser.WRONG_STATUS, ResponseParser.OK),
                feed("HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n" + FIXED, 1000));
    }

    @Test
    void shouldSkipInterimResponsesAndReadBodilessOnes() {
        assertEquals(List.of(ResponseParser.OK, ResponseParser.WRONG_STATUS),
                feed("HTTP/1.1 100 Continue\r\n\r\n" + FIXED + "HTTP/1.1 204 No Content\r\n\r\n", 3));
    }

    @Test
    void shouldRejectWhatIsNotAnHttpResponse() {
        assertEquals(List.of(ResponseParser.PROTOCOL_ERROR), feed("+OK\r\n", 100));
        parser.reset();
        assertEquals(List.of(ResponseParser.PROTOCOL_ERROR), feed("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 100));
        parser.reset();
        assertEquals(List.of(ResponseParser.PROTOCOL_ERROR), feed("HTTP/1.1 200 OK\r\nServer: y\r\n\r\n", 100));
        parser.reset();
        assertEquals(List.of(ResponseParser.PROTOCOL_ERROR), feed("HTTP/1.1 200 OK\r\n" + "X: " + "y".repeat(2000) + "\r\n", 100));
    }

    @Test
    void shouldIgnoreTheBodyHeadersOfResponsesToHead() {
        HttpResponseParser head = new HttpResponseParser(200, true, 1024);
        ByteBuffer in = ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(ResponseParser.OK, head.parse(in, RequestWriter.EXPECT_ANY));
        assertFalse(in.hasRemaining());
    }

    @Test
    void shouldReadChunkedBodiesWithTheServersDecoderAndItsErrors() {
        String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
        assertEquals(List.of(ResponseParser.OK), feed(head + "3;x\r\nabc\r\n0\r\n\r\n", 1));
        assertEquals(List.of(ResponseParser.PROTOCOL_ERROR), feed(head + "2\r\nabc\r\n", 1));
        assertEquals("chunk data longer than its size", parser.lastError());
        parser.reset();
        assertEquals(List.of(ResponseParser.PROTOCOL_ERROR), feed(head + "f".repeat(40) + "\r\n", 7));
        assertTrue(parser.lastError().startsWith("chunk over "), parser.lastError());
        parser.reset();
        assertEquals(List.of(ResponseParser.PROTOCOL_ERROR), feed(head + "0\r\n" + "T: v\r\n".repeat(101) + "\r\n", 64));
        assertEquals("more than 100 trailer fields", parser.lastError());
        parser.reset();
        assertEquals(List.of(ResponseParser.PROTOCOL_ERROR), feed("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 100));
        assertEquals("a bad Content-Length", parser.lastError());
    }
}
