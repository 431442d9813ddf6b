package io.shardloop.http.file;

import io.shardloop.runtime.net.Connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FileReader} on a small bounded pool of its own: the blocking call runs on a pool thread,
 * its outcome is posted to the connection's loop with {@code execute} and flushed from there. A
 * full queue answers 503 rather than blocking the loop. Meant to give way to the runtime's shared
 * offload pool, which takes over the same two blocking calls.
 * <p>
 * Hand-over: the result (an {@link OpenFile}, bytes in the caller's buffer) is written by the pool
 * thread before {@code loop.execute} enqueues the callback; the loop's task queue is a
 * happens-before edge, so the loop sees the buffer's bytes and position.
 */
public final class PooledFileReader implements FileReader {
    private static final System.Logger LOG = System.getLogger(PooledFileReader.class.getName());

    private final ExecutorService pool;

    /** A pool of {@code threads} daemon threads named {@code http-file-N}, with {@code queue} waiting jobs at most. */
    public static PooledFileReader create(int threads, int queue) {
        AtomicInteger seq = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), r -> {
                    Thread t = new Thread(r, "http-file-" + seq.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
        return new PooledFileReader(pool);
    }

    /** Runs the blocking calls on the given executor (which must not be a loop thread). */
    public PooledFileReader(ExecutorService pool) {
        this.pool = pool;
    }

    @Override
    public void open(Connection connection, Path root, String relativePath, OpenCallback done) {
        submit(connection, () -> {
            try {
                OpenFile file = BlockingFiles.open(root, relativePath);
                post(connection, () -> done.onOpened(file));
            } catch (BlockingFiles.Refused e) {
                post(connection, () -> done.onOpenFailed(e.status(), e.getMessage()));
            } catch (IOException | RuntimeException e) {
                post(connection, () -> done.onOpenFailed(500, e.toString()));
            }
        }, () -> done.onOpenFailed(503, "file reader saturated"));
    }

    @Override
    public void read(Connection connection, OpenFile file, long position, ByteBuffer into, ReadCallback done) {
        submit(connection, () -> {
            try {
                int n = BlockingFiles.read(file, position, into);
                post(connection, () -> done.onRead(n));
            } catch (IOException | RuntimeException e) {
                post(connection, () -> done.onReadFailed(e.toString()));
            }
        }, () -> done.onReadFailed("file reader saturated"));
    }

    @Override
    public void release(OpenFile file) {
        try {
            pool.execute(() -> BlockingFiles.close(file));
        } catch (RejectedExecutionException e) {
            BlockingFiles.close(file); // closing a read-only file does not wait on the disk
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(Connection connection, Runnable job, Runnable onRejected) {
        try {
            pool.execute(job);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "file reader rejected a job: " + e);
            post(connection, onRejected);
        }
    }

    private static void post(Connection connection, Runnable callback) {
        connection.loop().execute(() -> {
            callback.run();
            connection.flushSoon();
        });
    }
}
