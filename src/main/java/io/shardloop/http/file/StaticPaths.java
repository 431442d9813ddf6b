package io.shardloop.http.file;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Turns the raw path after {@code /static/} into a relative file path that cannot leave the root,
 * or refuses it. Pure string work, run on the loop thread; the symlink check needs the file system
 * and happens where the file is opened ({@link BlockingFiles#open}).
 * <p>
 * Refused with 403: a backslash, a NUL byte, raw or encoded; an encoded slash or backslash
 * ({@code %2f}, {@code %5c}), which would make one segment two; a segment that is {@code .} or
 * {@code ..} after decoding (so {@code %2e%2e} too). Refused with 400: a malformed percent escape or
 * bytes that are not UTF-8. Refused with 404: an empty path or an empty segment.
 */
public final class StaticPaths {
    /** A relative path to open, or the status to answer instead. */
    public record Decoded(String path, int status) {
        public boolean ok() {
            return path != null;
        }
    }

    private StaticPaths() {
    }

    public static Decoded decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' || c == 0) {
                return refused(403);
            }
            if (c != '%') {
                if (c > 0xff) {
                    return refused(400);
                }
                bytes.write(c);
                continue;
            }
            if (i + 2 >= raw.length()) {
                return refused(400);
            }
            int hi = Character.digit(raw.charAt(i + 1), 16);
            int lo = Character.digit(raw.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                return refused(400);
            }
            int b = hi * 16 + lo;
            if (b == '/' || b == '\\' || b == 0) {
                return refused(403);
            }
            bytes.write(b);
            i += 2;
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return refused(400);
        }
        if (decoded.isEmpty()) {
            return refused(404);
        }
        int start = 0;
        while (start <= decoded.length()) {
            int slash = decoded.indexOf('/', start);
            int end = slash < 0 ? decoded.length() : slash;
            String segment = decoded.substring(start, end);
            if (segment.isEmpty()) {
                return refused(404);
            }
            if (segment.equals(".") || segment.equals("..")) {
                return refused(403);
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (c < 0x20 || c == 0x7f || c == '\\') {
                    return refused(403);
                }
            }
            start = end + 1;
        }
        return new Decoded(decoded, 0);
    }

    private static Decoded refused(int status) {
        return new Decoded(null, status);
    }
}
