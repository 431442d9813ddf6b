package io.shardloop.runtime.loop;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default failure policy: an exception is logged and nothing stops; an Error ends the process with one line. */
class HaltOnErrorTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicInteger haltedWith = new AtomicInteger(-1);
    private final HaltOnError handler = new HaltOnError(() -> new PrintStream(err, true, StandardCharsets.UTF_8), haltedWith::set);

    @Test
    void shouldWriteOneLineAndHaltWithItsStatusOnAnError() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        oom.setStackTrace(new StackTraceElement[] {new StackTraceElement("io.shardloop.kv.Db", "put", "Db.java", 40)});
        handler.onFailure("shard-1", "a task", oom);
        assertEquals("shardloop: fatal OutOfMemoryError on shard-1 (Java heap space) in a task"
                + " at io.shardloop.kv.Db.put(Db.java:40): exiting" + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
        assertEquals(HaltOnError.EXIT_STATUS, haltedWith.get());
    }

    @Test
    void shouldKeepAManyLineMessageOnOneLine() {
        handler.onFailure("shard-0", "a timer", new AssertionError("expected 1\n  but was 2"));
        String out = err.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("shardloop: fatal AssertionError on shard-0 (expected 1 but was 2) in a timer at "), out);
        assertEquals(1, out.lines().count(), out);
        assertEquals(HaltOnError.EXIT_STATUS, haltedWith.get());
    }

    @Test
    void shouldNeitherHaltNorWriteToStderrForAnException() {
        handler.onFailure("shard-0", "a task", new IllegalStateException("logged, the loop goes on"));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertEquals(-1, haltedWith.get());
    }

    @Test
    void shouldHaltTheProcessWithOneLineOnStderrWhenALoopThrowsAnError() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FatalLoopErrorMain.class.getName()));
        Process process = new ProcessBuilder(command).start();
        try {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the process should end by itself");
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(HaltOnError.EXIT_STATUS, process.exitValue(), "stdout: " + stdout + "\nstderr: " + stderr);
            assertEquals(1, stderr.lines().count(), stderr);
            assertTrue(stderr.startsWith("shardloop: fatal OutOfMemoryError on shard-7 (Java heap space) in a task at "
                    + "io.shardloop.runtime.loop.FatalLoopErrorMain"), stderr);
            assertTrue(stderr.strip().endsWith(": exiting"), stderr);
            assertEquals("", stdout, "halted: neither the shutdown hook nor the main thread printed");
        } finally {
            process.destroyForcibly();
        }
    }

    /** The flags the runtime needs, from tools/jvm.properties. */
    private static List<String> jvmFlags() throws Exception {
        String text = Files.readString(Path.of("tools", "jvm.properties")).replace("\\\n", " ");
        for (String line : text.split("\n")) {
            if (line.startsWith("jvm.flags=")) {
                return List.of(line.substring("jvm.flags=".length()).trim().split("\\s+"));
            }
        }
        throw new AssertionError("no jvm.flags in tools/jvm.properties");
    }
}
