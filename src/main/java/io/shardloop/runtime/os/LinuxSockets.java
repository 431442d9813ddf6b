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
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux socket, epoll and eventfd calls an event loop makes, through the Foreign Function and
 * Memory API: no JNI, nothing to build. Each downcall handle is bound once, when the class loads,
 * with {@code errno} captured right after the call ({@link Linker.Option#captureCallState}); a
 * failed call throws {@link ErrnoException}, but a non-blocking call that would wait returns
 * {@link #AGAIN} instead, so a loop's ordinary "not now" costs no exception.
 * <p>
 * Every descriptor made here is non-blocking and close-on-exec, so every call but two returns at
 * once, and those calls are bound {@link Linker.Option#critical critical}: no thread state change on
 * the way in and out, but a safepoint (every GC pause, on every thread) waits while one runs, so
 * they must never wait. Hence the rules: pass only descriptors made here (a blocking descriptor or a file's would
 * make {@link #read} wait with the whole JVM held), and never give a socket a positive
 * {@code SO_LINGER} (its close would wait for the peer even though the socket is non-blocking).
 * {@link #epollWait} (it sleeps) and {@link #sendfile} (it may read the disk) are ordinary downcalls.
 * Pointers to the caller's native memory are passed as {@code long} addresses (a C pointer and a
 * {@code long} travel in the same register on x86_64 and aarch64), so no call makes a segment.
 * <p>
 * Writes to a socket go through send(2) and sendmsg(2) with {@code MSG_NOSIGNAL}: a peer that has
 * gone away is an EPIPE, never a SIGPIPE, whatever the process's signal dispositions are.
 * sendfile(2) has no such flag and relies on HotSpot, which catches SIGPIPE (with {@code -Xrs}
 * too) and ignores it, inside a critical call as well: the call then fails with EPIPE.
 * <p>
 * Needs Linux on x86_64 or aarch64 and native access enabled ({@code --enable-native-access=ALL-UNNAMED});
 * {@link #unavailableReason} says what is missing elsewhere.
 * <p>
 * <b>One instance per thread, not thread-safe.</b> An instance owns its native scratch memory
 * (errno, a {@code sockaddr_storage}, an {@code epoll_event}, a {@code msghdr}, a few words) in an
 * arena of its own, which {@link #close()} frees. One thread at a time calls it: it may be made on
 * one thread and handed to the loop's thread (Thread.start orders the handover), but two threads
 * calling it at once would overwrite each other's errno and structs. No call allocates on the Java
 * heap unless it fails or hands back an address. The two static calls need no instance and are
 * safe from any thread: {@link #signalFromAnyThread} (another thread's wake-up of a loop) and
 * {@link #closeQuietly}.
 */
public final class LinuxSockets implements AutoCloseable {
    /** What a non-blocking call returns for EAGAIN (EWOULDBLOCK): nothing now, try after the next event. */
    public static final long AGAIN = -1;

    // Address families and socket options: the same numbers on x86_64 and aarch64 (asm-generic/socket.h).
    /** IPv4. */
    public static final int AF_INET = 2;
    /** IPv6. */
    public static final int AF_INET6 = 10;
    /** setsockopt level of the socket options proper. */
    public static final int SOL_SOCKET = 1;
    /** Bind a port that a closed connection still holds in TIME_WAIT. */
    public static final int SO_REUSEADDR = 2;
    /** Several sockets bind the same address and port; the kernel spreads connections over them. Linux 3.9. */
    public static final int SO_REUSEPORT = 15;
    /** Read only: the pending error, cleared as it is read; after EPOLLOUT on a connect, 0 means connected. */
    public static final int SO_ERROR = 4;
    /** The send buffer's size in bytes (the kernel doubles what is set, and getsockopt says the doubled). */
    public static final int SO_SNDBUF = 7;
    /** The receive buffer's size in bytes (doubled likewise). */
    public static final int SO_RCVBUF = 8;
    /** Send keepalive probes on an idle connection. */
    public static final int SO_KEEPALIVE = 9;
    /** setsockopt level of the TCP options. */
    public static final int IPPROTO_TCP = 6;
    /** Send small segments at once rather than gathering them (Nagle off). */
    public static final int TCP_NODELAY = 1;
    /** setsockopt level of the IPv6 options. */
    public static final int IPPROTO_IPV6 = 41;
    /** An AF_INET6 socket takes IPv6 only (1), or IPv4 too as {@code ::ffff:a.b.c.d} (0). */
    public static final int IPV6_V6ONLY = 26;

    // epoll (sys/epoll.h): the same on x86_64 and aarch64
    /** Readable, or a listener has a connection to accept. */
    public static final int EPOLLIN = 0x001;
    /** Writable, or a non-blocking connect has finished (well or not: then SO_ERROR). */
    public static final int EPOLLOUT = 0x004;
    /** An error is pending; always reported, whether asked for or not. */
    public static final int EPOLLERR = 0x008;
    /** Both directions are shut; always reported. */
    public static final int EPOLLHUP = 0x010;
    /** The peer shut its writing half (its FIN arrived). Linux 2.6.17. */
    public static final int EPOLLRDHUP = 0x2000;
    /** Edge-triggered: reported once per change, so the reader must go on until AGAIN. */
    public static final int EPOLLET = 1 << 31;
    /** epoll_ctl: register a descriptor (EEXIST if it is already). */
    public static final int EPOLL_CTL_ADD = 1;
    /** epoll_ctl: unregister (ENOENT if it is not registered); closing the last descriptor to a file does it too. */
    public static final int EPOLL_CTL_DEL = 2;
    /** epoll_ctl: change the events and data of a registered descriptor (ENOENT if it is not). */
    public static final int EPOLL_CTL_MOD = 3;

    /** {@code sizeof(struct epoll_event)}: 12 on x86_64, where the struct is packed, 16 on aarch64. */
    public static final long EPOLL_EVENT_SIZE = LinuxStructs.EPOLL_EVENT_SIZE;
    /** The offset of an epoll_event's 64-bit data: 4 on x86_64 (unaligned), 8 on aarch64. */
    public static final long EPOLL_EVENT_DATA = LinuxStructs.EPOLL_EVENT_DATA;

    private static final int SOCK_STREAM = 1;
    /** SOCK_NONBLOCK, EFD_NONBLOCK: O_NONBLOCK's value. */
    private static final int NONBLOCK = (int) LinuxFlags.O_NONBLOCK;
    /** SOCK_CLOEXEC, EPOLL_CLOEXEC, EFD_CLOEXEC: O_CLOEXEC's value. */
    private static final int CLOEXEC = (int) LinuxFlags.O_CLOEXEC;
    private static final int SHUT_WR = 1;
    /** send(2) flag: EPIPE rather than SIGPIPE when the connection is gone. */
    static final int MSG_NOSIGNAL = 0x4000;
    /** EINTR is retried this often; a non-blocking socket call hardly ever sees it. */
    private static final int RETRIES = 8;
    private static final ValueLayout.OfShort NETWORK_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final String UNAVAILABLE;
    private static final MethodHandle SOCKET;
    private static final MethodHandle SETSOCKOPT;
    private static final MethodHandle GETSOCKOPT;
    private static final MethodHandle BIND;
    private static final MethodHandle LISTEN;
    private static final MethodHandle ACCEPT4;
    private static final MethodHandle CONNECT;
    private static final MethodHandle GETSOCKNAME;
    private static final MethodHandle GETPEERNAME;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final MethodHandle SEND;
    private static final MethodHandle SENDMSG;
    private static final MethodHandle SENDFILE;
    private static final MethodHandle SHUTDOWN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle CLOSE_QUIETLY;
    private static final MethodHandle EVENTFD_WRITE;
    private static final MethodHandle EPOLL_CREATE1;
    private static final MethodHandle EPOLL_CTL;
    private static final MethodHandle EPOLL_WAIT;
    private static final MethodHandle EVENTFD;
    private static final VarHandle ERRNO;

    static {
        String unavailable = NativeCalls.platformProblem();
        MethodHandle[] h = new MethodHandle[22];
        VarHandle errno = null;
        if (unavailable == null) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errnoOption = Linker.Option.captureCallState("errno");
                Linker.Option critical = Linker.Option.critical(false);
                // int socket(int domain, int type, int protocol)
                h[0] = NativeCalls.bind(linker, libc, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                        errnoOption, critical);
                // int setsockopt(int fd, int level, int name, const void *value, socklen_t length)
                h[1] = NativeCalls.bind(linker, libc, "setsockopt",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errnoOption, critical);
                // int getsockopt(int fd, int level, int name, void *value, socklen_t *length)
                h[2] = NativeCalls.bind(linker, libc, "getsockopt",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errnoOption, critical);
                // int bind(int fd, const struct sockaddr *address, socklen_t length), and connect alike
                FunctionDescriptor withAddress = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
                h[3] = NativeCalls.bind(linker, libc, "bind", withAddress, errnoOption, critical);
                // int listen(int fd, int backlog), and shutdown(int fd, int how) alike
                FunctionDescriptor twoInts = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT);
                h[4] = NativeCalls.bind(linker, libc, "listen", twoInts, errnoOption, critical);
                // int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags): both NULL here
                h[5] = NativeCalls.bind(linker, libc, "accept4",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), errnoOption, critical);
                h[6] = NativeCalls.bind(linker, libc, "connect", withAddress, errnoOption, critical);
                // int getsockname(int fd, struct sockaddr *address, socklen_t *length), and getpeername alike
                FunctionDescriptor nameOf = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
                h[7] = NativeCalls.bind(linker, libc, "getsockname", nameOf, errnoOption, critical);
                h[8] = NativeCalls.bind(linker, libc, "getpeername", nameOf, errnoOption, critical);
                // ssize_t read(int fd, void *buffer, size_t count), and write alike: the buffer as a long address
                FunctionDescriptor transfer = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
                h[9] = NativeCalls.bind(linker, libc, "read", transfer, errnoOption, critical);
                h[10] = NativeCalls.bind(linker, libc, "write", transfer, errnoOption, critical);
                // ssize_t send(int fd, const void *buffer, size_t length, int flags)
                h[11] = NativeCalls.bind(linker, libc, "send",
                        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), errnoOption, critical);
                // ssize_t sendmsg(int fd, const struct msghdr *message, int flags)
                h[12] = NativeCalls.bind(linker, libc, "sendmsg",
                        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), errnoOption, critical);
                // ssize_t sendfile(int out, int in, off_t *offset, size_t count): off_t is 64-bit here. May read the disk.
                h[13] = NativeCalls.bind(linker, libc, "sendfile",
                        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG), errnoOption);
                h[14] = NativeCalls.bind(linker, libc, "shutdown", twoInts, errnoOption, critical);
                // int close(int fd): of a socket, epoll or eventfd descriptor, none of which waits (no SO_LINGER)
                FunctionDescriptor oneInt = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
                h[15] = NativeCalls.bind(linker, libc, "close", oneInt, errnoOption, critical);
                // int epoll_create1(int flags)
                h[16] = NativeCalls.bind(linker, libc, "epoll_create1", oneInt, errnoOption, critical);
                // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
                h[17] = NativeCalls.bind(linker, libc, "epoll_ctl",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), errnoOption, critical);
                // int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout): sleeps
                h[18] = NativeCalls.bind(linker, libc, "epoll_wait",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), errnoOption);
                // int eventfd(unsigned int initial, int flags)
                h[19] = NativeCalls.bind(linker, libc, "eventfd", twoInts, errnoOption, critical);
                // The two static calls capture no errno, which would need memory of the calling thread's own.
                h[20] = NativeCalls.bind(linker, libc, "close", oneInt, critical);
                // int eventfd_write(int fd, eventfd_t value): the 8-byte write, the value passed by value
                h[21] = NativeCalls.bind(linker, libc, "eventfd_write", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), critical);
                errno = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));
            } catch (RuntimeException | LinkageError e) {
                unavailable = "binding the C library's socket calls failed: " + e;
                h = new MethodHandle[h.length];
                errno = null;
            }
        }
        UNAVAILABLE = unavailable;
        SOCKET = h[0];
        SETSOCKOPT = h[1];
        GETSOCKOPT = h[2];
        BIND = h[3];
        LISTEN = h[4];
        ACCEPT4 = h[5];
        CONNECT = h[6];
        GETSOCKNAME = h[7];
        GETPEERNAME = h[8];
        READ = h[9];
        WRITE = h[10];
        SEND = h[11];
        SENDMSG = h[12];
        SENDFILE = h[13];
        SHUTDOWN = h[14];
        CLOSE = h[15];
        EPOLL_CREATE1 = h[16];
        EPOLL_CTL = h[17];
        EPOLL_WAIT = h[18];
        EVENTFD = h[19];
        CLOSE_QUIETLY = h[20];
        EVENTFD_WRITE = h[21];
        ERRNO = errno;
    }

    private final Arena arena;
    /** The errno captured after each call. */
    private final MemorySegment state;
    /** A {@code sockaddr_storage} for bind, connect, getsockname and getpeername. */
    private final MemorySegment sockaddr;
    /** The {@code socklen_t} that getsockname, getpeername and getsockopt read and write. */
    private final MemorySegment socklen;
    /** The int of setsockopt and getsockopt. */
    private final MemorySegment optval;
    /** sendfile's {@code off_t}. */
    private final MemorySegment offp;
    /** The 8-byte counter an eventfd read drains into. */
    private final MemorySegment counter;
    /** The 8-byte 1 that {@link #signal} writes: set once, only read after. */
    private final MemorySegment one;
    /** The {@code msghdr} of {@link #writev}: only its iov and iovlen change, the rest stays 0. */
    private final MemorySegment message;
    /** The {@code epoll_event} of {@link #epollCtl}. */
    private final MemorySegment event;

    /**
     * Allocates the scratch memory in a shared arena of its own (so that the thread that makes the
     * instance need not be the one that uses it).
     *
     * @throws UnsupportedOperationException when the calls are not {@link #available}
     */
    public LinuxSockets() {
        requireAvailable();
        // Shared, not confined: a loop's instance is made on the thread that starts it. The price is
        // an atomic acquire and release of each segment argument per call, small beside the syscall.
        arena = Arena.ofShared();
        state = arena.allocate(Linker.Option.captureStateLayout());
        sockaddr = arena.allocate(LinuxStructs.SOCKADDR_STORAGE_SIZE, 8);
        socklen = arena.allocate(JAVA_INT);
        optval = arena.allocate(JAVA_INT);
        offp = arena.allocate(JAVA_LONG);
        counter = arena.allocate(JAVA_LONG);
        one = arena.allocate(JAVA_LONG);
        one.set(JAVA_LONG, 0, 1L);
        message = arena.allocate(LinuxStructs.MSGHDR_SIZE, 8); // zeroed: no name, no control data, no flags
        event = arena.allocate(LinuxStructs.EPOLL_EVENT_SIZE, 8);
    }

    /** True when the calls here can be made on this platform. */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why the calls cannot be made (another OS, no native access, a missing symbol); null when they can. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * Frees the scratch memory; every call after this throws {@link IllegalStateException}. Closes
     * no descriptor. A second close does nothing. No call may be running on another thread.
     */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /**
     * socket(2): a TCP socket, {@code SOCK_NONBLOCK | SOCK_CLOEXEC}. An AF_INET6 socket takes IPv4
     * too unless {@link #IPV6_V6ONLY} is set (Linux's default, {@code net.ipv6.bindv6only} 0).
     *
     * @return the new descriptor
     * @throws ErrnoException EAFNOSUPPORT when the kernel has no IPv6; EMFILE, ENFILE, ENOBUFS, ENOMEM
     */
    public int openStream(boolean ipv6) throws ErrnoException {
        int family = ipv6 ? AF_INET6 : AF_INET;
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(state, family, SOCK_STREAM | NONBLOCK | CLOEXEC, 0);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (fd < 0) {
            throw new ErrnoException("socket", ipv6 ? "AF_INET6" : "AF_INET", errno());
        }
        return fd;
    }

    /**
     * setsockopt(2) of an int option: {@code level} {@link #SOL_SOCKET}, {@link #IPPROTO_TCP} or
     * {@link #IPPROTO_IPV6}, with one of their names here; booleans are 0 and 1.
     *
     * @throws ErrnoException ENOPROTOOPT for a name the level does not know; EINVAL for a bad
     *                        value or IPV6_V6ONLY on a bound socket; EBADF
     */
    public void setOption(int fd, int level, int name, int value) throws ErrnoException {
        optval.set(JAVA_INT, 0, value);
        int rc;
        try {
            rc = (int) SETSOCKOPT.invokeExact(state, fd, level, name, optval, (int) JAVA_INT.byteSize());
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("setsockopt", "fd " + fd + " level " + level + " name " + name, errno());
        }
    }

    /**
     * getsockopt(2) of an int option. {@code option(fd, SOL_SOCKET, SO_ERROR)} after a connect's
     * EPOLLOUT is 0 when it connected, else the errno it failed with (ECONNREFUSED, ETIMEDOUT,
     * EHOSTUNREACH, ENETUNREACH), which reading clears.
     *
     * @return the option's value
     * @throws ErrnoException ENOPROTOOPT for a name the level does not know; EBADF
     */
    public int option(int fd, int level, int name) throws ErrnoException {
        optval.set(JAVA_INT, 0, 0);
        socklen.set(JAVA_INT, 0, (int) JAVA_INT.byteSize());
        int rc;
        try {
            rc = (int) GETSOCKOPT.invokeExact(state, fd, level, name, optval, socklen);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("getsockopt", "fd " + fd + " level " + level + " name " + name, errno());
        }
        return optval.get(JAVA_INT, 0);
    }

    /**
     * bind(2) to {@code address}: an {@link Inet4Address} for an AF_INET socket, an
     * {@link Inet6Address} (with its scope id) for an AF_INET6 one. Port 0 lets the kernel choose;
     * {@link #localAddress} says which.
     *
     * @throws IllegalArgumentException when {@code address} is unresolved
     * @throws ErrnoException EADDRINUSE when the port is taken (and not shared by SO_REUSEPORT on both);
     *                        EADDRNOTAVAIL for an address no interface has; EINVAL when the family is not
     *                        the socket's or it is bound already; EACCES below port 1024 without privilege
     */
    public void bind(int fd, InetSocketAddress address) throws ErrnoException {
        int size = encode(address);
        int rc;
        try {
            rc = (int) BIND.invokeExact(state, fd, sockaddr, size);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("bind", "fd " + fd + " " + address, errno());
        }
    }

    /**
     * listen(2): accept connections, up to {@code backlog} waiting (capped by {@code net.core.somaxconn}).
     *
     * @throws ErrnoException EADDRINUSE when an unbound socket's automatic port is taken; EBADF, ENOTSOCK
     */
    public void listen(int fd, int backlog) throws ErrnoException {
        int rc;
        try {
            rc = (int) LISTEN.invokeExact(state, fd, backlog);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("listen", "fd " + fd, errno());
        }
    }

    /**
     * A listening TCP socket on {@code address}: socket, SO_REUSEADDR (and SO_REUSEPORT when asked),
     * bind, listen. A failed bind is a {@link java.net.BindException} with the kernel's text, the
     * JDK's type for it, so callers classify every transport's failures alike.
     *
     * @return the listening descriptor
     * @throws ErrnoException when the socket cannot be made or cannot listen
     */
    public int openListener(InetSocketAddress address, int backlog, boolean reusePort) throws java.io.IOException {
        int fd = openStream(address.getAddress() instanceof Inet6Address);
        try {
            setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            if (reusePort) {
                setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1);
            }
            try {
                bind(fd, address);
            } catch (ErrnoException e) {
                java.net.BindException bind = new java.net.BindException(e.getMessage());
                bind.initCause(e);
                throw bind;
            }
            listen(fd, backlog);
            return fd;
        } catch (java.io.IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /**
     * accept4(2) of the next waiting connection, {@code SOCK_NONBLOCK | SOCK_CLOEXEC}, without its
     * address ({@link #remoteAddress} gives it). EINTR is retried.
     *
     * @return the new descriptor, or {@code (int) AGAIN} when none is waiting
     * @throws ErrnoException ECONNABORTED when a connection was reset while it waited (accept the next);
     *                        EMFILE, ENFILE when out of descriptors; ENOBUFS, ENOMEM; EPROTO and the
     *                        network errors Linux passes on (accept(2)) are worth accepting past too
     */
    public int accept(int fd) throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            int accepted;
            try {
                accepted = (int) ACCEPT4.invokeExact(state, fd, MemorySegment.NULL, MemorySegment.NULL, NONBLOCK | CLOEXEC);
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (accepted >= 0) {
                return accepted;
            }
            int errno = errno();
            if (errno == Errno.EAGAIN) {
                return (int) AGAIN;
            }
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("accept4", "fd " + fd, errno);
            }
        }
    }

    /**
     * connect(2) to {@code address} (encoded as {@link #bind} does). On loopback it may finish at
     * once; otherwise it goes on in the kernel: wait for EPOLLOUT, then
     * {@code option(fd, SOL_SOCKET, SO_ERROR)} says how it ended. An EINTR means the same.
     *
     * @return true when connected already; false when in progress (EINPROGRESS)
     * @throws IllegalArgumentException when {@code address} is unresolved
     * @throws ErrnoException ECONNREFUSED (possible at once on loopback); ENETUNREACH, EHOSTUNREACH;
     *                        EAFNOSUPPORT when the family is not the socket's; EALREADY, EISCONN for a
     *                        second connect; EADDRNOTAVAIL or EAGAIN when no local port is free
     */
    public boolean connect(int fd, InetSocketAddress address) throws ErrnoException {
        int size = encode(address);
        int rc;
        try {
            rc = (int) CONNECT.invokeExact(state, fd, sockaddr, size);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc == 0) {
            return true;
        }
        int errno = errno();
        if (errno == Errno.EINPROGRESS || errno == Errno.EINTR) {
            return false; // an interrupted connect goes on asynchronously, as POSIX says
        }
        throw new ErrnoException("connect", "fd " + fd + " " + address, errno);
    }

    /**
     * getsockname(2): the address the socket is bound to (the port the kernel chose for port 0).
     * An IPv4-mapped address on a dual-stack socket comes back as the {@link Inet4Address}, as
     * {@code java.nio} gives it; a scoped IPv6 address keeps its scope id.
     *
     * @throws IllegalArgumentException when {@code fd} is not an IPv4 or IPv6 socket
     * @throws ErrnoException EBADF, ENOTSOCK
     */
    public InetSocketAddress localAddress(int fd) throws ErrnoException {
        return nameOf(GETSOCKNAME, "getsockname", fd);
    }

    /**
     * getpeername(2): the address of the connected peer, decoded as {@link #localAddress} says.
     *
     * @throws IllegalArgumentException when {@code fd} is not an IPv4 or IPv6 socket
     * @throws ErrnoException ENOTCONN when not connected (yet, or any more); EBADF, ENOTSOCK
     */
    public InetSocketAddress remoteAddress(int fd) throws ErrnoException {
        return nameOf(GETPEERNAME, "getpeername", fd);
    }

    private InetSocketAddress nameOf(MethodHandle call, String name, int fd) throws ErrnoException {
        socklen.set(JAVA_INT, 0, (int) LinuxStructs.SOCKADDR_STORAGE_SIZE);
        int rc;
        try {
            rc = (int) call.invokeExact(state, fd, sockaddr, socklen);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException(name, "fd " + fd, errno());
        }
        return decode(fd);
    }

    /**
     * read(2) of up to {@code length} bytes into native memory at {@code address}. EINTR is retried.
     *
     * @return bytes read; 0 at the end of the stream (the peer shut its writing half);
     *         {@link #AGAIN} when nothing is there yet
     * @throws ErrnoException ECONNRESET when the peer reset the connection; ETIMEDOUT after keepalive
     *                        or retransmission gave up; ENOTCONN; EBADF
     */
    public long read(int fd, long address, long length) throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            long n;
            try {
                n = (long) READ.invokeExact(state, fd, address, length);
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (n >= 0) {
                return n;
            }
            int errno = errno();
            if (errno == Errno.EAGAIN) {
                return AGAIN;
            }
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("read", "fd " + fd, errno);
            }
        }
    }

    /**
     * writev(2)'s gather write of {@code count} {@code struct iovec} ({@link LinuxStructs#IOVEC_SIZE}
     * bytes each: base, then length) at native address {@code iovecs}, made as sendmsg(2) with
     * {@code MSG_NOSIGNAL}. It may write less than all; EINTR is retried.
     *
     * @return bytes written (from the first iovec on); {@link #AGAIN} when the send buffer is full
     * @throws ErrnoException EPIPE once this side shut its output or the peer's reset arrived before;
     *                        ECONNRESET when the reset arrives with this write; EMSGSIZE past
     *                        IOV_MAX (1024) iovecs; ENOTCONN; ENOTSOCK for a descriptor not a socket
     */
    public long writev(int fd, long iovecs, int count) throws ErrnoException {
        message.set(JAVA_LONG, LinuxStructs.MSGHDR_IOV, iovecs);
        message.set(JAVA_LONG, LinuxStructs.MSGHDR_IOVLEN, count);
        for (int attempt = 0; ; attempt++) {
            long n;
            try {
                n = (long) SENDMSG.invokeExact(state, fd, message, MSG_NOSIGNAL);
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (n >= 0) {
                return n;
            }
            int errno = errno();
            if (errno == Errno.EAGAIN) {
                return AGAIN;
            }
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("sendmsg", "fd " + fd, errno);
            }
        }
    }

    /**
     * write(2) of {@code length} bytes from native memory at {@code address}, made as send(2) with
     * {@code MSG_NOSIGNAL}. It may write less than all; EINTR is retried.
     *
     * @return bytes written; {@link #AGAIN} when the send buffer is full
     * @throws ErrnoException as {@link #writev} does
     */
    public long write(int fd, long address, long length) throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            long n;
            try {
                n = (long) SEND.invokeExact(state, fd, address, length, MSG_NOSIGNAL);
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (n >= 0) {
                return n;
            }
            int errno = errno();
            if (errno == Errno.EAGAIN) {
                return AGAIN;
            }
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("send", "fd " + fd, errno);
            }
        }
    }

    /**
     * sendfile(2) of up to {@code count} bytes of file {@code inFd} from {@code offset} to socket
     * {@code outFd}, leaving the file's own position alone. An ordinary downcall: a page not in the
     * cache is read from the disk first. EINTR is retried. It has no MSG_NOSIGNAL: a closed peer
     * raises SIGPIPE, which HotSpot's handler ignores, and the call fails with EPIPE.
     *
     * @return bytes sent, which the caller adds to its offset (0 at the end of the file);
     *         {@link #AGAIN} when the socket's send buffer is full
     * @throws ErrnoException EPIPE, ECONNRESET as {@link #writev}; EIO reading the file; EINVAL for a
     *                        file that cannot be mapped (not a regular file) or a negative offset
     */
    public long sendfile(int outFd, int inFd, long offset, long count) throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            offp.set(JAVA_LONG, 0, offset);
            long n;
            try {
                n = (long) SENDFILE.invokeExact(state, outFd, inFd, offp, count);
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (n >= 0) {
                return n;
            }
            int errno = errno();
            if (errno == Errno.EAGAIN) {
                return AGAIN;
            }
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("sendfile", "fd " + outFd + " from fd " + inFd, errno);
            }
        }
    }

    /**
     * shutdown(2) with {@code SHUT_WR}: a FIN after what is queued; the peer reads 0 after the last
     * byte. This side can still read.
     *
     * @throws ErrnoException ENOTCONN when not connected; EBADF, ENOTSOCK
     */
    public void shutdownOutput(int fd) throws ErrnoException {
        int rc;
        try {
            rc = (int) SHUTDOWN.invokeExact(state, fd, SHUT_WR);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("shutdown", "fd " + fd, errno());
        }
    }

    /**
     * close(2) of a socket, epoll or eventfd descriptor made here (a file's goes through
     * {@link LinuxFiles#close}: closing it may flush to the disk). Closing the last descriptor to a
     * socket also unregisters it from every epoll set. Not retried on EINTR: Linux has released the
     * descriptor by then, and it may be reused.
     *
     * @throws ErrnoException EBADF when {@code fd} is not open (closed twice?)
     */
    public void close(int fd) throws ErrnoException {
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("close", "fd " + fd, errno());
        }
    }

    /**
     * close(2) as {@link #close(int)} does, ignoring its errors: a cleanup path's close, callable on
     * any thread without an instance. The descriptor is released whatever close says (EINTR and EIO
     * included); only an EBADF (not open) goes unnoticed.
     */
    public static void closeQuietly(int fd) {
        requireAvailable();
        try {
            int ignored = (int) CLOSE_QUIETLY.invokeExact(fd);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
    }

    /**
     * epoll_create1(2) with {@code EPOLL_CLOEXEC}: an empty interest set.
     *
     * @return the epoll descriptor; close it with {@link #close(int)}
     * @throws ErrnoException EMFILE, ENFILE; ENOMEM
     */
    public int epollCreate() throws ErrnoException {
        int fd;
        try {
            fd = (int) EPOLL_CREATE1.invokeExact(state, CLOEXEC);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (fd < 0) {
            throw new ErrnoException("epoll_create1", null, errno());
        }
        return fd;
    }

    /**
     * epoll_ctl(2): {@code op} ({@link #EPOLL_CTL_ADD}, {@link #EPOLL_CTL_MOD} or {@link #EPOLL_CTL_DEL})
     * of {@code fd} in {@code epfd}, waiting for {@code events} (EPOLL* bits; EPOLLERR and EPOLLHUP
     * come anyway) and handing back {@code data} with each (ignored for DEL).
     *
     * @throws ErrnoException EEXIST when ADD finds it registered; ENOENT when MOD or DEL does not;
     *                        EPERM for a descriptor epoll cannot watch (a regular file); EBADF;
     *                        ENOSPC past {@code max_user_watches}; ENOMEM
     */
    public void epollCtl(int epfd, int op, int fd, int events, long data) throws ErrnoException {
        event.set(JAVA_INT, LinuxStructs.EPOLL_EVENT_EVENTS, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, LinuxStructs.EPOLL_EVENT_DATA, data);
        int rc;
        try {
            rc = (int) EPOLL_CTL.invokeExact(state, epfd, op, fd, event);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc != 0) {
            throw new ErrnoException("epoll_ctl", "epfd " + epfd + " op " + op + " fd " + fd, errno());
        }
    }

    /**
     * epoll_wait(2): waits up to {@code timeoutMillis} (0: not at all; -1: until an event) for events
     * in {@code epfd}, written to the native array at {@code events}, which must hold
     * {@code maxEvents} elements of {@link #EPOLL_EVENT_SIZE} bytes (read them with {@link #eventsAt}
     * and {@link #dataAt}). An ordinary downcall: it sleeps.
     *
     * @return how many elements were filled; 0 when the time ran out or a signal came (EINTR): the
     *         caller's loop just polls again
     * @throws ErrnoException EBADF; EINVAL when {@code epfd} is not an epoll descriptor or
     *                        {@code maxEvents} is not positive
     */
    public int epollWait(int epfd, long events, int maxEvents, int timeoutMillis) throws ErrnoException {
        int n;
        try {
            n = (int) EPOLL_WAIT.invokeExact(state, epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (n >= 0) {
            return n;
        }
        int errno = errno();
        if (errno == Errno.EINTR) {
            return 0;
        }
        throw new ErrnoException("epoll_wait", "epfd " + epfd, errno);
    }

    /** The events field (EPOLL* bits that happened) of element {@code index} of an epoll_wait array. */
    public static int eventsAt(MemorySegment array, int index) {
        return array.get(ValueLayout.JAVA_INT_UNALIGNED, index * EPOLL_EVENT_SIZE + LinuxStructs.EPOLL_EVENT_EVENTS);
    }

    /** The data field (what {@link #epollCtl} was given) of element {@code index} of an epoll_wait array. */
    public static long dataAt(MemorySegment array, int index) {
        return array.get(ValueLayout.JAVA_LONG_UNALIGNED, index * EPOLL_EVENT_SIZE + EPOLL_EVENT_DATA);
    }

    /**
     * eventfd(2) with a counter of 0, {@code EFD_NONBLOCK | EFD_CLOEXEC}: readable (EPOLLIN) while the
     * counter is above 0, which {@link #signal} raises and {@link #drain} resets. A loop's wake-up.
     *
     * @return the new descriptor
     * @throws ErrnoException EMFILE, ENFILE; ENODEV, ENOMEM
     */
    public int eventfd() throws ErrnoException {
        int fd;
        try {
            fd = (int) EVENTFD.invokeExact(state, 0, NONBLOCK | CLOEXEC);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (fd < 0) {
            throw new ErrnoException("eventfd", null, errno());
        }
        return fd;
    }

    /**
     * Adds 1 to an eventfd's counter (an 8-byte write), waking whoever waits for its EPOLLIN. EAGAIN
     * (the counter is at its maximum, so a wake-up is pending anyway) is not an error; EINTR is
     * retried. Another thread's wake-up of a loop is {@link #signalFromAnyThread}.
     *
     * @throws ErrnoException EBADF; EINVAL when {@code eventFd} is not an eventfd
     */
    public void signal(int eventFd) throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            long n;
            try {
                n = (long) WRITE.invokeExact(state, eventFd, one.address(), JAVA_LONG.byteSize());
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (n >= 0) {
                return;
            }
            int errno = errno();
            if (errno == Errno.EAGAIN) {
                return;
            }
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("write", "eventfd " + eventFd, errno);
            }
        }
    }

    /**
     * {@link #signal} from any thread, without an instance: eventfd_write(3), no errno captured and
     * nothing allocated. Only when that fails is the write made again with its errno captured, in
     * memory allocated for the purpose; a second 1 added is harmless, as wake-ups are counted, not
     * queued. Never throws for the descriptor: a caller that may race the eventfd's close must
     * rule that out itself, since a closed number may already name another file.
     *
     * @return 0 when signalled (or the counter was full: a wake-up is pending anyway); otherwise the
     *         errno: EBADF (not open), EINVAL (not an eventfd)
     */
    public static int signalFromAnyThread(int eventFd) {
        requireAvailable();
        int rc;
        try {
            rc = (int) EVENTFD_WRITE.invokeExact(eventFd, 1L);
        } catch (Throwable t) {
            throw NativeCalls.unexpected(t);
        }
        if (rc == 0) {
            return 0;
        }
        try (Arena once = Arena.ofConfined()) {
            MemorySegment state = once.allocate(Linker.Option.captureStateLayout());
            MemorySegment one = once.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            for (int attempt = 0; ; attempt++) {
                long n;
                try {
                    n = (long) WRITE.invokeExact(state, eventFd, one.address(), JAVA_LONG.byteSize());
                } catch (Throwable t) {
                    throw NativeCalls.unexpected(t);
                }
                int errno = n >= 0 ? 0 : (int) ERRNO.get(state, 0L);
                if (errno != Errno.EINTR || attempt == RETRIES) {
                    return errno == Errno.EAGAIN ? 0 : errno;
                }
            }
        }
    }

    /**
     * Resets an eventfd's counter to 0 (an 8-byte read), so it stops being readable until the next
     * {@link #signal}. AGAIN (it was 0 already) is not an error; EINTR is retried.
     *
     * @throws ErrnoException EBADF; EINVAL when {@code eventFd} is not an eventfd
     */
    public void drain(int eventFd) throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            long n;
            try {
                n = (long) READ.invokeExact(state, eventFd, counter.address(), JAVA_LONG.byteSize());
            } catch (Throwable t) {
                throw NativeCalls.unexpected(t);
            }
            if (n >= 0) {
                return;
            }
            int errno = errno();
            if (errno == Errno.EAGAIN) {
                return;
            }
            if (errno != Errno.EINTR || attempt == RETRIES) {
                throw new ErrnoException("read", "eventfd " + eventFd, errno);
            }
        }
    }

    /** Writes {@code socketAddress} into the scratch sockaddr; returns its length. */
    private int encode(InetSocketAddress socketAddress) {
        if (socketAddress.isUnresolved()) {
            throw new IllegalArgumentException("an unresolved address cannot be bound or connected: " + socketAddress);
        }
        InetAddress ip = socketAddress.getAddress();
        short port = (short) socketAddress.getPort();
        sockaddr.fill((byte) 0);
        if (ip instanceof Inet6Address ip6) {
            sockaddr.set(ValueLayout.JAVA_SHORT, LinuxStructs.SOCKADDR_FAMILY, (short) AF_INET6);
            sockaddr.set(NETWORK_SHORT, LinuxStructs.SOCKADDR_IN6_PORT, port);
            // sin6_flowinfo stays 0: InetSocketAddress has no flow label to give
            MemorySegment.copy(ip6.getAddress(), 0, sockaddr, ValueLayout.JAVA_BYTE, LinuxStructs.SOCKADDR_IN6_ADDR, 16);
            sockaddr.set(JAVA_INT, LinuxStructs.SOCKADDR_IN6_SCOPE_ID, ip6.getScopeId());
            return (int) LinuxStructs.SOCKADDR_IN6_SIZE;
        }
        sockaddr.set(ValueLayout.JAVA_SHORT, LinuxStructs.SOCKADDR_FAMILY, (short) AF_INET);
        sockaddr.set(NETWORK_SHORT, LinuxStructs.SOCKADDR_IN_PORT, port);
        MemorySegment.copy(ip.getAddress(), 0, sockaddr, ValueLayout.JAVA_BYTE, LinuxStructs.SOCKADDR_IN_ADDR, 4);
        return (int) LinuxStructs.SOCKADDR_IN_SIZE;
    }

    /** Reads the scratch sockaddr that getsockname or getpeername filled. */
    private InetSocketAddress decode(int fd) {
        int family = sockaddr.get(ValueLayout.JAVA_SHORT, LinuxStructs.SOCKADDR_FAMILY);
        try {
            if (family == AF_INET) {
                byte[] bytes = new byte[4];
                MemorySegment.copy(sockaddr, ValueLayout.JAVA_BYTE, LinuxStructs.SOCKADDR_IN_ADDR, bytes, 0, 4);
                int port = Short.toUnsignedInt(sockaddr.get(NETWORK_SHORT, LinuxStructs.SOCKADDR_IN_PORT));
                return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
            }
            if (family == AF_INET6) {
                byte[] bytes = new byte[16];
                MemorySegment.copy(sockaddr, ValueLayout.JAVA_BYTE, LinuxStructs.SOCKADDR_IN6_ADDR, bytes, 0, 16);
                int port = Short.toUnsignedInt(sockaddr.get(NETWORK_SHORT, LinuxStructs.SOCKADDR_IN6_PORT));
                int scope = sockaddr.get(JAVA_INT, LinuxStructs.SOCKADDR_IN6_SCOPE_ID);
                // With no scope, getByAddress turns ::ffff:a.b.c.d into the Inet4Address, as java.nio does.
                InetAddress ip = scope == 0 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, scope);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of 4 or 16 bytes was refused", e);
        }
        throw new IllegalArgumentException("fd " + fd + " is not an IPv4 or IPv6 socket (family " + family + ")");
    }

    private int errno() {
        return (int) ERRNO.get(state, 0L);
    }

    private static void requireAvailable() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException("Linux socket calls unavailable: " + UNAVAILABLE);
        }
    }
}
