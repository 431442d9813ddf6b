package io.shardloop.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tools/shardloop runs a copy of the jar that a rebuild of target/ cannot change under a running server. */
class LauncherTest {
    /** run_copy of tools/env.sh on {@code jar}, with its copies under {@code runDir}: the path it prints. */
    private static Path runCopyIn(Path jar, Path runDir) throws Exception {
        ProcessBuilder b = new ProcessBuilder("bash", "-c", ". tools/env.sh && run_copy \"$1\"", "bash", jar.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        b.environment().put("SHARDLOOP_RUN_DIR", runDir.toString());
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "run_copy failed");
        return Path.of(out);
    }

    @Test
    void shouldRunACopyThatARebuildOfTheJarLeavesAlone(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("shardloop-0.1.0-SNAPSHOT.jar");
        Files.write(jar, new byte[] {1, 2, 3});
        Path runs = dir.resolve("runs");
        Path copy = runCopyIn(jar, runs);
        assertTrue(copy.startsWith(runs), copy.toString());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(copy));
        assertEquals(copy, runCopyIn(jar, runs), "the same build runs from the same copy");

        Files.write(jar, new byte[] {4, 5}); // mvn package rewrites the jar in place
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(copy), "the running copy is untouched");
        Path next = runCopyIn(jar, runs);
        assertNotEquals(copy, next, "a new build gets a copy of its own");
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(next));
    }

    @Test
    void shouldStartTheServerFromTheCopy() throws Exception {
        List<String> launcher = Files.readAllLines(Path.of("tools", "shardloop"));
        assertTrue(launcher.contains("jar=$(run_copy \"$jar\")"), "tools/shardloop runs run_copy: " + launcher);
        assertTrue(launcher.getLast().contains("-jar \"$jar\""), "and execs the copy: " + launcher.getLast());
    }
}
