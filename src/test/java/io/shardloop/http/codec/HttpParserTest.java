package io.shardloop.http.codec;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpParserTest {
    private static final String GET = "GET /plaintext?x=1 HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
    private static final String CHUNKED = "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nHello\r\n8;ext=1\r\n, World!\r\n0\r\nX-Trailer: yes\r\n\r\n";

    /** What a request looked like when parsed, copied out because the request object is reused. */
    record Seen(String method, String target, int minor, boolean keepAlive, String body, String host) {
    }

    private static Seen seen(HttpRequest r) {
        return new Seen(r.method().name(), r.target(), r.minorVersion(), r.keepAlive(),
                new String(r.body(), 0, r.bodyLength(), StandardCharsets.ISO_8859_1), r.header("host"));
    }

    /** Feeds the pieces in order, collecting every request; fails on an error. */
    private static List<Seen> parseAll(HttpParser p, byte[]... pieces) {
        List<Seen> out = new ArrayList<>();
        for (byte[] piece : pieces) {
            ByteBuffer in = ByteBuffer.wrap(piece);
            while (in.hasRemaining()) {
                int r = p.parse(in);
                if (r == HttpParser.ERROR) {
                    throw new AssertionError("error " + p.errorStatus() + ": " + p.errorReason());
                }
                if (r == HttpParser.REQUEST) {
                    out.add(seen(p.request()));
                } else {
                    assertFalse(in.hasRemaining(), "NEED_MORE must consume everything");
                }
            }
        }
        return out;
    }

    private static int errorOf(String request) {
        return errorOf(HttpLimits.defaults(), request);
    }

    private static int errorOf(HttpLimits limits, String request) {
        HttpParser p = new HttpParser(limits);
        ByteBuffer in = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
        while (in.hasRemaining()) {
            int r = p.parse(in);
            if (r == HttpParser.ERROR) {
                return p.errorStatus();
            }
        }
        return 0;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldParseRequestLineHeadersAndQuery() {
        HttpParser p = new HttpParser(HttpLimits.defaults());
        assertEquals(HttpParser.REQUEST, p.parse(ByteBuffer.wrap(b(GET))));
        HttpRequest r = p.request();
        assertEquals(HttpMethod.GET, r.method());
        assertEquals("/plaintext?x=1", r.target());
        assertTrue(r.pathEquals(b("/plaintext")));
        assertEquals(1, r.minorVersion());
        assertTrue(r.keepAlive());
        assertEquals(2, r.headerCount());
        assertEquals("Accept", r.headerName(1));
        assertEquals("*/*", r.header("accept"));
        assertNull(r.header("cookie"));
    }

    @Test
    void shouldParseTheSameRequestWhateverByteItIsSplitAt() {
        byte[] all = b(GET);
        Seen expected = parseAll(new HttpParser(HttpLimits.defaults()), all).getFirst();
        for (int cut = 0; cut <= all.length; cut++) {
            byte[] a = java.util.Arrays.copyOfRange(all, 0, cut);
            byte[] c = java.util.Arrays.copyOfRange(all, cut, all.length);
            assertEquals(List.of(expected), parseAll(new HttpParser(HttpLimits.defaults()), a, c), "cut at " + cut);
        }
        byte[][] single = new byte[all.length][];
        for (int i = 0; i < all.length; i++) {
            single[i] = new byte[] {all[i]};
        }
        assertEquals(List.of(expected), parseAll(new HttpParser(HttpLimits.defaults()), single));
    }

    @Test
    void shouldParsePipelinedRequestsInOrderAndLeaveTheRestInTheBuffer() {
        String three = GET + "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /b HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n";
        HttpParser p = new HttpParser(HttpLimits.defaults());
        ByteBuffer in = ByteBuffer.wrap(b(three + "GET /partial"));
        assertEquals(HttpParser.REQUEST, p.parse(in));
        assertEquals(b(GET).length, in.position(), "exactly one request is consumed");
        assertEquals(HttpParser.REQUEST, p.parse(in));
        assertEquals("HEAD /a", p.request().method() + " " + p.request().target());
        assertEquals(HttpParser.REQUEST, p.parse(in));
        assertEquals("/b", p.request().target());
        assertFalse(p.request().keepAlive());
        assertEquals(HttpParser.NEED_MORE, p.parse(in));
        assertTrue(p.readingHead());
    }

    @Test
    void shouldParsePipelinedRequestsSplitAtEveryByte() {
        String two = CHUNKED + "GET /x HTTP/1.1\r\nHost: z\r\nContent-Length: 3\r\n\r\nabc";
        byte[] all = b(two);
        List<Seen> expected = parseAll(new HttpParser(HttpLimits.defaults()), all);
        assertEquals(2, expected.size());
        for (int cut = 0; cut <= all.length; cut++) {
            List<Seen> got = parseAll(new HttpParser(HttpLimits.defaults()),
                    java.util.Arrays.copyOfRange(all, 0, cut), java.util.Arrays.copyOfRange(all, cut, all.length));
            assertEquals(expected, got, "cut at " + cut);
        }
    }

    @Test
    void shouldJoinChunkedBodyAndSkipTrailers() {
        Seen s = parseAll(new HttpParser(HttpLimits.defaults()), b(CHUNKED)).getFirst();
        assertEquals("Hello, World!", s.body());
        assertEquals("POST", s.method());
    }

    @Test
    void shouldReadContentLengthBody() {
        Seen s = parseAll(new HttpParser(HttpLimits.defaults()),
                b("PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nvalue")).getFirst();
        assertEquals("value", s.body());
    }

    @Test
    void shouldApplyHttp10KeepAliveRules() {
        HttpParser p = new HttpParser(HttpLimits.defaults());
        List<Seen> got = parseAll(p, b("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n"));
        assertEquals(0, got.get(0).minor());
        assertFalse(got.get(0).keepAlive(), "1.0 closes by default");
        assertTrue(got.get(1).keepAlive(), "1.0 with keep-alive stays open");
        assertFalse(got.get(2).keepAlive(), "1.1 with close closes");
    }

    @Test
    void shouldIgnoreEmptyLinesBeforeTheRequestLine() {
        assertEquals(1, parseAll(new HttpParser(HttpLimits.defaults()), b("\r\n" + GET)).size());
    }

    @Test
    void shouldReuseItsBuffersAcrossRequests() {
        HttpParser p = new HttpParser(HttpLimits.defaults());
        parseAll(p, b(GET));
        byte[] head = p.request().head;
        int[] names = p.request().nameStart;
        byte[] many = b(GET.repeat(1000));
        assertEquals(1000, parseAll(p, many).size());
        assertSame(head, p.request().head);
        assertSame(names, p.request().nameStart);
    }

    @Test
    void shouldAnswer400ToMalformedRequests() {
        assertEquals(400, errorOf("GET\r\n\r\n"));
        assertEquals(400, errorOf("GET /\r\n\r\n"));
        assertEquals(400, errorOf("GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n"));
        assertEquals(400, errorOf("GET / HTTQ/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, errorOf("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, errorOf("GET nopath HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, errorOf("GET / HTTP/1.1\r\n\r\n"), "1.1 without Host");
        assertEquals(400, errorOf("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
        assertEquals(400, errorOf("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), "space before the colon");
        assertEquals(400, errorOf("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"));
        assertEquals(400, errorOf("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n"));
        assertEquals(400, errorOf("GET / HTTP/1.1\r\nHost: h\r\nX: a\u0001b\r\n\r\n"));
        assertEquals(400, errorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n"));
        assertEquals(400, errorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"));
        assertEquals(400, errorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertEquals(400, errorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
        assertEquals(400, errorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n"));
    }

    @Test
    void shouldAnswer414ToALongRequestLine() {
        HttpLimits small = new HttpLimits(64, 1024, 10, 100, 100, 4, 4096);
        assertEquals(414, errorOf(small, "GET /" + "a".repeat(100) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(0, errorOf(small, "GET /" + "a".repeat(64 - 15) + " HTTP/1.1\r\nHost: h\r\n\r\n"),
                "exactly the limit is allowed");
    }

    @Test
    void shouldAnswer431ToHeadersOverTheLimits() {
        HttpLimits small = new HttpLimits(64, 256, 4, 100, 100, 4, 4096);
        assertEquals(431, errorOf(small, "GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(300) + "\r\n\r\n"));
        assertEquals(431, errorOf(small, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"));
        assertEquals(431, errorOf(small, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
                + "T: 1\r\n".repeat(60) + "\r\n"), "trailers count too");
    }

    @Test
    void shouldAnswer413BeforeAllocatingAHugeBody() {
        HttpParser p = new HttpParser(HttpLimits.defaults());
        ByteBuffer in = ByteBuffer.wrap(b("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n"));
        assertEquals(HttpParser.ERROR, p.parse(in));
        assertEquals(413, p.errorStatus());
        assertEquals(0, p.request().body().length, "nothing was allocated for the body");
        assertEquals(413, errorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048577\r\n\r\n"));
        assertEquals(413, errorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n"));
        HttpLimits small = new HttpLimits(64, 256, 4, 10, 8, 4, 4096);
        assertEquals(413, errorOf(small, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n"),
                "chunk over the chunk limit");
        assertEquals(413, errorOf(small, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "8\r\n12345678\r\n8\r\n"), "chunks adding up over the body limit");
    }

    @Test
    void shouldAnswer505ToOtherVersions() {
        assertEquals(505, errorOf("GET / HTTP/2.0\r\nHost: h\r\n\r\n"));
        assertEquals(505, errorOf("GET / HTTP/1.2\r\nHost: h\r\n\r\n"));
        assertEquals(505, errorOf("GET / HTTP/0.9\r\n\r\n"));
    }

    @Test
    void shouldAnswer501ToUnknownMethodsAndCodings() {
        assertEquals(501, errorOf("BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(501, errorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
    }

    @Test
    void shouldStayFailedAfterAnError() {
        HttpParser p = new HttpParser(HttpLimits.defaults());
        assertEquals(HttpParser.ERROR, p.parse(ByteBuffer.wrap(b("GET / HTTP/9.9\r\n\r\n"))));
        assertEquals(HttpParser.ERROR, p.parse(ByteBuffer.wrap(b(GET))));
        assertArrayEquals(new int[] {505}, new int[] {p.errorStatus()});
    }
}
