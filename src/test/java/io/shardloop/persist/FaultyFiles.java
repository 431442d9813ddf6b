package io.shardloop.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** {@link LogFiles} over the disk that fails every write and sync while {@link #failing} is set, as a full disk does. */
public final class FaultyFiles implements LogFiles {
    private volatile boolean failing;
    private volatile long failedCalls;

    /** From now on every write and sync fails with "No space left on device" (true), or none (false). */
    public void failing(boolean on) {
        failing = on;
    }

    /** Writes and syncs refused so far. */
    public long failedCalls() {
        return failedCalls;
    }

    private void check() throws IOException {
        if (failing) {
            failedCalls++;
            throw new IOException("No space left on device");
        }
    }

    @Override
    public LogFile open(Path path) throws IOException {
        LogFile real = DiskFiles.INSTANCE.open(path);
        return new LogFile() {
            @Override
            public void write(ByteBuffer... buffers) throws IOException {
                check();
                real.write(buffers);
            }

            @Override
            public void force() throws IOException {
                check();
                real.force();
            }

            @Override
            public long size() throws IOException {
                return real.size();
            }

            @Override
            public void truncate(long size) throws IOException {
                real.truncate(size);
            }

            @Override
            public void close() throws IOException {
                real.close();
            }
        };
    }

    @Override
    public void writeAtomically(Path path, byte[] content) throws IOException {
        check();
        DiskFiles.INSTANCE.writeAtomically(path, content);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        check();
        DiskFiles.INSTANCE.rename(from, to);
    }

    @Override
    public void delete(Path path) throws IOException {
        DiskFiles.INSTANCE.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        DiskFiles.INSTANCE.syncDirectory(dir);
    }
}
