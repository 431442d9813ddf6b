package io.shardloop.runtime.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.shardloop.runtime.os.LinuxSockets.AGAIN;
import static io.shardloop.runtime.os.LinuxSockets.EPOLLERR;
import static io.shardloop.runtime.os.LinuxSockets.EPOLLIN;
import static io.shardloop.runtime.os.LinuxSockets.EPOLLOUT;
import static io.shardloop.runtime.os.LinuxSockets.EPOLLRDHUP;
import static io.shardloop.runtime.os.LinuxSockets.EPOLL_CTL_ADD;
import static io.shardloop.runtime.os.LinuxSockets.EPOLL_CTL_DEL;
import static io.shardloop.runtime.os.LinuxSockets.EPOLL_CTL_MOD;
import static io.shardloop.runtime.os.LinuxSockets.EPOLL_EVENT_SIZE;
import static io.shardloop.runtime.os.LinuxSockets.SOL_SOCKET;
import static io.shardloop.runtime.os.LinuxSockets.SO_ERROR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real sockets on loopback, no mocks; every wait is an epoll_wait with a timeout, none a sleep. */
@Timeout(30)
class LinuxSocketsTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final long DATA = 0x1122334455667788L;
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;
    private LinuxSockets os;
    private Arena arena;
    private MemorySegment events;
    private MemorySegment buffer;
    private final List<Integer> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux only");
        assertTrue(LinuxSockets.available(), () -> "bound on Linux: " + LinuxSockets.unavailableReason());
        os = new LinuxSockets();
        arena = Arena.ofConfined();
        events = arena.allocate(16 * EPOLL_EVENT_SIZE, 8);
        buffer = arena.allocate(64 * 1024, 8);
    }

    @AfterEach
    void tearDown() {
        if (os == null) {
            return;
        }
        for (int fd : open) {
            LinuxSockets.closeQuietly(fd);
        }
        os.close();
        arena.close();
    }

    private int track(int fd) {
        open.add(fd);
        return fd;
    }

    private void closeNow(int fd) throws ErrnoException {
        open.remove(Integer.valueOf(fd));
        os.close(fd);
    }

    private int listener(InetSocketAddress at) throws ErrnoException {
        int fd = track(os.openStream(at.getAddress() instanceof Inet6Address));
        os.setOption(fd, SOL_SOCKET, LinuxSockets.SO_REUSEADDR, 1);
        os.bind(fd, at);
        os.listen(fd, 16);
        return fd;
    }

    /** Waits, in an epoll set of its own, until {@code fd} reports one of {@code interest}; returns what it reported. */
    private int awaitReady(int fd, int interest) throws ErrnoException {
        int ep = os.epollCreate();
        try {
            os.epollCtl(ep, EPOLL_CTL_ADD, fd, interest, fd);
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (System.nanoTime() < deadline) {
                if (os.epollWait(ep, events.address(), 16, 100) > 0) {
                    assertEquals(fd, LinuxSockets.dataAt(events, 0));
                    return LinuxSockets.eventsAt(events, 0);
                }
            }
            return fail("fd " + fd + " never reported " + Integer.toHexString(interest));
        } finally {
            os.close(ep);
        }
    }

    /** A connected pair through a listener at {@code at}: {listener, client, server}. */
    private int[] connectedPair(InetSocketAddress at) throws ErrnoException {
        int listener = listener(at);
        InetSocketAddress bound = os.localAddress(listener);
        assertEquals(AGAIN, os.accept(listener), "nothing to accept yet");
        int client = track(os.openStream(at.getAddress() instanceof Inet6Address));
        if (!os.connect(client, bound)) {
            assertTrue((awaitReady(client, EPOLLOUT) & EPOLLOUT) != 0);
            assertEquals(0, os.option(client, SOL_SOCKET, SO_ERROR), "connected");
        }
        assertTrue((awaitReady(listener, EPOLLIN) & EPOLLIN) != 0);
        int server = os.accept(listener);
        assertTrue(server >= 0, "accepted " + server);
        track(server);
        return new int[] {listener, client, server};
    }

    private void writeAll(int fd, byte[] bytes) throws ErrnoException {
        MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long done = 0;
        while (done < bytes.length) {
            long n = os.write(fd, buffer.address() + done, bytes.length - done);
            if (n == AGAIN) {
                awaitReady(fd, EPOLLOUT);
            } else {
                done += n;
            }
        }
    }

    private byte[] readExactly(int fd, int length) throws ErrnoException {
        byte[] got = new byte[length];
        int done = 0;
        while (done < length) {
            long n = os.read(fd, buffer.address(), Math.min(buffer.byteSize(), length - done));
            if (n == AGAIN) {
                awaitReady(fd, EPOLLIN);
            } else if (n == 0) {
                fail("end of stream after " + done + " of " + length + " bytes");
            } else {
                MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, got, done, (int) n);
                done += (int) n;
            }
        }
        return got;
    }

    private int errnoOf(ThrowingCall call) {
        return assertThrows(ErrnoException.class, call::run).errno();
    }

    private interface ThrowingCall {
        void run() throws IOException;
    }

    @Test
    void shouldListenConnectAcceptAndCarryBytesBothWays() throws IOException {
        int[] pair = connectedPair(LOOPBACK_ANY_PORT);
        int listener = pair[0];
        int client = pair[1];
        int server = pair[2];
        InetSocketAddress listening = os.localAddress(listener);
        assertEquals(InetAddress.getLoopbackAddress(), listening.getAddress());
        assertNotEquals(0, listening.getPort(), "the kernel chose a port");
        assertEquals(listening, os.remoteAddress(client));
        assertEquals(listening, os.localAddress(server));
        assertEquals(os.localAddress(client), os.remoteAddress(server));
        assertEquals(Errno.ENOTCONN, errnoOf(() -> os.remoteAddress(listener)));

        assertEquals(AGAIN, os.read(server, buffer.address(), buffer.byteSize()), "nothing sent yet");
        writeAll(client, "hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello", new String(readExactly(server, 5), StandardCharsets.US_ASCII));

        // Three iovecs, each pointing at its own native piece.
        MemorySegment pieces = arena.allocate(64);
        MemorySegment iovecs = arena.allocate(3 * LinuxStructs.IOVEC_SIZE, 8);
        String[] parts = {"one ", "two ", "three"};
        long at = 0;
        for (int i = 0; i < parts.length; i++) {
            byte[] bytes = parts[i].getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(bytes, 0, pieces, ValueLayout.JAVA_BYTE, at, bytes.length);
            iovecs.set(ValueLayout.JAVA_LONG, i * LinuxStructs.IOVEC_SIZE + LinuxStructs.IOVEC_BASE, pieces.address() + at);
            iovecs.set(ValueLayout.JAVA_LONG, i * LinuxStructs.IOVEC_SIZE + LinuxStructs.IOVEC_LEN, bytes.length);
            at += bytes.length + 7; // gaps between the pieces: only what the iovecs name is sent
        }
        assertEquals(13, os.writev(server, iovecs.address(), 3));
        assertEquals("one two three", new String(readExactly(client, 13), StandardCharsets.US_ASCII));

        os.setOption(client, LinuxSockets.IPPROTO_TCP, LinuxSockets.TCP_NODELAY, 1);
        assertNotEquals(0, os.option(client, LinuxSockets.IPPROTO_TCP, LinuxSockets.TCP_NODELAY));
        os.setOption(client, SOL_SOCKET, LinuxSockets.SO_KEEPALIVE, 1);
        assertNotEquals(0, os.option(client, SOL_SOCKET, LinuxSockets.SO_KEEPALIVE));
        os.setOption(client, SOL_SOCKET, LinuxSockets.SO_SNDBUF, 64 * 1024);
        assertTrue(os.option(client, SOL_SOCKET, LinuxSockets.SO_SNDBUF) >= 64 * 1024, "the kernel doubles it");
        assertTrue(os.option(client, SOL_SOCKET, LinuxSockets.SO_RCVBUF) > 0);

        os.shutdownOutput(client);
        assertTrue((awaitReady(server, EPOLLIN | EPOLLRDHUP) & (EPOLLIN | EPOLLRDHUP)) != 0);
        assertEquals(0, os.read(server, buffer.address(), buffer.byteSize()), "end of stream after the peer's FIN");
        writeAll(server, "still".getBytes(StandardCharsets.US_ASCII));
        assertEquals("still", new String(readExactly(client, 5), StandardCharsets.US_ASCII), "a half-close: the client still reads");
    }

    @Test
    void shouldRefuseAPortAlreadyBoundWithEaddrinuse() throws IOException {
        int first = listener(LOOPBACK_ANY_PORT);
        InetSocketAddress taken = os.localAddress(first);
        int second = track(os.openStream(false));
        ErrnoException e = assertThrows(ErrnoException.class, () -> os.bind(second, taken));
        assertEquals(Errno.EADDRINUSE, e.errno());
        assertEquals("bind", e.call());
        assertTrue(e.getMessage().endsWith(": EADDRINUSE (Address already in use)"), e.getMessage());
    }

    @Test
    void shouldLetTwoSocketsWithReusePortBindOnePort() throws IOException {
        int first = track(os.openStream(false));
        os.setOption(first, SOL_SOCKET, LinuxSockets.SO_REUSEPORT, 1);
        os.bind(first, LOOPBACK_ANY_PORT);
        os.listen(first, 16);
        InetSocketAddress shared = os.localAddress(first);
        int second = track(os.openStream(false));
        os.setOption(second, SOL_SOCKET, LinuxSockets.SO_REUSEPORT, 1);
        assertEquals(1, os.option(second, SOL_SOCKET, LinuxSockets.SO_REUSEPORT));
        os.bind(second, shared);
        os.listen(second, 16);
        assertEquals(shared, os.localAddress(second));
    }

    @Test
    void shouldReportARefusedConnectAtOnceOrThroughSoError() throws IOException {
        // Bound but not listening: the port stays this test's, and a SYN to it is answered with a reset.
        int closedPort = track(os.openStream(false));
        os.bind(closedPort, LOOPBACK_ANY_PORT);
        InetSocketAddress refusing = os.localAddress(closedPort);
        int client = track(os.openStream(false));
        try {
            assertFalse(os.connect(client, refusing), "nothing listens there");
            int ready = awaitReady(client, EPOLLOUT);
            assertTrue((ready & (EPOLLOUT | EPOLLERR)) != 0, Integer.toHexString(ready));
            assertEquals(Errno.ECONNREFUSED, os.option(client, SOL_SOCKET, SO_ERROR));
            assertEquals(0, os.option(client, SOL_SOCKET, SO_ERROR), "reading SO_ERROR clears it");
        } catch (ErrnoException e) {
            assertEquals(Errno.ECONNREFUSED, e.errno(), e.getMessage());
            assertEquals("connect", e.call());
        }
    }

    @Test
    void shouldWakeAnEpollWaitWhenAnotherThreadSignalsItsEventfd() throws Exception {
        int eventFd = track(os.eventfd());
        int ep = track(os.epollCreate());
        os.epollCtl(ep, EPOLL_CTL_ADD, eventFd, EPOLLIN, DATA);
        assertEquals(0, os.epollWait(ep, events.address(), 16, 10), "nothing signalled: the 10 ms run out");

        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread waker = Thread.ofPlatform().start(() -> {
            try (LinuxSockets own = new LinuxSockets()) { // the waking thread's own instance
                own.signal(eventFd);
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        assertEquals(1, os.epollWait(ep, events.address(), 16, 10_000), "woken, whether the signal came before or during the wait");
        waker.join();
        assertNull(failed.get());
        assertEquals(DATA, LinuxSockets.dataAt(events, 0));
        assertEquals(EPOLLIN, LinuxSockets.eventsAt(events, 0));

        os.drain(eventFd);
        assertEquals(0, os.epollWait(ep, events.address(), 16, 10), "drained: not readable any more");
        os.drain(eventFd); // AGAIN: nothing to drain, not an error

        Thread.ofPlatform().start(() -> failed.set(LinuxSockets.signalFromAnyThread(eventFd) == 0 ? null
                : new AssertionError("signalFromAnyThread failed")));
        assertEquals(1, os.epollWait(ep, events.address(), 16, 10_000), "the static wake-up, without an instance");
        assertEquals(DATA, LinuxSockets.dataAt(events, 0));
        os.signal(eventFd);
        os.drain(eventFd);
        assertEquals(0, os.epollWait(ep, events.address(), 16, 10), "two signals, one drain");
        assertEquals(Errno.EBADF, LinuxSockets.signalFromAnyThread(-1));
        assertEquals(Errno.EINVAL, LinuxSockets.signalFromAnyThread(ep), "an epoll descriptor cannot be written");
        // A plain write(2) to an unconnected socket raises SIGPIPE, here inside a critical call: the JVM ignores it.
        assertEquals(Errno.EPIPE, LinuxSockets.signalFromAnyThread(track(os.openStream(false))));
    }

    @Test
    void shouldFailWritesToAClosedPeerWithEpipeOrEconnresetAndLiveOn() throws IOException {
        Path file = Files.write(dir.resolve("tail.bin"), new byte[4096]);
        int[] pair = connectedPair(LOOPBACK_ANY_PORT);
        int client = pair[1];
        closeNow(pair[2]);
        MemorySegment iovecs = arena.allocate(3 * LinuxStructs.IOVEC_SIZE, 8);
        for (int i = 0; i < 3; i++) {
            iovecs.set(ValueLayout.JAVA_LONG, i * LinuxStructs.IOVEC_SIZE + LinuxStructs.IOVEC_BASE, buffer.address());
            iovecs.set(ValueLayout.JAVA_LONG, i * LinuxStructs.IOVEC_SIZE + LinuxStructs.IOVEC_LEN, 1024);
        }
        // The first writes may still be taken; the closed end answers them with a reset.
        ErrnoException broken = null;
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (broken == null && System.nanoTime() < deadline) {
            try {
                if (os.writev(client, iovecs.address(), 3) == AGAIN) {
                    awaitReady(client, EPOLLOUT);
                } else {
                    awaitReady(client, EPOLLIN | EPOLLRDHUP); // the peer's FIN, then its reset
                }
            } catch (ErrnoException e) {
                broken = e;
            }
        }
        assertTrue(broken != null, "a write to a closed peer failed within the time");
        assertTrue(broken.errno() == Errno.EPIPE || broken.errno() == Errno.ECONNRESET, broken.getMessage());
        assertEquals(Errno.EPIPE, errnoOf(() -> os.write(client, buffer.address(), 10)), "the reset is reported once; then EPIPE");

        // sendfile has no MSG_NOSIGNAL: the kernel raises SIGPIPE, which the JVM's handler must ignore.
        int fileFd = LinuxFiles.openat(LinuxFlags.AT_FDCWD, file.toString(), LinuxFlags.O_RDONLY | LinuxFlags.O_CLOEXEC);
        try {
            assertEquals(Errno.EPIPE, errnoOf(() -> os.sendfile(client, fileFd, 0, 4096)));
        } finally {
            LinuxFiles.close(fileFd);
        }
        // Still alive after the SIGPIPE: a fresh connection carries bytes.
        int[] again = connectedPair(LOOPBACK_ANY_PORT);
        writeAll(again[1], "alive".getBytes(StandardCharsets.US_ASCII));
        assertEquals("alive", new String(readExactly(again[2], 5), StandardCharsets.US_ASCII));
    }

    @Test
    void shouldRoundTripOverIpv6Loopback() throws IOException {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        int probe;
        try {
            probe = track(os.openStream(true));
            os.bind(probe, v6);
        } catch (ErrnoException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            return;
        }
        closeNow(probe);
        int[] pair = connectedPair(v6);
        InetSocketAddress listening = os.localAddress(pair[0]);
        assertInstanceOf(Inet6Address.class, listening.getAddress());
        assertTrue(listening.getAddress().isLoopbackAddress());
        assertEquals(listening, os.remoteAddress(pair[1]));
        assertEquals(os.localAddress(pair[1]), os.remoteAddress(pair[2]));
        writeAll(pair[1], "over six".getBytes(StandardCharsets.US_ASCII));
        assertEquals("over six", new String(readExactly(pair[2], 8), StandardCharsets.US_ASCII));
        writeAll(pair[2], "and back".getBytes(StandardCharsets.US_ASCII));
        assertEquals("and back", new String(readExactly(pair[1], 8), StandardCharsets.US_ASCII));

        int v6only = track(os.openStream(true));
        os.setOption(v6only, LinuxSockets.IPPROTO_IPV6, LinuxSockets.IPV6_V6ONLY, 1);
        assertEquals(1, os.option(v6only, LinuxSockets.IPPROTO_IPV6, LinuxSockets.IPV6_V6ONLY));
    }

    @Test
    void shouldSendAFileWholeWithSendfile() throws IOException {
        byte[] data = new byte[1 << 20];
        new Random(11).nextBytes(data);
        Path file = Files.write(dir.resolve("data.bin"), data);
        int[] pair = connectedPair(LOOPBACK_ANY_PORT);
        int client = pair[1];
        int server = pair[2];
        // Small buffers (loopback's take ~4 MB), so the file goes in many calls, each from its own offset.
        os.setOption(server, SOL_SOCKET, LinuxSockets.SO_SNDBUF, 32 * 1024);
        os.setOption(client, SOL_SOCKET, LinuxSockets.SO_RCVBUF, 32 * 1024);
        int fileFd = LinuxFiles.openat(LinuxFlags.AT_FDCWD, file.toString(), LinuxFlags.O_RDONLY | LinuxFlags.O_CLOEXEC);
        try {
            byte[] got = new byte[data.length];
            long offset = 0;
            int received = 0;
            int calls = 0;
            while (received < data.length) {
                long sent = 0;
                if (offset < data.length) {
                    sent = os.sendfile(server, fileFd, offset, data.length - offset);
                    calls++;
                    if (sent > 0) {
                        offset += sent;
                    }
                }
                long n = os.read(client, buffer.address(), buffer.byteSize());
                if (n > 0) {
                    MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, got, received, (int) n);
                    received += (int) n;
                } else if (n == 0) {
                    fail("end of stream after " + received + " bytes");
                } else if (offset == data.length || sent == AGAIN) {
                    awaitReady(client, EPOLLIN); // the bytes are in flight
                }
            }
            assertArrayEquals(data, got);
            assertTrue(calls > 1, "sent in " + calls + " calls");
            assertEquals(0, os.sendfile(server, fileFd, data.length, 100), "0 at the end of the file");
        } finally {
            LinuxFiles.close(fileFd);
        }
    }

    @Test
    void shouldHandBackEachEventsExactDataAtTheArchitecturesOffsets() throws IOException {
        assertEquals(LinuxFlags.AARCH64 ? 16 : 12, EPOLL_EVENT_SIZE);
        assertEquals(LinuxFlags.AARCH64 ? 8 : 4, LinuxSockets.EPOLL_EVENT_DATA);
        int ep = track(os.epollCreate());
        int first = track(os.eventfd());
        int second = track(os.eventfd());
        os.epollCtl(ep, EPOLL_CTL_ADD, first, EPOLLIN, DATA);
        os.epollCtl(ep, EPOLL_CTL_ADD, second, EPOLLIN | EPOLLOUT, -1L);
        os.signal(first);
        assertEquals(2, os.epollWait(ep, events.address(), 16, 10_000));
        // The second element starts EPOLL_EVENT_SIZE bytes in: a wrong stride would garble its data.
        Set<Long> data = Set.of(LinuxSockets.dataAt(events, 0), LinuxSockets.dataAt(events, 1));
        assertEquals(Set.of(DATA, -1L), data);
        for (int i = 0; i < 2; i++) {
            int expected = LinuxSockets.dataAt(events, i) == DATA ? EPOLLIN : EPOLLOUT;
            assertEquals(expected, LinuxSockets.eventsAt(events, i), "signalled, and asked for IN; asked for OUT too, always writable");
        }

        os.epollCtl(ep, EPOLL_CTL_DEL, second, 0, 0);
        os.epollCtl(ep, EPOLL_CTL_MOD, first, EPOLLIN, 0x0102030405060708L);
        assertEquals(1, os.epollWait(ep, events.address(), 16, 10_000));
        assertEquals(0x0102030405060708L, LinuxSockets.dataAt(events, 0));
        assertEquals(Errno.EEXIST, errnoOf(() -> os.epollCtl(ep, EPOLL_CTL_ADD, first, EPOLLIN, 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> os.epollCtl(ep, EPOLL_CTL_DEL, second, 0, 0)));
        assertEquals(Errno.EBADF, errnoOf(() -> os.epollWait(-1, events.address(), 16, 0)));
    }

    @Test
    void shouldRefuseUnresolvedAddressesAndAnotherFamilysAddress() throws IOException {
        int fd = track(os.openStream(false));
        assertThrows(IllegalArgumentException.class, () -> os.bind(fd, InetSocketAddress.createUnresolved("localhost", 0)));
        assertThrows(IllegalArgumentException.class, () -> os.connect(fd, InetSocketAddress.createUnresolved("localhost", 80)));
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        assertEquals(Errno.EAFNOSUPPORT, errnoOf(() -> os.bind(fd, v6)), "an IPv6 address on an AF_INET socket");
        assertEquals(Errno.EAFNOSUPPORT, errnoOf(() -> os.connect(fd, v6)));
    }

    @Test
    void shouldCaptureTheErrnoOfEachFailedCallAndNameIt() throws IOException {
        ErrnoException e = assertThrows(ErrnoException.class, () -> os.close(-1));
        assertEquals("close fd -1: EBADF (Bad file descriptor)", e.getMessage());
        assertEquals(Errno.EBADF, errnoOf(() -> os.read(-1, buffer.address(), 8)));
        assertEquals(Errno.EBADF, errnoOf(() -> os.accept(-1)));
        assertEquals(Errno.EBADF, errnoOf(() -> os.listen(-1, 1)));
        assertEquals(Errno.EBADF, errnoOf(() -> os.setOption(-1, SOL_SOCKET, LinuxSockets.SO_REUSEADDR, 1)));
        int eventFd = track(os.eventfd());
        assertEquals(Errno.ENOTSOCK, errnoOf(() -> os.writev(eventFd, buffer.address(), 0)));
        assertEquals(Errno.EINVAL, errnoOf(() -> os.accept(track(os.openStream(false)))), "not listening");
        assertEquals(Errno.EAGAIN, Errno.EWOULDBLOCK);
        assertEquals("Connection refused", Errno.text(Errno.ECONNREFUSED));
        assertEquals("EINPROGRESS", Errno.name(115));
        assertEquals("Operation now in progress", Errno.text(115));
        assertEquals("Transport endpoint is not connected", Errno.text(Errno.ENOTCONN));
    }

    @Test
    void shouldServeTheThreadItIsHandedToAndNoneAfterClose() throws Exception {
        LinuxSockets handed = new LinuxSockets(); // made here, used there
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread user = Thread.ofPlatform().start(() -> {
            try {
                handed.close(handed.epollCreate());
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        user.join();
        assertNull(failed.get());
        handed.close();
        assertThrows(IllegalStateException.class, handed::eventfd, "its scratch memory is gone");
        handed.close(); // a second close does nothing
    }

    @Test
    void shouldCloseQuietlyWhateverTheDescriptor() throws ErrnoException {
        int fd = os.eventfd();
        LinuxSockets.closeQuietly(fd);
        assertEquals(Errno.EBADF, errnoOf(() -> os.close(fd)), "closed already");
        LinuxSockets.closeQuietly(-1); // EBADF, unnoticed
    }
}
