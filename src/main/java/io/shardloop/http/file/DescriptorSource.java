package io.shardloop.http.file;

import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.LinuxFiles;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * A file descriptor opened beneath the root, read with pread(2). The descriptor is closed once:
 * by {@link #close}, or by a cleaner if the file is dropped unreleased (a continuation lost as a
 * shard stops), as a {@code FileChannel} would be.
 */
final class DescriptorSource implements FileSource {
    private static final Cleaner CLEANER = Cleaner.create(runnable -> {
        Thread thread = new Thread(runnable, "file-descriptor-cleaner");
        thread.setDaemon(true);
        return thread;
    });

    private final Descriptor descriptor;
    private final Cleaner.Cleanable cleanable;

    DescriptorSource(int fd) {
        this.descriptor = new Descriptor(fd);
        this.cleanable = CLEANER.register(this, descriptor);
    }

    int fd() {
        return descriptor.fd;
    }

    @Override
    public int read(long position, ByteBuffer into) throws IOException {
        if (descriptor.closed) {
            throw new ClosedChannelException();
        }
        try {
            int wanted = into.remaining();
            int read = LinuxFiles.pread(descriptor.fd, into, position);
            return read == 0 && wanted > 0 ? -1 : read;
        } finally {
            // Until pread returns, this object (and so the descriptor) must not be cleaned.
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void close() {
        cleanable.clean();
    }

    /** What the cleaner holds: the number and whether it is closed, never the source itself. */
    private static final class Descriptor implements Runnable {
        final int fd;
        /** Written by whichever thread closes, read by the reader's next read: volatile. */
        volatile boolean closed;

        Descriptor(int fd) {
            this.fd = fd;
        }

        @Override
        public void run() {
            closed = true;
            try {
                LinuxFiles.close(fd);
            } catch (ErrnoException ignored) {
                // A read-only regular file that will not close has nothing left to lose.
            }
        }
    }
}
