package io.shardloop.runtime.os;

/**
 * Byte layouts of the kernel structures the file calls pass, the same on every 64-bit architecture
 * (fixed-width fields, no {@code long}): offsets in bytes from the start.
 */
final class LinuxStructs {
    /** {@code struct open_how} ({@code linux/openat2.h}), version 0: three {@code __u64}. */
    static final long OPEN_HOW_SIZE = 24;
    /** {@code __u64 flags}: the O_* flags. */
    static final long OPEN_HOW_FLAGS = 0;
    /** {@code __u64 mode}: must be 0 unless O_CREAT or O_TMPFILE. */
    static final long OPEN_HOW_MODE = 8;
    /** {@code __u64 resolve}: the RESOLVE_* flags. */
    static final long OPEN_HOW_RESOLVE = 16;

    /** {@code struct statx} ({@code linux/stat.h}): 256 bytes, room for fields the kernel adds later. */
    static final long STATX_SIZE = 256;
    /** {@code __u32 stx_mask}: which fields the kernel filled. */
    static final long STATX_MASK = 0x00;
    /** {@code __u16 stx_mode}: file type and permission bits. */
    static final long STATX_MODE = 0x1c;
    /** {@code __u64 stx_size}. */
    static final long STATX_FILE_SIZE = 0x28;
    /** {@code struct statx_timestamp stx_mtime}: {@code __s64 tv_sec} then {@code __u32 tv_nsec}. */
    static final long STATX_MTIME_SEC = 0x70;
    static final long STATX_MTIME_NSEC = 0x78;

    /** PATH_MAX ({@code linux/limits.h}): a path with its NUL; longer is ENAMETOOLONG. */
    static final int PATH_MAX = 4096;

    private LinuxStructs() {
    }
}
