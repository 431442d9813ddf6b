package io.shardloop.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The machine and software the experiment ran on, for the report: CPU model, CPUs, kernel, JDK,
 * the peers' versions, and what was missing.
 */
public record ScaleEnvironment(String date, String cpuModel, int onlineCpus, List<Integer> usableCpus, String kernel,
                               String jdk, String redisVersion, String nginxVersion, String taskset,
                               List<String> notes) {
    public static ScaleEnvironment probe(List<Integer> usableCpus, String taskset) {
        String model = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException e) {
            // Not Linux: the model stays unknown.
        }
        String jdk = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + Runtime.version();
        return new ScaleEnvironment(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), model,
                Runtime.getRuntime().availableProcessors(), usableCpus,
                System.getProperty("os.name") + " " + System.getProperty("os.version"), jdk,
                firstLine("redis-server", "--version"), firstLine("nginx", "-v"), taskset, new ArrayList<>());
    }

    /** The first line a program prints for its version, or null when it is not installed. */
    static String firstLine(String... command) {
        if (Which.find(command[0]) == null) {
            return null;
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor(5, TimeUnit.SECONDS);
            int nl = text.indexOf('\n');
            return nl < 0 ? text : text.substring(0, nl);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
