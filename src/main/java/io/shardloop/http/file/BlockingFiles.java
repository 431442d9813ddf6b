package io.shardloop.http.file;

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
 */
public final class BlockingFiles {
    private BlockingFiles() {
    }

    /** Thrown for a path that resolves outside the root (a symlink pointing away) or to no regular file. */
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

    /**
     * Resolves, checks and opens a file under the root: the path must stay under the root both as
     * written and once every symlink is followed, and name a regular file.
     */
    public static OpenFile open(Path realRoot, String relativePath) throws IOException {
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
        return new OpenFile(channel, attrs.size(), attrs.lastModifiedTime().toMillis(), real.getFileName().toString());
    }

    /** One positional read; -1 at the end of the file. */
    public static int read(OpenFile file, long position, ByteBuffer into) throws IOException {
        return file.channel().read(into, position);
    }

    public static void close(OpenFile file) {
        try {
            file.channel().close();
        } catch (IOException ignored) {
            // A read-only channel that will not close has nothing left to lose.
        }
    }
}
