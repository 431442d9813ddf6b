package io.shardloop.scale;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of one scaling experiment, checked once here.
 *
 * @param targets        what to measure, per protocol, in order (peers included when installed)
 * @param shardCounts    the N (server CPUs) to measure each target at
 * @param cpus           the CPUs this machine lets us use
 * @param clientCpus     how many of them (the first ones) the load generator gets
 * @param duration       length of each measured run (the closed-loop peak and each open-loop rate)
 * @param warmup         closed-loop load before the peak, not measured
 * @param fractions      open-loop rates, as fractions of the measured peak
 * @param connections    load connections over the client's threads
 * @param pipeline       requests one connection may have outstanding
 * @param out            directory of the results
 * @param taskset        path of taskset, or null to run unpinned (said in the report)
 * @param serverJava     the java binary for shardloop servers
 * @param serverJvmFlags JVM flags for shardloop servers
 * @param classPath      class path for shardloop servers
 * @param quick          whether this is the short mode (said in the report)
 * @param pin            whether servers and load generator are pinned to their CPUs; off, nothing
 *                       takes a CPU (no taskset, no CPU locks), for checking the tool rather than measuring
 */
public record ScaleConfig(List<Target> targets, List<Integer> shardCounts, List<Integer> cpus, int clientCpus,
                          Duration duration, Duration warmup, List<Double> fractions, int connections, int pipeline,
                          Path out, String taskset, String serverJava, List<String> serverJvmFlags, String classPath,
                          boolean quick, boolean pin) {
    public ScaleConfig {
        targets = List.copyOf(targets);
        shardCounts = List.copyOf(shardCounts);
        cpus = List.copyOf(cpus);
        fractions = List.copyOf(fractions);
        serverJvmFlags = List.copyOf(serverJvmFlags);
        // Absolute, so the servers (nginx runs with its own prefix directory) find their files.
        out = out.toAbsolutePath().normalize();
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("nothing to measure: no servers selected");
        }
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("no usable CPUs");
        }
        for (int n : shardCounts) {
            if (n < 1 || n > cpus.size()) {
                throw new IllegalArgumentException("N=" + n + " is outside 1.." + cpus.size() + " (the CPUs usable here)");
            }
        }
        if (shardCounts.isEmpty()) {
            throw new IllegalArgumentException("no core counts to measure");
        }
        if (clientCpus < 1 || clientCpus > cpus.size()) {
            throw new IllegalArgumentException("--client-cpus must be between 1 and " + cpus.size() + ", got " + clientCpus);
        }
        if (duration.toMillis() < 100 || warmup.isNegative()) {
            throw new IllegalArgumentException("the duration must be at least 100ms and the warmup not negative");
        }
        for (double f : fractions) {
            if (!(f > 0 && f <= 1.5)) {
                throw new IllegalArgumentException("rate fractions must be in (0, 1.5], got " + f);
            }
        }
        if (connections < clientCpus || pipeline < 1) {
            throw new IllegalArgumentException("need at least one connection per client CPU (" + clientCpus
                    + ") and a pipeline of at least 1");
        }
    }

    /** The load generator's CPUs: the first {@link #clientCpus} usable ones. */
    public List<Integer> loadCpus() {
        return cpus.subList(0, clientCpus);
    }

    /**
     * The server's N CPUs: the ones after the client's when there are enough, else the last N
     * (then the two share CPUs, and the results say so).
     */
    public List<Integer> serverCpus(int n) {
        if (clientCpus + n <= cpus.size()) {
            return cpus.subList(clientCpus, clientCpus + n);
        }
        return cpus.subList(cpus.size() - n, cpus.size());
    }

    public boolean sharesCpus(int n) {
        return clientCpus + n > cpus.size();
    }

    /** Rough seconds one point takes: start, warmup, peak, each rate, stop. */
    public double plannedSecondsPerPoint() {
        double d = duration.toMillis() / 1000.0;
        return 2.5 + warmup.toMillis() / 1000.0 + d + fractions.size() * (d * 1.2 + 0.3);
    }

    public int points() {
        return targets.size() * shardCounts.size();
    }
}
