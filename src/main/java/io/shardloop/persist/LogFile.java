package io.shardloop.persist;

import java.io.IOException;
import java.nio.ByteBuffer;

/** One open log file, appended to by one thread at a time (its shard's writer). */
public interface LogFile extends AutoCloseable {
    /** Appends every remaining byte of the buffers, in order. */
    void write(ByteBuffer... buffers) throws IOException;

    /** Waits until what was written is on the disk (fsync). */
    void force() throws IOException;

    /** Bytes in the file. */
    long size() throws IOException;

    /** Cuts the file to {@code size} bytes (a write that failed half way is taken back). */
    void truncate(long size) throws IOException;

    @Override
    void close() throws IOException;
}
