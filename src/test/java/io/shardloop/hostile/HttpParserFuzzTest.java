package io.shardloop.hostile;

import io.shardloop.http.codec.HttpLimits;
import io.shardloop.http.codec.HttpParser;
import io.shardloop.http.codec.HttpRequest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP parser against generated input in generated splits: valid requests (fixed-length and
 * chunked bodies, pipelined) come back whole at every split; random and mutated bytes end in
 * requests, "need more" (every byte consumed) or a sticky error with one of the documented statuses;
 * a body never holds more than the bytes that arrived, whatever was declared; every call returns.
 */
class HttpParserFuzzTest {
    private static final HttpLimits LIMITS = new HttpLimits(128, 1024, 16, 4096, 1024, 8, 8192);
    private static final Set<Integer> DOCUMENTED = Set.of(400, 413, 414, 431, 501, 505);

    record Req(String method, String target, String body, boolean chunked) {
    }

    @Test
    void shouldParseValidRequestsWholeAtAnySplit() {
        Fuzz.check(400, r -> {
            List<Req> reqs = requests(r);
            Outcome o = feed(new HttpParser(LIMITS), encode(reqs), Fuzz.splits(r));
            assertEquals(0, o.error, "valid input refused");
            List<String> expected = new ArrayList<>();
            for (Req q : reqs) {
                expected.add(q.method + " " + q.target + " " + q.body);
            }
            assertEquals(expected, o.requests);
        });
    }

    @Test
    void shouldAnswerMutatedRequestsOnlyWithRequestsOrADocumentedError() {
        Fuzz.check(3000, r -> {
            byte[] wire = Mutation.applyAll(encode(requests(r)), Mutation.some(r));
            checkInvariants(feed(new HttpParser(LIMITS), wire, Fuzz.splits(r)), wire.length);
        });
    }

    @Test
    void shouldAnswerRandomBytesOnlyWithRequestsOrADocumentedError() {
        Fuzz.check(2000, r -> {
            byte[] garbage = r.nextBoolean() ? Fuzz.bytes(r, 2048)
                    : ascii("GET / HTTP/1.1\r\n" + new String(Fuzz.bytes(r, 600), StandardCharsets.ISO_8859_1));
            checkInvariants(feed(new HttpParser(LIMITS), garbage, Fuzz.splits(r)), garbage.length);
        });
    }

