package io.shardloop.kv;

import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.shardloop.kv.RdbSamples.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RDB files against redis-server 7.0.15: a file written here loads there with the same keys,
 * values, encodings and expiries (and redis-check-rdb passes it), and the files redis-server
 * writes, every encoding and a function library in them, read here with the same content.
 * Skipped where redis-server is not installed.
 */
class RdbRedisInteropTest {
    private static final Path SERVER = Path.of("/usr/bin/redis-server");
    private static final Path CLI = Path.of("/usr/bin/redis-cli");
    private static final Path CHECK = Path.of("/usr/bin/redis-check-rdb");
    private static final String LIBRARY = "#!lua name=rdblib\n"
            + "redis.register_function('echo_first', function(keys, args) return args[1] end)";

    @TempDir
    Path dir;

    @BeforeEach
    void needsRedis() {
        assumeTrue(Files.isExecutable(SERVER) && Files.isExecutable(CLI) && Files.isExecutable(CHECK),
                "redis-server, redis-cli and redis-check-rdb are not installed");
    }

    /** OBJECT ENCODING of each sample once redis-server holds it. */
    private static final Map<String, String> ENCODINGS = Map.ofEntries(
            Map.entry("str:raw", "embstr"), Map.entry("str:int8", "int"), Map.entry("str:int16", "int"),
            Map.entry("str:int32", "int"), Map.entry("str:not-int", "int"), Map.entry("str:leading-zero", "embstr"),
            Map.entry("str:empty", "embstr"), Map.entry("str:long", "raw"), Map.entry("12", "embstr"),
            Map.entry("list:small", "quicklist"), Map.entry("list:big", "quicklist"), Map.entry("list:plain", "quicklist"),
            Map.entry("set:intset", "intset"), Map.entry("set:hashtable", "hashtable"), Map.entry("set:big", "hashtable"),
            Map.entry("hash:listpack", "listpack"), Map.entry("hash:hashtable", "hashtable"),
            Map.entry("hash:long-value", "hashtable"), Map.entry("zset:listpack", "listpack"),
            Map.entry("zset:skiplist", "skiplist"), Map.entry("last", "hashtable"), Map.entry("expiring", "embstr"));

