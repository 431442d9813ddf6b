package io.shardloop.cli;

import io.shardloop.load.LatencyPlot;
import io.shardloop.load.LoadConfig;
import io.shardloop.load.LoadReport;
import io.shardloop.load.LoadRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code shardloop load}: drives an HTTP or RESP server at a fixed rate (or flat out) and reports latency. */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Sends requests to an HTTP or Redis-protocol server and measures their latency. With --rate it runs open "
                    + "loop: requests go out on a fixed schedule whatever the server does, and each latency is "
                    + "measured from the time the request SHOULD have been sent, so a stalled server shows in the "
                    + "percentiles (no coordinated omission). Without --rate it runs closed loop, as fast as the "
                    + "server answers. Every run ends within duration + warmup + twice the timeout.%n",
            "Exit status: 0 all well; 3 errors, or the target rate was not reached; 2 a bad option value; "
                    + "1 failure.%n"},
        footer = {"%nExamples:",
            "  shardloop load --target 127.0.0.1:8080 --rate 20000 --duration 30s \\",
            "                 --connections 64",
            "      HTTP at 20,000 requests/s, open loop",
            "  shardloop load --protocol resp --target 127.0.0.1:6379 --rate 50000 \\",
            "                 --ratio 1:10 --keys 1000000 --distribution zipfian \\",
            "                 --pipeline 4 --json out.json --hlog out.hlog --plot out.png",
            "      SET and GET over a skewed key space, with every output",
            "  shardloop load --protocol resp --target 127.0.0.1:6379 --workload multi \\",
            "                 --keys-per-tx 4 --duration 10s",
            "      closed loop of MULTI, SET, INCR, SET, INCR, EXEC transactions",
            "  shardloop load --target 127.0.0.1:8080 --duration 10s",
            "      closed loop: the most the server answers"})
