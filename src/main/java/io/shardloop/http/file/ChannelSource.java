package io.shardloop.http.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A file opened through Java's paths (no Linux calls on this platform). */
record ChannelSource(FileChannel channel) implements FileSource {
    @Override
    public int read(long position, ByteBuffer into) throws IOException {
        return channel.read(into, position);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // A read-only channel that will not close has nothing left to lose.
        }
    }
}
