package io.shardloop.http.file;

import io.shardloop.runtime.net.Connection;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The blocking half of serving files, kept off the loop threads. An implementation runs
 * {@link BlockingFiles#open} and {@link BlockingFiles#read} off the loop ({@link OffloadFileReader}:
 * on the runtime's offload pool) and runs each callback on the connection's shard, followed by
 * {@code connection.flushSoon()}. Callers are on the loop thread; callbacks arrive there too, once
 * each, in the order of completion, possibly after the connection has closed (check
 * {@link Connection#isClosed()} and give the file back).
 */
public interface FileReader {
    /** Resolves {@code relativePath} (already checked by {@link StaticPaths}) under the root, stats and opens it. */
    void open(Connection connection, Path root, String relativePath, OpenCallback done);

    /** Reads from {@code position} into {@code into} (up to its remaining bytes). */
    void read(Connection connection, OpenFile file, long position, ByteBuffer into, ReadCallback done);

    /** Closes the file; may be called from the loop thread, and never blocks it. */
    void release(OpenFile file);

    interface OpenCallback {
        void onOpened(OpenFile file);

        /** 403, 404 or 500 (or 503 when the offload pool is full); {@code reason} is for logs. */
        void onOpenFailed(int status, String reason);
    }

    interface ReadCallback {
        /** Bytes read into the buffer (its position advanced), or -1 at the end of the file. */
        void onRead(int bytes);

        void onReadFailed(String reason);
    }
}
