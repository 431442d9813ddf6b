package io.shardloop.runtime.transport.uring;

import io.shardloop.runtime.os.Errno;
import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.FileStatus;
import io.shardloop.runtime.os.IoUring;
import io.shardloop.runtime.os.LinuxFiles;
import io.shardloop.runtime.os.LinuxFlags;
import io.shardloop.runtime.transport.LoopFiles;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A loop's files on its ring. An open is three requests in turn: the root directory
 * ({@code O_PATH}, opened for each file so that a root replaced is served at once), the file
 * beneath it (openat2), and a statx of the open file. A read is one request into a native buffer
 * of the loop's, copied into the caller's buffer when it completes. Opens and reads a regular
 * file's page cache cannot serve at once are done by the kernel's own workers, never this thread.
 * <p>
 * Each request in flight holds an {@link Op}: its native memory (the paths, the {@code open_how},
 * the {@code statx} and, for a read, the buffer) is the kernel's until the completion, and the op
 * returns to a free list after it. Loop thread only.
 */
final class IoUringFiles implements LoopFiles {
    /** PATH_MAX with its NUL: longer paths are refused as the kernel would (ENAMETOOLONG). */
    private static final int PATH_BYTES = 4096;
    private static final long ROOT_PATH = 0;
    private static final long FILE_PATH = PATH_BYTES;
    private static final long HOW = 2L * PATH_BYTES;
    private static final long STATX = HOW + 64;
    private static final long OP_BYTES = STATX + IoUring.STATX_SIZE;
    private static final int READ_BYTES = 128 * 1024;
    /** openat2 beneath a directory answers EAGAIN when a rename races a {@code ..}: tried again this often. */
    private static final int RETRIES = 8;
    private static final byte[] EMPTY_PATH = {0};

    private final IoUringLoopIo io;
    private final Arena arena = Arena.ofShared(); // freed with the loop's I/O
    private final ArrayDeque<Op> free = new ArrayDeque<>();

    IoUringFiles(IoUringLoopIo io) {
        this.io = io;
    }

    @Override
    public int maxRead() {
        return READ_BYTES;
    }

    @Override
    public void open(String root, String relativePath, long flags, long resolve, OpenDone done) {
        Op op = take();
        op.opening = done;
        op.flags = flags;
        op.resolve = resolve;
        if (!op.path(ROOT_PATH, root) || !op.path(FILE_PATH, relativePath)) {
            op.failOpen("openat2", Errno.ENAMETOOLONG);
            return;
        }
        op.stage = Stage.ROOT;
        op.submit();
    }

    @Override
    public void read(int fd, long position, ByteBuffer into, ReadDone done) {
        Op op = take();
        op.reading = done;
        op.into = into;
        op.fd = fd;
        op.position = position;
        op.stage = Stage.READ;
        op.submit();
    }

    private Op take() {
        Op op = free.poll();
        return op != null ? op : new Op(arena.allocate(OP_BYTES, 8));
    }

    void close() {
        arena.close();
    }

    private enum Stage { ROOT, BENEATH, STAT, READ }

    /** One request in flight and the memory it lends the kernel. */
    private final class Op implements IoUringLoopIo.Owner {
        private final MemorySegment memory;
        private MemorySegment readBuffer;
        private long data;
        private Stage stage;
        private OpenDone opening;
        private ReadDone reading;
        private long flags;
        private long resolve;
        private int rootFd = -1;
        private int fd = -1;
        private int attempts;
        private ByteBuffer into;
        private long position;
        private int wanted;

        Op(MemorySegment memory) {
            this.memory = memory;
        }

        boolean path(long offset, String path) {
            byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
            if (bytes.length >= PATH_BYTES) {
                return false;
            }
            MemorySegment.copy(bytes, 0, memory, ValueLayout.JAVA_BYTE, offset, bytes.length);
            memory.set(ValueLayout.JAVA_BYTE, offset + bytes.length, (byte) 0);
            return true;
        }

