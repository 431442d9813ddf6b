package io.shardloop.runtime.os;

import java.util.ArrayList;
import java.util.List;

/**
 * Opens a path beneath a directory without openat2 (Linux before 5.6): one component at a time,
 * each relative to the descriptor of the one before, none followed if it is a symlink. Every step
 * holds the directory it stands in, so a component renamed or swapped for a symlink meanwhile makes
 * the next step fail; it can never make it leave the directory.
 * <pre>
 *   dirfd ─openat(dir, O_PATH|O_DIRECTORY|O_NOFOLLOW)─▶ fd1 ─ ... ─▶ fdN ─openat(last, flags|O_NOFOLLOW)─▶ file
 * </pre>
 * Stricter than openat2 with RESOLVE_BENEATH: every symlink is refused (ELOOP), even one that would
 * stay beneath; {@code ..} is refused (EXDEV) even where it would stay beneath; an absolute path is
 * refused (EXDEV) as openat2 refuses it. Empty and {@code .} components are skipped.
 */
public final class BeneathWalk {
    private static final long DIRECTORY_STEP = LinuxFlags.O_PATH | LinuxFlags.O_DIRECTORY | LinuxFlags.O_NOFOLLOW
            | LinuxFlags.O_CLOEXEC;

    private BeneathWalk() {
    }

    /**
     * Opens {@code path} beneath {@code dirfd}, the last component with {@code flags | O_NOFOLLOW}.
     * {@code dirfd} stays open; the directories walked through are closed.
     *
     * @return the new descriptor
     * @throws ErrnoException ELOOP for a symlink anywhere on the path, EXDEV for an absolute path or
     *                        {@code ..}, or what openat(2) said (ENOENT, ENOTDIR, EACCES...)
     */
    public static int open(int dirfd, String path, long flags) throws ErrnoException {
        if (path.startsWith("/")) {
            throw new ErrnoException("openat", path, Errno.EXDEV);
        }
        List<String> names = new ArrayList<>();
        for (String name : path.split("/")) {
            if (name.equals("..")) {
                throw new ErrnoException("openat", path, Errno.EXDEV);
            }
            if (!name.isEmpty() && !name.equals(".")) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            throw new ErrnoException("openat", path, Errno.ENOENT);
        }
        // A trailing slash asks for a directory, as the kernel reads it.
        long lastFlags = flags | LinuxFlags.O_NOFOLLOW | (path.endsWith("/") ? LinuxFlags.O_DIRECTORY : 0);
        int current = dirfd;
        try {
            for (int i = 0; i < names.size() - 1; i++) {
                int previous = current;
                current = openDirectory(current, names.get(i), path);
                if (previous != dirfd) {
                    release(previous);
                }
            }
            return openLast(current, names.getLast(), lastFlags, path);
        } finally {
            if (current != dirfd) {
                release(current);
            }
        }
    }

    /** Closes a directory walked through; closing an O_PATH descriptor of ours fails only on a bug. */
    private static void release(int fd) {
        try {
            LinuxFiles.closePath(fd);
        } catch (ErrnoException e) {
            throw new IllegalStateException("closing a directory walked through", e);
        }
    }

    private static int openDirectory(int dirfd, String name, String path) throws ErrnoException {
        try {
            return LinuxFiles.openat(dirfd, name, DIRECTORY_STEP);
        } catch (ErrnoException e) {
            // O_PATH|O_NOFOLLOW stops at a symlink, and O_DIRECTORY then says ENOTDIR: tell the two apart.
            if (e.errno() == Errno.ENOTDIR && isSymbolicLink(dirfd, name)) {
                throw new ErrnoException("openat", path, Errno.ELOOP);
            }
            throw new ErrnoException("openat", path, e.errno());
        }
    }

    private static int openLast(int dirfd, String name, long flags, String path) throws ErrnoException {
        try {
            return LinuxFiles.openat(dirfd, name, flags);
        } catch (ErrnoException e) {
            throw new ErrnoException("openat", path, e.errno());
        }
    }

    private static boolean isSymbolicLink(int dirfd, String name) {
        try {
            return LinuxFiles.lstatAt(dirfd, name).isSymbolicLink();
        } catch (ErrnoException e) {
            return false; // gone since: the open's own error stands
        }
    }
}
