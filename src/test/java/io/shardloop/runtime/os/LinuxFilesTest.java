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
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Random;

import static io.shardloop.runtime.os.LinuxFlags.O_CLOEXEC;
import static io.shardloop.runtime.os.LinuxFlags.O_DIRECTORY;
import static io.shardloop.runtime.os.LinuxFlags.O_RDONLY;
import static io.shardloop.runtime.os.LinuxFlags.RESOLVE_BENEATH;
import static io.shardloop.runtime.os.LinuxFlags.RESOLVE_NO_MAGICLINKS;
import static io.shardloop.runtime.os.LinuxFlags.RESOLVE_NO_SYMLINKS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LinuxFilesTest {
    private static final long READ = O_RDONLY | O_CLOEXEC;
    private static final long BENEATH = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

    @TempDir
    Path dir;
    private Path root;
    private int rootFd = -1;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux only");
        assertTrue(LinuxFiles.available(), () -> "bound on Linux: " + LinuxFiles.unavailableReason());
        dir = dir.toRealPath();
        root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(dir.resolve("secret.txt"), "secret\n");
        Files.writeString(root.resolve("one.txt"), "one\n");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/page.html"), "<p>page</p>\n");
        Files.createSymbolicLink(root.resolve("rel-in.txt"), Path.of("one.txt"));
        Files.createSymbolicLink(root.resolve("rel-dir"), Path.of("sub"));
        Files.createSymbolicLink(root.resolve("abs-in.txt"), root.resolve("one.txt"));
        Files.createSymbolicLink(root.resolve("rel-up.txt"), Path.of("../secret.txt"));
        Files.createSymbolicLink(root.resolve("sub/rel-side.txt"), Path.of("../one.txt"));
        rootFd = LinuxFiles.openDirectory(root.toString());
    }

    @AfterEach
    void tearDown() throws ErrnoException {
        if (rootFd >= 0) {
            LinuxFiles.closePath(rootFd);
        }
    }

    private String readAll(int fd) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        long position = 0;
        int n;
        while ((n = LinuxFiles.pread(fd, buffer, position)) > 0) {
            position += n;
        }
        buffer.flip();
        return StandardCharsets.UTF_8.decode(buffer).toString();
    }

    private String openBeneathAndRead(String path) throws IOException {
        int fd = LinuxFiles.openat2(rootFd, path, READ, BENEATH);
        try {
            return readAll(fd);
        } finally {
            LinuxFiles.close(fd);
        }
    }

    private int errnoOf(ThrowingCall call) {
        return assertThrows(ErrnoException.class, call::run).errno();
    }

    private interface ThrowingCall {
        void run() throws IOException;
    }

    @Test
    void shouldOpenBeneathTheDirectoryAndFollowRelativeLinksThatStayBeneath() throws IOException {
        assumeTrue(LinuxFiles.openat2Available(), () -> "openat2: " + LinuxFiles.openat2MissingReason());
        assertEquals("one\n", openBeneathAndRead("one.txt"));
        assertEquals("<p>page</p>\n", openBeneathAndRead("sub/page.html"));
        assertEquals("one\n", openBeneathAndRead("rel-in.txt"));
        assertEquals("<p>page</p>\n", openBeneathAndRead("rel-dir/page.html"));
        assertEquals("one\n", openBeneathAndRead("sub/rel-side.txt"), "a link with .. that stays beneath");
        assertEquals("one\n", openBeneathAndRead("sub/../one.txt"), ".. that stays beneath");
    }

    @Test
    void shouldRefuseDotDotAbsolutePathsAndLinksThatLeaveWithExdev() {
        assumeTrue(LinuxFiles.openat2Available(), () -> "openat2: " + LinuxFiles.openat2MissingReason());
        assertEquals(Errno.EXDEV, errnoOf(() -> LinuxFiles.openat2(rootFd, "../secret.txt", READ, BENEATH)));
        assertEquals(Errno.EXDEV, errnoOf(() -> LinuxFiles.openat2(rootFd, "sub/../../secret.txt", READ, BENEATH)));
        assertEquals(Errno.EXDEV, errnoOf(() -> LinuxFiles.openat2(rootFd, dir.resolve("secret.txt").toString(), READ, BENEATH)));
        assertEquals(Errno.EXDEV, errnoOf(() -> LinuxFiles.openat2(rootFd, "rel-up.txt", READ, BENEATH)));
        assertEquals(Errno.EXDEV, errnoOf(() -> LinuxFiles.openat2(rootFd, "abs-in.txt", READ, BENEATH)),
                "an absolute link is refused even when it points inside");
    }

    @Test
    void shouldRefuseEveryLinkWithNoSymlinksAndMagicLinksWithNoMagicLinks() throws IOException {
        assumeTrue(LinuxFiles.openat2Available(), () -> "openat2: " + LinuxFiles.openat2MissingReason());
        assertEquals(Errno.ELOOP, errnoOf(() -> LinuxFiles.openat2(rootFd, "rel-in.txt", READ, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)));
        assertEquals(Errno.ELOOP, errnoOf(() -> LinuxFiles.openat2(rootFd, "rel-dir/page.html", READ, RESOLVE_NO_SYMLINKS)));
        int proc = LinuxFiles.openDirectory("/proc/self");
        try {
            // fd/N is a magic link to the root directory itself.
            assertEquals(Errno.ELOOP, errnoOf(() -> LinuxFiles.openat2(proc, "fd/" + rootFd, READ, RESOLVE_NO_MAGICLINKS)));
            int viaMagic = LinuxFiles.openat2(proc, "fd/" + rootFd, READ | O_DIRECTORY, 0);
            LinuxFiles.close(viaMagic); // the same call without the flag follows it: the flag is what refused
        } finally {
            LinuxFiles.closePath(proc);
        }
    }

    @Test
    void shouldCaptureTheErrnoOfEachFailedCallAndNameIt() throws IOException {
        ErrnoException missing = assertThrows(ErrnoException.class, () -> LinuxFiles.openat(rootFd, "missing.txt", READ));
        assertEquals(Errno.ENOENT, missing.errno());
        assertEquals("openat", missing.call());
        assertEquals("openat missing.txt: ENOENT (No such file or directory)", missing.getMessage());
        assertEquals(Errno.ENOTDIR, errnoOf(() -> LinuxFiles.openat(rootFd, "one.txt", READ | O_DIRECTORY)));
        assertEquals(Errno.ENOTDIR, errnoOf(() -> LinuxFiles.openat(rootFd, "one.txt/x", READ)));
        assertEquals(Errno.ENAMETOOLONG, errnoOf(() -> LinuxFiles.openat(rootFd, "n".repeat(300), READ)), "from the kernel");
        assertEquals(Errno.ENAMETOOLONG, errnoOf(() -> LinuxFiles.openat(rootFd, "a/".repeat(2100), READ)), "past PATH_MAX");
        assertEquals(Errno.EBADF, errnoOf(() -> LinuxFiles.fstat(-1)));
        assertEquals(Errno.EBADF, errnoOf(() -> LinuxFiles.close(-1)));
        assertEquals(Errno.EBADF, errnoOf(() -> LinuxFiles.pread(-1, ByteBuffer.allocate(8), 0)));
        int sub = LinuxFiles.openat(rootFd, "sub", READ | O_DIRECTORY);
        try {
            assertEquals(Errno.EISDIR, errnoOf(() -> LinuxFiles.pread(sub, ByteBuffer.allocate(8), 0)));
        } finally {
            LinuxFiles.close(sub);
        }
        int fd = LinuxFiles.openat(rootFd, "one.txt", READ);
        LinuxFiles.close(fd);
        assertEquals(Errno.EBADF, errnoOf(() -> LinuxFiles.close(fd)), "closed once only");
        assertThrows(IllegalArgumentException.class, () -> LinuxFiles.openat(rootFd, "one.txt\0.html", READ));
    }

    @Test
    void shouldNameErrnoValuesAsGlibcDoesAndNumberTheUnknown() {
        assertEquals("EXDEV", Errno.name(Errno.EXDEV));
        assertEquals("Invalid cross-device link", Errno.text(Errno.EXDEV));
        assertEquals("ELOOP", Errno.name(40));
        assertEquals("Too many levels of symbolic links", Errno.text(40));
        assertEquals("ENOSYS", Errno.name(38));
        assertEquals("errno 200", Errno.name(200));
        assertEquals("Unknown error 200", Errno.text(200));
        assertEquals("errno 0", Errno.name(0));
        assertEquals("errno -3", Errno.name(-3));
        assertEquals("statx fd 7: EBADF (Bad file descriptor)", new ErrnoException("statx", "fd 7", Errno.EBADF).getMessage());
    }

    @Test
    void shouldStatTypeSizeAndModificationTimeOfAnOpenDescriptor() throws IOException {
        Files.setLastModifiedTime(root.resolve("one.txt"), FileTime.fromMillis(1_700_000_000_123L));
        int fd = LinuxFiles.openat(rootFd, "one.txt", READ);
        try {
            FileStatus status = LinuxFiles.fstat(fd);
            assertTrue(status.isRegularFile());
            assertFalse(status.isDirectory());
            assertEquals(4, status.size());
            assertEquals(1_700_000_000_123L, status.lastModifiedMillis());
            assertEquals(Files.getPosixFilePermissions(root.resolve("one.txt")).size(),
                    Integer.bitCount(status.mode() & 0777));
        } finally {
            LinuxFiles.close(fd);
        }
        assertTrue(LinuxFiles.fstat(rootFd).isDirectory(), "an O_PATH descriptor can be stat'ed");
        assertTrue(LinuxFiles.lstatAt(rootFd, "rel-in.txt").isSymbolicLink());
        assertTrue(LinuxFiles.lstatAt(rootFd, "sub").isDirectory());
    }

    @Test
    void shouldReadAtAPositionIntoDirectAndHeapBuffers() throws IOException {
        byte[] data = new byte[LinuxFiles.BOUNCE_MAX + 300_000];
        new Random(7).nextBytes(data);
        Files.write(root.resolve("data.bin"), data);
        int fd = LinuxFiles.openat(rootFd, "data.bin", READ);
        try {
            ByteBuffer direct = ByteBuffer.allocateDirect(1000);
            direct.position(10);
            assertEquals(990, LinuxFiles.pread(fd, direct, 5000));
            assertEquals(1000, direct.position());
            byte[] got = new byte[990];
            direct.position(10).get(got);
            assertArrayEquals(Arrays.copyOfRange(data, 5000, 5990), got);

            byte[] backing = new byte[600];
            ByteBuffer heap = ByteBuffer.wrap(backing, 50, 500).slice(); // arrayOffset 50
            heap.position(100);
            assertEquals(400, LinuxFiles.pread(fd, heap, 123));
            assertArrayEquals(Arrays.copyOfRange(data, 123, 523), Arrays.copyOfRange(backing, 150, 550));
            assertEquals(0, backing[149]);
            assertEquals(0, backing[550]);

            ByteBuffer large = ByteBuffer.allocate(data.length);
            assertEquals(LinuxFiles.BOUNCE_MAX, LinuxFiles.pread(fd, large, 0), "a heap read stops at the bounce buffer");
            assertEquals(data.length - LinuxFiles.BOUNCE_MAX, LinuxFiles.pread(fd, large, LinuxFiles.BOUNCE_MAX));
            assertArrayEquals(data, large.array());

            ByteBuffer tail = ByteBuffer.allocate(100);
            assertEquals(10, LinuxFiles.pread(fd, tail, data.length - 10));
            assertEquals(0, LinuxFiles.pread(fd, tail.clear(), data.length), "0 at the end");
            assertEquals(0, LinuxFiles.pread(fd, ByteBuffer.allocate(0), 0), "0 with no room, no call");
        } finally {
            LinuxFiles.close(fd);
        }
    }

    @Test
    void shouldProbeOpenat2Once() {
        // This kernel is 5.6 or later unless a seccomp filter hides the call: then the reason says which errno.
        if (!LinuxFiles.openat2Available()) {
            String reason = LinuxFiles.openat2MissingReason();
            assertTrue(reason.contains("ENOSYS") || reason.contains("EPERM"), reason);
        } else {
            assertNull(LinuxFiles.openat2MissingReason());
        }
        assertNull(LinuxFiles.unavailableReason());
    }
}
