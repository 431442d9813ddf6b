package io.shardloop.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * {@link LogFiles} over the disk that fails every write and sync while {@link #failing} is set, as a
 * full disk does; or only those of the files whose names hold some text ({@link #failingOnly}).
 */
public final class FaultyFiles implements LogFiles {
    private volatile boolean failing;
    /** The text a file's name must hold for it to fail; "" for every file. */
    private volatile String only = "";
    private volatile long failedCalls;

    /** From now on every write and sync fails with "No space left on device" (true), or none (false). */
    public void failing(boolean on) {
        only = "";
        failing = on;
    }

    /** From now on the writes and syncs of the files whose names contain {@code nameContains} fail, and only theirs. */
    public void failingOnly(String nameContains) {
        only = nameContains;
        failing = true;
    }

    /** Writes and syncs refused so far. */
    public long failedCalls() {
        return failedCalls;
    }

    private void check(Path path) throws IOException {
        if (failing && path.getFileName().toString().contains(only)) {
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
                check(path);
                real.write(buffers);
            }

            @Override
            public void force() throws IOException {
                check(path);
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
        check(path);
        DiskFiles.INSTANCE.writeAtomically(path, content);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        check(to);
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