    @Test
    void shouldLoadAFileWrittenHereInRedis() throws Exception {
        long expireAt = System.currentTimeMillis() + 3_600_000;
        List<RdbSamples.Sample> samples = RdbSamples.everyType(expireAt, false);
        RdbFileWriter w = new RdbFileWriter();
        w.header(RdbHeader.now(1_000_000, false));
        w.function(LIBRARY);
        RdbSamples.writeBody(w, samples);
        w.finish();
        Path file = dir.resolve("x.rdb");
        try (var out = Files.newByteChannel(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            w.drainTo(out);
        }

        String check = run(CHECK.toString(), file.toString());
        assertTrue(check.contains("RDB looks OK"), check);

        try (Redis redis = Redis.start(dir, "x.rdb")) {
            assertEquals(keyspace(samples), keyspaceOf(run(CLI.toString(), "-p", Integer.toString(redis.port), "INFO", "keyspace")));
            Map<String, RdbSamples.Found> found = new LinkedHashMap<>();
            for (RdbSamples.Sample s : samples) {
                redis.call("SELECT", Integer.toString(s.db()));
                String key = s.keyText();
                assertEquals(ENCODINGS.get(key), redis.call("OBJECT", "ENCODING", key), key);
                found.put(s.db() + ":" + key, new RdbSamples.Found(redis.contents(key), (Long) redis.call("PEXPIRETIME", key)));
            }
            assertEquals(RdbSamples.expected(samples), found);
            assertEquals("hello", redis.call("FCALL", "echo_first", "0", "hello"));
        }
    }

    @Test
    void shouldReadTheFilesRedisWrites() throws Exception {
        long expireAt = System.currentTimeMillis() + 3_600_000;
        List<RdbSamples.Sample> samples = new ArrayList<>(RdbSamples.everyType(expireAt, false));
        // Elements past the threshold set below go in quicklist nodes of their own (PLAIN).
        samples.add(new RdbSamples.Sample(0, b("list:plain"), RdbSamples.list("small", "y".repeat(2000), "z"), -1));
        try (Redis redis = Redis.start(dir, "x.rdb", "--enable-debug-command", "yes", "--maxmemory-policy", "allkeys-lfu")) {
            assertEquals("OK", redis.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000"));
            for (RdbSamples.Sample s : samples) {
                redis.call("SELECT", Integer.toString(s.db()));
                redis.store(s.keyText(), s.value());
                if (s.expireAtMs() >= 0) {
                    assertEquals(1L, redis.call("PEXPIREAT", s.keyText(), Long.toString(s.expireAtMs())));
                }
                assertEquals(ENCODINGS.get(s.keyText()), redis.call("OBJECT", "ENCODING", s.keyText()), s.keyText());
            }
            assertEquals("rdblib", redis.call("FUNCTION", "LOAD", LIBRARY));
            assertEquals("OK", redis.call("SAVE"));
            Files.move(dir.resolve("x.rdb"), dir.resolve("lfu.rdb"));
            // The same again with LRU idle times (IDLE) in place of LFU counters (FREQ).
            assertEquals("OK", redis.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
            assertEquals("OK", redis.call("SAVE"));
        }
        for (String name : List.of("lfu.rdb", "x.rdb")) {
            RdbCollector c = new RdbCollector();
            RdbFileReader.read(dir.resolve(name), c);
            assertEquals(10, c.version);
            assertEquals("7.0.15", c.aux.get("redis-ver"));
            assertEquals("0", c.aux.get("aof-base"));
            assertEquals(List.of(LIBRARY), c.functions);
            assertEquals(List.of(0, 3, 15), c.selected);
            assertEquals(RdbSamples.expected(samples), Map.copyOf(c.entries), name);
            assertTrue(c.ended);
        }
    }

    /** Per database with keys, "keys=N,expires=M". */
    private static Map<Integer, String> keyspace(List<RdbSamples.Sample> samples) {
        Map<Integer, String> out = new TreeMap<>();
        for (int db = 0; db < 16; db++) {
            int d = db;
            long keys = samples.stream().filter(s -> s.db() == d).count();
            long expires = samples.stream().filter(s -> s.db() == d && s.expireAtMs() >= 0).count();
            if (keys > 0) {
                out.put(db, "keys=" + keys + ",expires=" + expires);
            }
        }
        return out;
    }

    /** INFO keyspace's lines "db0:keys=19,expires=6,avg_ttl=..." as {@link #keyspace} writes them. */
    private static Map<Integer, String> keyspaceOf(String info) {
        Map<Integer, String> out = new TreeMap<>();
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("db")) {
                String[] parts = line.split("[:,]");
                out.put(Integer.parseInt(parts[0].substring(2)), parts[1] + "," + parts[2]);
            }
        }
        return out;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    /** A redis-server on a free loopback port, in a test's directory, with one connection to it. */
    private static final class Redis implements AutoCloseable {
        private final Process process;
        private final int port;
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        private Redis(Process process, int port, Socket socket) throws IOException {
            this.process = process;
            this.port = port;
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.in = new BufferedInputStream(socket.getInputStream());
        }

        static Redis start(Path dir, String dbfilename, String... extra) throws Exception {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            List<String> command = new ArrayList<>(List.of(SERVER.toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--dir", dir.toString(), "--dbfilename", dbfilename, "--save", "",
                    "--appendonly", "no", "--logfile", dir.resolve("redis.log").toString()));
            command.addAll(Arrays.asList(extra));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.out").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (true) {
                try {
                    Redis r = new Redis(p, port, new Socket("127.0.0.1", port));
                    r.socket.setSoTimeout(30_000);
                    while (!"PONG".equals(r.callOrError("PING"))) {
                        Thread.sleep(20);
                    }
                    return r;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline || !p.isAlive()) {
                        p.destroyForcibly();
                        throw new IOException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
                    }
                    Thread.sleep(20);
                }
            }
        }

        private record ErrorReply(String text) {
        }

        /** A command's reply: String, Long, List or null; an error reply fails the test. */
        Object call(String... words) throws IOException {
            Object reply = callOrError(words);
            if (reply instanceof ErrorReply e) {
                String command = String.join(" ", words);
                throw new AssertionError(command.substring(0, Math.min(80, command.length())) + ": " + e.text());
            }
            return reply;
        }

        private Object callOrError(String... words) throws IOException {
            out.write(RawResp.encode(words));
            out.flush();
            return reply();
        }

        private Object reply() throws IOException {
            String line = line();
            return switch (line.charAt(0)) {
                case '+' -> line.substring(1);
                case '-' -> new ErrorReply(line);
                case ':' -> Long.parseLong(line.substring(1));
                case '$' -> {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        yield null;
                    }
                    byte[] data = in.readNBytes(n + 2);
                    yield new String(data, 0, n, StandardCharsets.UTF_8);
                }
                case '*' -> {
                    int n = Integer.parseInt(line.substring(1));
                    List<Object> items = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        items.add(reply());
                    }
                    yield items;
                }
                default -> throw new IOException("unexpected reply " + line);
            };
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        /** Stores a value under a key, with the command of its type. */
        void store(String key, Object value) throws IOException {
            List<String> words = new ArrayList<>();
            switch (value) {
                case byte[] s -> words.addAll(List.of("SET", key, text(s)));
                case java.util.ArrayDeque<?> list -> {
                    words.addAll(List.of("RPUSH", key));
                    list.forEach(e -> words.add(text((byte[]) e)));
                }
                case MemberSet set -> {
                    words.addAll(List.of("SADD", key));
                    for (int i = 0; i < set.size(); i++) {
                        words.add(set.member(i).toString());
                    }
                }
                case HashMap<?, ?> hash -> {
                    words.addAll(List.of("HSET", key));
                    hash.forEach((f, v) -> {
                        words.add(f.toString());
                        words.add(text((byte[]) v));
                    });
                }
                case SortedSet zset -> {
                    words.addAll(List.of("ZADD", key));
                    for (SortedSet.Node n = zset.first(); n != null; n = n.next()) {
                        words.add(Double.isInfinite(n.score) ? (n.score > 0 ? "+inf" : "-inf") : Double.toString(n.score));
                        words.add(n.member.toString());
                    }
                }
                default -> throw new IllegalArgumentException(String.valueOf(value));
            }
            call(words.toArray(String[]::new));
        }

