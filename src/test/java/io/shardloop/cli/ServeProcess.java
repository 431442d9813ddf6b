package io.shardloop.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code shardloop serve} in a child JVM of its own, as the launcher starts it, with its log in a
 * file (so a server that logs too much is never slowed by a reader) and, where asked, under an
 * open-file limit set by {@code ulimit -n}. Linux only: it reads {@code /proc}.
 */
final class ServeProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ServeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * @param openFileLimit the {@code ulimit -n} to start under, or 0 for the test's own
     * @param serveArgs     the arguments after {@code serve}
     */
    static ServeProcess start(Path log, int openFileLimit, String... serveArgs) throws Exception {
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.addAll(ServeProcessTest.jvmFlags());
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
        java.addAll(List.of(serveArgs));
        List<String> command = java;
        if (openFileLimit > 0) {
            // exec: the pid is the JVM's, and signals reach it directly.
            StringBuilder line = new StringBuilder("ulimit -n " + openFileLimit + " && exec");
            for (String word : java) {
                line.append(" '").append(word.replace("'", "'\\''")).append('\'');
            }
            command = List.of("bash", "-c", line.toString());
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new ServeProcess(process, log);
    }

    /** A port free a moment ago, for a protocol that cannot be asked to take any (RESP's 0 means "off"). */
    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    Process process() {
        return process;
    }

    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Waits until a line of the log matches; fails, with the log, if none does in time or the process ends. */
    Matcher awaitLine(Pattern pattern, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = log();
            Matcher m = pattern.matcher(text);
            if (m.find()) {
                return m;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no line matching " + pattern + " (alive " + process.isAlive() + "):\n" + tail(text));
            }
            Thread.sleep(20);
        }
    }

    /** How many lines of the log contain the text. */
    long linesContaining(String text) throws IOException {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }

    /** CPU time the process has used, user and system, from /proc/PID/stat. */
    Duration cpuTime() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
        return Duration.ofMillis(ticks * 1000 / clockTicksPerSecond());
    }

    void signal(String name) throws Exception {
        if (new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    /** Waits for the process to end; its exit status, or fails if it is still running at the timeout. */
    int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running " + timeout.toMillis() + " ms later:\n" + tail(log()));
        }
        return process.exitValue();
    }

    static String tail(String text) {
        return text.length() <= 6_000 ? text : "..." + text.substring(text.length() - 6_000);
    }

    private static long clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        } catch (IOException | NumberFormatException e) {
            return 100; // USER_HZ, what /proc reports in on every Linux architecture in use
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
