package io.shardloop.load;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RespReplyParserTest {
    private final RespReplyParser parser = new RespReplyParser(1024, 1 << 20, 2);

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
        List<Integer> outcomes = new ArrayList<>();
        for (int at = 0; at < reply.length; at += 4096) {
            held.compact().put(reply, at, Math.min(4096, reply.length - at)).flip();
            int outcome;
            while (held.hasRemaining() && (outcome = parser.parse(held, RequestWriter.EXPECT_ANY)) != ResponseParser.NEED_MORE) {
                outcomes.add(outcome);
            }
        }
        assertEquals(List.of(ResponseParser.OK, ResponseParser.OK), outcomes);
        assertEquals(0, held.remaining());
    }

    /** Offers the stream in chunks of this size, as a connection would: what the parser leaves stays in front of the next chunk. */
    private List<Integer> feed(String stream, int chunk, int expected) {
        byte[] all = stream.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer held = ByteBuffer.allocate(all.length).flip();
        List<Integer> outcomes = new ArrayList<>();
        for (int at = 0; at < all.length; at += chunk) {
            held.compact().put(all, at, Math.min(chunk, all.length - at)).flip();
            while (held.hasRemaining()) {
                int outcome = parser.parse(held, expected);
                if (outcome == ResponseParser.NEED_MORE) {
                    break;
                }
                outcomes.add(outcome);
            }
        }
        return outcomes;
    }

    @Test
    void shouldTakeATransactionsRepliesAsOneResponseHoweverTheyArrive() {
        String tx = "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:7\r\n";
        for (int chunk = 1; chunk <= tx.length(); chunk++) {
            assertEquals(List.of(ResponseParser.OK, ResponseParser.OK),
                    feed(tx + tx, chunk, RequestWriter.EXPECT_TRANSACTION), "chunks of " + chunk);
        }
    }

    @Test
    void shouldCountATransactionTheServerDidNotRunAsAborted() {
        assertEquals(List.of(ResponseParser.ABORTED),
                feed("+OK\r\n+QUEUED\r\n+QUEUED\r\n*-1\r\n", 3, RequestWriter.EXPECT_TRANSACTION));
        assertEquals(List.of(ResponseParser.ABORTED), feed("+OK\r\n-OOM command not allowed\r\n+QUEUED\r\n"
                + "-EXECABORT Transaction discarded because of previous errors.\r\n", 5, RequestWriter.EXPECT_TRANSACTION));
        // A server without MULTI runs the commands at once and refuses EXEC.
        assertEquals(List.of(ResponseParser.ERROR_REPLY), feed("-ERR unknown command 'MULTI'\r\n+OK\r\n:1\r\n"
                + "-ERR unknown command 'EXEC'\r\n", 4, RequestWriter.EXPECT_TRANSACTION));
        assertEquals(List.of(ResponseParser.WRONG_TYPE),
                feed("+OK\r\n+QUEUED\r\n+QUEUED\r\n*1\r\n+OK\r\n", 64, RequestWriter.EXPECT_TRANSACTION));
        assertEquals(List.of(ResponseParser.WRONG_TYPE, ResponseParser.OK),
                feed("+OK\r\n+OK\r\n+QUEUED\r\n*2\r\n+OK\r\n:1\r\n" + "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:2\r\n",
                        64, RequestWriter.EXPECT_TRANSACTION));
    }

    @Test
    void shouldTakeAnExecReplyTooLargeToHoldAsItArrives() {
        String big = "v".repeat(3 * RespReplyParser.RESUME_AFTER_BYTES);
        String tx = "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$" + big.length() + "\r\n" + big + "\r\n:1\r\n";
        assertEquals(List.of(ResponseParser.OK, ResponseParser.OK), feed(tx + tx, 4096, RequestWriter.EXPECT_TRANSACTION));
    }

    @Test
    void shouldForgetAHalfReadTransactionOnReset() {
        assertEquals(List.of(), feed("+OK\r\n+QUEUED\r\n", 64, RequestWriter.EXPECT_TRANSACTION));
        parser.reset();
        assertEquals(List.of(ResponseParser.OK),
                feed("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:7\r\n", 64, RequestWriter.EXPECT_TRANSACTION));
    }

    @Test
    void shouldCheckScriptAndMultiKeyReplies() {
        assertEquals(ResponseParser.OK, parser.parse(bytes(":2\r\n"), RequestWriter.EXPECT_INTEGER));
        assertEquals(ResponseParser.WRONG_TYPE, parser.parse(bytes("$-1\r\n"), RequestWriter.EXPECT_INTEGER));
        assertEquals(ResponseParser.NO_SCRIPT, parser.parse(bytes("-NOSCRIPT No matching script. Please use EVAL.\r\n"),
                RequestWriter.EXPECT_INTEGER));
        assertEquals(ResponseParser.ERROR_REPLY, parser.parse(bytes("-NOSCRIPTS\r\n"), RequestWriter.EXPECT_INTEGER));
        assertEquals(ResponseParser.OK, parser.parse(bytes("*2\r\n$1\r\nx\r\n$-1\r\n"), RequestWriter.EXPECT_ARRAY));
        assertEquals(ResponseParser.WRONG_TYPE, parser.parse(bytes("*-1\r\n"), RequestWriter.EXPECT_ARRAY));
    }
}
