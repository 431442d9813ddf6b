package io.shardloop.baseline;

import io.shardloop.kv.StateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One behaviour contract for every way of serving: the event loops (sharded), a platform thread
 * per connection and a virtual thread per connection (over the shared stores). The scaling
 * experiment compares these models, so they must answer alike.
 */
class ServerModelContractTest {
    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(ServerModel.LOOPS, StateMode.SHARDED),
                Arguments.of(ServerModel.THREADS, StateMode.LOCKED),
                Arguments.of(ServerModel.VIRTUAL, StateMode.CONCURRENT));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void shouldSetGetAndIncrement(ServerModel model, StateMode state) throws Exception {
        try (ModelUnderTest s = ModelUnderTest.start(model, state); RespTestClient c = new RespTestClient(s.respPort)) {
            assertEquals("+PONG", c.call("PING"));
            assertEquals("+OK", c.call("SET", "greeting", "hello"));
            assertEquals("$hello", c.call("GET", "greeting"));
            assertEquals("$nil", c.call("GET", "missing"));
            assertEquals(":1", c.call("INCR", "counter"));
            assertEquals(":11", c.call("INCRBY", "counter", "10"));
            assertTrue(c.call("INCR", "greeting").startsWith("-ERR"), "INCR of a non-number is an error");
            assertTrue(c.call("NOSUCHCOMMAND").startsWith("-ERR unknown command"));
            assertTrue(c.call("INFO", "server").contains("redis_version:"));
            assertEquals("+OK", c.call("QUIT"));
            assertTrue(c.closedByServer(), "QUIT closes the connection");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void shouldAnswerPipelinedCommandsInRequestOrder(ServerModel model, StateMode state) throws Exception {
        try (ModelUnderTest s = ModelUnderTest.start(model, state); RespTestClient c = new RespTestClient(s.respPort)) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            int n = 300;
            for (int i = 0; i < n; i++) {
                batch.write(RespTestClient.encode("SET", "key:" + i, "value-" + i));
                batch.write(RespTestClient.encode("GET", "key:" + i));
                batch.write(RespTestClient.encode("INCR", "sequence"));
            }
            c.send(batch.toByteArray());
            for (int i = 0; i < n; i++) {
                assertEquals("+OK", c.read(), "SET " + i);
                assertEquals("$value-" + i, c.read(), "GET " + i);
                assertEquals(":" + (i + 1), c.read(), "INCR " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void shouldCountConcurrentIncrementsExactly(ServerModel model, StateMode state) throws Exception {
        int clients = 4;
        int batches = 10;
        int perBatch = 50;
        try (ModelUnderTest s = ModelUnderTest.start(model, state)) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < clients; t++) {
                    done.add(pool.submit(() -> {
                        try (RespTestClient c = new RespTestClient(s.respPort)) {
                            ByteArrayOutputStream batch = new ByteArrayOutputStream();
                            for (int i = 0; i < perBatch; i++) {
                                batch.write(RespTestClient.encode("INCR", "shared"));
                            }
                            byte[] bytes = batch.toByteArray();
                            for (int b = 0; b < batches; b++) {
                                c.send(bytes);
                                for (int i = 0; i < perBatch; i++) {
                                    assertTrue(c.read().startsWith(":"));
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            try (RespTestClient c = new RespTestClient(s.respPort)) {
                assertEquals("$" + clients * batches * perBatch, c.call("GET", "shared"));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void shouldAnswerPlaintextOnAKeptAliveConnection(ServerModel model, StateMode state) throws Exception {
        try (ModelUnderTest s = ModelUnderTest.start(model, state); Socket socket = new Socket("127.0.0.1", s.httpPort)) {
            socket.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < 3; i++) {
                socket.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                Response r = Response.read(in);
                assertEquals(200, r.status);
                assertEquals("Hello, World!", r.body);
                assertTrue(r.head.contains("content-type: text/plain"), r.head);
                assertTrue(r.head.contains("server: shardloop"), r.head);
            }
            socket.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Response last = Response.read(in);
            assertEquals(200, last.status);
            assertTrue(last.head.contains("connection: close"), last.head);
            assertEquals(-1, in.read(), "the server closes after a Connection: close request");
        }
    }

    @Test
    void shouldSendTheSameHttpBytesInEveryModel() throws Exception {
        String requests = "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n"
                + "HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\n"
                + "POST /plaintext HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
                + "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                + "GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        String refused = "GET /plaintext HTTP/2.0\r\nHost: t\r\n\r\n";
        List<String> answers = new ArrayList<>();
        for (Arguments a : models().toList()) {
            try (ModelUnderTest s = ModelUnderTest.start((ServerModel) a.get()[0], (StateMode) a.get()[1])) {
                answers.add(exchange(s.httpPort, requests) + "\n---\n" + exchange(s.httpPort, refused));
            }
        }
        assertTrue(answers.get(0).contains("HTTP/1.1 505 "), answers.get(0));
        assertEquals(answers.get(0), answers.get(1), "a platform thread per connection");
        assertEquals(answers.get(0), answers.get(2), "a virtual thread per connection");
    }

    /** Everything the server sends for the requests until it closes, with the dates taken out. */
    private static String exchange(int port, String requests) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)
                    .replaceAll("Date: [^\r]*", "Date: (now)");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void shouldAnswerPipelinedHttpRequestsInOrder(ServerModel model, StateMode state) throws Exception {
        try (ModelUnderTest s = ModelUnderTest.start(model, state); Socket socket = new Socket("127.0.0.1", s.httpPort)) {
            socket.setSoTimeout(10_000);
            StringBuilder requests = new StringBuilder();
            int[] expected = new int[30];
            for (int i = 0; i < expected.length; i++) {
                boolean hit = i % 3 != 1;
                requests.append("GET ").append(hit ? "/plaintext" : "/missing-" + i).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
                expected[i] = hit ? 200 : 404;
            }
            socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < expected.length; i++) {
                Response r = Response.read(in);
                assertEquals(expected[i], r.status, "response " + i);
                assertEquals(expected[i] == 200 ? "Hello, World!" : "Not Found\n", r.body, "response " + i);
            }
        }
    }

    /** One HTTP response with a Content-Length body; header names lower-cased in {@code head}. */
    record Response(int status, String head, String body) {
        static Response read(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            String statusLine = line(in);
            int length = 0;
            for (String l; !(l = line(in)).isEmpty(); ) {
                String lower = l.toLowerCase(Locale.ROOT);
                head.append(lower).append('\n');
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(lower.substring("content-length:".length()).trim());
                }
            }
            String body = new String(in.readNBytes(length), StandardCharsets.US_ASCII);
            return new Response(Integer.parseInt(statusLine.split(" ")[1]), head.toString(), body);
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("closed mid-response after: " + b);
                }
                if (c != '\r') {
                    b.append((char) c);
                }
            }
            return b.toString();
        }
    }
}
