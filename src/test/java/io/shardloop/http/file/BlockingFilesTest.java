package io.shardloop.http.file;

import io.shardloop.runtime.os.Errno;
import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.LinuxFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Opening beneath the root each way this platform has, and what each refusal answers. */
class BlockingFilesTest {
    private static final String INSIDE = "inside\n";
    private static final String SECRET = "SECRET\n";

    @TempDir
    Path dir;
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        dir = dir.toRealPath();
        root = Files.createDirectories(dir.resolve("www"));
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/page.txt"), SECRET);
        Files.writeString(root.resolve("one.txt"), INSIDE);
        Files.setLastModifiedTime(root.resolve("one.txt"), FileTime.fromMillis(1_600_000_000_000L));
        Files.createDirectories(root.resolve("race"));
        Files.writeString(root.resolve("race/page.txt"), INSIDE);
        Files.createSymbolicLink(root.resolve("race.link"), dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("up.txt"), Path.of("../outside/page.txt"));
        Files.createSymbolicLink(root.resolve("abs-out.txt"), dir.resolve("outside/page.txt"));
        Files.createSymbolicLink(root.resolve("rel-in.txt"), Path.of("one.txt"));
    }

    /** The ways of opening this platform can run: all three on Linux 5.6+, only PATHS elsewhere. */
    private static List<BlockingFiles.Opening> openings() {
        List<BlockingFiles.Opening> all = new ArrayList<>();
        if (LinuxFiles.openat2Available()) {
            all.add(BlockingFiles.Opening.OPENAT2);
        }
        if (LinuxFiles.available()) {
            all.add(BlockingFiles.Opening.WALK);
        }
        all.add(BlockingFiles.Opening.PATHS);
        return all;
    }

    private int statusOf(BlockingFiles.Opening opening, String path) {
        try {
            OpenFile file = BlockingFiles.open(opening, root, path);
            BlockingFiles.close(file);
            return 200;
        } catch (BlockingFiles.Refused e) {
            return e.status();
        } catch (IOException e) {
            return 500;
        }
    }

    private static String readAll(OpenFile file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) file.size() + 16);
        long position = 0;
        int n;
        while ((n = BlockingFiles.read(file, position, buffer)) > 0) {
            position += n;
        }
        assertEquals(-1, n, "-1 at the end");
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldChooseOpenat2WhereverTheKernelHasIt() {
        if (LinuxFiles.openat2Available()) {
            assertEquals(BlockingFiles.Opening.OPENAT2, BlockingFiles.opening());
        } else if (LinuxFiles.available()) {
            assertEquals(BlockingFiles.Opening.WALK, BlockingFiles.opening());
        } else {
            assertEquals(BlockingFiles.Opening.PATHS, BlockingFiles.opening());
        }
    }

    @Test
    void shouldOpenReadAndStatTheFileItOpenedEachWay() throws IOException {
        for (BlockingFiles.Opening opening : openings()) {
            OpenFile file = BlockingFiles.open(opening, root, "one.txt");
            try {
                assertEquals(INSIDE.length(), file.size(), opening.name());
                assertEquals(1_600_000_000_000L, file.lastModifiedMillis(), opening.name());
                assertEquals("one.txt", file.name());
                assertEquals(INSIDE, readAll(file), opening.name());
                ByteBuffer direct = ByteBuffer.allocateDirect(4);
                assertEquals(4, BlockingFiles.read(file, 2, direct), opening.name());
                assertEquals("side", StandardCharsets.UTF_8.decode(direct.flip()).toString());
            } finally {
                BlockingFiles.close(file);
            }
            BlockingFiles.close(file); // a second release does nothing
            assertThrows(ClosedChannelException.class, () -> BlockingFiles.read(file, 0, ByteBuffer.allocate(4)), opening.name());
        }
    }

    @Test
    void shouldAnswerTheStatusOfEachRefusalEachWay() throws Exception {
        Files.createDirectories(root.resolve("dir"));
        boolean fifo = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).start().waitFor(10, TimeUnit.SECONDS)
                && Files.exists(root.resolve("fifo"));
        for (BlockingFiles.Opening opening : openings()) {
            String way = opening.name();
            assertEquals(404, statusOf(opening, "missing.txt"), way);
            assertEquals(404, statusOf(opening, "missing/one.txt"), way);
            assertEquals(404, statusOf(opening, "dir"), way);
            assertEquals(403, statusOf(opening, "up.txt"), way + ": a relative link climbing out");
            assertEquals(403, statusOf(opening, "abs-out.txt"), way + ": an absolute link out");
            assertEquals(403, statusOf(opening, "race.link/page.txt"), way + ": a directory link out");
            assertEquals(403, statusOf(opening, "../outside/page.txt"), way);
            assertEquals(opening == BlockingFiles.Opening.WALK ? 403 : 200, statusOf(opening, "rel-in.txt"), way);
            if (fifo && opening != BlockingFiles.Opening.PATHS) {
                // O_NONBLOCK: the open of a FIFO with no writer returns at once, then it is no regular file.
                assertEquals(404, statusOf(opening, "fifo"), way);
            }
        }
    }

    @Test
    void shouldMapEachErrnoToTheStatusUsedBefore() {
        assertEquals(404, status(Errno.ENOENT));
        assertEquals(404, status(Errno.ENOTDIR));
        assertEquals(404, status(Errno.ENAMETOOLONG));
        assertEquals(404, status(Errno.ENXIO));
        assertEquals(403, status(Errno.EXDEV));
        assertEquals(403, status(Errno.ELOOP));
        assertEquals(403, status(Errno.EACCES));
        assertEquals(403, status(Errno.EPERM));
        ErrnoException io = new ErrnoException("openat2", "x", Errno.EIO);
        assertSame(io, BlockingFiles.refusal(io, "x"), "anything else stays itself: a 500");
        assertTrue(BlockingFiles.refusal(new ErrnoException("openat2", "a/b", Errno.EXDEV), "a/b").getMessage()
                .contains("EXDEV"), "the kernel's word is kept for the logs");
    }

    private static int status(int errno) {
        IOException e = BlockingFiles.refusal(new ErrnoException("openat2", "x", errno), "x");
        return assertInstanceOf(BlockingFiles.Refused.class, e).status();
    }

    @Test
    void shouldCloseTheDescriptorOnRelease() throws IOException {
        assumeTrue(LinuxFiles.available());
        OpenFile file = BlockingFiles.open(root, "one.txt");
        int fd = ((DescriptorSource) file.source()).fd();
        assertTrue(refersTo(fd, root.resolve("one.txt")));
        BlockingFiles.close(file);
        assertFalse(refersTo(fd, root.resolve("one.txt")), "closed (the number may already name another file)");
    }

    private static boolean refersTo(int fd, Path file) throws IOException {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).equals(file);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Against the opening itself, no HTTP in between: while a thread swaps the directory
     * {@code race} for a symlink to the outside and back, no open may ever yield the outside file.
     */
    @Test
    void shouldNeverOpenOutsideTheRootWhileADirectoryIsSwappedForASymlink() throws Exception {
        for (BlockingFiles.Opening opening : openings()) {
            if (opening == BlockingFiles.Opening.PATHS) {
                continue; // the way this race defeats: it is why the others exist
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> swapFailure = new AtomicReference<>();
            Thread swapper = Thread.ofPlatform().name("swap").start(() -> {
                try {
                    while (!stop.get()) {
                        Files.move(root.resolve("race"), root.resolve("race.dir"), StandardCopyOption.ATOMIC_MOVE);
                        Files.move(root.resolve("race.link"), root.resolve("race"), StandardCopyOption.ATOMIC_MOVE);
                        Files.move(root.resolve("race"), root.resolve("race.link"), StandardCopyOption.ATOMIC_MOVE);
                        Files.move(root.resolve("race.dir"), root.resolve("race"), StandardCopyOption.ATOMIC_MOVE);
                    }
                } catch (Throwable e) {
                    swapFailure.set(e);
                }
            });
            int served = 0;
            int refused = 0;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                for (int i = 0; i < 50_000 && System.nanoTime() < deadline; i++) {
                    OpenFile file;
                    try {
                        file = BlockingFiles.open(opening, root, "race/page.txt");
                    } catch (BlockingFiles.Refused e) {
                        assertTrue(e.status() == 403 || e.status() == 404, e.getMessage());
                        refused++;
                        continue;
                    }
                    try {
                        assertEquals(INSIDE, readAll(file), opening + " opened outside the root");
                        served++;
                    } finally {
                        BlockingFiles.close(file);
                    }
                }
            } finally {
                stop.set(true);
                swapper.join(10_000);
            }
            assertNull(swapFailure.get());
            assertTrue(served > 0 && refused > 0, opening + ": both sides of the swap were met: " + served + " served, "
                    + refused + " refused");
        }
    }
}
