package io.shardloop.http.file;

import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.offload.OffloadPool;
import io.shardloop.runtime.shard.Shard;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * A {@link FileReader} over the runtime's shared offload pool: the blocking call runs on an
 * {@code offload-*} thread, and its continuation comes back to this shard's loop thread, where the
 * callback runs and the connection is flushed. A full pool answers an open with 503 (the caller adds
 * {@code Retry-After}) and fails a read, which closes that response's connection: the head is gone
 * and only closing tells the client.
 * <p>
 * Hand-over: the pool thread writes the result (an {@link OpenFile}, bytes and position in the
 * caller's buffer) before the continuation is enqueued on the loop's task queue; that queue is a
 * happens-before edge, so the loop sees the buffer's bytes and position.
 * <p>
 * One per shard; {@link #open}, {@link #read} and {@link #release} are called on its loop thread.
 */
public final class OffloadFileReader implements FileReader {
    private static final System.Logger LOG = System.getLogger(OffloadFileReader.class.getName());
    static final String SATURATED = "offload pool full";

    /** Where the blocking calls go: {@code shard::offload} (tests wrap it to see the threads). */
    public interface Offloader {
        <T> int offload(Callable<T> task, OffloadPool.Completion<? super T> continuation);
    }

    private final Offloader offloader;

    public OffloadFileReader(Shard shard) {
        this(shard::offload);
    }

    public OffloadFileReader(Offloader offloader) {
        this.offloader = offloader;
        BlockingFiles.opening(); // chosen, and logged if it is not openat2, once at start rather than on a first request
    }

    @Override
    public void open(Connection connection, Path root, String relativePath, OpenCallback done) {
        int rc = offloader.offload(() -> BlockingFiles.open(root, relativePath), (OpenFile file, Throwable error) -> {
            if (error == null) {
                done.onOpened(file);
            } else if (error instanceof BlockingFiles.Refused refused) {
                done.onOpenFailed(refused.status(), refused.getMessage());
            } else {
                done.onOpenFailed(500, error.toString());
            }
            connection.flushSoon();
        });
        if (rc != OffloadPool.ACCEPTED) {
            LOG.log(System.Logger.Level.DEBUG, "offload refused a file open (code {0})", rc);
            done.onOpenFailed(503, SATURATED);
        }
    }

    @Override
    public void read(Connection connection, OpenFile file, long position, ByteBuffer into, ReadCallback done) {
        int rc = offloader.offload(() -> BlockingFiles.read(file, position, into), (Integer bytes, Throwable error) -> {
            if (error == null) {
                done.onRead(bytes);
            } else {
                done.onReadFailed(error.toString());
            }
            connection.flushSoon();
        });
        if (rc != OffloadPool.ACCEPTED) {
            LOG.log(System.Logger.Level.DEBUG, "offload refused a file read (code {0})", rc);
            done.onReadFailed(SATURATED);
        }
    }

    @Override
    public void release(OpenFile file) {
        int rc = offloader.offload(() -> {
            BlockingFiles.close(file);
            return null;
        }, (Object ignored, Throwable error) -> { });
        if (rc != OffloadPool.ACCEPTED) {
            BlockingFiles.close(file); // closing a read-only file does not wait on the disk
        }
    }
}
