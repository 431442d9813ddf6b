package io.shardloop.cli;

import io.shardloop.runtime.shard.DescriptorBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A server out of file descriptors: started under {@code ulimit -n 256} with a connection limit
 * above what that allows, then sent more connections than it can hold. Every accept past the limit
 * fails with EMFILE and leaves the connection queued, so the listener stays ready; the listeners
 * must back off instead of retrying at once (which burnt a core and logged 120,000 lines a second).
 */
class AcceptExhaustionProcessTest {
    private static final int OPEN_FILE_LIMIT = 256;
    /** Well past the limit: the rest wait in the listen queues (backlog 1024 each). */
    private static final int FLOOD = 600;
    private static final Duration HOLD = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private static void assumeLinuxWithRoomForTheFlood() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "reads /proc");
        assumeTrue(DescriptorBudget.processFileLimit() > FLOOD + 200, "this JVM needs room for " + FLOOD + " sockets");
    }

    private ServeProcess startOutOfDescriptors(int port) throws Exception {
        ServeProcess server = ServeProcess.start(dir.resolve("serve.log"), OPEN_FILE_LIMIT, "--protocol", "resp",
                "--resp-port", String.valueOf(port), "--shards", "2", "--no-pin", "--save", "", "--max-connections", "100000",
                "--drain-timeout", "2s");
        server.awaitLine(Pattern.compile("serving resp on 127\\.0\\.0\\.1:" + port), Duration.ofSeconds(30));
        return server;
    }

    @Test
    void shouldBackOffInsteadOfSpinningWhenAcceptsRunOutOfDescriptorsAndServeAgainOnceClientsLeave() throws Exception {
        assumeLinuxWithRoomForTheFlood();
        int port = ServeProcess.freePort();
        try (ServeProcess server = startOutOfDescriptors(port)) {
            long start = System.nanoTime();
            Duration cpuBefore = server.cpuTime();
            List<Socket> clients = flood(port);
            server.awaitLine(Pattern.compile("accept failed.*Too many open files"), Duration.ofSeconds(10));
            Thread.sleep(HOLD.toMillis()); // the flood holds: the server must sit still meanwhile
            Duration cpu = server.cpuTime().minus(cpuBefore);
            double seconds = (System.nanoTime() - start) / 1e9;
            long failureLines = server.linesContaining("accept failed");
            closeAll(clients);

            assertTrue(failureLines <= seconds + 2, failureLines + " accept-failure lines in " + seconds + " s:\n"
                    + ServeProcess.tail(server.log()));
            // A spin detector, not a speed test: a listener retrying at once takes what CPU it can
            // get (a core on an idle machine); backing off, the server needs a few percent of one.
            assertTrue(cpu.toMillis() < seconds * 1000 / 4, "the server used " + cpu.toMillis() + " ms of CPU in "
                    + seconds + " s of flood");
            assertEquals("+PONG", pingWithin(port, Duration.ofSeconds(20)));
            assertEquals(1, server.linesContaining("--max-connections 100000 is more than the open-file limit of 256"),
                    "one warning that the limit asked for does not fit:\n" + server.log());
            server.signal("TERM");
            assertEquals(0, server.awaitExit(Duration.ofSeconds(20)), server.log());
        }
    }

    @Test
    void shouldStopCleanlyWhileItsListenersBackOff() throws Exception {
        assumeLinuxWithRoomForTheFlood();
        int port = ServeProcess.freePort();
        try (ServeProcess server = startOutOfDescriptors(port)) {
            List<Socket> clients = flood(port);
            try {
                // A 1 s pause is the longest: a listener's resume timer is pending for all of it.
                server.awaitLine(Pattern.compile("not accepting there for 1000 ms"), Duration.ofSeconds(20));
                server.signal("TERM");
                assertEquals(0, server.awaitExit(Duration.ofSeconds(20)), server.log());
            } finally {
                closeAll(clients);
            }
            assertTrue(server.log().contains("stopping: no new connections"), server.log());
        }
    }

    private static List<Socket> flood(int port) {
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                clients.add(s);
            } catch (IOException queueFull) {
                closeQuietly(s); // the listen queues are full: the server is flooded enough
                break;
            }
        }
        assertTrue(clients.size() > OPEN_FILE_LIMIT, "only " + clients.size() + " connections went through");
        return clients;
    }

    /** PING on a new connection, again until it is answered or the time is up; the reply line. */
    private static String pingWithin(int port, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(2_000);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                for (int c; (c = in.read()) != -1 && c != '\r'; ) {
                    line.append((char) c);
                }
                if (!line.isEmpty()) {
                    return line.toString();
                }
            } catch (IOException e) {
                last = e; // still queued behind the flood's leftovers, or closed at once
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no PONG within " + timeout, last);
    }

    private static void closeAll(List<Socket> clients) {
        for (Socket s : clients) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is all that is wanted.
        }
    }
}
