package io.shardloop.scale;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds a program on PATH (and in the sbin directories, where nginx lives), as which(1) does. */
final class Which {
    private Which() {
    }

    /** The program's path, or null when it is not installed. */
    static String find(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/sbin:/usr/local/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
