package io.shardloop.load;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RespReplyParserTest {
    private final RespReplyParser parser = new RespReplyParser(1024, 1 << 20);

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void shouldCheckEachReplyAgainstWhatItsCommandGives() {
        assertEquals(ResponseParser.OK, parser.parse(bytes("+OK\r\n"), RequestWriter.EXPECT_SIMPLE));
        assertEquals(ResponseParser.OK, parser.parse(bytes("$5\r\nhello\r\n"), RequestWriter.EXPECT_BULK_OR_NULL));
        assertEquals(ResponseParser.OK, parser.parse(bytes("$-1\r\n"), RequestWriter.EXPECT_BULK_OR_NULL));
        assertEquals(ResponseParser.OK, parser.parse(bytes("_\r\n"), RequestWriter.EXPECT_BULK_OR_NULL));
        assertEquals(ResponseParser.OK, parser.parse(bytes("*-1\r\n"), RequestWriter.EXPECT_BULK_OR_NULL));
        assertEquals(ResponseParser.ERROR_REPLY, parser.parse(bytes("-ERR wrong\r\n"), RequestWriter.EXPECT_SIMPLE));
        assertEquals(ResponseParser.WRONG_TYPE, parser.parse(bytes(":1\r\n"), RequestWriter.EXPECT_BULK_OR_NULL));
        assertEquals(ResponseParser.WRONG_TYPE, parser.parse(bytes("$2\r\nOK\r\n"), RequestWriter.EXPECT_SIMPLE));
    }

    @Test
    void shouldLeaveAnIncompleteReplyInPlaceUntilItIsWhole() {
        String reply = "*3\r\n$3\r\nfoo\r\n*2\r\n:1\r\n+x\r\n%1\r\n+k\r\n$1\r\nv\r\n";
        for (int cut = 0; cut < reply.length(); cut++) {
            ByteBuffer partial = bytes(reply.substring(0, cut));
            assertEquals(ResponseParser.NEED_MORE, parser.parse(partial, RequestWriter.EXPECT_ANY), "cut at " + cut);
            assertEquals(0, partial.position());
        }
        ByteBuffer two = bytes(reply + "+OK\r\n");
        assertEquals(ResponseParser.OK, parser.parse(two, RequestWriter.EXPECT_ANY));
        assertEquals(reply.length(), two.position());
        assertEquals(ResponseParser.OK, parser.parse(two, RequestWriter.EXPECT_SIMPLE));
        assertEquals(0, two.remaining());
    }

    @Test
    void shouldRejectMalformedReplies() {
        assertEquals(ResponseParser.PROTOCOL_ERROR, parser.parse(bytes("?what\r\n"), RequestWriter.EXPECT_ANY));
        assertEquals(ResponseParser.PROTOCOL_ERROR, parser.parse(bytes("$3\r\nabcd\r\n"), RequestWriter.EXPECT_ANY));
        assertEquals(ResponseParser.PROTOCOL_ERROR, parser.parse(bytes("$x\r\n"), RequestWriter.EXPECT_ANY));
        assertEquals(ResponseParser.PROTOCOL_ERROR, parser.parse(bytes("+a\rb\r\n"), RequestWriter.EXPECT_ANY));
        assertEquals(ResponseParser.PROTOCOL_ERROR, parser.parse(bytes("*1\r\n".repeat(40) + ":1\r\n"), RequestWriter.EXPECT_ANY));
        assertEquals(ResponseParser.PROTOCOL_ERROR, parser.parse(bytes("+" + "a".repeat(2000)), RequestWriter.EXPECT_ANY));
    }

    @Test
    void shouldSkipALargeValueAsItArrivesInsteadOfHoldingItWhole() {
        int size = 1 << 20;
        byte[] reply = ("$" + size + "\r\n" + "v".repeat(size) + "\r\n+OK\r\n").getBytes(StandardCharsets.ISO_8859_1);
        // The connection's side: what the parser leaves stays at the front, the next read goes after it.
        ByteBuffer held = ByteBuffer.allocate(RespReplyParser.RESUME_AFTER_BYTES + 2 * 4096).flip();
        java.util.List<Integer> outcomes = new java.util.ArrayList<>();
        for (int at = 0; at < reply.length; at += 4096) {
            held.compact().put(reply, at, Math.min(4096, reply.length - at)).flip();
            int outcome;
            while (held.hasRemaining() && (outcome = parser.parse(held, RequestWriter.EXPECT_ANY)) != ResponseParser.NEED_MORE) {
                outcomes.add(outcome);
            }
        }
        assertEquals(java.util.List.of(ResponseParser.OK, ResponseParser.OK), outcomes);
        assertEquals(0, held.remaining());
    }
}
