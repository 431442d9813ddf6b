package io.shardloop.http;

import io.shardloop.http.file.BlockingFiles;
import io.shardloop.http.file.OffloadFileReader;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.offload.OffloadPool;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.runtime.transport.TestTransports;
import io.shardloop.runtime.transport.uring.IoUringTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Static files on the reader the protocol picks for the transport the suite runs on: the shard's
 * ring on io_uring, the offload pool elsewhere (the build runs this class on each transport). The
 * offload reader's threads are checked on a second server that records them.
 */
class StaticFilesTest {
    private static Path dir;
    private static Path root;
    private static final Set<String> blockingThreads = ConcurrentHashMap.newKeySet();
    private static final Set<String> callbackThreads = ConcurrentHashMap.newKeySet();
    private static ShardGroup group;
    private static ShardGroup offloadGroup;
    private static int port;
    private static HttpClient client;
    private static final long MODIFIED = 1_700_000_000_000L;

    /** The shard's offload, recording on which threads the blocking calls and their continuations run. */
    private static OffloadFileReader recordingReader(Shard shard) {
        return new OffloadFileReader(new OffloadFileReader.Offloader() {
            @Override
            public <T> int offload(Callable<T> task, OffloadPool.Completion<? super T> continuation) {
                return shard.offload(() -> {
                    blockingThreads.add(Thread.currentThread().getName());
                    return task.call();
                }, (T result, Throwable error) -> {
                    callbackThreads.add(Thread.currentThread().getName());
                    continuation.onComplete(result, error);
                });
            }
        });
    }

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("static-files-test");
        root = Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("secret.txt"), "secret\n");
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/x.txt"), "outside\n");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/page.html"), "<p>hi</p>\n");
        Files.write(root.resolve("empty.bin"), new byte[0]);
        Files.write(root.resolve("one.txt"), new byte[] {'1'});
        Files.write(root.resolve("medium.bin"), random(300_000, 1));
        Files.write(root.resolve("big.bin"), random(20 * 1024 * 1024 + 12_345, 2));
        Files.writeString(root.resolve("hello world.txt"), "spaced\n");
        Files.setLastModifiedTime(root.resolve("one.txt"), FileTime.fromMillis(MODIFIED));
        Files.createSymbolicLink(root.resolve("link-out.txt"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("link-dir"), dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link-in.txt"), root.resolve("one.txt"));
        Files.createSymbolicLink(root.resolve("link-rel.txt"), Path.of("one.txt"));
        Files.createSymbolicLink(root.resolve("sub/link-side.html"), Path.of("../one.txt"));
        Files.createSymbolicLink(root.resolve("link-up.txt"), Path.of("../secret.txt"));
        Files.createSymbolicLink(root.resolve("link-up-dir"), Path.of("../outside"));

        group = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new HttpProtocol(HttpConfig.defaults(root)))));
        port = group.port(0);
        offloadGroup = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(), List.of(Endpoint.of("127.0.0.1", 0,
                new HttpProtocol(HttpConfig.defaults(root), null, StaticFilesTest::recordingReader))));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws IOException {
        client.close();
        group.close();
        offloadGroup.close();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        return get(port, path, headers);
    }

    private static HttpResponse<byte[]> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void shouldServeFilesOfEverySizeByteForByte() throws Exception {
        for (String name : List.of("empty.bin", "one.txt", "medium.bin", "big.bin", "sub/page.html")) {
            HttpResponse<byte[]> r = get("/static/" + name);
            assertEquals(200, r.statusCode(), name);
            byte[] expected = Files.readAllBytes(root.resolve(name));
            assertEquals(expected.length, r.body().length, name);
            assertTrue(Arrays.equals(expected, r.body()), name + " differs");
            assertEquals(String.valueOf(expected.length), r.headers().firstValue("content-length").orElseThrow());
        }
    }

    @Test
    void shouldSetContentTypeByExtension() throws Exception {
        assertEquals("text/html; charset=utf-8", get("/static/sub/page.html").headers().firstValue("content-type").orElseThrow());
        assertEquals("text/plain; charset=utf-8", get("/static/one.txt").headers().firstValue("content-type").orElseThrow());
        assertEquals("application/octet-stream", get("/static/big.bin", "Range", "bytes=0-0").headers()
                .firstValue("content-type").orElseThrow());
        assertEquals("spaced\n", new String(get("/static/hello%20world.txt").body()));
    }

    @Test
    void shouldAnswerConditionalRequestsWith304() throws Exception {
        HttpResponse<byte[]> first = get("/static/one.txt");
        String etag = first.headers().firstValue("etag").orElseThrow();
        String lastModified = first.headers().firstValue("last-modified").orElseThrow();
        assertEquals(HttpDate.format(MODIFIED), lastModified);
        HttpResponse<byte[]> byEtag = get("/static/one.txt", "If-None-Match", "\"other\", " + etag);
        assertEquals(304, byEtag.statusCode());
        assertEquals(0, byEtag.body().length);
        assertEquals(etag, byEtag.headers().firstValue("etag").orElseThrow());
        assertEquals(200, get("/static/one.txt", "If-None-Match", "\"other\"").statusCode());
        assertEquals(304, get("/static/one.txt", "If-Modified-Since", lastModified).statusCode());
        assertEquals(304, get("/static/one.txt", "If-Modified-Since", HttpDate.format(MODIFIED + 60_000)).statusCode());
        assertEquals(200, get("/static/one.txt", "If-Modified-Since", HttpDate.format(MODIFIED - 60_000)).statusCode());
        assertEquals(200, get("/static/one.txt", "If-Modified-Since", "not a date").statusCode());
        assertEquals(200, get("/static/one.txt", "If-None-Match", "\"other\"", "If-Modified-Since", lastModified)
                .statusCode(), "If-None-Match wins over If-Modified-Since");
    }

    @Test
    void shouldAnswerOneRangeWith206AndAnUnsatisfiableOneWith416() throws Exception {
        byte[] big = Files.readAllBytes(root.resolve("medium.bin"));
        HttpResponse<byte[]> mid = get("/static/medium.bin", "Range", "bytes=1000-1999");
        assertEquals(206, mid.statusCode());
        assertArrayEquals(Arrays.copyOfRange(big, 1000, 2000), mid.body());
        assertEquals("bytes 1000-1999/" + big.length, mid.headers().firstValue("content-range").orElseThrow());
        HttpResponse<byte[]> open = get("/static/medium.bin", "Range", "bytes=299990-");
        assertArrayEquals(Arrays.copyOfRange(big, 299_990, big.length), open.body());
        HttpResponse<byte[]> suffix = get("/static/medium.bin", "Range", "bytes=-5");
        assertArrayEquals(Arrays.copyOfRange(big, big.length - 5, big.length), suffix.body());
        HttpResponse<byte[]> clipped = get("/static/medium.bin", "Range", "bytes=299999-999999999");
        assertArrayEquals(Arrays.copyOfRange(big, 299_999, big.length), clipped.body());
        HttpResponse<byte[]> past = get("/static/medium.bin", "Range", "bytes=300000-");
        assertEquals(416, past.statusCode());
        assertEquals("bytes */300000", past.headers().firstValue("content-range").orElseThrow());
        assertEquals(200, get("/static/medium.bin", "Range", "bytes=0-1,5-6").statusCode(), "several ranges: whole file");
        assertEquals(200, get("/static/medium.bin", "Range", "lines=1-2").statusCode());
        assertEquals(416, get("/static/empty.bin", "Range", "bytes=-1").statusCode());
    }

    @Test
    void shouldRefuseEveryPathThatEscapesTheRoot() throws Exception {
        String[] attempts = {
            "/static/../secret.txt",
            "/static/sub/../../secret.txt",
            "/static/%2e%2e/secret.txt",
            "/static/%2E%2e/secret.txt",
            "/static/.%2e/secret.txt",
            "/static/sub/%2e%2e%2f%2e%2e%2fsecret.txt",
            "/static/%2e%2e%2fsecret.txt",
            "/static/..%2fsecret.txt",
            "/static/..%5csecret.txt",
            "/static/..\\secret.txt",
            "/static/sub\\..\\..\\secret.txt",
            "/static/one.txt%00.html",
            "/static/%00",
            "/static/./one.txt",
            "/static//etc/passwd",
            "/static/%2fetc%2fpasswd",
            "/static/link-out.txt",
            "/static/link-dir/x.txt",
            "/static/link-up.txt",
            "/static/link-up-dir/x.txt",
            "/static/%c0%ae%c0%ae/secret.txt",
            "/static/",
            "/static/sub",
        };
        for (String path : attempts) {
            try (RawHttp raw = new RawHttp(port)) {
                raw.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
                RawHttp.Response r = raw.read();
                assertTrue(r.status() == 403 || r.status() == 404 || r.status() == 400, path + " got " + r.status());
                assertFalse(r.text().contains("secret") || r.text().contains("outside"), path);
            }
        }
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /static/one.txt\u0000 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals(400, raw.read().status(), "a raw NUL never reaches the file system");
        }
        assertEquals(200, get("/static/sub/./page.html".replace("./", "")).statusCode());
    }

    /**
     * Symlinks inside the root that point inside it. With openat2 (RESOLVE_BENEATH) a relative one
     * is followed and an absolute one refused, as the kernel cannot tell where an absolute one
     * lands without leaving the root; the component walk (kernels before 5.6) refuses both; Java's
     * paths (no Linux calls) follow both.
     */
    @Test
    void shouldFollowOnlyTheSymlinksTheWayOfOpeningAllows() throws Exception {
        BlockingFiles.Opening opening = BlockingFiles.opening();
        int relative = opening == BlockingFiles.Opening.WALK ? 403 : 200;
        int absolute = opening == BlockingFiles.Opening.PATHS ? 200 : 403;
        HttpResponse<byte[]> rel = get("/static/link-rel.txt");
        assertEquals(relative, rel.statusCode(), "a relative link to a file inside, opened by " + opening);
        assertEquals(relative, get("/static/sub/link-side.html").statusCode(), "a relative link with .. that stays inside");
        assertEquals(absolute, get("/static/link-in.txt").statusCode(), "an absolute link to a file inside, opened by " + opening);
        if (relative == 200) {
            assertEquals("1", new String(rel.body()));
            assertEquals("text/plain; charset=utf-8", rel.headers().firstValue("content-type").orElseThrow());
            assertEquals(HttpDate.format(MODIFIED), rel.headers().firstValue("last-modified").orElseThrow(),
                    "the target's time");
            assertEquals("text/html; charset=utf-8", get("/static/sub/link-side.html").headers()
                    .firstValue("content-type").orElseThrow(), "the type of the name asked for, not the target's");
        }
    }

    @Test
    void shouldAnswer404ForWhatIsThereButNoRegularFile() throws Exception {
        assertEquals(404, get("/static/sub").statusCode(), "a directory");
        if (BlockingFiles.opening() != BlockingFiles.Opening.PATHS) { // Java's paths answer these two with 500
            assertEquals(404, get("/static/one.txt/x").statusCode(), "a file where a directory should be (ENOTDIR)");
            assertEquals(404, get("/static/" + "n".repeat(300)).statusCode(), "a name longer than NAME_MAX (ENAMETOOLONG)");
        }
    }

    @Test
    void shouldOpenAndReadFilesOffTheLoopThreadsAndFinishOnThem() throws Exception {
        blockingThreads.clear();
        callbackThreads.clear();
        int offloadPort = offloadGroup.port(0);
        assertEquals(200, get(offloadPort, "/static/medium.bin").statusCode());
        assertEquals(404, get(offloadPort, "/static/missing.txt").statusCode());
        assertFalse(blockingThreads.isEmpty());
        for (String name : blockingThreads) {
            assertTrue(name.startsWith("offload-"), "blocking call on " + name);
        }
        assertFalse(callbackThreads.isEmpty());
        for (String name : callbackThreads) {
            assertTrue(name.startsWith("shard-"), "callback on " + name);
        }
    }

    @Test
    void shouldOpenAndReadOnTheShardsRingWhereTheTransportHasOne() throws Exception {
        boolean ring = TestTransports.current() instanceof IoUringTransport;
        long offloaded = group.offload().completed();
        assertEquals(200, get("/static/medium.bin").statusCode());
        assertEquals(404, get("/static/missing.txt").statusCode());
        if (ring) {
            assertEquals(offloaded, group.offload().completed(), "a file served on the ring went to the offload pool");
        } else {
            assertTrue(group.offload().completed() > offloaded, "without a ring, files go to the offload pool");
        }
    }

    @Test
    void shouldStreamALargeFileToAClientThatReadsSlowly() throws Exception {
        byte[] expected = Files.readAllBytes(root.resolve("big.bin"));
        try (RawHttp raw = new RawHttp(port)) {
            raw.socket().setReceiveBufferSize(16 * 1024);
            raw.send("GET /static/big.bin HTTP/1.1\r\nHost: h\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
            Thread.sleep(300); // the server fills the socket and must wait for it to drain, not read ahead
            RawHttp.Response r = raw.read();
            assertTrue(Arrays.equals(expected, r.body()));
            assertEquals("Hello, World!", raw.read().text());
        }
    }
}
