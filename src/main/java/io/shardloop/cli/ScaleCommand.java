package io.shardloop.cli;

import io.shardloop.load.LoadConfig;
import io.shardloop.runtime.shard.Pinning;
import io.shardloop.scale.ScaleConfig;
import io.shardloop.scale.ScaleEnvironment;
import io.shardloop.scale.ScalePoint;
import io.shardloop.scale.ScaleResults;
import io.shardloop.scale.ScaleRun;
import io.shardloop.scale.Targets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/** {@code shardloop scale}: throughput, efficiency, CPU per request and p99 by core count, for every model. */
@Command(name = "scale", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measures how each way of serving scales with cores. For each protocol, each server (event loops with "
                    + "sharded, locked or concurrent state; a platform or virtual thread per connection; redis-server "
                    + "and nginx when installed) and each N, it starts the server as a child process on N CPUs "
                    + "(taskset), drives it with the load generator on other CPUs, and records the closed-loop peak, "
                    + "the server's CPU time per request, and latency at open-loop rates that are fractions of that "
                    + "peak. Writes CSV, JSON, PNG charts and report.md under --out.%n",
            "Full mode takes about (2.5 + warmup + duration x (1 + 1.2 x rates)) s per server and N: ~65 s each "
                    + "with the defaults. --quick takes about a minute.%n"},
        footer = {"%nExamples:",
            "  shardloop scale --quick",
            "  shardloop scale --n 1,2,4,8,16 --client-cpus 8 --out results/scale",
            "  shardloop scale --protocols resp --peers none \\",
            "                  --resp-servers loops+sharded,loops+locked"})
