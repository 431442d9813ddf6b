package io.shardloop.resp.codec;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespParserTest {
    private static final RespLimits SMALL = new RespLimits(100, 8, 64);

    /** Feeds the input in the given pieces, as a connection would, keeping unconsumed bytes. */
    private static Result feed(RespParser parser, byte[]... pieces) {
        Result r = new Result();
        ByteBuffer pending = ByteBuffer.allocate(0);
        for (byte[] piece : pieces) {
            ByteBuffer in = ByteBuffer.allocate(pending.remaining() + piece.length);
            in.put(pending).put(piece).flip();
            int code;
            while ((code = parser.parse(in)) == RespParser.COMMAND) {
                r.commands.add(parser.args().toString());
            }
            if (code == RespParser.PROTOCOL_ERROR) {
                r.error = parser.errorMessage();
                return r;
            }
            pending = in.slice();
            r.maxPending = Math.max(r.maxPending, pending.remaining());
        }
        r.leftover = pending.remaining();
        return r;
    }

    private static final class Result {
        final List<String> commands = new ArrayList<>();
        String error;
        int leftover;
        int maxPending;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Result parse(RespLimits limits, String input) {
        return feed(new RespParser(limits), bytes(input));
    }

    private static Result parse(String input) {
        return parse(RespLimits.REDIS_DEFAULTS, input);
    }

    @Test
    void shouldParseEveryFrameAtEverySplitPoint() {
        String input = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"
                + "*1\r\n$4\r\nPING\r\n"
                + "GET key\r\n"
                + "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n";
        List<String> expected = List.of("[SET, key, value]", "[PING]", "[GET, key]", "[ECHO, ]");
        byte[] all = bytes(input);
        for (int a = 0; a <= all.length; a++) {
            for (int b = a; b <= all.length; b += 7) {
                Result r = feed(new RespParser(RespLimits.REDIS_DEFAULTS),
                        java.util.Arrays.copyOfRange(all, 0, a),
                        java.util.Arrays.copyOfRange(all, a, b),
                        java.util.Arrays.copyOfRange(all, b, all.length));
                assertEquals(expected, r.commands, "split at " + a + "," + b);
                assertEquals(0, r.leftover);
            }
        }
    }

    @Test
    void shouldParseByteByByte() {
        byte[] all = bytes("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\n");
        byte[][] pieces = new byte[all.length][];
        for (int i = 0; i < all.length; i++) {
            pieces[i] = new byte[]{all[i]};
        }
        Result r = feed(new RespParser(RespLimits.REDIS_DEFAULTS), pieces);
        assertEquals(List.of("[GET, k]", "[PING]"), r.commands);
    }

    @Test
    void shouldParseManyPipelinedFramesFromOneRead() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sb.append("*2\r\n$3\r\nGET\r\n$").append(String.valueOf(i).length()).append("\r\n").append(i).append("\r\n");
        }
        Result r = parse(sb.toString());
        assertEquals(1000, r.commands.size());
        assertEquals("[GET, 999]", r.commands.get(999));
    }

    @Test
    void shouldKeepLargeBulkInTheParserNotTheConnection() {
        byte[] value = new byte[1_000_000];
        java.util.Arrays.fill(value, (byte) 'x');
        RespParser parser = new RespParser(RespLimits.REDIS_DEFAULTS);
        byte[] head = bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\n");
        List<byte[]> pieces = new ArrayList<>();
        pieces.add(head);
        for (int off = 0; off < value.length; off += 4096) {
            pieces.add(java.util.Arrays.copyOfRange(value, off, Math.min(value.length, off + 4096)));
        }
        pieces.add(bytes("\r\n"));
        Result r = feed(parser, pieces.toArray(new byte[0][]));
        assertEquals(1, r.commands.size());
        assertTrue(r.maxPending < 64, "connection kept " + r.maxPending + " bytes");
        assertEquals(1_000_000, parser.args().length(2));
    }

    @Test
    void shouldSplitInlineCommandsLikeRedisCli() {
        assertEquals(List.of("[SET, a, b]"), parse("SET a b\n").commands);
        assertEquals(List.of("[PING]"), parse("PING\r\n").commands);
        assertEquals(List.of("[SET, k, hello world]"), parse("SET k \"hello world\"\r\n").commands);
        assertEquals(List.of("[SET, k, it's]"), parse("SET k 'it\\'s'\r\n").commands);
        assertEquals(List.of("[ECHO, A\nB]"), parse("ECHO \"\\x41\\nB\"\r\n").commands);
        assertEquals(List.of("[GET, x]"), parse("   GET    x   \r\n").commands);
    }

    @Test
    void shouldSkipEmptyLinesAndEmptyArrays() {
        assertEquals(List.of("[PING]"), parse("\r\n\n*0\r\n*-1\r\nPING\r\n").commands);
    }

    @Test
    void shouldRejectUnbalancedQuotes() {
        assertEquals("ERR Protocol error: unbalanced quotes in request", parse("SET k \"abc\r\n").error);
        assertEquals("ERR Protocol error: unbalanced quotes in request", parse("SET k \"abc\"x\r\n").error);
        assertEquals("ERR Protocol error: unbalanced quotes in request", parse("SET k 'abc\r\n").error);
    }

    @Test
    void shouldRejectTooBigInlineRequest() {
        String longLine = "x".repeat(65);
        assertEquals("ERR Protocol error: too big inline request", parse(SMALL, longLine).error);
        assertEquals("ERR Protocol error: too big inline request", parse(SMALL, longLine + "\r\n").error);
        assertEquals(List.of("[" + "x".repeat(64) + "]"), parse(SMALL, "x".repeat(64) + "\n").commands);
    }

    @Test
    void shouldRejectInvalidMultibulkLength() {
        assertEquals("ERR Protocol error: invalid multibulk length", parse("*abc\r\n").error);
        assertEquals("ERR Protocol error: invalid multibulk length", parse("*\r\n").error);
        assertEquals("ERR Protocol error: invalid multibulk length", parse("*01\r\n").error);
        assertEquals("ERR Protocol error: invalid multibulk length", parse(SMALL, "*9\r\n").error);
        assertEquals(null, parse(SMALL, "*8\r\n").error);
        assertEquals("ERR Protocol error: invalid multibulk length",
                parse("*99999999999999999999\r\n").error);
    }

    @Test
    void shouldRejectInvalidBulkLengthBeforeAllocating() {
        assertEquals("ERR Protocol error: invalid bulk length", parse("*1\r\n$-1\r\n").error);
        assertEquals("ERR Protocol error: invalid bulk length", parse("*1\r\n$x\r\n").error);
        assertEquals("ERR Protocol error: invalid bulk length", parse(SMALL, "*1\r\n$101\r\n").error);
        assertEquals("ERR Protocol error: invalid bulk length", parse("*1\r\n$536870913\r\n").error);
        // Exactly the limit is accepted and nothing is allocated for bytes that have not come.
        RespParser parser = new RespParser(RespLimits.REDIS_DEFAULTS);
        Result r = feed(parser, bytes("*1\r\n$536870912\r\nabc"));
        assertEquals(null, r.error);
        assertTrue(parser.args().array().length < 1024, "arena grew to " + parser.args().array().length);
    }

    @Test
    void shouldRejectMissingDollar() {
        assertEquals("ERR Protocol error: expected '$', got 'x'", parse("*1\r\nxyz\r\n").error);
        assertEquals("ERR Protocol error: expected '$', got ':'", parse("*2\r\n$3\r\nGET\r\n:1\r\n").error);
    }

    @Test
    void shouldRejectTooLongHeaderLines() {
        assertEquals("ERR Protocol error: too big mbulk count string", parse(SMALL, "*" + "1".repeat(80)).error);
        assertEquals("ERR Protocol error: too big bulk count string", parse(SMALL, "*1\r\n$" + "1".repeat(80)).error);
    }

    @Test
    void shouldStayFailedAfterAProtocolError() {
        RespParser parser = new RespParser(RespLimits.REDIS_DEFAULTS);
        assertEquals(RespParser.PROTOCOL_ERROR, parser.parse(ByteBuffer.wrap(bytes("*x\r\n"))));
        assertEquals(RespParser.PROTOCOL_ERROR, parser.parse(ByteBuffer.wrap(bytes("PING\r\n"))));
    }

    @Test
    void shouldAnswerCommandsBeforeAnErrorInTheSameRead() {
        Result r = parse("PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n!");
        assertEquals(List.of("[PING]", "[PING]"), r.commands);
        assertEquals("ERR Protocol error: expected '$', got '!'", r.error);
    }

    @Test
    void shouldParseBinarySafeBulk() {
        RespParser parser = new RespParser(RespLimits.REDIS_DEFAULTS);
        ByteBuffer in = ByteBuffer.wrap(bytes("*1\r\n$4\r\n\r\n\0\u00ff\r\n"));
        assertEquals(RespParser.COMMAND, parser.parse(in));
        CommandArgs a = parser.args();
        assertEquals(4, a.length(0));
        assertEquals((byte) 0xFF, a.array()[a.offset(0) + 3]);
    }

    @Test
    void shouldLimitClientsThatHaveNotAuthenticatedAsRedisDoes() {
        RespParser p = new RespParser(RespLimits.REDIS_DEFAULTS);
        p.restrictUnauthenticated(true);
        assertEquals("ERR Protocol error: unauthenticated multibulk length", feed(p, bytes("*100\r\n")).error);
        p = new RespParser(RespLimits.REDIS_DEFAULTS);
        p.restrictUnauthenticated(true);
        assertEquals("ERR Protocol error: unauthenticated bulk length", feed(p, bytes("*1\r\n$100000000\r\n")).error);
        p = new RespParser(RespLimits.REDIS_DEFAULTS);
        p.restrictUnauthenticated(true);
        String ten = "*10\r\n" + "$16384\r\n" + "x".repeat(16384) + "\r\n" + "$1\r\nx\r\n".repeat(9);
        Result r = feed(p, bytes(ten));
        assertEquals(null, r.error, "ten arguments of up to 16 KiB pass");
        assertEquals(1, r.commands.size());
        p.restrictUnauthenticated(false);
        assertEquals(1, feed(p, bytes("*11\r\n" + "$1\r\nx\r\n".repeat(11))).commands.size(), "lifted by AUTH");
    }
}
