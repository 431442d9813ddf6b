package io.shardloop.runtime.os;

import java.io.IOException;

/**
 * A system call that failed, with its {@code errno}: the message names the call, what it was called
 * on and the error, e.g. {@code openat2 sub/page.html: EXDEV (Invalid cross-device link)}.
 */
public final class ErrnoException extends IOException {
    private final String call;
    private final int errno;

    public ErrnoException(String call, String subject, int errno) {
        super(call + (subject == null ? "" : " " + subject) + ": " + Errno.name(errno) + " (" + Errno.text(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed: {@code openat2}, {@code openat}, {@code statx}, {@code pread}, {@code close}. */
    public String call() {
        return call;
    }

    /** The error number, one of {@link Errno}'s constants (or another the table does not name). */
    public int errno() {
        return errno;
    }
}
