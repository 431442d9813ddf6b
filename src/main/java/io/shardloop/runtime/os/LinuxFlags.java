package io.shardloop.runtime.os;

import java.util.Locale;

/**
 * The flag values the file calls take, for Linux on x86_64 ({@code asm-generic/fcntl.h}) and
 * aarch64 (whose {@code asm/fcntl.h} moves {@code O_DIRECTORY} and {@code O_NOFOLLOW}), each with
 * the first kernel that has it (open(2), openat2(2), statx(2)).
 */
public final class LinuxFlags {
    /** True on aarch64; x86_64 otherwise (the only two {@link LinuxFiles} binds on). */
    static final boolean AARCH64 = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).equals("aarch64");

    // open(2) and openat2(2) how.flags
    /** Read only. Every kernel. */
    public static final long O_RDONLY = 0;
    /** A terminal opened is not made the controlling one. Every kernel. */
    public static final long O_NOCTTY = 0400;
    /** The open does not wait (a FIFO with no writer); ignored by reads of regular files. Every kernel. */
    public static final long O_NONBLOCK = 04000;
    /** Fail with ENOTDIR unless the path names a directory. Linux 2.1.126. */
    public static final long O_DIRECTORY = AARCH64 ? 040000 : 0200000;
    /** Fail with ELOOP when the last component is a symlink. Linux 2.1.126. */
    public static final long O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
    /** Close on exec: a child process never inherits the descriptor. Linux 2.6.23. */
    public static final long O_CLOEXEC = 02000000;
    /** A descriptor that only names a place (no read, no write): *at calls and fstat. Linux 2.6.39. */
    public static final long O_PATH = 010000000;

    // openat2(2) how.resolve: all Linux 5.6, with openat2 itself, but RESOLVE_CACHED
    /** Refuse (EXDEV) to cross a mount point, bind mounts included. Linux 5.6. */
    public static final long RESOLVE_NO_XDEV = 0x01;
    /** Refuse (ELOOP) procfs magic links such as {@code /proc/self/fd/N}. Linux 5.6. */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** Refuse (ELOOP) every symlink, magic links included. Linux 5.6. */
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    /**
     * Refuse (EXDEV) anything that would leave dirfd: {@code ..} above it, an absolute path, an
     * absolute symlink, a relative symlink that climbs out. Relative symlinks that stay beneath are
     * followed. Linux 5.6.
     */
    public static final long RESOLVE_BENEATH = 0x08;
    /** Resolve as if dirfd were the root ({@code /} and {@code ..} stop there), like chroot(2). Linux 5.6. */
    public static final long RESOLVE_IN_ROOT = 0x10;
    /** Only from the dentry cache, else EAGAIN (for io_uring's non-blocking first try). Linux 5.12. */
    public static final long RESOLVE_CACHED = 0x20;

    // *at(2) calls
    /** dirfd meaning the current directory. Linux 2.6.16, with the *at calls. */
    public static final int AT_FDCWD = -100;
    /** statx(2) and fstatat(2): do not follow a symlink in the last component. Linux 2.6.16. */
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** An empty path means dirfd itself: statx on an open descriptor. Linux 2.6.39. */
    public static final int AT_EMPTY_PATH = 0x1000;

    // statx(2) mask: all Linux 4.11, with statx itself (glibc 2.28)
    /** stx_mode's file type bits. */
    public static final int STATX_TYPE = 0x001;
    /** stx_mode's permission bits. */
    public static final int STATX_MODE = 0x002;
    /** stx_mtime. */
    public static final int STATX_MTIME = 0x040;
    /** stx_size. */
    public static final int STATX_SIZE = 0x200;

    // stx_mode file types (inode(7))
    /** The file type bits of a mode. */
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    private LinuxFlags() {
    }
}
