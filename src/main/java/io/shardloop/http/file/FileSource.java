package io.shardloop.http.file;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where an {@link OpenFile}'s bytes come from: a descriptor read with pread(2) or, where the Linux
 * calls are unavailable, a {@link java.nio.channels.FileChannel}. Called on a file reader's thread
 * only; a read and the close never overlap (a response releases its file only with no read in flight).
 */
sealed interface FileSource permits DescriptorSource, ChannelSource {
    /** One positional read into {@code into}'s remaining bytes; -1 at the end of the file. */
    int read(long position, ByteBuffer into) throws IOException;

    /** Closes the file; once only, later calls do nothing. */
    void close();
}
