package io.shardloop.http;

import io.shardloop.kv.Slots;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.server.ServedProtocol;
import io.shardloop.server.Server;
import io.shardloop.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /kv/{key}} against a 2-shard group, in every state mode, beside the Redis protocol on the same data. */
class HttpKvTest {
    /** One server per state mode: HTTP on endpoint 0, the Redis protocol on endpoint 1, over one store. */
    private record Both(Server server, HttpProtocol http, int httpPort, int respPort) {
    }

    private static final Map<StateMode, Both> servers = new EnumMap<>(StateMode.class);
    private static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        for (StateMode mode : StateMode.values()) {
            Server server = Server.start(ServerConfig.builder().protocols(ServedProtocol.HTTP, ServedProtocol.RESP)
                    .state(mode).runtime(RuntimeConfig.builder(2).pin(false).build()).build());
            servers.put(mode, new Both(server, server.http(), server.port(ServedProtocol.HTTP),
                    server.port(ServedProtocol.RESP)));
        }
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        servers.values().forEach(s -> s.server().close());
    }

    /** Keys named {@code prefix-N}, {@code count} owned by each of the two shards. */
    private static List<String> keysOnBothShards(String prefix, int count) {
        List<String> on0 = new ArrayList<>();
        List<String> on1 = new ArrayList<>();
        for (int i = 0; on0.size() < count || on1.size() < count; i++) {
            String k = prefix + "-" + i;
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            List<String> into = Slots.ownerOf(b, 0, b.length, 2) == 0 ? on0 : on1;
            if (into.size() < count) {
                into.add(k);
            }
        }
        List<String> all = new ArrayList<>(on0);
        all.addAll(on1);
        return all;
    }

    private static HttpResponse<byte[]> send(Both s, String method, String key, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + "/kv/" + key));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static long remoteKvRequests(Both s) {
        return s.http().counter(0, HttpStats.KV_REMOTE) + s.http().counter(1, HttpStats.KV_REMOTE);
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldPutThenGetKeysOwnedByEveryShard(StateMode mode) throws Exception {
        Both s = servers.get(mode);
        Random random = new Random(mode.ordinal());
        for (String key : keysOnBothShards("put-" + mode, 8)) {
            byte[] value = new byte[1 + random.nextInt(2000)];
            random.nextBytes(value);
            HttpResponse<byte[]> put = send(s, "PUT", key, value);
            assertEquals(204, put.statusCode(), key);
            HttpResponse<byte[]> get = send(s, "GET", key, null);
            assertEquals(200, get.statusCode(), key);
            assertArrayEquals(value, get.body(), key);
            assertEquals("application/octet-stream", get.headers().firstValue("content-type").orElseThrow());
            HttpResponse<byte[]> head = send(s, "HEAD", key, null);
            assertEquals(200, head.statusCode());
            assertEquals(String.valueOf(value.length), head.headers().firstValue("content-length").orElseThrow());
        }
        if (mode == StateMode.SHARDED) {
            assertTrue(remoteKvRequests(s) > 0, "keys of the other shard crossed over the mailbox");
        } else {
            assertEquals(0, remoteKvRequests(s), "shared state runs every command where it arrives");
        }
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldDeleteAndAnswer404ForAbsentKeys(StateMode mode) throws Exception {
        Both s = servers.get(mode);
        for (String key : keysOnBothShards("del-" + mode, 3)) {
            assertEquals(404, send(s, "GET", key, null).statusCode(), key);
            assertEquals(404, send(s, "DELETE", key, null).statusCode(), key);
            assertEquals(204, send(s, "PUT", key, "v".getBytes(StandardCharsets.UTF_8)).statusCode());
            assertEquals(204, send(s, "PUT", key, new byte[0]).statusCode(), "an empty value is a value");
            HttpResponse<byte[]> empty = send(s, "GET", key, null);
            assertEquals(200, empty.statusCode());
            assertEquals(0, empty.body().length);
            assertEquals(204, send(s, "DELETE", key, null).statusCode(), key);
            assertEquals(404, send(s, "GET", key, null).statusCode(), key);
            assertEquals(404, send(s, "DELETE", key, null).statusCode(), key);
        }
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldAnswerPipelinedKvAndPlaintextInRequestOrder(StateMode mode) throws Exception {
        Both s = servers.get(mode);
        List<String> keys = keysOnBothShards("pipe-" + mode, 4);
        StringBuilder batch = new StringBuilder();
        for (String k : keys) {
            batch.append("PUT /kv/").append(k).append(" HTTP/1.1\r\nHost: h\r\nContent-Length: ").append(k.length())
                    .append("\r\n\r\n").append(k);
            batch.append("GET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        for (String k : keys) {
            batch.append("GET /kv/").append(k).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
            batch.append("GET /kv/").append(k).append("-absent HTTP/1.1\r\nHost: h\r\n\r\n");
            batch.append("GET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        for (String k : keys) {
            batch.append("DELETE /kv/").append(k).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        try (RawHttp raw = new RawHttp(s.httpPort())) {
            raw.send(batch.toString()); // all in one write: answered in order however the owners interleave
            for (String k : keys) {
                assertEquals(204, raw.read().status(), "PUT " + k);
                assertEquals("Hello, World!", raw.read().text());
            }
            for (String k : keys) {
                RawHttp.Response get = raw.read();
                assertEquals(200, get.status(), "GET " + k);
                assertEquals(k, get.text());
                assertEquals(404, raw.read().status(), "GET " + k + "-absent");
                assertEquals("Hello, World!", raw.read().text());
            }
            for (String k : keys) {
                assertEquals(204, raw.read().status(), "DELETE " + k);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldShareTheDataWithTheRedisProtocol(StateMode mode) throws Exception {
        Both s = servers.get(mode);
        try (Socket resp = new Socket("127.0.0.1", s.respPort())) {
            resp.setSoTimeout(10_000);
            OutputStream out = resp.getOutputStream();
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(resp.getInputStream()));
            for (String key : keysOnBothShards("shared-" + mode, 3)) {
                assertEquals(204, send(s, "PUT", key, ("http:" + key).getBytes(StandardCharsets.UTF_8)).statusCode());
                out.write(command("GET", key));
                assertEquals("http:" + key, readBulk(in));
                out.write(command("SET", key, "resp:" + key));
                assertEquals("+OK", readLine(in));
                HttpResponse<byte[]> get = send(s, "GET", key, null);
                assertEquals("resp:" + key, new String(get.body(), StandardCharsets.UTF_8));
                assertEquals(204, send(s, "DELETE", key, null).statusCode());
                out.write(command("GET", key));
                assertNull(readBulk(in), "deleted over HTTP, gone over RESP");
            }
            out.write(command("RPUSH", "list-" + mode, "x"));
            assertEquals(":1", readLine(in));
            HttpResponse<byte[]> wrongType = send(s, "GET", "list-" + mode, null);
            assertEquals(500, wrongType.statusCode());
            assertTrue(new String(wrongType.body(), StandardCharsets.UTF_8).startsWith("WRONGTYPE"));
            assertEquals(204, send(s, "PUT", "a%20b%2Fc-" + mode, "spaced".getBytes(StandardCharsets.UTF_8)).statusCode());
            out.write(command("GET", "a b/c-" + mode));
            assertEquals("spaced", readBulk(in), "the key is percent-decoded");
        }
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldCarryLargeValuesToTheOwningShardAndBack(StateMode mode) throws Exception {
        Both s = servers.get(mode);
        byte[] value = new byte[900 * 1024];
        new Random(7).nextBytes(value);
        for (String key : keysOnBothShards("large-" + mode, 1)) {
            assertEquals(204, send(s, "PUT", key, value).statusCode(), key);
            HttpResponse<byte[]> get = send(s, "GET", key, null);
            assertEquals(200, get.statusCode(), key);
            assertArrayEquals(value, get.body(), key);
        }
    }

    @Test
    void shouldRefuseBadKeysMethodsAndBodies() throws Exception {
        Both s = servers.get(StateMode.SHARDED);
        try (RawHttp raw = new RawHttp(s.httpPort())) {
            raw.send("GET /kv/ HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals(400, raw.read().status(), "empty key");
            raw.send("GET /kv/%zz HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals(400, raw.read().status(), "malformed escape");
            raw.send("GET /kv/ab%4 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals(400, raw.read().status(), "cut escape");
            raw.send("GET /kv/" + "k".repeat(1025) + " HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals(414, raw.read().status(), "key over 1 KiB");
            raw.send("GET /kv/" + "%6b".repeat(1024) + " HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals(404, raw.read().status(), "1 KiB once decoded is allowed");
            raw.send("POST /kv/x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx");
            RawHttp.Response post = raw.read();
            assertEquals(405, post.status());
            assertEquals("GET, HEAD, PUT, DELETE", post.header("allow"));
            raw.send("PUT /kv/x HTTP/1.1\r\nHost: h\r\nContent-Length: " + ((1 << 20) + 1) + "\r\n\r\n");
            assertEquals(413, raw.read().status(), "the body limit applies to PUT");
            assertTrue(raw.closedByServer());
        }
    }

    // ---- a minimal RESP client -----------------------------------------------------------------

    private static byte[] command(String... words) {
        StringBuilder sb = new StringBuilder("*").append(words.length).append("\r\n");
        for (String w : words) {
            byte[] b = w.getBytes(StandardCharsets.UTF_8);
            sb.append('$').append(b.length).append("\r\n").append(w).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("closed");
            }
            sb.append((char) c);
        }
        in.read(); // '\n'
        return sb.toString();
    }

    private static String readBulk(DataInputStream in) throws IOException {
        String head = readLine(in);
        assertEquals('$', head.charAt(0), head);
        int n = Integer.parseInt(head.substring(1));
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        in.skipNBytes(2);
        return new String(b, StandardCharsets.UTF_8);
    }
}
