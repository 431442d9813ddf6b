package io.shardloop.resp.codec;

import io.shardloop.kv.CommandCodec;
import io.shardloop.kv.CommandDescriptor;
import io.shardloop.resp.OutboundReplyWriter;
import io.shardloop.runtime.net.BufferPool;
import io.shardloop.runtime.net.OutboundBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RespWriterTest {
    private static void writeAll(ReplySink out) {
        out.simple("OK");
        out.error("ERR bad");
        out.integer(Long.MIN_VALUE);
        out.integer(0);
        out.bulk("hello".getBytes(StandardCharsets.US_ASCII));
        out.bulk(new byte[0]);
        out.bulkDecimal(-42);
        out.nullBulk();
        out.arrayHeader(2);
        out.nullArray();
    }

    private static final String EXPECTED = "+OK\r\n-ERR bad\r\n:-9223372036854775808\r\n:0\r\n$5\r\nhello\r\n"
            + "$0\r\n\r\n$3\r\n-42\r\n$-1\r\n*2\r\n*-1\r\n";

    @Test
    void shouldEncodeEveryReplyTypeIntoABuffer() {
        BufferReplyWriter w = new BufferReplyWriter(4);
        writeAll(w);
        assertEquals(EXPECTED, w.toString());
        w.reset();
        w.integer(7);
        assertEquals(":7\r\n", w.toString());
    }

    @Test
    void shouldWriteDoublesAsRedisSeventeenDigitTextInBulkOrResp3Double() {
        BufferReplyWriter w = new BufferReplyWriter();
        Runnable all = () -> {
            w.doubleValue(1);
            w.doubleValue(1.5);
            w.doubleValue(Double.POSITIVE_INFINITY);
            w.doubleValue(Double.NEGATIVE_INFINITY);
        };
        all.run();
        assertEquals("$1\r\n1\r\n$3\r\n1.5\r\n$3\r\ninf\r\n$4\r\n-inf\r\n", w.toString());
        w.reset().protocol(3);
        all.run();
        assertEquals(",1\r\n,1.5\r\n,inf\r\n,-inf\r\n", w.toString());
        // printf("%.17g") as redis-server 7.0 replies: 17 significant digits, exponent past 10^16.
        String[][] cases = {
            {"0.1", "0.10000000000000001"}, {"-0.0", "0"}, {"0", "0"}, {"300", "300"}, {"-2.5", "-2.5"},
            {"1e-5", "1.0000000000000001e-05"}, {"0.0001", "0.0001"}, {"1e20", "1e+20"},
            {"123456789012345678", "1.2345678901234568e+17"}, {"1e16", "10000000000000000"},
            {"1e17", "1e+17"}, {"-99999999999999999", "-1e+17"}, {"-1234567", "-1234567"}, {"3.14159", "3.1415899999999999"}, {"1e-300", "1e-300"},
            {"1.7976931348623157e308", "1.7976931348623157e+308"}, {"4.9e-324", "4.9406564584124654e-324"},
        };
        for (String[] c : cases) {
            double d = Double.parseDouble(c[0]);
            assertEquals(c[1], RespWriter.doubleText(d), c[0]);
            // The reply writes the same text, by the integral fast path or the general one.
            w.reset().protocol(2);
            w.doubleValue(d);
            assertEquals("$" + c[1].length() + "\r\n" + c[1] + "\r\n", w.toString(), c[0]);
            w.reset().protocol(3);
            w.doubleValue(d);
            assertEquals("," + c[1] + "\r\n", w.toString(), c[0]);
        }
    }

    @Test
    void shouldWriteMapsSetsNullsAndVerbatimTextInTheProtocolChosen() {
        BufferReplyWriter w = new BufferReplyWriter();
        byte[] info = "# Server".getBytes(StandardCharsets.US_ASCII);
        Runnable all = () -> {
            w.mapHeader(2);
            w.setHeader(3);
            w.nullBulk();
            w.nullArray();
            w.verbatim(info);
        };
        all.run();
        assertEquals("*4\r\n*3\r\n$-1\r\n*-1\r\n$8\r\n# Server\r\n", w.toString(), "RESP2, as Redis writes these there");
        w.reset().protocol(3);
        all.run();
        assertEquals("%2\r\n~3\r\n_\r\n_\r\n=12\r\ntxt:# Server\r\n", w.toString());
        assertEquals(3, w.protocol());
        w.reset().protocol(2);
        w.nullBulk();
        assertEquals("$-1\r\n", w.toString());
    }

    @Test
    void shouldEncodeTheSameBytesIntoAnOutboundBuffer() throws Exception {
        OutboundBuffer buffer = new OutboundBuffer(new BufferPool(8, 4), new ByteBuffer[16]);
        writeAll(new OutboundReplyWriter(buffer));
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        var channel = new java.nio.channels.GatheringByteChannel() {
            public long write(ByteBuffer[] srcs, int offset, int length) {
                long n = 0;
                for (int i = offset; i < offset + length; i++) {
                    while (srcs[i].hasRemaining()) {
                        sink.write(srcs[i].get());
                        n++;
                    }
                }
                return n;
            }

            public long write(ByteBuffer[] srcs) {
                return write(srcs, 0, srcs.length);
            }

            public int write(ByteBuffer src) {
                return (int) write(new ByteBuffer[]{src});
            }

            public boolean isOpen() {
                return true;
            }

            public void close() {
            }
        };
        while (!buffer.isEmpty()) {
            buffer.flushTo((chunks, count) -> channel.write(chunks, 0, count));
        }
        assertEquals(EXPECTED, sink.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void shouldRoundTripCommandsThroughTheBinaryEncoding() {
        CommandArgs args = CommandArgs.of("MSET", "a", "1", "bb", "", "c", "3");
        org.agrona.ExpandableArrayBuffer buf = new org.agrona.ExpandableArrayBuffer(8);
        int n = CommandCodec.encode(args, buf, 3);
        assertEquals(CommandCodec.encodedLength(args), n);
        CommandArgs back = new CommandArgs();
        CommandCodec.decode(buf, 3, back);
        assertEquals(args.toString(), back.toString());

        int m = CommandCodec.encodeSubset(args, new int[]{9, 3, 1}, 1, 2, 2, buf, 0);
        CommandCodec.decode(buf, 0, back);
        assertEquals("[MSET, bb, , a, 1]", back.toString());
        assertEquals(CommandDescriptor.FIRST_ARGUMENT_OFFSET + 5 * CommandDescriptor.LENGTH_PREFIX + 8, m);
    }

    @Test
    void shouldWalkRepliesWithTheReader() {
        BufferReplyWriter w = new BufferReplyWriter();
        w.arrayHeader(3);
        w.bulk("ab".getBytes(StandardCharsets.US_ASCII));
        w.nullBulk();
        w.arrayHeader(1);
        w.integer(5);
        w.integer(-12);
        var b = w.buffer();
        assertEquals('*', ReplyReader.type(b, 0));
        assertEquals(3, ReplyReader.number(b, 0));
        int first = ReplyReader.firstElement(b, 0);
        int second = ReplyReader.skip(b, first);
        assertEquals(-1, ReplyReader.number(b, second));
        int third = ReplyReader.skip(b, second);
        int end = ReplyReader.skip(b, 0);
        assertEquals(-12, ReplyReader.number(b, end));
        assertEquals(end, ReplyReader.skip(b, third));
    }

    @Test
    void shouldParseIntegersAsStrictlyAsRedis() {
        assertEquals(0, Numbers.parseLong(b("0"), 0, 1, -9));
        assertEquals(Long.MIN_VALUE, Numbers.parseLong(b("-9223372036854775808"), 0, 20, 0));
        assertEquals(Long.MAX_VALUE, Numbers.parseLong(b("9223372036854775807"), 0, 19, 0));
        for (String bad : new String[]{"", "-", "-0", "01", "+1", " 1", "1 ", "9223372036854775808", "1.5", "abc"}) {
            assertEquals(false, Numbers.isLong(b(bad), 0, bad.length()), bad);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
