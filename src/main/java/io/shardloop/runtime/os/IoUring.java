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
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One io_uring instance, driven through its three system calls and its shared memory, with no
 * library in between: the submission ring, the completion ring and the submission entries mapped
 * into this process, and one ring of provided receive buffers.
 * <p>
 * The ring is set up for one thread ({@code IORING_SETUP_SINGLE_ISSUER}) whose completions run when
 * it asks for them ({@code IORING_SETUP_DEFER_TASKRUN}, Linux 6.1): no completion interrupts the
 * loop, and the kernel touches a request's memory only inside this thread's own
 * {@code io_uring_enter}. It starts disabled ({@code IORING_SETUP_R_DISABLED}), so the thread that
 * makes it need not be the one that drives it: the first {@link #submitAndWait} enables it, and that
 * thread becomes its only submitter.
 * <p>
 * Entries are written in place ({@link #sqe}) and published with the tail's release store on
 * {@link #submit}; completions are read in place ({@link #cqeUserData} and its neighbours, by
 * position from {@link #cqHead()} to {@link #cqTail()}) and handed back with {@link #cqAdvance}.
 * <p>
 * Not thread-safe: one thread drives a ring, after it is made.
 */
public final class IoUring implements AutoCloseable {
    // Opcodes (enum io_uring_op in linux/io_uring.h).
    public static final byte OP_READ = 22;
    public static final byte OP_SENDMSG = 9;
    public static final byte OP_SEND = 26;
    public static final byte OP_RECV = 27;
    public static final byte OP_ASYNC_CANCEL = 14;
    public static final byte OP_POLL_ADD = 6;
    public static final byte OP_OPENAT = 18;
    public static final byte OP_OPENAT2 = 28;
    public static final byte OP_STATX = 21;

    /** {@code sizeof(struct open_how)}, for {@link #openat2}. */
    public static final long OPEN_HOW_SIZE = LinuxStructs.OPEN_HOW_SIZE;
    /** {@code sizeof(struct statx)}, for {@link #statx}. */
    public static final long STATX_SIZE = LinuxStructs.STATX_SIZE;

    /** SQE flag: the kernel picks a buffer from the group in {@code buf_group}. */
    public static final byte IOSQE_BUFFER_SELECT = 1 << 5;
    /** SQE ioprio for OP_RECV: go on receiving, one completion per arrival, until stopped. Linux 6.0. */
    public static final short RECV_MULTISHOT = 1 << 1;
    /** CQE flag: the upper 16 bits are the id of the provided buffer the data is in. */
    public static final int CQE_F_BUFFER = 1;
    /** CQE flag: the request stays armed and will complete again. */
    public static final int CQE_F_MORE = 1 << 1;
    public static final int CQE_BUFFER_SHIFT = 16;
    /** POLLIN and POLLOUT, for OP_POLL_ADD. */
    public static final int POLLIN = 0x001;
    public static final int POLLOUT = 0x004;
    /** OP_POLL_ADD's len: stay armed, one completion per wake-up. Linux 5.13. */
    private static final int POLL_ADD_MULTI = 1;

    private static final long SYS_IO_URING_SETUP = 425;
    private static final long SYS_IO_URING_ENTER = 426;
    private static final long SYS_IO_URING_REGISTER = 427;
    private static final int SETUP_CQSIZE = 1 << 3;
    private static final int SETUP_R_DISABLED = 1 << 6;
    private static final int SETUP_SUBMIT_ALL = 1 << 7;
    private static final int SETUP_SINGLE_ISSUER = 1 << 12;
    private static final int SETUP_DEFER_TASKRUN = 1 << 13;
    private static final int FEAT_SINGLE_MMAP = 1;
    private static final int FEAT_NODROP = 1 << 1;
    private static final int FEAT_EXT_ARG = 1 << 8;
    private static final int ENTER_GETEVENTS = 1;
    private static final int ENTER_EXT_ARG = 1 << 3;
    private static final int REGISTER_ENABLE_RINGS = 12;
    private static final int REGISTER_PBUF_RING = 22;
    private static final long OFF_SQ_RING = 0;
    private static final long OFF_SQES = 0x10000000L;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x08000;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final long SQE_SIZE = 64;
    private static final long CQE_SIZE = 16;
    private static final long PARAMS_SIZE = 120;
    private static final long BUF_SIZE = 16;
    private static final int RETRIES = 8;
    private static final long IOVEC_SIZE = 16;
    /** The most pieces one {@link #sendmsg} gathers. */
    public static final int MAX_SEND_IOVECS = 16;

    private static final String UNAVAILABLE;
    private static final MethodHandle SYSCALL;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final VarHandle ERRNO;
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();

    static {
        String unavailable = NativeCalls.platformProblem();
        MethodHandle syscall = null;
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        VarHandle errno = null;
        if (unavailable == null) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errnoOption = Linker.Option.captureCallState("errno");
                // long syscall(long number, ...): glibc wraps none of io_uring's calls. Every argument a long.
                syscall = NativeCalls.bind(linker, libc, "syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
                                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                        Linker.Option.firstVariadicArg(1), errnoOption);
                // void *mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset)
                mmap = NativeCalls.bind(linker, libc, "mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG,
                        JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), errnoOption);
                // int munmap(void *address, size_t length)
                munmap = NativeCalls.bind(linker, libc, "munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
                errno = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));
            } catch (RuntimeException | LinkageError e) {
                unavailable = "binding the C library's syscall and mmap failed: " + e;
            }
        }
        UNAVAILABLE = unavailable;
        SYSCALL = syscall;
        MMAP = mmap;
        MUNMAP = munmap;
        ERRNO = errno;
    }

    private final Arena arena = Arena.ofShared(); // made on the starting thread, used on the loop's
    private final MemorySegment state;
    private final MemorySegment waitArg;
    private final MemorySegment timespec;
    /** msghdrs and iovecs of the sends not yet submitted: room for one full sendmsg per entry. */
    private final MemorySegment scratch;
    private long scratchTop;
    private final int fd;
    private final MemorySegment rings;
    private final long ringsSize;
    private final MemorySegment sqes;
    private final long sqesSize;
    private final int sqMask;
    private final int sqEntries;
    private final long sqHeadOffset;
    private final long sqTailOffset;
    private final int cqMask;
    private final long cqHeadOffset;
    private final long cqTailOffset;
    private final long cqesOffset;
    /** Entries written since the last publication of the tail: {@link #sqTail} runs ahead of the kernel's. */
    private int sqTail;
    /** The tail the kernel was last given. */
    private int sqPublished;
    private int cqHead;
    /** The provided buffers' memory, unmapped after the ring. */
    private final java.util.List<MemorySegment> anonymous = new java.util.ArrayList<>();
    private boolean enabled;
    private boolean closed;

    /**
     * Sets up a ring of {@code sqEntries} submissions (a power of two) and {@code cqEntries}
     * completions, and maps it.
     *
     * @throws ErrnoException ENOSYS on a kernel without io_uring; EPERM when it is switched off
     *                        ({@code kernel.io_uring_disabled}) or a seccomp filter refuses it; EINVAL
     *                        on a kernel too old for the flags (Linux 6.1); ENOMEM, EMFILE
     * @throws UnsupportedOperationException when the kernel lacks a feature this ring relies on, or the
     *                                       calls cannot be made here ({@link #unavailableReason()})
     */
    public IoUring(int sqEntries, int cqEntries) throws ErrnoException {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException(UNAVAILABLE);
        }
        state = arena.allocate(Linker.Option.captureStateLayout());
        waitArg = arena.allocate(24, 8);
        timespec = arena.allocate(16, 8);
        waitArg.set(JAVA_LONG, 16, timespec.address()); // ts; no signal mask
        scratch = arena.allocate((LinuxStructs.MSGHDR_SIZE + IOVEC_SIZE * MAX_SEND_IOVECS) * sqEntries, 8);
        MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
        params.set(JAVA_INT, 4, cqEntries);
        params.set(JAVA_INT, 8, SETUP_CQSIZE | SETUP_R_DISABLED | SETUP_SUBMIT_ALL | SETUP_SINGLE_ISSUER
                | SETUP_DEFER_TASKRUN);
        long rc = syscall(SYS_IO_URING_SETUP, sqEntries, params.address(), 0, 0, 0);
        if (rc < 0) {
            arena.close();
            throw new ErrnoException("io_uring_setup", sqEntries + " entries", errno());
        }
        fd = (int) rc;
        int features = params.get(JAVA_INT, 20);
        int needed = FEAT_SINGLE_MMAP | FEAT_NODROP | FEAT_EXT_ARG;
        if ((features & needed) != needed) {
            LinuxSockets.closeQuietly(fd);
            arena.close();
            throw new UnsupportedOperationException("the kernel's io_uring lacks single mmap, no-drop or"
                    + " extended wait arguments (features 0x" + Integer.toHexString(features) + ")");
        }
        this.sqEntries = params.get(JAVA_INT, 0);
        int cqCount = params.get(JAVA_INT, 4);
        sqHeadOffset = params.get(JAVA_INT, 40);
        sqTailOffset = params.get(JAVA_INT, 44);
        long sqArrayOffset = params.get(JAVA_INT, 64);
        cqHeadOffset = params.get(JAVA_INT, 80);
        cqTailOffset = params.get(JAVA_INT, 84);
        cqesOffset = params.get(JAVA_INT, 100);
        ringsSize = Math.max(sqArrayOffset + 4L * this.sqEntries, cqesOffset + CQE_SIZE * cqCount);
        sqesSize = SQE_SIZE * this.sqEntries;
        MemorySegment mappedRings = null;
        try {
            mappedRings = map(ringsSize, OFF_SQ_RING);
            sqes = map(sqesSize, OFF_SQES);
        } catch (ErrnoException e) {
            if (mappedRings != null) {
                unmap(mappedRings, ringsSize);
            }
            LinuxSockets.closeQuietly(fd);
            arena.close();
            throw e;
        }
        rings = mappedRings;
        sqMask = rings.get(JAVA_INT, params.get(JAVA_INT, 48));
        cqMask = rings.get(JAVA_INT, params.get(JAVA_INT, 88));
        for (int i = 0; i < this.sqEntries; i++) {
            rings.set(JAVA_INT, sqArrayOffset + 4L * i, i); // entry i at slot i, once and for all
        }
        sqTail = (int) INT.getAcquire(rings, sqTailOffset);
        sqPublished = sqTail;
        cqHead = (int) INT.getAcquire(rings, cqHeadOffset);
    }

    /** Null when a ring can be made here; else one line saying why not. */
    public static String unavailableReason() {
        if (UNAVAILABLE != null) {
            return UNAVAILABLE;
        }
        String disabled = disabledBySysctl();
        if (disabled != null) {
            return disabled;
        }
        try (IoUring probe = new IoUring(8, 16)) {
            probe.enable();
            return null;
        } catch (ErrnoException e) {
            return switch (e.errno()) {
                case Errno.ENOSYS -> "this kernel has no io_uring (" + e.getMessage() + ")";
                case Errno.EPERM -> "io_uring is refused to this process, by a seccomp filter or a container's"
                        + " policy (" + e.getMessage() + ")";
                case Errno.EINVAL -> "this kernel's io_uring is older than Linux 6.1, which single-issuer"
                        + " deferred completions need (" + e.getMessage() + ")";
                default -> "io_uring_setup failed: " + e.getMessage();
            };
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    private static String disabledBySysctl() {
        try {
            String value = Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
            return switch (value) {
                case "0" -> null;
                case "2" -> "io_uring is switched off on this machine (kernel.io_uring_disabled = 2)";
                default -> null; // 1: allowed to the group in io_uring_group (and to root); the setup says
            };
        } catch (java.io.IOException | RuntimeException e) {
            return null; // a kernel before 6.6 has no such switch
        }
    }

    public int submissionEntries() {
        return sqEntries;
    }

    // ---- submissions ---------------------------------------------------------------------------

    /**
     * A zeroed entry to fill, at the returned offset of {@link #sqes()}; submits what is queued first
     * when the ring is full.
     */
    public long sqe() throws ErrnoException {
        if (sqTail - (int) INT.getAcquire(rings, sqHeadOffset) >= sqEntries) {
            submit();
            if (sqTail - (int) INT.getAcquire(rings, sqHeadOffset) >= sqEntries) {
                throw new ErrnoException("io_uring_enter", "a full submission ring", Errno.EBUSY);
            }
        }
        long at = SQE_SIZE * (sqTail & sqMask);
        sqTail++;
        for (long k = 0; k < SQE_SIZE; k += 8) {
            sqes.set(JAVA_LONG, at + k, 0L);
        }
        return at;
    }

    private void prep(long at, byte opcode, int fd, long addr, int len, long userData) {
        sqes.set(JAVA_BYTE, at, opcode);
        sqes.set(JAVA_INT, at + 4, fd);
        sqes.set(JAVA_LONG, at + 16, addr);
        sqes.set(JAVA_INT, at + 24, len);
        sqes.set(JAVA_LONG, at + 32, userData);
    }

    /** A multishot receive into buffers of group {@code group}. */
    public void recvMultishot(int fd, int group, long userData) throws ErrnoException {
        long at = sqe();
        prep(at, OP_RECV, fd, 0, 0, userData);
        sqes.set(JAVA_BYTE, at + 1, IOSQE_BUFFER_SELECT);
        sqes.set(JAVA_SHORT, at + 2, RECV_MULTISHOT);
        sqes.set(JAVA_SHORT, at + 40, (short) group);
    }

    /** send(2) of one buffer, {@code MSG_NOSIGNAL}. */
    public void send(int fd, long address, int length, long userData) throws ErrnoException {
        long at = sqe();
        prep(at, OP_SEND, fd, address, length, userData);
        sqes.set(JAVA_INT, at + 28, LinuxSockets.MSG_NOSIGNAL);
    }

    /**
     * sendmsg(2), {@code MSG_NOSIGNAL}, of {@code count} (at most {@link #MAX_SEND_IOVECS}) pieces of
     * native memory: the {@code msghdr} and its iovecs are written to this ring's scratch memory,
     * which the kernel reads when the entry is submitted (IORING_FEAT_SUBMIT_STABLE) and which is
     * reused once every queued entry has been taken.
     */
    public void sendmsg(int fd, long[] addresses, int[] lengths, int count, long userData) throws ErrnoException {
        if (count > MAX_SEND_IOVECS) {
            throw new IllegalArgumentException(count + " iovecs, more than " + MAX_SEND_IOVECS);
        }
        long at = sqe(); // first: it may submit, and so free the scratch memory
        long message = scratchTop;
        long iov = message + LinuxStructs.MSGHDR_SIZE;
        scratchTop = iov + IOVEC_SIZE * count;
        if (scratchTop > scratch.byteSize()) {
            throw new IllegalStateException("send scratch exhausted: " + scratchTop + " bytes");
        }
        for (long k = 0; k < LinuxStructs.MSGHDR_SIZE; k += 8) {
            scratch.set(JAVA_LONG, message + k, 0L);
        }
        scratch.set(JAVA_LONG, message + LinuxStructs.MSGHDR_IOV, scratch.address() + iov);
        scratch.set(JAVA_LONG, message + LinuxStructs.MSGHDR_IOVLEN, count);
        for (int i = 0; i < count; i++) {
            scratch.set(JAVA_LONG, iov + IOVEC_SIZE * i, addresses[i]);
            scratch.set(JAVA_LONG, iov + IOVEC_SIZE * i + 8, lengths[i]);
        }
        prep(at, OP_SENDMSG, fd, scratch.address() + message, 1, userData);
        sqes.set(JAVA_INT, at + 28, LinuxSockets.MSG_NOSIGNAL);
    }

    /** read(2) of {@code length} bytes at the file's position (-1) or at {@code offset}. */
    public void read(int fd, long address, int length, long offset, long userData) throws ErrnoException {
        long at = sqe();
        prep(at, OP_READ, fd, address, length, userData);
        sqes.set(JAVA_LONG, at + 8, offset);
    }

    /** openat(2) of the NUL-terminated path at {@code path} relative to {@code dirfd}; nothing is created. */
    public void openat(int dirfd, long path, long flags, long userData) throws ErrnoException {
        long at = sqe();
        prep(at, OP_OPENAT, dirfd, path, 0, userData);
        sqes.set(JAVA_INT, at + 28, (int) flags);
    }

    /**
     * openat2(2) of the path at {@code path} relative to {@code dirfd}, as the {@code open_how} at
     * {@code how} says ({@link #openHow}); the kernel copies both when the entry is submitted.
     */
    public void openat2(int dirfd, long path, long how, long userData) throws ErrnoException {
        long at = sqe();
        prep(at, OP_OPENAT2, dirfd, path, (int) OPEN_HOW_SIZE, userData);
        sqes.set(JAVA_LONG, at + 8, how);
    }

    /** Writes an {@code open_how}: {@code flags} (nothing created, so no mode) and the RESOLVE_* flags. */
    public static void openHow(MemorySegment into, long offset, long flags, long resolve) {
        into.set(JAVA_LONG, offset + LinuxStructs.OPEN_HOW_FLAGS, flags);
        into.set(JAVA_LONG, offset + LinuxStructs.OPEN_HOW_MODE, 0L);
        into.set(JAVA_LONG, offset + LinuxStructs.OPEN_HOW_RESOLVE, resolve);
    }

    /**
     * statx(2) into the {@link #STATX_SIZE} bytes at {@code statx} (which must stay until the
     * completion) of the path at {@code path} in {@code dirfd}; with {@code AT_EMPTY_PATH} and an
     * empty path, of the descriptor itself. {@link LinuxFiles#decodeStatx} reads the result.
     */
    public void statx(int dirfd, long path, int flags, long statx, long userData) throws ErrnoException {
        long at = sqe();
        prep(at, OP_STATX, dirfd, path, LinuxFiles.STATX_WANTED, userData);
        sqes.set(JAVA_INT, at + 28, flags);
        sqes.set(JAVA_LONG, at + 8, statx);
    }

    /** One poll for {@code events} (POLLOUT: a connect has finished). */
    public void pollOnce(int fd, int events, long userData) throws ErrnoException {
        long at = sqe();
        prep(at, OP_POLL_ADD, fd, 0, 0, userData);
        sqes.set(JAVA_INT, at + 28, events);
    }

    /** A multishot poll for {@code events}: a completion each time the descriptor signals them. */
    public void pollMultishot(int fd, int events, long userData) throws ErrnoException {
        long at = sqe();
        prep(at, OP_POLL_ADD, fd, 0, POLL_ADD_MULTI, userData);
        sqes.set(JAVA_INT, at + 28, events);
    }

    /** Cancels the request submitted with {@code target} as its user data (all of its completions to come). */
    public void cancel(long target, long userData) throws ErrnoException {
        long at = sqe();
        prep(at, OP_ASYNC_CANCEL, -1, target, 0, userData);
    }

    /** Whether entries wait to be submitted. */
    public boolean hasUnsubmitted() {
        return sqTail != sqPublished;
    }

    /**
     * Submits what is queued without waiting for completions.
     *
     * @return whether every queued entry was taken (the memory its requests name is then free to reuse)
     */
    public boolean submit() throws ErrnoException {
        if (!enabled) {
            enable(); // a submit before the first wait: the same thread, the driving one
        }
        publish();
        int pending = sqTail - (int) INT.getAcquire(rings, sqHeadOffset);
        if (pending > 0) {
            enter(pending, 0, 0, 0);
        }
        return taken();
    }

    /** Whether the kernel has taken every queued entry; the send scratch memory is free again then. */
    private boolean taken() {
        if (sqTail != (int) INT.getAcquire(rings, sqHeadOffset)) {
            return false;
        }
        scratchTop = 0;
        return true;
    }

    /**
     * Submits what is queued and waits until a completion is there, at most {@code timeoutNanos}
     * (0: not at all, {@link Long#MAX_VALUE}: without end). The kernel runs this ring's deferred
     * completions here, and only here.
     */
    public void submitAndWait(long timeoutNanos) throws ErrnoException {
        if (!enabled) {
            enable();
        }
        publish();
        int pending = sqTail - (int) INT.getAcquire(rings, sqHeadOffset);
        if (timeoutNanos <= 0 || cqReady() > 0) {
            enter(pending, 0, ENTER_GETEVENTS, 0);
        } else if (timeoutNanos == Long.MAX_VALUE) {
            enter(pending, 1, ENTER_GETEVENTS, 0);
        } else {
            timespec.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timespec.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            enter(pending, 1, ENTER_GETEVENTS | ENTER_EXT_ARG, waitArg.address());
        }
        taken();
    }

    /** Makes the calling thread this ring's one submitter. */
    public void enable() throws ErrnoException {
        long rc = syscall(SYS_IO_URING_REGISTER, fd, REGISTER_ENABLE_RINGS, 0, 0, 0);
        if (rc < 0) {
            throw new ErrnoException("io_uring_register", "IORING_REGISTER_ENABLE_RINGS", errno());
        }
        enabled = true;
    }

    private void publish() {
        if (sqTail != sqPublished) {
            INT.setRelease(rings, sqTailOffset, sqTail);
            sqPublished = sqTail;
        }
    }

    private void enter(int toSubmit, int minComplete, int flags, long arg) throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            long rc = syscall(SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags, arg, arg == 0 ? 0 : 24);
            if (rc >= 0) {
                return;
            }
            int errno = errno();
            if (errno == Errno.ETIME || errno == Errno.EINTR && attempt >= RETRIES) {
                return; // the wait ran out, or signals keep coming: the loop's turn goes on either way
            }
            if (errno == Errno.EINTR) {
                continue;
            }
            if (errno == Errno.EBUSY || errno == Errno.EAGAIN) {
                return; // completions must be reaped first (the completion ring overflowed): the caller does
            }
            throw new ErrnoException("io_uring_enter", toSubmit + " entries", errno);
        }
    }

    // ---- completions ---------------------------------------------------------------------------

    public int cqHead() {
        return cqHead;
    }

    /** The kernel's completion tail (acquire): completions at positions {@link #cqHead()} up to it are ready. */
    public int cqTail() {
        return (int) INT.getAcquire(rings, cqTailOffset);
    }

    private int cqReady() {
        return cqTail() - cqHead;
    }

    public long cqeUserData(int position) {
        return rings.get(JAVA_LONG, cqesOffset + CQE_SIZE * (position & cqMask));
    }

    public int cqeRes(int position) {
        return rings.get(JAVA_INT, cqesOffset + CQE_SIZE * (position & cqMask) + 8);
    }

    public int cqeFlags(int position) {
        return rings.get(JAVA_INT, cqesOffset + CQE_SIZE * (position & cqMask) + 12);
    }

    /** Hands the completions before {@code position} back to the kernel. */
    public void cqAdvance(int position) {
        cqHead = position;
        INT.setRelease(rings, cqHeadOffset, position);
    }

    // ---- provided buffers ----------------------------------------------------------------------

    /**
     * Registers a ring of {@code count} (a power of two) receive buffers of {@code size} bytes each as
     * group {@code group}, all of them given to the kernel. Linux 5.19.
     */
    public BufferRing registerBuffers(int group, int count, int size) throws ErrnoException {
        // Mapped, not allocated: unmapped only after the ring is closed, the memory is never reused
        // by this process while the kernel may still hold on to it.
        MemorySegment ring = mapAnonymous(BUF_SIZE * count);
        MemorySegment slab = mapAnonymous((long) size * count);
        MemorySegment reg = arena.allocate(40, 8);
        reg.set(JAVA_LONG, 0, ring.address());
        reg.set(JAVA_INT, 8, count);
        reg.set(JAVA_SHORT, 12, (short) group);
        long rc = syscall(SYS_IO_URING_REGISTER, fd, REGISTER_PBUF_RING, reg.address(), 1, 0);
        if (rc < 0) {
            throw new ErrnoException("io_uring_register", "IORING_REGISTER_PBUF_RING", errno());
        }
        BufferRing buffers = new BufferRing(ring, slab, count, size);
        for (int id = 0; id < count; id++) {
            buffers.recycle(id);
        }
        buffers.publish();
        return buffers;
    }

    /** Provided receive buffers: the kernel takes them in turn, and each is recycled after its data is used. */
    public static final class BufferRing {
        private final MemorySegment ring;
        private final MemorySegment slab;
        private final int mask;
        private final int size;
        private int tail;
        private boolean dirty;

        private BufferRing(MemorySegment ring, MemorySegment slab, int count, int size) {
            this.ring = ring;
            this.slab = slab;
            this.mask = count - 1;
            this.size = size;
        }

        /** Buffer {@code id}'s memory. */
        public MemorySegment buffer(int id) {
            return slab.asSlice((long) id * size, size);
        }

        public int bufferSize() {
            return size;
        }

        /** Gives buffer {@code id} back, to be visible to the kernel at the next {@link #publish()}. */
        public void recycle(int id) {
            long at = BUF_SIZE * (tail & mask);
            ring.set(JAVA_LONG, at, slab.address() + (long) id * size);
            ring.set(JAVA_INT, at + 8, size);
            ring.set(JAVA_SHORT, at + 12, (short) id);
            tail++;
            dirty = true;
        }

        /** Publishes the recycled buffers (the tail's release store, in entry 0's last two bytes). */
        public void publish() {
            if (dirty) {
                SHORT.setRelease(ring, 14L, (short) tail);
                dirty = false;
            }
        }
    }

    // ---- the system calls ----------------------------------------------------------------------

    private long syscall(long number, long a, long b, long c, long d, long e) {
        return syscall(number, a, b, c, d, e, 0);
    }

    private long syscall(long number, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) SYSCALL.invokeExact(state, number, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
    }

    private MemorySegment map(long size, long offset) throws ErrnoException {
        return mmap(size, MAP_SHARED_POPULATE, fd, offset, "io_uring offset 0x" + Long.toHexString(offset));
    }

    private MemorySegment mapAnonymous(long size) throws ErrnoException {
        MemorySegment mapped = mmap(size, MAP_PRIVATE_ANONYMOUS, -1, 0, size + " anonymous bytes");
        anonymous.add(mapped);
        return mapped;
    }

    private MemorySegment mmap(long size, int flags, int file, long offset, String what) throws ErrnoException {
        long address;
        try {
            address = (long) MMAP.invokeExact(state, 0L, size, PROT_READ_WRITE, flags, file, offset);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (address == -1) {
            throw new ErrnoException("mmap", what, errno());
        }
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    private static void unmap(MemorySegment segment, long size) {
        try {
            int ignored = (int) MUNMAP.invokeExact(segment.address(), size);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
    }

    private int errno() {
        return (int) ERRNO.get(state, 0L);
    }

    /** Closes the ring (the kernel cancels what is still armed) and frees its memory. A second close does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmap(sqes, sqesSize);
        unmap(rings, ringsSize);
        LinuxSockets.closeQuietly(fd);
        for (MemorySegment mapped : anonymous) {
            unmap(mapped, mapped.byteSize());
        }
        arena.close();
    }
}
