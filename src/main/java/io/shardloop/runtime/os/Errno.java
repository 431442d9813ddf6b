package io.shardloop.runtime.os;

/**
 * The {@code errno} values the file and socket calls can return, as Linux numbers them on x86_64
 * and aarch64 ({@code asm-generic/errno-base.h} and {@code errno.h}; alpha, mips, parisc and sparc
 * number some differently and are not supported), with the names and texts glibc's
 * {@code strerror} gives.
 * The table is this class's own so that a message never depends on the C library's locale or on
 * {@code strerror}'s shared buffer.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    /** EWOULDBLOCK: the same number as EAGAIN on Linux, so a non-blocking call has one value to test. */
    public static final int EWOULDBLOCK = EAGAIN;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = 36;
    /** io_uring: a wait's timeout ran out. */
    public static final int ETIME = 62;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int EPROTO = 71;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int EISCONN = 106;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int ESTALE = 116;
    /** io_uring: the request was cancelled. */
    public static final int ECANCELED = 125;

    private static final int LIMIT = 128;
    private static final String[] NAMES = new String[LIMIT];
    private static final String[] TEXTS = new String[LIMIT];

    static {
        define(EPERM, "EPERM", "Operation not permitted");
        define(ENOENT, "ENOENT", "No such file or directory");
        define(EINTR, "EINTR", "Interrupted system call");
        define(EIO, "EIO", "Input/output error");
        define(ENXIO, "ENXIO", "No such device or address");
        define(E2BIG, "E2BIG", "Argument list too long");
        define(EBADF, "EBADF", "Bad file descriptor");
        define(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        define(ENOMEM, "ENOMEM", "Cannot allocate memory");
        define(EACCES, "EACCES", "Permission denied");
        define(EFAULT, "EFAULT", "Bad address");
        define(EBUSY, "EBUSY", "Device or resource busy");
        define(EEXIST, "EEXIST", "File exists");
        define(EXDEV, "EXDEV", "Invalid cross-device link");
        define(ENODEV, "ENODEV", "No such device");
        define(ENOTDIR, "ENOTDIR", "Not a directory");
        define(EISDIR, "EISDIR", "Is a directory");
        define(EINVAL, "EINVAL", "Invalid argument");
        define(ENFILE, "ENFILE", "Too many open files in system");
        define(EMFILE, "EMFILE", "Too many open files");
        define(ETXTBSY, "ETXTBSY", "Text file busy");
        define(EFBIG, "EFBIG", "File too large");
        define(ENOSPC, "ENOSPC", "No space left on device");
        define(EROFS, "EROFS", "Read-only file system");
        define(EPIPE, "EPIPE", "Broken pipe");
        define(ENAMETOOLONG, "ENAMETOOLONG", "File name too long");
        define(ENOSYS, "ENOSYS", "Function not implemented");
        define(ELOOP, "ELOOP", "Too many levels of symbolic links");
        define(EPROTO, "EPROTO", "Protocol error");
        define(EOVERFLOW, "EOVERFLOW", "Value too large for defined data type");
        define(ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket");
        define(EMSGSIZE, "EMSGSIZE", "Message too long");
        define(ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available");
        define(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
        define(EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol");
        define(EADDRINUSE, "EADDRINUSE", "Address already in use");
        define(EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address");
        define(ENETUNREACH, "ENETUNREACH", "Network is unreachable");
        define(ECONNABORTED, "ECONNABORTED", "Software caused connection abort");
        define(ECONNRESET, "ECONNRESET", "Connection reset by peer");
        define(ENOBUFS, "ENOBUFS", "No buffer space available");
        define(EISCONN, "EISCONN", "Transport endpoint is already connected");
        define(ENOTCONN, "ENOTCONN", "Transport endpoint is not connected");
        define(ETIMEDOUT, "ETIMEDOUT", "Connection timed out");
        define(ECONNREFUSED, "ECONNREFUSED", "Connection refused");
        define(EHOSTUNREACH, "EHOSTUNREACH", "No route to host");
        define(EALREADY, "EALREADY", "Operation already in progress");
        define(EINPROGRESS, "EINPROGRESS", "Operation now in progress");
        define(ESTALE, "ESTALE", "Stale file handle");
        define(ETIME, "ETIME", "Timer expired");
        define(ECANCELED, "ECANCELED", "Operation canceled");
    }

    private Errno() {
    }

    private static void define(int errno, String name, String text) {
        NAMES[errno] = name;
        TEXTS[errno] = text;
    }

    /** {@code "ENOENT"}, or {@code "errno 200"} for a number this table does not name. */
    public static String name(int errno) {
        String name = errno > 0 && errno < LIMIT ? NAMES[errno] : null;
        return name != null ? name : "errno " + errno;
    }

    /** {@code "No such file or directory"}, or {@code "Unknown error 200"} as glibc says it. */
    public static String text(int errno) {
        String text = errno > 0 && errno < LIMIT ? TEXTS[errno] : null;
        return text != null ? text : "Unknown error " + errno;
    }
}
