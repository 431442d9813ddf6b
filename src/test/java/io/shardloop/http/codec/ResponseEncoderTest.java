package io.shardloop.http.codec;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResponseEncoderTest {
    /** The default methods only: what a sink that writes single bytes and arrays gets. */
    private static final ByteSink<ByteArrayOutputStream> BYTES = new ByteSink<>() {
        @Override
        public void writeByte(ByteArrayOutputStream out, int b) {
            out.write(b);
        }

        @Override
        public void writeBytes(ByteArrayOutputStream out, byte[] src, int offset, int length) {
            out.write(src, offset, length);
        }
    };
    private static final byte[] DATE = Bytes.ascii("Sun, 06 Nov 1994 08:49:37 GMT");

    private static String text(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldWriteTheConnectionHeaderOnlyWhenItDiffersFromTheVersionsDefault() {
        String head = "Server: shardloop\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/plain\r\n";
        String[][] cases = {
            {"1", "true", ""}, {"1", "false", "Connection: close\r\n"},
            {"0", "true", "Connection: keep-alive\r\n"}, {"0", "false", "Connection: close\r\n"},
        };
        for (String[] c : cases) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ResponseEncoder.full(BYTES, out, 200, DATE, ResponseEncoder.TEXT_PLAIN, Bytes.ascii("hi"),
                    Integer.parseInt(c[0]), Boolean.parseBoolean(c[1]), false);
            assertEquals("HTTP/1.1 200 OK\r\n" + head + c[2] + "Content-Length: 2\r\n\r\nhi", text(out), String.join(" ", c));
        }
    }

    @Test
    void shouldEncodeHeadersLengthsAndChunks() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResponseEncoder.begin(BYTES, out, 206, DATE, null, 1, true);
        ResponseEncoder.header(BYTES, out, Bytes.ascii("ETag"), "\"abc\"");
        ResponseEncoder.chunked(BYTES, out);
        byte[] data = new byte[0x1a2b];
        ResponseEncoder.chunk(BYTES, out, data, 0, 0);
        ResponseEncoder.chunk(BYTES, out, data, 0, 0x1a2b);
        ResponseEncoder.lastChunk(BYTES, out);
        String s = text(out);
        assertEquals("HTTP/1.1 206 Partial Content\r\nServer: shardloop\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "ETag: \"abc\"\r\nTransfer-Encoding: chunked\r\n\r\n1a2b\r\n", s.substring(0, s.indexOf("1a2b\r\n") + 6));
        assertEquals("\r\n0\r\n\r\n", s.substring(s.length() - 7));

        out.reset();
        ResponseEncoder.contentLength(BYTES, out, 9_876_543_210L);
        ResponseEncoder.endHead(BYTES, out);
        assertEquals("Content-Length: 9876543210\r\n\r\n\r\n", text(out));
    }
}
