package io.shardloop.baseline;

import io.shardloop.kv.StateMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real redis-cli's tools against every server model: --stat reads INFO's figures, --bigkeys
 * walks SCAN with TYPE and each type's size command, --memkeys asks MEMORY USAGE of every key.
 * Skipped, saying why, where redis-cli is not installed (Debian: redis-tools).
 */
class RedisCliInfoTest {
    /** A --stat data line: keys, memory, clients, blocked, requests (+delta), connections. */
    private static final Pattern STAT_LINE = Pattern.compile(
            "^(\\d+)\\s+(\\d+(?:\\.\\d+)?[BKMGTP])\\s+(\\d+)\\s+(\\d+)\\s+(\\d+) \\(\\+(\\d+)\\)\\s+(\\d+)\\s*$");
    private static final int KEYS = 29;
    private static String redisCli;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(ServerModel.LOOPS, StateMode.SHARDED),
                Arguments.of(ServerModel.THREADS, StateMode.LOCKED),
                Arguments.of(ServerModel.VIRTUAL, StateMode.CONCURRENT));
    }

    @BeforeAll
    static void findRedisCli() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-cli");
            if (f.canExecute()) {
                redisCli = f.getPath();
                return;
            }
        }
        Assumptions.abort("redis-cli is not on the PATH (Debian: apt-get install redis-tools): redis-cli's tools are not tested");
    }

    /** Keys of every type, a big and a small one of each, so the biggest is known. */
    private static void fill(int port) throws IOException {
        try (RespTestClient c = new RespTestClient(port)) {
            assertEquals("+OK", c.call("SET", "str:small", "x".repeat(10)));
            assertEquals("+OK", c.call("SET", "str:big", "y".repeat(1000)));
            assertEquals("+OK", c.call("SET", "str:timed", "z", "EX", "1000"));
            for (int i = 0; i < 20; i++) {
                assertEquals("+OK", c.call("SET", "fill:" + i, "12345"));
            }
            for (int i = 0; i < 50; i++) {
                c.call("RPUSH", "list:big", "item-" + i);
                c.call("SADD", "set:big", "member-" + (i % 40));
                c.call("HSET", "hash:big", "field-" + (i % 30), "value-" + i);
            }
            c.call("RPUSH", "list:small", "a", "b", "c");
            c.call("SADD", "set:small", "a", "b");
            c.call("HSET", "hash:small", "f", "v");
            assertEquals(":" + KEYS, c.call("DBSIZE"));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void shouldShowRealFiguresInStatMode(ServerModel model, StateMode state) throws Exception {
        try (ModelUnderTest s = ModelUnderTest.start(model, state)) {
            fill(s.respPort);
            List<String> lines = new ArrayList<>();
            // stdbuf: redis-cli's stdout is a pipe here, fully buffered without it
            Process p = new ProcessBuilder(stdbuf("-p", String.valueOf(s.respPort), "--stat", "-i", "0.1"))
                    .redirectErrorStream(true).start();
            List<Matcher> data = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                String line;
                while (data.size() < 12 && System.nanoTime() < deadline && (line = out.readLine()) != null) {
                    lines.add(line);
                    Matcher m = STAT_LINE.matcher(line);
                    if (m.matches()) {
                        data.add(m);
                    }
                }
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            assertTrue(data.size() >= 12, "a data line every 0.1 s, each field a number:\n" + String.join("\n", lines));
            long requests = -1;
            for (Matcher m : data) {
                assertEquals(KEYS, Long.parseLong(m.group(1)), "keys: " + m.group());
                assertFalse(m.group(2).equals("0B"), "memory in use: " + m.group());
                assertTrue(Long.parseLong(m.group(3)) >= 1, "redis-cli itself is a client: " + m.group());
                assertEquals(0, Long.parseLong(m.group(4)), "blocked: " + m.group());
                long total = Long.parseLong(m.group(5));
                assertTrue(total > requests, "every INFO is a command: " + m.group());
                if (requests >= 0) {
                    assertEquals(total - requests, Long.parseLong(m.group(6)), m.group());
                }
                requests = total;
                assertTrue(Long.parseLong(m.group(7)) >= 2, "connections received: " + m.group());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void shouldFindTheBiggestKeyOfEveryType(ServerModel model, StateMode state) throws Exception {
        try (ModelUnderTest s = ModelUnderTest.start(model, state)) {
            fill(s.respPort);
            String out = run("-p", String.valueOf(s.respPort), "--bigkeys");
            assertTrue(out.contains("Sampled " + KEYS + " keys in the keyspace!"), out);
            assertBiggest(out, "string", "str:big", "1000 bytes");
            assertBiggest(out, "list", "list:big", "50 items");
            assertBiggest(out, "set", "set:big", "40 members");
            assertBiggest(out, "hash", "hash:big", "30 fields");
            assertFalse(out.contains("Warning") || out.contains("error"), out);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("models")
    void shouldFindTheKeyThatHoldsTheMostMemoryOfEveryType(ServerModel model, StateMode state) throws Exception {
        try (ModelUnderTest s = ModelUnderTest.start(model, state)) {
            fill(s.respPort);
            String out = run("-p", String.valueOf(s.respPort), "--memkeys");
            assertFalse(out.contains("Warning"), "MEMORY USAGE answered for every key:\n" + out);
            assertTrue(out.contains("Sampled " + KEYS + " keys in the keyspace!"), out);
            long string = assertBiggest(out, "string", "str:big", null);
            assertTrue(string > 1000, "the 1000-byte value, its key and its entry: " + string);
            assertBiggest(out, "list", "list:big", null);
            assertBiggest(out, "set", "set:big", null);
            assertBiggest(out, "hash", "hash:big", null);
        }
    }

    /** Asserts the summary line for a type names the key; returns its size. */
    private static long assertBiggest(String out, String type, String key, String size) {
        // redis-cli quotes the key with sdscatrepr, and 7.0 puts that in single quotes: '"str:big"'
        Matcher m = Pattern.compile("Biggest\\s+" + type + " found ['\"]+([^'\"]+)['\"]+ has (\\d+) (\\w+)").matcher(out);
        assertTrue(m.find(), "no biggest " + type + " in:\n" + out);
        assertEquals(key, m.group(1), out);
        if (size != null) {
            assertEquals(size, m.group(2) + " " + m.group(3), out);
        } else {
            assertEquals("bytes", m.group(3), out);
        }
        return Long.parseLong(m.group(2));
    }

    private static String run(String... args) throws Exception {
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).start();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes(); // ends when redis-cli exits
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "redis-cli did not finish");
        } finally {
            p.destroyForcibly();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    private static List<String> command(String... args) {
        List<String> c = new ArrayList<>(List.of(redisCli, "-h", "127.0.0.1"));
        c.addAll(List.of(args));
        return c;
    }

    /** The command with stdout line-buffered when coreutils' stdbuf is there. */
    private static List<String> stdbuf(String... args) {
        List<String> c = command(args);
        if (new File("/usr/bin/stdbuf").canExecute()) {
            c.addAll(0, List.of("/usr/bin/stdbuf", "-oL"));
        }
        return c;
    }
}