final class LoadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--protocol", paramLabel = "NAME", defaultValue = "http",
            description = "http or resp. Default: ${DEFAULT-VALUE}.")
    LoadConfig.Protocol protocol;

    @Option(names = "--target", paramLabel = "HOST:PORT", required = true, description = "The server to load.")
    String target;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "0",
            description = "Requests per second over all connections (open loop). 0 or absent: closed loop, max throughput.")
    double rate;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s",
            description = "Length of the measured part. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "TIME",
            description = "Load sent before the measured part and not counted, so that the first, cold seconds of "
                    + "the server and of this generator (JIT compilation, connection set-up) stay out of the "
                    + "percentiles. Default: 2s, or a fifth of --duration when that is shorter; 0 for none.")
    Duration warmup;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "16",
            description = "Connections, spread over the threads. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Load loops (one thread each). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--cpus", paramLabel = "LIST", split = ",",
            description = "Pin the load loops to these CPUs, in order (e.g. 0 or 0,1). Default: unpinned.")
    List<Integer> cpus = List.of();

    @Option(names = "--requests", paramLabel = "N", defaultValue = "0",
            description = "Stop after this many requests (the duration still bounds the run). Default: no limit.")
    long requests;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "2s",
            description = "A request unanswered this long after it was sent fails (also the connect timeout). "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--pipeline", paramLabel = "N", defaultValue = "1",
            description = "Requests one connection may have outstanding. Default: ${DEFAULT-VALUE}.")
    int pipeline;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "GET", description = "HTTP method. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--path", paramLabel = "PATH", defaultValue = "/", description = "HTTP request target. Default: ${DEFAULT-VALUE}.")
    String path;

    @Option(names = "--body", paramLabel = "TEXT", defaultValue = "", description = "HTTP request body. Default: none.")
    String body;

    @Option(names = "--expect-status", paramLabel = "CODE", defaultValue = "200",
            description = "HTTP status a right response has; others count as wrong_status. Default: ${DEFAULT-VALUE}.")
    int expectStatus;

    @Option(names = "--workload", paramLabel = "NAME", defaultValue = "getset",
            description = "RESP: what one request is. getset: SET or GET of a key (--ratio). multi: MULTI, SET and "
                    + "INCR in turn over --keys-per-tx keys, EXEC, pipelined and counted as one request; EXEC's "
                    + "null or -EXECABORT counts as aborted. eval: EVALSHA of a script that does the same (SCRIPT "
                    + "LOAD on each connection, EVAL after NOSCRIPT). mset: MSET or MGET of --keys-per-tx keys "
                    + "(--ratio). Default: ${DEFAULT-VALUE}.")
    LoadConfig.Workload workload;

    @Option(names = "--keys-per-tx", paramLabel = "N", defaultValue = "2",
            description = "RESP multi, eval, mset: keys each request touches, drawn independently (at 2 shards half "
                    + "the 2-key requests span both). Default: ${DEFAULT-VALUE}.")
    int keysPerTx;

    @Option(names = "--ratio", paramLabel = "SET:GET", defaultValue = "1:10",
            description = "RESP getset and mset: SETs to GETs (MSETs to MGETs). Default: ${DEFAULT-VALUE}.")
    String ratio;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "100000", description = "RESP: key space size. Default: ${DEFAULT-VALUE}.")
    long keys;

    @Option(names = "--value-size", paramLabel = "SIZE", defaultValue = "100", converter = Converters.Size.class,
            description = "RESP: bytes of each SET value (e.g. 100, 4k). Default: ${DEFAULT-VALUE}.")
    long valueSize;

    @Option(names = "--distribution", paramLabel = "NAME", defaultValue = "uniform",
            description = "RESP: key distribution, uniform or zipfian (skew 0.99, key 0 hottest). Default: ${DEFAULT-VALUE}.")
    LoadConfig.Distribution distribution;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON.")
    Path json;

    @Option(names = "--hlog", paramLabel = "FILE", description = "Write an HdrHistogram interval log (one histogram a second).")
    Path hlog;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw latency by percentile into a PNG.")
    Path plot;

    @Option(names = "--reconnect-delay", paramLabel = "TIME", defaultValue = "100ms",
            description = "Wait before reconnecting after a failure. Default: ${DEFAULT-VALUE}.")
    Duration reconnectDelay;

    @Option(names = "--spin-window", paramLabel = "TIME", defaultValue = "2ms",
            description = "How long before a scheduled send a load loop stops sleeping (sleeps are ms-precise). "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration spinWindow;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "auto",
            description = "How the load loops do network I/O: auto, io_uring, epoll or nio (as serve's). Default: ${DEFAULT-VALUE}.")
    String transport;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        LoadConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            // The options passed their checks but the run's configuration refused the combination.
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
            return OneLineErrors.EXIT_USAGE;
        }
        LoadReport report;
        try {
            report = LoadRun.run(config, out, hlog);
        } catch (IOException | RuntimeException e) {
            spec.commandLine().getErr().println("shardloop load: the run failed: " + e);
            return 1;
        }
        out.print(report.table());
        try {
            if (json != null) {
                report.writeJson(json);
                out.println("JSON written to " + json);
            }
            if (hlog != null) {
                out.println("interval log written to " + hlog);
            }
            if (plot != null) {
                LatencyPlot.write(report.latency(), "shardloop load: " + config.protocol().name().toLowerCase() + " "
                        + target + (config.openLoop() ? " at " + LoadConfig.formatRate(config.rate()) + "/s" : " (closed loop)"),
                        plot, 1000, 600);
                out.println("plot written to " + plot);
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("shardloop load: cannot write the output: " + e);
            return 1;
        }
        return report.errors() == 0 && report.targetReached() ? 0 : 3;
    }

    /** Every option value against what a run accepts, each refused with its own line. */
    private InetSocketAddress check() {
        OptionChecks c = new OptionChecks(spec);
        InetSocketAddress address;
        try {
            address = parseTarget(target);
        } catch (IllegalArgumentException e) {
            throw c.invalid("--target", "is refused: " + e.getMessage());
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw c.invalid("--rate", "is not a number of requests per second (0 or more; 0: closed loop)");
        }
        if (duration.isZero()) {
            throw c.invalid("--duration", "is no time at all (the measured part must last)");
        }
        c.atLeast("--connections", connections, 1, null);
        c.atLeast("--threads", threads, 1, null);
        if (threads > connections) {
            throw c.invalid("--threads", "is more than --connections '" + c.typed("--connections")
                    + "': each thread needs a connection of its own");
        }
        c.cpus("--cpus", cpus);
        if (!cpus.isEmpty() && cpus.size() < threads) {
            throw c.invalid("--cpus", "lists fewer CPUs than --threads '" + c.typed("--threads") + "'");
        }
        c.atLeast("--requests", requests, 0, null);
        if (timeout.toMillis() < 1) {
            throw c.invalid("--timeout", "is under 1ms");
        }
        c.between("--pipeline", pipeline, 1, 65_536, null);
        if (rate > 0 && rate < connections / 3600.0) {
            throw c.invalid("--rate", "leaves some of the " + connections + " connections more than an hour "
                    + "between requests: use fewer --connections");
        }
        if (protocol == LoadConfig.Protocol.HTTP) {
            if (!method.matches("[A-Z]{1,16}")) {
                throw c.invalid("--method", "is not an HTTP method (capital letters, e.g. GET, POST)");
            }
            if (!path.startsWith("/") || path.chars().anyMatch(ch -> ch <= ' ' || ch > '~')) {
                throw c.invalid("--path", "must start with '/' and hold no spaces or control characters");
            }
            c.between("--expect-status", expectStatus, 100, 599, "an HTTP status");
        } else {
            int[] parts = ratio();
            if (parts == null || parts[0] < 0 || parts[1] < 0 || parts[0] + parts[1] == 0) {
                throw c.invalid("--ratio", "is not SET:GET, two counts not both 0, e.g. 1:10");
            }
            c.between("--keys", keys, 1, 10_000_000_000L, null);
            c.between("--value-size", valueSize, 0, 64 << 20, "at most 64m");
            c.between("--keys-per-tx", keysPerTx, 1, LoadConfig.RespSettings.MAX_KEYS_PER_TRANSACTION, null);
        }
        return address;
    }

    /** {SET, GET} from --ratio, or null when it is not two integers around a colon. */
    private int[] ratio() {
        String[] parts = ratio.split(":");
        if (parts.length != 2) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    LoadConfig config() {
        LoadConfig.Builder b = LoadConfig.builder(protocol, check())
                .rate(rate).duration(duration).warmup(warmup != null ? warmup : LoadConfig.defaultWarmup(duration))
                .connections(connections).threads(threads).cpus(cpus)
                .requests(requests).timeout(timeout).pipeline(pipeline).reconnectDelay(reconnectDelay)
                .spinWindow(spinWindow).transport(TransportOption.select(spec, transport).transport());
        if (protocol == LoadConfig.Protocol.HTTP) {
            b.http(new LoadConfig.HttpSettings(method, path, body, expectStatus));
        } else {
            int[] parts = ratio();
            b.resp(new LoadConfig.RespSettings(parts[0], parts[1], keys, (int) valueSize, distribution, workload, keysPerTx));
        }
        return b.build();
    }

    /** HOST:PORT, or [IPv6]:PORT. */
    static InetSocketAddress parseTarget(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("--target takes HOST:PORT, e.g. 127.0.0.1:8080, not '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port in --target: '" + text + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range in --target: " + port);
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve the host in --target: '" + host + "'");
        }
        return address;
    }
}
