package io.shardloop.kv;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Joins RDB bodies (what an {@link RdbFileWriter} writes without header and footer: selectDb and
 * entries, a function library or two) written side by side, one per shard, into one RDB file:
 * <pre>
 *   header | body 1 | body 2 | ... | EOF | CRC-64 of all before
 * </pre>
 * The bodies are streamed through a small buffer, never held whole, and summed on the way. One
 * database may appear in several bodies: Redis's loader selects it again each time, and takes
 * each body's RESIZEDB as one more sizing hint. Keys must not repeat across bodies (Redis refuses
 * a file with a duplicate key). Functions, when there are any, go in the first body.
 * <p>
 * Stateless; a join runs on the calling thread and blocks on its I/O.
 */
public final class RdbJoin {
    /** The copy buffer's size. */
    private static final int CHUNK = 256 * 1024;

    private RdbJoin() {
    }

    /**
     * Writes the file to {@code target} (created or replaced, then forced to the disk). The caller
     * writes to a temporary name and renames it, as Redis does, for a file that is never seen half
     * written.
     *
     * @return the file's length in bytes.
     */
    public static long join(RdbHeader header, List<Path> bodies, Path target) throws IOException {
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long length = join(header, bodies, out);
            out.force(true);
            return length;
        }
    }

    /**
     * Writes the file to a channel, which it leaves open.
     *
     * @return the file's length in bytes.
     */
    public static long join(RdbHeader header, List<Path> bodies, WritableByteChannel out) throws IOException {
        RdbFileWriter writer = new RdbFileWriter();
        writer.header(header);
        writer.drainTo(out);
        byte[] chunk = new byte[CHUNK];
        for (Path body : bodies) {
            try (InputStream in = Files.newInputStream(body)) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    writer.absorb(chunk, 0, n);
                    ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
            }
        }
        writer.finish();
        writer.drainTo(out);
        return writer.written();
    }
}
