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

    @Test
    void shouldAnswerEveryRequestItReadBeforeExitingOnSigtermUnderLoad() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--protocol", "resp", "--resp-port", String.valueOf(port), "--shards", "2", "--no-pin",
                "--save", ""));
        Process server = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitPort(port);
            // Pipelined SETs over keys of both shards: many replies cross shards, some are in flight
            // when the signal lands. Every reply that arrives must be whole.
            int clients = 8;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
            List<java.util.concurrent.Future<long[]>> results = new ArrayList<>();
            CountDownLatch loaded = new CountDownLatch(clients);
            for (int c = 0; c < clients; c++) {
                int id = c;
                results.add(pool.submit(() -> pipelineUntilClosed(port, id, loaded)));
            }
            assertTrue(loaded.await(20, TimeUnit.SECONDS), "clients got going");
            assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(server.pid())).start().waitFor());
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "the server should stop after SIGTERM under load");
            assertEquals(0, server.exitValue());
            long replies = 0;
            for (var f : results) {
                long[] r = f.get(20, TimeUnit.SECONDS);
                assertEquals(0, r[1], "a client saw a partial or wrong reply");
                replies += r[0];
            }
            pool.shutdown();
            assertTrue(replies > 1000, "replies " + replies);
        } finally {
            server.destroyForcibly();
        }
    }

    /** Sends batches of SETs and reads their replies until the server closes; returns {replies, bad}. */
    private static long[] pipelineUntilClosed(int port, int id, CountDownLatch loaded) throws Exception {
        byte[] ok = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
        long replies = 0;
        long bad = 0;
        boolean counted = false;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            var in = s.getInputStream();
            var out = s.getOutputStream();
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 64; i++) {
                String key = "key-" + id + "-" + i;
                batch.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n$1\r\nv\r\n");
            }
            byte[] request = batch.toString().getBytes(StandardCharsets.US_ASCII);
            byte[] reply = new byte[ok.length];
            while (true) {
                try {
                    out.write(request);
                } catch (IOException closed) {
                    // The server stopped reading and closed: read what it still sent.
                }
                for (int i = 0; i < 64; i++) {
                    int got = in.readNBytes(reply, 0, reply.length);
                    if (got == 0) {
                        return new long[] {replies, bad};
                    }
                    if (got < reply.length || !java.util.Arrays.equals(reply, ok)) {
                        return new long[] {replies, bad + 1};
                    }
                    replies++;
                }
                if (!counted && replies >= 640) {
                    counted = true;
                    loaded.countDown();
                }
            }
        } catch (java.net.SocketException reset) {
            // A reset after the last whole reply is the server closing with bytes unread: fine.
            return new long[] {replies, bad};
        } finally {
            if (!counted) {
                loaded.countDown();
            }
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the server never listened on " + port);
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
