package io.shardloop.runtime.transport;

import java.nio.ByteBuffer;

/**
 * Files on a loop's own I/O engine: opened, stat'ed and read as requests of the loop, completing as
 * its events, with no thread of this process waiting on the disk. Offered by transports that have
 * such an engine ({@link LoopIo#files()}: io_uring); elsewhere the blocking calls go to a thread pool.
 * <p>
 * Loop thread only; every callback arrives from a later {@link LoopIo#poll}, once.
 */
public interface LoopFiles {
    /**
     * Opens {@code relativePath} beneath the directory {@code root}, openat2(2) with {@code flags}
     * and {@code resolve} (RESOLVE_BENEATH: the kernel refuses every way out), and stats the open
     * file. A regular file is then made blocking for reads (the caller opens with O_NONBLOCK only so
     * that a FIFO swapped in cannot hold the open).
     */
    void open(String root, String relativePath, long flags, long resolve, OpenDone done);

    /** Reads from {@code position} into {@code into}'s remaining bytes (fewer, at most {@link #maxRead()}), advancing it. */
    void read(int fd, long position, ByteBuffer into, ReadDone done);

    /** The most bytes one {@link #read} reads. */
    int maxRead();

    interface OpenDone {
        /** Open: the descriptor is the caller's, with the file's {@code st_mode}, size and modification time. */
        void onOpened(int fd, int mode, long size, long lastModifiedMillis);

        /** Not opened: the errno of the call that failed (named as {@code call}). */
        void onOpenFailed(String call, int errno);
    }

    interface ReadDone {
        /** Bytes read (0 at the end of the file). */
        void onRead(int bytes);

        void onReadFailed(int errno);
    }
}
