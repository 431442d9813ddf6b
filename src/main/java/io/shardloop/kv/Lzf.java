package io.shardloop.kv;

import org.agrona.DirectBuffer;

/**
 * LZF decompression (liblzf's format, which Redis uses for long strings in RDB files and DUMP
 * payloads). A stream is a run of items, each opened by a control byte:
 * <pre>
 *   000LLLLL                      a literal run: the next L + 1 bytes as they are
 *   LLLOOOOO oooooooo             a back reference: copy L + 2 bytes from O·256 + o + 1 bytes back
 *   111OOOOO llllllll oooooooo    the same with L = 7 + l (lengths 9 to 264)
 * </pre>
 * Stateless.
 */
final class Lzf {
    private Lzf() {
    }

    /**
     * Decompresses {@code length} bytes at {@code offset} into all of {@code out}.
     *
     * @return whether the stream was well formed and filled {@code out} exactly.
     */
    static boolean decompress(DirectBuffer in, int offset, int length, byte[] out) {
        int ip = offset;
        int inEnd = offset + length;
        int op = 0;
        while (ip < inEnd) {
            int ctrl = in.getByte(ip++) & 0xFF;
            if (ctrl < 32) {
                int run = ctrl + 1;
                if (op + run > out.length || ip + run > inEnd) {
                    return false;
                }
                in.getBytes(ip, out, op, run);
                ip += run;
                op += run;
            } else {
                int len = ctrl >>> 5;
                if (len == 7) {
                    if (ip >= inEnd) {
                        return false;
                    }
                    len += in.getByte(ip++) & 0xFF;
                }
                if (ip >= inEnd) {
                    return false;
                }
                int ref = op - ((ctrl & 0x1F) << 8) - 1 - (in.getByte(ip++) & 0xFF);
                len += 2;
                if (ref < 0 || op + len > out.length) {
                    return false;
                }
                // Byte by byte: the source may overlap what is being written (a repeated pattern).
                for (int i = 0; i < len; i++) {
                    out[op++] = out[ref++];
                }
            }
        }
        return op == out.length;
    }
}
