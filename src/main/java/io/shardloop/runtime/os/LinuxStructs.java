package io.shardloop.runtime.os;

/**
 * Byte layouts of the kernel structures the file and socket calls pass: offsets in bytes from the
 * start. They are the same on x86_64 and aarch64 (fixed-width fields, 8-byte pointers and
 * {@code size_t}) but for {@code struct epoll_event}, which x86_64 packs.
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

    /** {@code struct sockaddr_storage} ({@code bits/socket.h}): room for any address, 8-byte aligned. */
    static final long SOCKADDR_STORAGE_SIZE = 128;
    /** {@code sa_family_t sa_family}, the first field of every sockaddr: AF_INET or AF_INET6, host order. */
    static final long SOCKADDR_FAMILY = 0;

    /** {@code struct sockaddr_in} ({@code netinet/in.h}): 16 bytes, the last 8 zero. */
    static final long SOCKADDR_IN_SIZE = 16;
    /** {@code in_port_t sin_port}: network byte order. */
    static final long SOCKADDR_IN_PORT = 2;
    /** {@code struct in_addr sin_addr}: the 4 address bytes in network order, as {@code getAddress()} gives them. */
    static final long SOCKADDR_IN_ADDR = 4;

    /** {@code struct sockaddr_in6} ({@code netinet/in.h}): 28 bytes. */
    static final long SOCKADDR_IN6_SIZE = 28;
    /** {@code in_port_t sin6_port}: network byte order. */
    static final long SOCKADDR_IN6_PORT = 2;
    /** {@code uint32_t sin6_flowinfo}: network byte order; Java has no way to say one, so 0. */
    static final long SOCKADDR_IN6_FLOWINFO = 4;
    /** {@code struct in6_addr sin6_addr}: the 16 address bytes in network order. */
    static final long SOCKADDR_IN6_ADDR = 8;
    /** {@code uint32_t sin6_scope_id}: host byte order; the interface index of a link-local address. */
    static final long SOCKADDR_IN6_SCOPE_ID = 24;

    /** {@code struct iovec} ({@code bits/types/struct_iovec.h}): 16 bytes. */
    static final long IOVEC_SIZE = 16;
    /** {@code void *iov_base}: where the bytes start. */
    static final long IOVEC_BASE = 0;
    /** {@code size_t iov_len}: how many. */
    static final long IOVEC_LEN = 8;

    /** {@code struct msghdr} ({@code bits/socket.h}): 56 bytes, padding after {@code msg_namelen} and {@code msg_flags}. */
    static final long MSGHDR_SIZE = 56;
    /** {@code void *msg_name}: NULL on a connected socket. */
    static final long MSGHDR_NAME = 0;
    /** {@code socklen_t msg_namelen}. */
    static final long MSGHDR_NAMELEN = 8;
    /** {@code struct iovec *msg_iov}. */
    static final long MSGHDR_IOV = 16;
    /** {@code size_t msg_iovlen}: at most IOV_MAX (1024). */
    static final long MSGHDR_IOVLEN = 24;
    /** {@code void *msg_control}: NULL, no ancillary data. */
    static final long MSGHDR_CONTROL = 32;
    /** {@code size_t msg_controllen}. */
    static final long MSGHDR_CONTROLLEN = 40;
    /** {@code int msg_flags}: written by recvmsg only. */
    static final long MSGHDR_FLAGS = 48;

    /**
     * {@code struct epoll_event} ({@code sys/epoll.h}): {@code uint32_t events} then a 64-bit
     * {@code epoll_data_t}. x86_64 declares it {@code __attribute__((packed))}, so 12 bytes with the
     * data at 4, unaligned; aarch64 pads it to 16 with the data at 8.
     */
    static final long EPOLL_EVENT_SIZE = LinuxFlags.AARCH64 ? 16 : 12;
    /** {@code uint32_t events}: the EPOLL* bits asked for, or those that happened. */
    static final long EPOLL_EVENT_EVENTS = 0;
    /** {@code epoll_data_t data}: the caller's 64 bits, handed back with each event. */
    static final long EPOLL_EVENT_DATA = LinuxFlags.AARCH64 ? 8 : 4;

    private LinuxStructs() {
    }
}