final class ScaleCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Short runs at N=1 over a reduced set of servers (about a minute).")
    boolean quick;

    @Option(names = "--protocols", paramLabel = "LIST", split = ",", defaultValue = "resp,http",
            description = "Protocols to measure. Default: ${DEFAULT-VALUE}.")
    List<LoadConfig.Protocol> protocols;

    @Option(names = "--resp-servers", paramLabel = "LIST", split = ",",
            description = "RESP servers: MODEL+STATE (loops+sharded, loops+locked, loops+concurrent, threads+locked, "
                    + "virtual+concurrent, ...). Default: " + Targets.FULL_RESP + " (quick: " + Targets.QUICK_RESP + ").")
    List<String> respServers;

    @Option(names = "--http-servers", paramLabel = "LIST", split = ",",
            description = "HTTP servers: loops, threads, virtual. Default: " + Targets.HTTP + ".")
    List<String> httpServers;

    @Option(names = "--peers", paramLabel = "auto|none", defaultValue = "auto",
            description = "auto: add redis-server (resp) and nginx (http) when installed; none: shardloop only. "
                    + "Default: ${DEFAULT-VALUE}.")
    String peers;

    @Option(names = "--n", paramLabel = "LIST", split = ",",
            description = "Server CPU counts to measure. Default: 1..all usable CPUs (quick: 1).")
    List<Integer> shardCounts;

    @Option(names = "--client-cpus", paramLabel = "N",
            description = "CPUs (the first usable ones) given to the load generator. Default: a quarter of the CPUs, at least 1.")
    Integer clientCpus;

    @Option(names = "--duration", paramLabel = "TIME", description = "Each measured run. Default: 10s (quick: 1s).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "TIME", description = "Closed-loop warmup per point. Default: 5s (quick: 500ms).")
    Duration warmup;

    @Option(names = "--fractions", paramLabel = "LIST", split = ",",
            description = "Open-loop rates as fractions of each point's peak. Default: 0.25,0.5,0.75,0.9 (quick: 0.5).")
    List<Double> fractions;

    @Option(names = "--connections", paramLabel = "N", description = "Load connections. Default: 64 (quick: 16).")
    Integer connections;

    @Option(names = "--pipeline", paramLabel = "N", defaultValue = "1",
            description = "Requests a connection may have outstanding. Default: ${DEFAULT-VALUE}.")
    int pipeline;

    @Option(names = "--out", paramLabel = "DIR", description = "Results directory. Default: scale-results/DATE-TIME.")
    Path out;

    @Option(names = "--no-pin",
            description = "Pin nothing: no taskset for the servers, no pinned shards or load threads, no CPU taken "
                    + "from another process. The numbers are then unpinned; for checking the tool, not for measuring.")
    boolean noPin;

    @Option(names = "--server-jvm-opts", paramLabel = "FLAGS",
            description = "Extra JVM flags for the shardloop servers (space-separated), after the runtime's own.")
    String serverJvmOpts;

    @Override
    public Integer call() {
        PrintStream progress = System.out;
        ScaleConfig config;
        ScaleEnvironment env;
        List<Integer> cpus = Pinning.usableCpus();
        check(cpus);
        try {
            String taskset = Targets.which("taskset");
            env = ScaleEnvironment.probe(cpus, taskset);
            boolean withPeers = peers.equals("auto");
            config = new ScaleConfig(
                    Targets.select(protocols, respServers != null ? respServers : Arrays.asList(
                            (quick ? Targets.QUICK_RESP : Targets.FULL_RESP).split(",")),
                            httpServers != null ? httpServers : Arrays.asList(Targets.HTTP.split(",")), withPeers,
                            env.notes()),
                    shardCounts != null ? shardCounts : quick ? List.of(1)
                            : IntStream.rangeClosed(1, cpus.size()).boxed().toList(),
                    cpus, clientCpus != null ? clientCpus : Math.max(1, cpus.size() / 4),
                    duration != null ? duration : quick ? Duration.ofSeconds(1) : Duration.ofSeconds(10),
                    warmup != null ? warmup : quick ? Duration.ofMillis(500) : Duration.ofSeconds(5),
                    fractions != null ? fractions : quick ? List.of(0.5) : List.of(0.25, 0.5, 0.75, 0.9),
                    connections != null ? connections : quick ? 16 : 64, pipeline,
                    out != null ? out : Path.of("scale-results",
                            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))),
                    taskset, Path.of(System.getProperty("java.home"), "bin", "java").toString(), serverJvmFlags(),
                    System.getProperty("java.class.path"), quick, !noPin);
            if (noPin) {
                env.notes().add("--no-pin: servers and load generator ran unpinned");
            } else if (taskset == null) {
                env.notes().add("taskset was not found: servers ran unpinned");
            }
            if (config.shardCounts().stream().anyMatch(config::sharesCpus)) {
                env.notes().add("this machine has " + cpus.size() + " usable CPUs: at some N the server and the load "
                        + "generator share CPUs (see shared_cpus)");
            }
        } catch (IllegalArgumentException e) {
            // The options passed their checks but the run's configuration refused the combination.
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
            return OneLineErrors.EXIT_USAGE;
        }
        progress.printf("shardloop scale: %d runs (%d servers x N in %s), about %s; results in %s%n", config.points(),
                config.targets().size(), config.shardCounts(),
                ScaleRun.clockText(config.points() * config.plannedSecondsPerPoint()), config.out());
        for (String note : env.notes()) {
            progress.println("note: " + note);
        }
        try {
            List<ScalePoint> points = ScaleRun.run(config, progress);
            Path report = ScaleResults.write(config, env, points, commandLine());
            progress.println("report written to " + report);
            return points.stream().anyMatch(ScalePoint::failed) ? 3 : 0;
        } catch (IOException e) {
            spec.commandLine().getErr().println("shardloop scale: " + e.getMessage());
            return 1;
        }
    }

    /** Every option value against what a run accepts, each refused with its own line. */
    private void check(List<Integer> cpus) {
        OptionChecks c = new OptionChecks(spec);
        if (!peers.equals("auto") && !peers.equals("none")) {
            throw c.invalid("--peers", "is neither auto nor none");
        }
        checkServers(c, "--resp-servers", LoadConfig.Protocol.RESP, respServers);
        checkServers(c, "--http-servers", LoadConfig.Protocol.HTTP, httpServers);
        if (shardCounts != null) {
            for (int n : shardCounts) {
                if (n < 1 || n > cpus.size()) {
                    throw c.invalid("--n", String.valueOf(n), "is outside 1.." + cpus.size() + ", the CPUs usable here");
                }
            }
        }
        if (clientCpus != null) {
            c.between("--client-cpus", clientCpus, 1, cpus.size(), "the CPUs usable here");
        }
        if (duration != null && duration.toMillis() < 100) {
            throw c.invalid("--duration", "is under 100ms, too short to measure");
        }
        if (fractions != null) {
            List<String> typed = Arrays.asList(c.typed("--fractions").split(","));
            for (int i = 0; i < fractions.size(); i++) {
                double f = fractions.get(i);
                if (!(f > 0 && f <= 1.5)) {
                    throw c.invalid("--fractions", i < typed.size() ? typed.get(i) : String.valueOf(f),
                            "is outside (0, 1.5]: a fraction of the peak");
                }
            }
        }
        if (connections != null) {
            c.atLeast("--connections", connections, 1, null);
        }
        c.atLeast("--pipeline", pipeline, 1, null);
    }

    private static void checkServers(OptionChecks c, String option, LoadConfig.Protocol protocol, List<String> names) {
        if (names == null) {
            return;
        }
        for (String name : names) {
            try {
                Targets.select(List.of(protocol), List.of(name), List.of(name), false, new ArrayList<>());
            } catch (IllegalArgumentException e) {
                throw c.invalid(option, name, "is refused: " + e.getMessage());
            }
        }
    }

    /** The flags the runtime needs, as this JVM got them (from tools/jvm.properties), plus --server-jvm-opts. */
    private List<String> serverJvmFlags() {
        List<String> flags = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--sun-misc-unsafe") || a.startsWith("--enable-native-access")
                    || a.matches("-XX:\\+Use\\w+GC")) {
                flags.add(a);
            }
        }
        if (serverJvmOpts != null && !serverJvmOpts.isBlank()) {
            flags.addAll(Arrays.asList(serverJvmOpts.trim().split("\\s+")));
        }
        return flags;
    }

    private String commandLine() {
        return "shardloop " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }
}
