package io.shardloop.http.file;

import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.FileStatus;
import io.shardloop.runtime.transport.LoopFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A {@link FileReader} on the shard's own I/O engine ({@link LoopFiles}: io_uring): the open beneath
 * the root, its stat and each read are requests of the shard's ring, and their completions are
 * events of its loop, so no thread of the pool is handed the work and none hands it back. The file
 * is opened as {@link BlockingFiles} opens it (openat2 with RESOLVE_BENEATH and RESOLVE_NO_MAGICLINKS,
 * read-only, non-blocking), and refusals answer the same statuses.
 * <p>
 * One per shard; called on its loop thread, and its callbacks arrive there.
 */
public final class LoopFileReader implements FileReader {
    private final LoopFiles files;

    public LoopFileReader(LoopFiles files) {
        this.files = files;
    }

    @Override
    public void open(Connection connection, Path root, String relativePath, OpenCallback done) {
        files.open(root.toString(), relativePath, BlockingFiles.READ_FLAGS, BlockingFiles.BENEATH, new LoopFiles.OpenDone() {
            @Override
            public void onOpened(int fd, int mode, long size, long lastModifiedMillis) {
                DescriptorSource source = new DescriptorSource(fd);
                if (!new FileStatus(mode, size, lastModifiedMillis).isRegularFile()) {
                    source.close();
                    done.onOpenFailed(404, "not a regular file: " + relativePath);
                } else {
                    done.onOpened(new OpenFile(source, size, lastModifiedMillis, BlockingFiles.fileName(relativePath)));
                }
                connection.flushSoon();
            }

            @Override
            public void onOpenFailed(String call, int errno) {
                IOException refusal = BlockingFiles.refusal(new ErrnoException(call, relativePath, errno), relativePath);
                if (refusal instanceof BlockingFiles.Refused refused) {
                    done.onOpenFailed(refused.status(), refused.getMessage());
                } else {
                    done.onOpenFailed(500, refusal.getMessage());
                }
                connection.flushSoon();
            }
        });
    }

    @Override
    public void read(Connection connection, OpenFile file, long position, ByteBuffer into, ReadCallback done) {
        int wanted = into.remaining();
        files.read(((DescriptorSource) file.source()).fd(), position, into, new LoopFiles.ReadDone() {
            @Override
            public void onRead(int bytes) {
                done.onRead(bytes == 0 && wanted > 0 ? -1 : bytes);
                connection.flushSoon();
            }

            @Override
            public void onReadFailed(int errno) {
                done.onReadFailed(new ErrnoException("read", file.name(), errno).getMessage());
                connection.flushSoon();
            }
        });
    }

    /** Closes the file here: closing a read-only regular file does not wait on the disk. */
    @Override
    public void release(OpenFile file) {
        BlockingFiles.close(file);
    }
}
