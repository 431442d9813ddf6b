package io.shardloop.http;

import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.ShardGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A symlink swapped in under the root while the server opens files must never lead it outside.
 * Two swaps run against the server, each in its own thread, while pipelined clients ask for both
 * paths:
 * <ul>
 *   <li>{@code race/page.txt}: the directory {@code race} is renamed away and a symlink to a
 *       directory outside the root takes its name, then the other way round. A check of the
 *       resolved path followed by an open by name loses this race: the check sees the directory,
 *       the open follows the link;</li>
 *   <li>{@code flip.txt}: a symlink replaced, by rename, between one to a file inside the root
 *       (relative) and one to a file outside it (absolute).</li>
 * </ul>
 * Every answer must be 200 with the inside file's bytes, 403 or 404; no body may hold the
 * outside file's. Bounded by a request count and a deadline, whichever comes first.
 */
class StaticFilesSymlinkRaceTest {
    private static final String INSIDE = "inside, served\n";
    private static final String SECRET = "SECRET-OUTSIDE-THE-ROOT\n";
    private static final int MAX_REQUESTS = 40_000;
    private static final long DEADLINE_NANOS = 4_000_000_000L;
    private static final int CLIENTS = 2;
    private static final int PIPELINE = 16;

    private Path dir;
    private Path root;
    private ShardGroup group;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("static-race-test").toRealPath();
        root = Files.createDirectories(dir.resolve("www"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("page.txt"), SECRET);
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.createDirectories(root.resolve("race"));
        Files.writeString(root.resolve("race/page.txt"), INSIDE);
        Files.createSymbolicLink(root.resolve("race.link"), outside);
        Files.writeString(root.resolve("inside.txt"), INSIDE);
        Files.createSymbolicLink(root.resolve("flip.txt"), Path.of("inside.txt"));
        HttpProtocol http = new HttpProtocol(HttpConfig.defaults(root));
        group = ShardGroup.start(RuntimeConfig.builder(1).pin(false).build(), List.of(Endpoint.of("127.0.0.1", 0, http)));
    }

    @AfterEach
    void stop() throws IOException {
        group.close();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void shouldNeverServeAFileOutsideTheRootWhileASymlinkIsSwappedIn() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger leaks = new AtomicInteger();
        AtomicReference<String> firstLeak = new AtomicReference<>();
        AtomicInteger broken = new AtomicInteger();
        AtomicReference<String> firstBroken = new AtomicReference<>();

        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofPlatform().name("swap-dir").start(() -> guard(failure, stop, this::swapDirectoryForLink)));
        threads.add(Thread.ofPlatform().name("swap-link").start(() -> guard(failure, stop, this::flipLink)));
        int port = group.port(0);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(Thread.ofPlatform().name("client-" + c).start(() -> guard(failure, stop, () -> {
                String batch = ("GET /static/race/page.txt HTTP/1.1\r\nHost: h\r\n\r\n"
                        + "GET /static/flip.txt HTTP/1.1\r\nHost: h\r\n\r\n").repeat(PIPELINE / 2);
                while (!stop.get() && System.nanoTime() < deadline && requests.get() < MAX_REQUESTS) {
                    try (RawHttp raw = new RawHttp(port)) {
                        while (!stop.get() && System.nanoTime() < deadline && requests.addAndGet(PIPELINE) <= MAX_REQUESTS) {
                            raw.send(batch);
                            for (int i = 0; i < PIPELINE; i++) {
                                RawHttp.Response r = raw.read();
                                statuses.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
                                String body = new String(r.body(), StandardCharsets.UTF_8);
                                if (body.contains("SECRET")) {
                                    leaks.incrementAndGet();
                                    firstLeak.compareAndSet(null, (i % 2 == 0 ? "race/page.txt" : "flip.txt")
                                            + " answered " + r.status() + ": " + body.trim());
                                } else if (r.status() == 200) {
                                    assertEquals(INSIDE, body);
                                }
                            }
                        }
                    } catch (IOException e) {
                        // A head stat'ed from one file and a body read from another: the length is
                        // the outside file's, the server closes mid-body. Counted, then a new connection.
                        broken.incrementAndGet();
                        firstBroken.compareAndSet(null, e.getMessage());
                    }
                }
            })));
        }
        for (Thread t : clients) {
            t.join(30_000);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertNull(failure.get(), () -> "a helper thread failed: " + failure.get());
        String seen = "statuses " + statuses + " over " + Math.min(requests.get(), MAX_REQUESTS) + " requests";
        assertEquals(0, leaks.get(), () -> leaks.get() + " responses carried the outside file (" + firstLeak.get() + "); " + seen);
        assertEquals(0, broken.get(), () -> broken.get() + " responses broke off (" + firstBroken.get() + "); " + seen);
        for (int status : statuses.keySet()) {
            assertTrue(status == 200 || status == 403 || status == 404, "unexpected status " + status + "; " + seen);
        }
        assertTrue(statuses.containsKey(200), "the inside file was served at times; " + seen);
        assertTrue(statuses.containsKey(403), "the link to the outside was met at times; " + seen);
    }

    /** race: the real directory, then the link to the outside directory, then the directory again. */
    private void swapDirectoryForLink(AtomicBoolean stop) throws IOException {
        Path race = root.resolve("race");
        Path parked = root.resolve("race.dir");
        Path link = root.resolve("race.link");
        while (!stop.get()) {
            Files.move(race, parked, StandardCopyOption.ATOMIC_MOVE);
            Files.move(link, race, StandardCopyOption.ATOMIC_MOVE);
            Files.move(race, link, StandardCopyOption.ATOMIC_MOVE);
            Files.move(parked, race, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** flip.txt: a link to inside.txt, replaced in one rename by a link to the outside file, and back. */
    private void flipLink(AtomicBoolean stop) throws IOException {
        Path flip = root.resolve("flip.txt");
        Path next = root.resolve("flip.next");
        Path outside = dir.resolve("outside/secret.txt");
        boolean out = false;
        while (!stop.get()) {
            out = !out;
            try {
                Files.delete(next);
            } catch (NoSuchFileException ignored) {
                // the first time round
            }
            Files.createSymbolicLink(next, out ? outside : Path.of("inside.txt"));
            Files.move(next, flip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private interface Body {
        void run(AtomicBoolean stop) throws Exception;
    }

    private interface Task {
        void run() throws Exception;
    }

    private static void guard(AtomicReference<Throwable> failure, AtomicBoolean stop, Body body) {
        guard(failure, stop, () -> body.run(stop));
    }

    private static void guard(AtomicReference<Throwable> failure, AtomicBoolean stop, Task task) {
        try {
            task.run();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
            stop.set(true);
        }
    }
}
