package io.shardloop.hostile;

import io.shardloop.resp.codec.RespLimits;
import io.shardloop.resp.codec.RespParser;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RESP parser against generated input in generated splits: valid commands come back whole at
 * every split; random and mutated bytes end in commands, "need more" or the documented protocol
 * error, nothing else; the parser never holds more than it was given (a declared size allocates
 * nothing), never leaves more than one inline line unconsumed, and every call returns.
 */
class RespParserFuzzTest {
    /** Small limits, so that generated sizes cross them often. */
    private static final RespLimits LIMITS = new RespLimits(4096, 64, 256);

    @Test
    void shouldParseValidCommandsWholeAtAnySplit() {
        Fuzz.check(400, r -> {
            List<List<String>> commands = commands(r);
            Outcome o = feed(new RespParser(LIMITS), encode(commands), Fuzz.splits(r));
            assertEquals(null, o.error, "valid input refused");
            List<String> expected = new ArrayList<>();
            for (List<String> c : commands) {
                expected.add("[" + String.join(", ", c) + "]");
            }
            assertEquals(expected, o.commands);
            assertEquals(0, o.leftover);
        });
    }

    @Test
    void shouldAnswerMutatedCommandsOnlyWithCommandsOrTheProtocolError() {
        Fuzz.check(3000, r -> {
            byte[] wire = Mutation.applyAll(encode(commands(r)), Mutation.some(r));
            checkInvariants(feed(new RespParser(LIMITS), wire, Fuzz.splits(r)), wire.length);
        });
    }

    @Test
    void shouldAnswerRandomBytesOnlyWithCommandsOrTheProtocolError() {
        Fuzz.check(2000, r -> {
            byte[] garbage = Fuzz.bytes(r, 2048);
            checkInvariants(feed(new RespParser(LIMITS), garbage, Fuzz.splits(r)), garbage.length);
        });
    }

    @Test
    void shouldRefuseDeclaredSizesPastTheLimitsBeforeAllocating() {
        Fuzz.check(300, r -> {
            long bulk = 4097 + (long) r.nextInt(Integer.MAX_VALUE - 4097);
            long count = 65 + (long) r.nextInt(Integer.MAX_VALUE - 65);
            RespParser bulkParser = new RespParser(LIMITS);
            Outcome a = feed(bulkParser, ascii("*2\r\n$3\r\nGET\r\n$" + bulk + "\r\n"), List.of(1 << 20));
            assertEquals("ERR Protocol error: invalid bulk length", a.error);
            assertTrue(bulkParser.args().array().length <= 256, "allocated " + bulkParser.args().array().length);

            RespParser countParser = new RespParser(LIMITS);
            Outcome b = feed(countParser, ascii("*" + count + "\r\n"), List.of(1 << 20));
            assertEquals("ERR Protocol error: invalid multibulk length", b.error);
        });
    }

    @Test
    void shouldGrowABulkOnlyWithTheBytesThatArrive() {
        Fuzz.check(200, r -> {
            int declared = 1 + r.nextInt(4096);
            int actual = Math.min(declared, r.nextInt(4097));
            RespParser parser = new RespParser(LIMITS);
            byte[] head = ascii("*2\r\n$3\r\nSET\r\n$" + declared + "\r\n");
            byte[] wire = java.util.Arrays.copyOf(head, head.length + actual);
            Outcome o = feed(parser, wire, List.of(wire.length));
            assertEquals(null, o.error);
            assertTrue(parser.args().array().length <= Math.max(256, 2 * (actual + 16)),
                    "declared " + declared + ", sent " + actual + ", holds " + parser.args().array().length);
        });
    }

    private static void checkInvariants(Outcome o, int given) {
        if (o.error != null) {
            assertTrue(o.error.startsWith("ERR Protocol error: "), o.error);
        }
        assertTrue(o.leftover <= LIMITS.maxInlineLength() + 1,
                "left " + o.leftover + " bytes unconsumed, over one inline line");
        assertTrue(o.maxHeld <= Math.max(256, 2L * given + 64), "holds " + o.maxHeld + " bytes for " + given + " given");
    }

    // ---- feeding, as a connection does -----------------------------------------------------------

    record Outcome(List<String> commands, String error, int leftover, int maxHeld) {
    }

    /** Feeds {@code wire} in pieces of the given sizes (cycled), keeping unconsumed bytes, as a connection would. */
    static Outcome feed(RespParser parser, byte[] wire, List<Integer> splits) {
        List<String> commands = new ArrayList<>();
        ByteBuffer pending = ByteBuffer.allocate(0);
        int maxHeld = 0;
        int at = 0;
        int s = 0;
        while (at < wire.length) {
            int n = Math.min(wire.length - at, splits.get(s++ % splits.size()));
            ByteBuffer in = ByteBuffer.allocate(pending.remaining() + n);
            in.put(pending).put(wire, at, n).flip();
            at += n;
            // Every call consumes bytes or returns: more calls than bytes plus commands means a loop.
            int calls = 0;
            int code;
            while ((code = parser.parse(in)) == RespParser.COMMAND) {
                commands.add(parser.args().toString());
                assertTrue(++calls <= wire.length + 1, "the parser does not terminate");
            }
            maxHeld = Math.max(maxHeld, parser.args().array().length);
            if (code == RespParser.PROTOCOL_ERROR) {
                assertNotNull(parser.errorMessage());
                assertEquals(RespParser.PROTOCOL_ERROR, parser.parse(ByteBuffer.wrap(ascii("PING\r\n"))),
                        "the error is sticky");
                return new Outcome(commands, parser.errorMessage(), 0, maxHeld);
            }
            assertEquals(RespParser.NEED_MORE, code);
            pending = in.slice();
        }
        return new Outcome(commands, null, pending.remaining(), maxHeld);
    }

    // ---- generators ------------------------------------------------------------------------------

    /** One to six commands of one to eight arguments; now and then a large one. */
    static List<List<String>> commands(SplittableRandom r) {
        List<List<String>> commands = new ArrayList<>();
        for (int c = 1 + r.nextInt(6); c > 0; c--) {
            List<String> args = new ArrayList<>();
            for (int a = 1 + r.nextInt(8); a > 0; a--) {
                args.add(r.nextInt(20) == 0 ? Fuzz.word(r, 300, 1200, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                        : Fuzz.word(r, 1, 40, "abcdefghijklmnopqrstuvwxyz0123456789-:"));
            }
            commands.add(args);
        }
        return commands;
    }

    /** Multibulk, or inline when every word is short (as redis-cli and telnet send). */
    static byte[] encode(List<List<String>> commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = 0;
        for (List<String> c : commands) {
            // Inline only where the line fits the inline limit: a longer one is rightly refused.
            boolean inline = (n++ % 3 == 2) && c.stream().allMatch(w -> w.length() < 40)
                    && String.join(" ", c).length() + 2 <= LIMITS.maxInlineLength();
            if (inline) {
                out.writeBytes(ascii(String.join(" ", c) + "\r\n"));
                continue;
            }
            out.writeBytes(ascii("*" + c.size() + "\r\n"));
            for (String w : c) {
                out.writeBytes(ascii("$" + w.length() + "\r\n" + w + "\r\n"));
            }
        }
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
