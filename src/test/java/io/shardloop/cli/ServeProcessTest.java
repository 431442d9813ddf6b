package io.shardloop.cli;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code shardloop serve} as its own process: serves, and on SIGTERM drains and exits with 0. */
class ServeProcessTest {
    private static final Pattern SERVING = Pattern.compile("serving echo on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void shouldServeAndExitWithZeroOnSigterm() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--protocol", "echo", "--port", "0", "--shards", "2", "--no-pin"));
        Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            StringBuffer seen = new StringBuffer();
            CompletableFuture<Integer> serving = new CompletableFuture<>();
            CountDownLatch logEnded = new CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                try (BufferedReader log = new BufferedReader(
                        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = log.readLine()) != null; ) {
                        seen.append(line).append('\n');
                        Matcher m = SERVING.matcher(line);
                        if (m.find()) {
                            serving.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException closed) {
                    // The process is gone.
                }
                serving.complete(-1);
                logEnded.countDown();
            });
            int port = serving.get(30, TimeUnit.SECONDS);
            assertTrue(port > 0, "the server never said where it serves:\n" + seen);
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write("hello".getBytes());
                assertEquals("hello", new String(s.getInputStream().readNBytes(5)));
            }
            // SIGTERM through kill(1): Process.destroy() would also close our end of its output.
            assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(server.pid())).start().waitFor());
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "the server should stop after SIGTERM");
            assertEquals(0, server.exitValue());
            assertTrue(logEnded.await(5, TimeUnit.SECONDS), "the log reader reached the end");
            assertTrue(seen.toString().contains("stopping"), seen.toString());
        } finally {
            server.destroyForcibly();
        }
    }

    /** The same flags the launcher passes, from tools/jvm.properties. */
    static List<String> jvmFlags() throws Exception {
        String text = Files.readString(Path.of("tools", "jvm.properties")).replace("\\\n", " ");
        for (String line : text.split("\n")) {
            if (line.startsWith("jvm.flags=")) {
                return List.of(line.substring("jvm.flags=".length()).trim().split("\\s+"));
            }
        }
        throw new AssertionError("no jvm.flags in tools/jvm.properties");
    }
}
