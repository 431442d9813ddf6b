package io.shardloop.http;

import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.ShardGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpServerTest {
    private static Path root;
    private static HttpProtocol http;
    private static ShardGroup group;
    private static int port;
    private static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        root = Files.createTempDirectory("http-server-test");
        Files.writeString(root.resolve("a.txt"), "file a\n");
        http = new HttpProtocol(HttpConfig.defaults(root));
        group = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, http)));
        port = group.port(0);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws IOException {
        client.close();
        group.close();
        Files.deleteIfExists(root.resolve("a.txt"));
        Files.deleteIfExists(root);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswerPlaintextWithHelloWorld() throws Exception {
        HttpResponse<String> r = get("/plaintext");
        assertEquals(200, r.statusCode());
        assertEquals("Hello, World!", r.body());
        assertEquals("text/plain", r.headers().firstValue("content-type").orElseThrow());
        assertEquals("13", r.headers().firstValue("content-length").orElseThrow());
        assertNotNull(HttpDate.parseSeconds(r.headers().firstValue("date").orElseThrow()) > 0 ? "" : null);
        assertEquals("shardloop", r.headers().firstValue("server").orElseThrow());
    }

    @Test
    void shouldAnswerUnknownPathsWith404AndWrongMethodsWith405() throws Exception {
        assertEquals(404, get("/nope").statusCode());
        assertEquals(404, get("/kv/k").statusCode(), "no key-value cluster: /kv is an unknown path");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/plaintext"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD", r.headers().firstValue("allow").orElseThrow());
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("DELETE /stats HTTP/1.1\r\nHost: h\r\n\r\nPUT /static/a.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx");
            assertEquals(405, raw.read().status());
            assertEquals(405, raw.read().status());
        }
    }

    @Test
    void shouldAnswerHeadWithTheHeadersAndNoBody() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("HEAD /plaintext HTTP/1.1\r\nHost: h\r\n\r\nHEAD /stats HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "HEAD /static/a.txt HTTP/1.1\r\nHost: h\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
            RawHttp.Response head = raw.read(true);
            assertEquals(200, head.status());
            assertEquals("13", head.header("content-length"));
            assertEquals(200, raw.read(true).status());
            RawHttp.Response file = raw.read(true);
            assertEquals("7", file.header("content-length"));
            assertEquals("Hello, World!", raw.read().text(), "no body bytes were sent for the HEADs");
        }
    }

    @Test
    void shouldKeepTheConnectionAliveBetweenRequests() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            for (int i = 0; i < 5; i++) {
                raw.send("GET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
                RawHttp.Response r = raw.read();
                assertEquals("Hello, World!", r.text());
                assertNull(r.header("connection"));
            }
        }
    }

    @Test
    void shouldAnswerPipelinedRequestsInRequestOrderEvenWhenAFileIsSlower() throws Exception {
        StringBuilder batch = new StringBuilder();
        String[] paths = {"/static/a.txt", "/plaintext", "/nope", "/static/a.txt", "/stats", "/static/missing", "/plaintext"};
        for (int round = 0; round < 10; round++) {
            for (String p : paths) {
                batch.append("GET ").append(p).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
            }
        }
        try (RawHttp raw = new RawHttp(port)) {
            raw.send(batch.toString());
            for (int round = 0; round < 10; round++) {
                assertEquals("file a\n", raw.read().text());
                assertEquals("Hello, World!", raw.read().text());
                assertEquals(404, raw.read().status());
                assertEquals("file a\n", raw.read().text());
                assertTrue(raw.read().text().startsWith("{\"shards\""));
                assertEquals(404, raw.read().status());
                assertEquals("Hello, World!", raw.read().text());
            }
        }
    }

    @Test
    void shouldServeRequestsSplitAcrossWrites() throws Exception {
        byte[] two = "GET /plaintext HTTP/1.1\r\nHost: h\r\n\r\nGET /nope HTTP/1.1\r\nHost: h\r\n\r\n".getBytes();
        try (RawHttp raw = new RawHttp(port)) {
            for (int i = 0; i < two.length; i += 7) {
                raw.send(java.util.Arrays.copyOfRange(two, i, Math.min(two.length, i + 7)));
                Thread.sleep(1);
            }
            assertEquals(200, raw.read().status());
            assertEquals(404, raw.read().status());
        }
    }

    @Test
    void shouldCloseAfterAnHttp10RequestUnlessAskedToKeepAlive() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /plaintext HTTP/1.0\r\n\r\n");
            RawHttp.Response r = raw.read();
            assertEquals("Hello, World!", r.text());
            assertEquals("close", r.header("connection"));
            assertTrue(raw.closedByServer());
        }
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals("keep-alive", raw.read().header("connection"));
            raw.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals("Hello, World!", raw.read().text());
        }
    }

    @Test
    void shouldCloseAfterAnsweringConnectionClose() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("GET /plaintext HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals("close", raw.read().header("connection"));
            assertTrue(raw.closedByServer(), "the request after the close is not answered");
        }
    }

    @Test
    void shouldAnswerEachProtocolErrorWithItsStatusAndClose() throws Exception {
        String[][] cases = {
            {"GET / HTTP/1.1\r\n\r\n", "400"},
            {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", "505"},
            {"BREW / HTTP/1.1\r\nHost: h\r\n\r\n", "501"},
            {"GET / HTTP/1.1\r\nHost: h\r\nX: " + "a".repeat(20_000) + "\r\n\r\n", "431"},
            {"GET /" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: h\r\n\r\n", "414"},
            {"POST /plaintext HTTP/1.1\r\nHost: h\r\nContent-Length: 5000000000\r\n\r\n", "413"},
        };
        for (String[] c : cases) {
            try (RawHttp raw = new RawHttp(port)) {
                raw.send("GET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n" + c[0]);
                assertEquals(200, raw.read().status(), "the request before the bad one is answered");
                RawHttp.Response r = raw.read();
                assertEquals(Integer.parseInt(c[1]), r.status(), c[0].substring(0, Math.min(40, c[0].length())));
                assertEquals("close", r.header("connection"));
                assertTrue(raw.closedByServer());
            }
        }
    }

    @Test
    void shouldReportEveryShardsCountersAsJsonAndPrometheusText() throws Exception {
        for (int i = 0; i < 4; i++) {
            get("/plaintext");
        }
        String json = get("/stats").body();
        assertTrue(json.contains("{\"shard\":0,"), json);
        assertTrue(json.contains("{\"shard\":1,"), json);
        long total = Long.parseLong(json.replaceAll("(?s).*\"total\":\\{[^}]*\"requests\":(\\d+).*", "$1"));
        assertTrue(total >= 5, json);
        HttpResponse<String> metrics = get("/metrics");
        assertTrue(metrics.headers().firstValue("content-type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String text = metrics.body();
        for (String family : List.of("shardloop_connections", "shardloop_http_requests_total", "shardloop_bytes_read_total",
                "shardloop_bytes_written_total", "shardloop_loop_turns_total", "shardloop_loop_busy_seconds_total",
                "shardloop_stalls_total", "shardloop_mailbox_sent_total", "shardloop_mailbox_received_total",
                "shardloop_mailbox_backlog", "shardloop_mailbox_wakeups_total")) {
            assertTrue(text.contains("# TYPE " + family + " "), family);
            assertTrue(text.contains(family + "{shard=\"0\"} "), family);
            assertTrue(text.contains(family + "{shard=\"1\"} "), family);
        }
        for (String family : List.of("shardloop_offload_queued", "shardloop_offload_completed_total",
                "shardloop_offload_rejected_total")) {
            assertTrue(text.contains("\n" + family + " "), family);
        }
        assertTrue(json.contains("\"mailbox_sent\":"), json);
        assertTrue(json.contains("\"offload\":{\"queued\":"), json);
    }

    @Test
    void shouldAnswerEveryRequestOfAFortyThousandDeepPipelineReadLate() throws Exception {
        int n = 40_000;
        try (RawHttp raw = new RawHttp(port)) {
            raw.socket().setSoTimeout(60_000);
            byte[] one = "GET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] all = new byte[one.length * n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(one, 0, all, i * one.length, one.length);
            }
            raw.send(all); // 1.5 MB sent before a single response is read
            for (int i = 0; i < n; i++) {
                RawHttp.Response r = raw.read();
                assertEquals(200, r.status(), "response " + i);
                assertEquals("Hello, World!", r.text());
            }
        }
    }

    @Test
    void shouldAnswerAnHttp10RequestWithTransferEncodingAndThenClose() throws Exception {
        try (RawHttp raw = new RawHttp(port)) {
            raw.send("POST /plaintext HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1\r\nx\r\n0\r\n\r\nGET /plaintext HTTP/1.0\r\n\r\n");
            RawHttp.Response r = raw.read();
            assertEquals(405, r.status(), "the request is answered");
            assertEquals("close", r.header("connection"), "RFC 9112 6.1: faulty framing, so the connection closes");
            assertEquals(-1, raw.socket().getInputStream().read(), "nothing more is read or answered");
        }
    }
}
