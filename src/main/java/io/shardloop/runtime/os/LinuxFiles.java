package io.shardloop.runtime.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux file calls, through the Foreign Function and Memory API: no JNI, nothing to build.
 * Each downcall handle is bound once, when the class loads, with {@code errno} captured right after
 * the call ({@link Linker.Option#captureCallState}); a failed call throws {@link ErrnoException}.
 * <p>
 * Every call here but {@link #closePath} may block on the disk or the network (NFS, FUSE), so they
 * run as ordinary downcalls on the caller's thread, which must not be a loop thread. Only closing an
 * {@code O_PATH} descriptor is bound {@link Linker.Option#critical critical}: such a file has no
 * file operations, so the close never calls into a file system and cannot wait.
 * <p>
 * Needs Linux on x86_64 or aarch64 with glibc 2.28 (statx) and native access enabled
 * ({@code --enable-native-access=ALL-UNNAMED}); {@link #unavailableReason} says what is missing
 * elsewhere. openat2(2) needs Linux 5.6; {@link #openat2MissingReason} says why it cannot be used.
 * <p>
 * Thread-safe: each thread has its own native scratch memory (errno, path, structs, a bounce buffer
 * for heap buffers), freed with the thread.
 */
public final class LinuxFiles {
    /** openat2's number: 437 on x86_64 and aarch64 alike (new calls share numbers since Linux 5.1). */
    static final long SYS_OPENAT2 = 437;
    /** EINTR (and, for openat2 with RESOLVE_BENEATH, EAGAIN after a rename race) are retried this often. */
    private static final int RETRIES = 8;
    /** Reads into a heap buffer go through a per-thread native buffer of at most this many bytes. */
    static final int BOUNCE_MAX = 1 << 20;
    private static final int F_SETFL = 4;
    static final int STATX_WANTED = LinuxFlags.STATX_TYPE | LinuxFlags.STATX_MODE
            | LinuxFlags.STATX_SIZE | LinuxFlags.STATX_MTIME;

    /** Declared before the static block that probes openat2 with it. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final String UNAVAILABLE;
    private static final MethodHandle SYSCALL;
    private static final MethodHandle OPENAT;
    private static final MethodHandle STATX;
    private static final MethodHandle PREAD;
    private static final MethodHandle CLOSE;
    private static final MethodHandle CLOSE_CRITICAL;
    private static final MethodHandle FCNTL;
    private static final VarHandle ERRNO;

    static {
        String unavailable = NativeCalls.platformProblem();
        MethodHandle syscall = null;
        MethodHandle openat = null;
        MethodHandle statx = null;
        MethodHandle pread = null;
        MethodHandle close = null;
        MethodHandle closeCritical = null;
        MethodHandle fcntl = null;
        VarHandle errno = null;
        if (unavailable == null) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errnoOption = Linker.Option.captureCallState("errno");
                // long syscall(long number, ...): openat2 has no glibc wrapper.
                syscall = NativeCalls.bind(linker, libc, "syscall",
                        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG),
                        Linker.Option.firstVariadicArg(1), errnoOption);
                // int openat(int dirfd, const char *path, int flags, ...): no mode, nothing is created.
                openat = NativeCalls.bind(linker, libc, "openat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
                        Linker.Option.firstVariadicArg(3), errnoOption);
                // int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)
                statx = NativeCalls.bind(linker, libc, "statx",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), errnoOption);
                // ssize_t pread(int fd, void *buf, size_t count, off_t offset): off_t is 64-bit here.
                pread = NativeCalls.bind(linker, libc, "pread",
                        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), errnoOption);
                FunctionDescriptor closeType = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
                close = NativeCalls.bind(linker, libc, "close", closeType, errnoOption);
                closeCritical = NativeCalls.bind(linker, libc, "close", closeType, errnoOption, Linker.Option.critical(false));
                // int fcntl(int fd, int command, ...): F_SETFL's int argument
                fcntl = NativeCalls.bind(linker, libc, "fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                        Linker.Option.firstVariadicArg(2), errnoOption);
                errno = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));
            } catch (RuntimeException | LinkageError e) {
                unavailable = "binding the C library's file calls failed: " + e;
            }
        }
        UNAVAILABLE = unavailable;
        SYSCALL = syscall;
        OPENAT = openat;
        STATX = statx;
        PREAD = pread;
        CLOSE = close;
        CLOSE_CRITICAL = closeCritical;
        FCNTL = fcntl;
        ERRNO = errno;
    }

    /** Null when openat2 works; why not otherwise. Probed once, after the bindings. */
    private static final String OPENAT2_MISSING = UNAVAILABLE != null ? UNAVAILABLE : probeOpenat2();

    private LinuxFiles() {
    }

    /** True when the calls here can be made on this platform. */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why the calls cannot be made (another OS, no native access, a missing symbol); null when they can. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** True when openat2(2) can be called: Linux 5.6 or later and no seccomp filter refusing it. */
    public static boolean openat2Available() {
        return OPENAT2_MISSING == null;
    }

    /** Why openat2 cannot be used (ENOSYS before Linux 5.6, EPERM from some seccomp filters); null when it can. */
    public static String openat2MissingReason() {
        return OPENAT2_MISSING;
    }

    /**
     * openat2(2): opens {@code path} relative to {@code dirfd} as {@code flags} say, resolved as
     * {@code resolve} says ({@link LinuxFlags}'s RESOLVE_*). With RESOLVE_BENEATH the kernel answers
     * EXDEV for every escape; its EAGAIN (a rename raced a {@code ..}) is retried.
     *
     * @return the new descriptor
     */
    public static int openat2(int dirfd, String path, long flags, long resolve) throws ErrnoException {
        requireAvailable();
        Scratch s = SCRATCH.get();
        MemorySegment name = s.path(path, "openat2");
        s.how.set(JAVA_LONG, LinuxStructs.OPEN_HOW_FLAGS, flags);
        s.how.set(JAVA_LONG, LinuxStructs.OPEN_HOW_MODE, 0L);
        s.how.set(JAVA_LONG, LinuxStructs.OPEN_HOW_RESOLVE, resolve);
        for (int attempt = 0; ; attempt++) {
            long fd;
            try {
                fd = (long) SYSCALL.invokeExact(s.state, SYS_OPENAT2, (long) dirfd, name, s.how, LinuxStructs.OPEN_HOW_SIZE);
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (fd >= 0) {
                return (int) fd;
            }
            int errno = s.errno();
            if ((errno != Errno.EINTR && errno != Errno.EAGAIN) || attempt == RETRIES) {
                throw new ErrnoException("openat2", path, errno);
            }
        }
    }

    /** openat(2) with {@code flags} (nothing is created, so no mode). */
    public static int openat(int dirfd, String path, long flags) throws ErrnoException {
        requireAvailable();
        Scratch s = SCRATCH.get();
        MemorySegment name = s.path(path, "openat");
        for (int attempt = 0; ; attempt++) {
            int fd;
            try {
                fd = (int) OPENAT.invokeExact(s.state, dirfd, name, (int) flags);
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (fd >= 0) {
                return fd;
            }
            int errno = s.errno();
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("openat", path, errno);
            }
        }
    }

    /** A directory to resolve beneath: {@code open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)}; close it with {@link #closePath}. */
    public static int openDirectory(String path) throws ErrnoException {
        return openat(LinuxFlags.AT_FDCWD, path, LinuxFlags.O_PATH | LinuxFlags.O_DIRECTORY | LinuxFlags.O_CLOEXEC);
    }

    /** statx(2) of an open descriptor ({@code AT_EMPTY_PATH}): type, mode, size, modification time. */
    public static FileStatus fstat(int fd) throws ErrnoException {
        return statx(fd, "", LinuxFlags.AT_EMPTY_PATH, "fd " + fd);
    }

    /** statx(2) of {@code name} in {@code dirfd}, a symlink itself rather than what it points to. */
    public static FileStatus lstatAt(int dirfd, String name) throws ErrnoException {
        return statx(dirfd, name, LinuxFlags.AT_SYMLINK_NOFOLLOW, name);
    }

    private static FileStatus statx(int dirfd, String path, int flags, String subject) throws ErrnoException {
        requireAvailable();
        Scratch s = SCRATCH.get();
        MemorySegment name = s.path(path, "statx");
        for (int attempt = 0; ; attempt++) {
            int rc;
            try {
                rc = (int) STATX.invokeExact(s.state, dirfd, name, flags, STATX_WANTED, s.statx);
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (rc == 0) {
                break;
            }
            int errno = s.errno();
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("statx", subject, errno);
            }
        }
        return decodeStatx(s.statx, 0);
    }

    /** The type, mode, size and modification time in a {@code struct statx} at {@code offset} of {@code statx}. */
    public static FileStatus decodeStatx(MemorySegment statx, long offset) {
        int mask = statx.get(JAVA_INT, offset + LinuxStructs.STATX_MASK);
        int mode = (mask & LinuxFlags.STATX_TYPE) == 0 ? 0
                : Short.toUnsignedInt(statx.get(ValueLayout.JAVA_SHORT, offset + LinuxStructs.STATX_MODE));
        long size = statx.get(JAVA_LONG, offset + LinuxStructs.STATX_FILE_SIZE);
        long millis = 0;
        if ((mask & LinuxFlags.STATX_MTIME) != 0) {
            long seconds = statx.get(JAVA_LONG, offset + LinuxStructs.STATX_MTIME_SEC);
            long nanos = Integer.toUnsignedLong(statx.get(JAVA_INT, offset + LinuxStructs.STATX_MTIME_NSEC));
            millis = seconds * 1000 + nanos / 1_000_000; // nanos are never negative: a floor, as Java's FileTime gives
        }
        return new FileStatus(mode, size, millis);
    }

    /**
     * pread(2) from {@code position} into {@code into}, up to its remaining bytes, advancing its
     * position by what was read. A direct buffer is read into in place; a heap buffer through this
     * thread's bounce buffer, at most {@link #BOUNCE_MAX} bytes a call.
     *
     * @return bytes read; 0 at the end of the file (or when {@code into} has no room)
     */
    public static int pread(int fd, ByteBuffer into, long position) throws ErrnoException {
        requireAvailable();
        if (into.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int want = into.remaining();
        if (want == 0) {
            return 0;
        }
        Scratch s = SCRATCH.get();
        boolean direct = into.isDirect();
        if (!direct) {
            want = Math.min(want, BOUNCE_MAX);
        }
        MemorySegment target = direct ? MemorySegment.ofBuffer(into) : s.bounce(want);
        long n;
        for (int attempt = 0; ; attempt++) {
            try {
                n = (long) PREAD.invokeExact(s.state, fd, target, (long) want, position);
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (n >= 0) {
                break;
            }
            int errno = s.errno();
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("pread", "fd " + fd, errno);
            }
        }
        int read = (int) n;
        if (!direct) {
            MemorySegment.copy(target, ValueLayout.JAVA_BYTE, 0, into.array(), into.arrayOffset() + into.position(), read);
        }
        into.position(into.position() + read);
        return read;
    }

    /** close(2). Not retried on EINTR: Linux has released the descriptor by then, and it may be reused. */
    public static void close(int fd) throws ErrnoException {
        requireAvailable();
        Scratch s = SCRATCH.get();
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(s.state, fd);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("close", "fd " + fd, s.errno());
        }
    }

    /**
     * fcntl(2) {@code F_SETFL} 0: the file's status flags cleared, O_NONBLOCK among them, so that
     * reads of a regular file wait for the disk rather than fail with EAGAIN where the file system
     * cannot read without waiting. For a read-only file opened here, whose only other such flag is none.
     */
    public static void clearStatusFlags(int fd) throws ErrnoException {
        requireAvailable();
        Scratch s = SCRATCH.get();
        int rc;
        try {
            rc = (int) FCNTL.invokeExact(s.state, fd, F_SETFL, 0);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("fcntl", "fd " + fd + " F_SETFL", s.errno());
        }
    }

    /** close(2) of an {@code O_PATH} descriptor only, as a critical call (see the class comment). */
    public static void closePath(int fd) throws ErrnoException {
        requireAvailable();
        Scratch s = SCRATCH.get();
        int rc;
        try {
            rc = (int) CLOSE_CRITICAL.invokeExact(s.state, fd);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("close", "fd " + fd, s.errno());
        }
    }

    private static String probeOpenat2() {
        try {
            int fd = openat2(LinuxFlags.AT_FDCWD, "/", LinuxFlags.O_PATH | LinuxFlags.O_CLOEXEC, 0);
            closePath(fd);
            return null;
        } catch (ErrnoException e) {
            return e.getMessage();
        }
    }

    private static void requireAvailable() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException("Linux file calls unavailable: " + UNAVAILABLE);
        }
    }

    /** One thread's native memory for the calls' arguments; freed when the thread is gone. */
    private static final class Scratch {
        final Arena arena = Arena.ofAuto();
        final MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
        final MemorySegment how = arena.allocate(LinuxStructs.OPEN_HOW_SIZE, 8);
        final MemorySegment statx = arena.allocate(LinuxStructs.STATX_SIZE, 8);
        final MemorySegment path = arena.allocate(LinuxStructs.PATH_MAX);
        MemorySegment bounce = MemorySegment.NULL;

        int errno() {
            return (int) ERRNO.get(state, 0L);
        }

        /** The path as a NUL-terminated UTF-8 string; ENAMETOOLONG past PATH_MAX, as the kernel would say. */
        MemorySegment path(String value, String call) throws ErrnoException {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            if (bytes.length >= LinuxStructs.PATH_MAX) {
                throw new ErrnoException(call, value.substring(0, 64) + "...", Errno.ENAMETOOLONG);
            }
            for (byte b : bytes) {
                if (b == 0) {
                    throw new IllegalArgumentException("a path with a NUL byte cannot reach the kernel: " + value);
                }
            }
            MemorySegment.copy(bytes, 0, path, ValueLayout.JAVA_BYTE, 0, bytes.length);
            path.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
            return path;
        }

        /** At least {@code size} bytes; a larger one replaces the old, which the GC then frees. */
        MemorySegment bounce(int size) {
            if (bounce.byteSize() < size) {
                bounce = Arena.ofAuto().allocate(Math.max(size, 64 * 1024), 8);
            }
            return bounce;
        }
    }
}