    @Test
    void shouldRefuseDeclaredSizesPastTheLimitsBeforeAllocating() {
        Fuzz.check(300, r -> {
            long length = 4097 + (r.nextLong() & Long.MAX_VALUE) % (Long.MAX_VALUE - 4097);
            HttpParser p = new HttpParser(LIMITS);
            Outcome a = feed(p, ascii("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: " + length + "\r\n\r\n"),
                    List.of(1 << 20));
            assertEquals(413, a.error);
            assertEquals(0, p.request().body().length);

            long chunk = 1025 + (long) r.nextInt(Integer.MAX_VALUE - 1025);
            HttpParser q = new HttpParser(LIMITS);
            Outcome b = feed(q, ascii("POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Long.toHexString(chunk) + "\r\n"), List.of(1 << 20));
            assertEquals(413, b.error);
            assertEquals(0, q.request().body().length);
        });
    }

    @Test
    void shouldGrowABodyOnlyWithTheBytesThatArrive() {
        Fuzz.check(300, r -> {
            int declared = 1 + r.nextInt(4096);
            int actual = Math.min(declared - 1, r.nextInt(4096));
            boolean chunked = r.nextBoolean() && declared <= 1024;
            String head = "POST /u HTTP/1.1\r\nHost: h\r\n" + (chunked
                    ? "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(declared) + "\r\n"
                    : "Content-Length: " + declared + "\r\n\r\n");
            byte[] wire = java.util.Arrays.copyOf(ascii(head), head.length() + Math.max(0, actual));
            HttpParser p = new HttpParser(LIMITS);
            Outcome o = feed(p, wire, Fuzz.splits(r));
            assertEquals(0, o.error);
            assertTrue(o.requests.isEmpty());
            int held = p.request().body().length;
            assertTrue(held <= Math.max(256, 2 * actual), "declared " + declared + ", sent " + actual + ", holds " + held);
        });
    }

    private static void checkInvariants(Outcome o, int given) {
        if (o.error != 0) {
            assertTrue(DOCUMENTED.contains(o.error), "undocumented status " + o.error);
        }
        assertTrue(o.maxBody <= Math.max(256, 2L * given), "holds " + o.maxBody + " body bytes for " + given + " given");
    }

    // ---- feeding, as a connection does -----------------------------------------------------------

    record Outcome(List<String> requests, int error, int maxBody) {
    }

    static Outcome feed(HttpParser parser, byte[] wire, List<Integer> splits) {
        List<String> requests = new ArrayList<>();
        int maxBody = 0;
        int at = 0;
        int s = 0;
        while (at < wire.length) {
            int n = Math.min(wire.length - at, splits.get(s++ % splits.size()));
            ByteBuffer in = ByteBuffer.wrap(wire, at, n);
            at += n;
            int calls = 0;
            while (in.hasRemaining()) {
                assertTrue(++calls <= n + 1, "the parser does not terminate");
                int code = parser.parse(in);
                maxBody = Math.max(maxBody, parser.request().body().length);
                if (code == HttpParser.ERROR) {
                    assertEquals(HttpParser.ERROR, parser.parse(ByteBuffer.wrap(ascii("GET / HTTP/1.1\r\n\r\n"))),
                            "the error is sticky");
                    return new Outcome(requests, parser.errorStatus(), maxBody);
                }
                if (code == HttpParser.REQUEST) {
                    HttpRequest q = parser.request();
                    requests.add(q.method() + " " + q.target() + " "
                            + new String(q.body(), 0, q.bodyLength(), StandardCharsets.ISO_8859_1));
                } else {
                    assertEquals(HttpParser.NEED_MORE, code);
                    assertFalse(in.hasRemaining(), "NEED_MORE must consume every byte given");
                }
            }
        }
        return new Outcome(requests, 0, maxBody);
    }

    // ---- generators ------------------------------------------------------------------------------

    static List<Req> requests(SplittableRandom r) {
        List<Req> list = new ArrayList<>();
        for (int i = 1 + r.nextInt(4); i > 0; i--) {
            boolean post = r.nextBoolean();
            String target = "/" + Fuzz.word(r, 0, 40, "abcdefghijklmnopqrstuvwxyz0123456789-._~/");
            String body = post ? Fuzz.word(r, 0, 700, "abcdefghijklmnopqrstuvwxyz \r\n0123456789") : "";
            list.add(new Req(post ? "POST" : "GET", target, body, post && r.nextBoolean()));
        }
        return list;
    }

    static byte[] encode(List<Req> reqs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Req q : reqs) {
            StringBuilder sb = new StringBuilder(q.method).append(' ').append(q.target).append(" HTTP/1.1\r\n")
                    .append("Host: localhost\r\nAccept: */*\r\nX-Fuzz: ").append(q.target.length()).append("\r\n");
            if (q.chunked) {
                sb.append("Transfer-Encoding: chunked\r\n\r\n");
                String b = q.body;
                while (!b.isEmpty()) {
                    int n = Math.min(b.length(), 1 + b.length() / 2);
                    sb.append(Integer.toHexString(n)).append("\r\n").append(b, 0, n).append("\r\n");
                    b = b.substring(n);
                }
                sb.append("0\r\n\r\n");
            } else if (q.method.equals("POST")) {
                sb.append("Content-Length: ").append(q.body.length()).append("\r\n\r\n").append(q.body);
            } else {
                sb.append("\r\n");
            }
            out.writeBytes(ascii(sb.toString()));
        }
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