        void submit() {
            data = io.register(this);
            long userData = IoUringLoopIo.tagged(data, IoUringLoopIo.TAG_FILE);
            try {
                switch (stage) {
                    case ROOT -> io.ring.openat(LinuxFlags.AT_FDCWD, memory.address() + ROOT_PATH,
                            LinuxFlags.O_PATH | LinuxFlags.O_DIRECTORY | LinuxFlags.O_CLOEXEC, userData);
                    case BENEATH -> {
                        IoUring.openHow(memory, HOW, flags, resolve);
                        io.ring.openat2(rootFd, memory.address() + FILE_PATH, memory.address() + HOW, userData);
                    }
                    case STAT -> {
                        MemorySegment.copy(EMPTY_PATH, 0, memory, ValueLayout.JAVA_BYTE, FILE_PATH, 1);
                        io.ring.statx(fd, memory.address() + FILE_PATH, LinuxFlags.AT_EMPTY_PATH,
                                memory.address() + STATX, userData);
                    }
                    case READ -> {
                        if (readBuffer == null) {
                            readBuffer = arena.allocate(READ_BYTES, 64);
                        }
                        wanted = Math.min(into.remaining(), READ_BYTES);
                        io.ring.read(fd, readBuffer.address(), wanted, position, userData);
                    }
                }
            } catch (ErrnoException e) {
                io.release(data);
                int errno = e.errno();
                io.defer(() -> fail(errno)); // callbacks come from a poll, even this one
            }
        }

        @Override
        public void onCompletion(int tag, int res, int flags) {
            io.release(data);
            if (res < 0) {
                if (stage == Stage.BENEATH && res == -Errno.EAGAIN && ++attempts < RETRIES) {
                    submit();
                    return;
                }
                fail(-res);
                return;
            }
            switch (stage) {
                case ROOT -> {
                    rootFd = res;
                    stage = Stage.BENEATH;
                    attempts = 0;
                    submit();
                }
                case BENEATH -> {
                    closeRoot();
                    fd = res;
                    stage = Stage.STAT;
                    submit();
                }
                case STAT -> opened();
                case READ -> {
                    int n = res;
                    MemorySegment.copy(readBuffer, 0, MemorySegment.ofBuffer(into), 0, n); // from its position
                    into.position(into.position() + n);
                    ReadDone done = reading;
                    recycle();
                    done.onRead(n);
                }
            }
        }

        private void opened() {
            FileStatus status = LinuxFiles.decodeStatx(memory, STATX);
            int opened = fd;
            if (status.isRegularFile()) {
                try {
                    LinuxFiles.clearStatusFlags(opened);
                } catch (ErrnoException e) {
                    fail(e.errno());
                    return;
                }
            }
            OpenDone done = opening;
            fd = -1;
            recycle();
            done.onOpened(opened, status.mode(), status.size(), status.lastModifiedMillis());
        }

        private void fail(int errno) {
            if (stage == Stage.READ) {
                ReadDone done = reading;
                recycle();
                done.onReadFailed(errno);
            } else {
                failOpen(switch (stage) {
                    case ROOT -> "openat";
                    case BENEATH -> "openat2";
                    default -> "statx";
                }, errno);
            }
        }

        void failOpen(String call, int errno) {
            closeRoot();
            if (fd >= 0) {
                closeQuietly(fd);
                fd = -1;
            }
            OpenDone done = opening;
            recycle();
            done.onOpenFailed(call, errno);
        }

        private void closeRoot() {
            if (rootFd >= 0) {
                try {
                    LinuxFiles.closePath(rootFd);
                } catch (ErrnoException ignored) {
                    // An O_PATH descriptor that will not close holds nothing.
                }
                rootFd = -1;
            }
        }

        private void recycle() {
            opening = null;
            reading = null;
            into = null;
            fd = -1;
            attempts = 0;
            free.add(this);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LinuxFiles.close(fd);
        } catch (ErrnoException ignored) {
            // A read-only file that will not close has nothing left to lose.
        }
    }
}
