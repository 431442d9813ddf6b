package io.shardloop.http.file;

import io.shardloop.runtime.os.BeneathWalk;
import io.shardloop.runtime.os.Errno;
import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.FileStatus;
import io.shardloop.runtime.os.LinuxFiles;
import io.shardloop.runtime.os.LinuxFlags;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The calls that may block, in one place: they run on a file reader's threads, never on a loop.
 * The root must already be a real path ({@link Path#toRealPath}).
 * <p>
 * A file is opened beneath the root in one step that the kernel checks, so that nothing swapped in
 * between a check and the open can lead outside ({@link Opening}); its size, time and type then come
 * from the open descriptor, and its bytes from pread(2) on it.
 */
public final class BlockingFiles {
    private static final System.Logger LOG = System.getLogger(BlockingFiles.class.getName());

    /**
     * How files are opened beneath the root; the best this platform allows, chosen once when the
     * class loads (at server start: {@link OffloadFileReader}'s constructor asks).
     */
    public enum Opening {
        /**
         * openat2(2) relative to the root's descriptor with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS
         * (Linux 5.6): the kernel refuses any escape (EXDEV) while it resolves, so there is no window
         * to race. Relative symlinks that stay beneath are followed; absolute ones are refused.
         */
        OPENAT2,
        /** {@link BeneathWalk}, one component at a time, no symlink followed (Linux before 5.6). */
        WALK,
        /**
         * Java's paths: resolve every symlink, check the real path is under the root, open it
         * without following its last name. A directory swapped for a symlink between the check and
         * the open leads outside; used only where the Linux calls are unavailable, with a warning.
         */
        PATHS
    }

    private static final Opening OPENING = chooseOpening();

    /** Read only; no wait on a FIFO swapped in; no controlling terminal; closed on exec. */
    static final long READ_FLAGS = LinuxFlags.O_RDONLY | LinuxFlags.O_NONBLOCK | LinuxFlags.O_NOCTTY
            | LinuxFlags.O_CLOEXEC;
    static final long BENEATH = LinuxFlags.RESOLVE_BENEATH | LinuxFlags.RESOLVE_NO_MAGICLINKS;

    private BlockingFiles() {
    }

    /** Thrown with the status to answer: 404 nothing there or no regular file; 403 a way out, a refused link, not readable. */
    public static final class Refused extends IOException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** How this process opens files (see {@link Opening}). */
    public static Opening opening() {
        return OPENING;
    }

    /**
     * Opens a regular file beneath the root, as {@link #opening()} allows. Refused with 404 when
     * nothing is there or it is no regular file; with 403 when the path or a symlink on it leads out
     * of the root, a symlink is refused, or the file is not readable.
     */
    public static OpenFile open(Path realRoot, String relativePath) throws IOException {
        return open(OPENING, realRoot, relativePath);
    }

    /** {@link #open(Path, String)} the given way (tests try each one the platform has). */
    static OpenFile open(Opening opening, Path realRoot, String relativePath) throws IOException {
        return opening == Opening.PATHS ? openByPaths(realRoot, relativePath) : openBeneath(opening, realRoot, relativePath);
    }

    private static OpenFile openBeneath(Opening opening, Path realRoot, String relativePath) throws IOException {
        int fd;
        try {
            // The root is opened for each file, so a root directory replaced (a new release moved
            // into place) is served at once, as by path; an O_PATH open touches no data.
            int root = LinuxFiles.openDirectory(realRoot.toString());
            try {
                fd = opening == Opening.OPENAT2
                        ? LinuxFiles.openat2(root, relativePath, READ_FLAGS, BENEATH)
                        : BeneathWalk.open(root, relativePath, READ_FLAGS);
            } finally {
                LinuxFiles.closePath(root);
            }
        } catch (ErrnoException e) {
            throw refusal(e, relativePath);
        }
        DescriptorSource source = new DescriptorSource(fd);
        try {
            FileStatus status = LinuxFiles.fstat(fd);
            if (!status.isRegularFile()) {
                throw new Refused(404, "not a regular file: " + relativePath);
            }
            return new OpenFile(source, status.size(), status.lastModifiedMillis(), fileName(relativePath));
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** The status an open's errno answers; anything unforeseen is a 500. */
    static IOException refusal(ErrnoException e, String relativePath) {
        return switch (e.errno()) {
            case Errno.ENOENT, Errno.ENOTDIR, Errno.ENAMETOOLONG -> new Refused(404, "no such file: " + relativePath);
            // A socket (ENXIO) or a device with no driver (ENODEV): there, but no regular file.
            case Errno.ENXIO, Errno.ENODEV -> new Refused(404, "not a regular file: " + relativePath);
            // EXDEV: an escape (.., an absolute path or symlink, one climbing out); ELOOP: a refused or looping symlink.
            case Errno.EXDEV, Errno.ELOOP -> new Refused(403, "leads outside the root: " + relativePath + " (" + e.getMessage() + ")");
            case Errno.EACCES, Errno.EPERM -> new Refused(403, "not readable: " + relativePath);
            default -> e;
        };
    }

    /**
     * Resolves, checks and opens a file under the root by path: the path must stay under the root
     * both as written and once every symlink is followed, and name a regular file.
     */
    private static OpenFile openByPaths(Path realRoot, String relativePath) throws IOException {
        Path candidate = realRoot.resolve(relativePath).normalize();
        if (!candidate.startsWith(realRoot) || candidate.equals(realRoot)) {
            throw new Refused(403, "outside the root: " + relativePath);
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw new Refused(404, "no such file: " + relativePath);
        }
        if (!real.startsWith(realRoot)) {
            throw new Refused(403, "resolves outside the root: " + relativePath);
        }
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isRegularFile()) {
            throw new Refused(404, "not a regular file: " + relativePath);
        }
        FileChannel channel;
        try {
            // NOFOLLOW_LINKS: the last name must still be no symlink when it is opened.
            channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (AccessDeniedException e) {
            throw new Refused(403, "not readable: " + relativePath);
        }
        return new OpenFile(new ChannelSource(channel), attrs.size(), attrs.lastModifiedTime().toMillis(),
                fileName(relativePath));
    }

    /** One positional read; -1 at the end of the file. */
    public static int read(OpenFile file, long position, ByteBuffer into) throws IOException {
        return file.source().read(position, into);
    }

    public static void close(OpenFile file) {
        file.source().close();
    }

    static String fileName(String relativePath) {
        return relativePath.substring(relativePath.lastIndexOf('/') + 1);
    }

    private static Opening chooseOpening() {
        if (!LinuxFiles.available()) {
            LOG.log(System.Logger.Level.WARNING, "static files are opened by Java paths, which a symlink swapped in "
                    + "during an open can lead outside the root: " + LinuxFiles.unavailableReason());
            return Opening.PATHS;
        }
        if (!LinuxFiles.openat2Available()) {
            LOG.log(System.Logger.Level.INFO, "static files are opened one component at a time, no symlink "
                    + "followed: openat2 is unavailable (" + LinuxFiles.openat2MissingReason() + ")");
            return Opening.WALK;
        }
        return Opening.OPENAT2;
    }
}