        /** A key's value in the form of {@link ValueCodecTest#contents}, read with the commands of its type. */
        @SuppressWarnings("unchecked")
        Object contents(String key) throws IOException {
            String type = (String) call("TYPE", key);
            return switch (type) {
                case "string" -> call("GET", key);
                case "list" -> call("LRANGE", key, "0", "-1");
                case "set" -> new TreeSet<>((List<Object>) call("SMEMBERS", key));
                case "hash" -> {
                    List<Object> flat = (List<Object>) call("HGETALL", key);
                    Map<String, String> m = new TreeMap<>();
                    for (int i = 0; i < flat.size(); i += 2) {
                        m.put((String) flat.get(i), (String) flat.get(i + 1));
                    }
                    yield m;
                }
                case "zset" -> {
                    List<Object> flat = (List<Object>) call("ZRANGE", key, "0", "-1", "WITHSCORES");
                    List<String> out = new ArrayList<>();
                    for (int i = 0; i < flat.size(); i += 2) {
                        double score = switch ((String) flat.get(i + 1)) {
                            case "inf" -> Double.POSITIVE_INFINITY;
                            case "-inf" -> Double.NEGATIVE_INFINITY;
                            default -> Double.parseDouble((String) flat.get(i + 1));
                        };
                        out.add(flat.get(i) + "=" + Long.toHexString(Double.doubleToRawLongBits(score)));
                    }
                    yield out;
                }
                default -> throw new AssertionError(key + " has type " + type);
            };
        }

        private static String text(byte[] b) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
