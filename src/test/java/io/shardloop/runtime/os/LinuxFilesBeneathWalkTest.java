package io.shardloop.runtime.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.shardloop.runtime.os.LinuxFlags.O_CLOEXEC;
import static io.shardloop.runtime.os.LinuxFlags.O_RDONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link BeneathWalk}, the openat2 fallback: every kernel runs it, so it is tested here on this one. */
class LinuxFilesBeneathWalkTest {
    private static final long READ = O_RDONLY | O_CLOEXEC;

    @TempDir
    Path dir;
    private Path root;
    private int rootFd = -1;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(LinuxFiles.available(), () -> "Linux calls: " + LinuxFiles.unavailableReason());
        dir = dir.toRealPath();
        root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(dir.resolve("secret.txt"), "secret\n");
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/page.html"), "outside\n");
        Files.writeString(root.resolve("one.txt"), "one\n");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/deep.txt"), "deep\n");
        Files.createSymbolicLink(root.resolve("rel-in.txt"), Path.of("one.txt"));
        Files.createSymbolicLink(root.resolve("rel-dir"), Path.of("a"));
        Files.createSymbolicLink(root.resolve("abs-out.txt"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("a/out-dir"), dir.resolve("outside"));
        rootFd = LinuxFiles.openDirectory(root.toString());
    }

    @AfterEach
    void tearDown() throws ErrnoException {
        if (rootFd >= 0) {
            LinuxFiles.closePath(rootFd);
        }
    }

    private String read(String path) throws IOException {
        int fd = BeneathWalk.open(rootFd, path, READ);
        try {
            ByteBuffer buffer = ByteBuffer.allocate(256);
            LinuxFiles.pread(fd, buffer, 0);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        } finally {
            LinuxFiles.close(fd);
        }
    }

    private int errnoOf(String path) {
        return assertThrows(ErrnoException.class, () -> BeneathWalk.open(rootFd, path, READ)).errno();
    }

    @Test
    void shouldOpenFilesBeneathOneComponentAtATime() throws IOException {
        assertEquals("one\n", read("one.txt"));
        assertEquals("deep\n", read("a/b/deep.txt"));
        assertEquals("deep\n", read("a//./b/deep.txt"), "empty and . components are skipped");
    }

    @Test
    void shouldRefuseEverySymlinkWithEloopWhereverItIs() {
        assertEquals(Errno.ELOOP, errnoOf("rel-in.txt"), "the last component, even pointing inside");
        assertEquals(Errno.ELOOP, errnoOf("abs-out.txt"));
        assertEquals(Errno.ELOOP, errnoOf("rel-dir/b/deep.txt"), "a directory component");
        assertEquals(Errno.ELOOP, errnoOf("a/out-dir/page.html"), "a directory component pointing away");
    }

    @Test
    void shouldRefuseDotDotAndAbsolutePathsWithExdev() {
        assertEquals(Errno.EXDEV, errnoOf("../secret.txt"));
        assertEquals(Errno.EXDEV, errnoOf("a/../one.txt"), "even one that would stay beneath");
        assertEquals(Errno.EXDEV, errnoOf(dir.resolve("secret.txt").toString()));
    }

    @Test
    void shouldAnswerTheKernelsErrnoForWhatIsNotThere() {
        assertEquals(Errno.ENOENT, errnoOf("missing.txt"));
        assertEquals(Errno.ENOENT, errnoOf("a/missing/deep.txt"));
        assertEquals(Errno.ENOTDIR, errnoOf("one.txt/deep.txt"), "a file where a directory should be");
        assertEquals(Errno.ENOTDIR, errnoOf("one.txt/"), "a trailing slash asks for a directory");
        assertEquals(Errno.ENOENT, errnoOf(""));
        assertEquals(Errno.ENOENT, errnoOf("./"));
    }

    @Test
    void shouldCloseEveryDirectoryItWalksThrough() throws IOException {
        long before = openDescriptors();
        for (int i = 0; i < 200; i++) {
            read("a/b/deep.txt");
            assertThrows(ErrnoException.class, () -> BeneathWalk.open(rootFd, "a/out-dir/page.html", READ));
            assertThrows(ErrnoException.class, () -> BeneathWalk.open(rootFd, "a/b/missing", READ));
        }
        // Other threads of the JVM may open a few; a leak here would be 400 or more.
        assertTrue(openDescriptors() < before + 50, () -> "descriptors: " + before + " before");
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
