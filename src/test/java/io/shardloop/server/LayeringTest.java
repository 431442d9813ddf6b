package io.shardloop.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The server assembly sits above the protocols and the runtime and below the command line: no
 * product package but {@code cli} imports {@code server}, and none but {@code cli} imports {@code cli}.
 */
class LayeringTest {
    private static final Path MAIN = Path.of("src", "main", "java", "io", "shardloop");

    @Test
    void shouldKeepTheServerAssemblyAboveEverythingButTheCommandLine() throws IOException {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(file.getParent()).toString().replace('/', '.');
                for (String line : Files.readAllLines(file)) {
                    if (!line.startsWith("import ")) {
                        continue;
                    }
                    boolean server = line.startsWith("import io.shardloop.server.");
                    boolean cli = line.startsWith("import io.shardloop.cli.");
                    if ((server && !pkg.equals("cli") && !pkg.equals("server")) || (cli && !pkg.equals("cli"))) {
                        wrong.add(MAIN.relativize(file) + ": " + line);
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, "imports against the layers");
    }
}
