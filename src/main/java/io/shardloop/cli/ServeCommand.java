package io.shardloop.cli;

import io.shardloop.echo.EchoProtocol;
import io.shardloop.http.HttpConfig;
import io.shardloop.http.HttpProtocol;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.mailbox.MailboxConfig;
import io.shardloop.runtime.mailbox.MailboxKind;
import io.shardloop.runtime.offload.OffloadConfig;
import io.shardloop.runtime.stall.StallConfig;
import io.shardloop.kv.KvGroup;
import io.shardloop.resp.RespConfig;
import io.shardloop.resp.RespProtocol;
import io.shardloop.baseline.ServerModel;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.shard.AcceptMode;
import io.shardloop.runtime.shard.DescriptorBudget;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.Pinning;
import io.shardloop.runtime.shard.PortInUseException;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.runtime.shard.ShardStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code shardloop serve}: starts the shards and serves until SIGINT or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Serves on one event loop per CPU, each pinned to its CPU and accepting on its own SO_REUSEPORT",
            "listener. By default: the Redis protocol on 127.0.0.1:6379 over a key-value store sharded by",
            "key across the loops, and HTTP/1.1 on 127.0.0.1:8080. Listens on loopback unless --bind says",
            "otherwise. Stops cleanly on Ctrl-C or SIGTERM: stops accepting, sends what is buffered (for up to",
            "--drain-timeout), then closes; a loop that has not stopped --stop-timeout later is named in the log",
            "with its stack and left behind.%n"},
        footer = {"%nExamples:",
            "  shardloop serve                              Redis protocol on :6379 and HTTP on :8080, one shard per CPU",
            "  shardloop serve --root ./site                ... and the files under ./site at /static/",
            "  shardloop serve --state locked --shards 2    the same data behind one lock, for comparison",
            "  shardloop serve --protocol echo --port 9000  the echo protocol alone",
            "  shardloop serve --model virtual --state concurrent   a virtual thread per connection, as a baseline",
            "  shardloop serve --no-pin --accept handoff",
            "%nExit status:",
            "  0  stopped cleanly after SIGINT or SIGTERM",
            "  1  could not start",
            "  2  a bad option, or a port already in use",
            "  " + ServeCommand.EXIT_SHARD_ABANDONED + "  stopped, but a shard's loop did not stop by --drain-timeout plus --stop-timeout"
                    + " and was abandoned (the log names it)"})
final class ServeCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());
    /** The exit status when shutdown had to leave a shard's loop running (stuck in a turn). */
    static final int EXIT_SHARD_ABANDONED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--protocol", paramLabel = "NAME", split = ",", defaultValue = "resp,http",
            description = "Protocols to serve, comma-separated: resp (Redis protocol, on --resp-port), "
                    + "http (HTTP/1.1, on --http-port), echo (on --port). Default: ${DEFAULT-VALUE}.")
    List<String> protocols;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of HTTP (0: do not serve it). Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Directory served over HTTP at /static/. Default: no files.")
    Path root;

    @Option(names = "--http-keep-alive", paramLabel = "TIME", defaultValue = "60s",
            description = "Close an HTTP connection idle this long between requests (0: never). Default: ${DEFAULT-VALUE}.")
    Duration httpKeepAlive;

    @Option(names = "--http-header-timeout", paramLabel = "TIME", defaultValue = "10s",
            description = "Close an HTTP client that takes longer to send its headers (0: never). Default: ${DEFAULT-VALUE}.")
    Duration httpHeaderTimeout;

    @Option(names = "--resp-port", paramLabel = "PORT", defaultValue = "6379",
            description = "Port of the Redis protocol (0: do not serve it). Default: ${DEFAULT-VALUE}.")
    int respPort;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "loops",
            description = "loops (event loops, one per shard), threads (a platform thread per connection, blocking "
                    + "sockets) or virtual (a virtual thread per connection); the last two serve resp and http over "
                    + "--state locked or concurrent, as baselines to measure the loops against. Default: ${DEFAULT-VALUE}.")
    ServerModel model;

    @Option(names = "--state", paramLabel = "MODE", defaultValue = "sharded",
            description = "How the key-value data is held: sharded (each key owned by one shard, others send it "
                    + "messages), locked (one map behind one lock), concurrent (one ConcurrentHashMap). "
                    + "Default: ${DEFAULT-VALUE}.")
    StateMode state;

    @Option(names = "--requirepass", paramLabel = "PASSWORD",
            description = "Require AUTH with this password before any other Redis command.")
    String requirePass;

    @Option(names = "--protected-mode", paramLabel = "yes|no", defaultValue = "yes",
            description = "Redis's protected mode: without --requirepass, Redis clients that do not connect over "
                    + "loopback are refused (-DENIED) and so are their /kv requests (403). Default: ${DEFAULT-VALUE}.")
    String protectedMode;

    @Option(names = "--max-bulk", paramLabel = "SIZE", defaultValue = "512m",
            description = "Largest Redis bulk string accepted. Default: ${DEFAULT-VALUE}.")
    String maxBulk;

    @Option(names = "--max-args", paramLabel = "N", defaultValue = "1048576",
            description = "Most arguments in one Redis command. Default: ${DEFAULT-VALUE}.")
    int maxArgs;

    @Option(names = "--max-inline", paramLabel = "SIZE", defaultValue = "64k",
            description = "Longest inline Redis command. Default: ${DEFAULT-VALUE}.")
    String maxInline;

    @Option(names = "--max-outstanding", paramLabel = "N", defaultValue = "1024",
            description = "Replies one connection may have waiting on other shards before it is no longer read. "
                    + "Default: ${DEFAULT-VALUE}.")
    int maxOutstanding;

    @Option(names = "--mailbox", paramLabel = "KIND", defaultValue = "mpsc",
            description = "Cross-shard transport: mpsc (one inbox ring per shard) or spsc (a ring per ordered "
                    + "pair of shards). Default: ${DEFAULT-VALUE}.")
    String mailbox;

    @Option(names = "--stall-threshold", paramLabel = "TIME", defaultValue = "100ms",
            description = "Report a loop turn that runs longer than this, with the loop's stack (0: off). "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration stallThreshold;

    @Option(names = "--offload-threads", paramLabel = "N", defaultValue = "4",
            description = "Threads for blocking work (disk), whose results return to the asking shard. "
                    + "Default: ${DEFAULT-VALUE}.")
    int offloadThreads;

    @Option(names = "--offload-queue", paramLabel = "N", defaultValue = "1024",
            description = "Blocking tasks that may wait for a thread; more are refused. Default: ${DEFAULT-VALUE}.")
    int offloadQueue;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (loopback only).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7007",
            description = "Port of the echo protocol (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--shards", paramLabel = "N", defaultValue = "0",
            description = "Event loops to run. Default: one per CPU this process may use.")
    int shards;

    @Option(names = "--no-pin", description = "Do not pin shard threads to CPUs.")
    boolean noPin;

    @Option(names = "--cpus", paramLabel = "LIST", split = ",",
            description = "CPUs to pin shards to, in order (e.g. 2,3). Default: the process's affinity mask.")
    List<Integer> cpus = List.of();

    @Option(names = "--accept", paramLabel = "MODE", defaultValue = "reuseport",
            description = "reuseport: a listener per shard (the kernel spreads connections); "
                    + "handoff: one acceptor hands them out round-robin. Default: ${DEFAULT-VALUE}.")
    AcceptMode accept;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "1024", description = "Listen backlog. Default: ${DEFAULT-VALUE}.")
    int backlog;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Open connections allowed over all shards; more are closed at once. Default: 100000, or what "
                    + "the open-file limit (ulimit -n) leaves after the descriptors the server keeps for itself, if "
                    + "less. Above that room it starts anyway, with a warning.")
    Integer maxConnections;

    @Option(names = "--read-budget", paramLabel = "SIZE", defaultValue = "64k",
            description = "Bytes read from one connection per loop turn. Default: ${DEFAULT-VALUE}.")
    String readBudget;

    @Option(names = "--high-water", paramLabel = "SIZE", defaultValue = "1m",
            description = "Unsent bytes at which a connection stops being read. Default: ${DEFAULT-VALUE}.")
    String highWater;

    @Option(names = "--low-water", paramLabel = "SIZE", defaultValue = "256k",
            description = "Unsent bytes at which reading resumes. Default: ${DEFAULT-VALUE}.")
    String lowWater;

    @Option(names = "--hard-limit", paramLabel = "SIZE", defaultValue = "64m",
            description = "Unsent bytes at which a connection is closed. Default: ${DEFAULT-VALUE}.")
    String hardLimit;

    @Option(names = "--max-pending-input", paramLabel = "SIZE", defaultValue = "1m",
            description = "Received bytes a connection may hold unparsed. Default: ${DEFAULT-VALUE}.")
    String maxPendingInput;

    @Option(names = "--write-stall-timeout", paramLabel = "TIME", defaultValue = "30s",
            description = "Close a connection whose peer takes no bytes for this long (0: never). Default: ${DEFAULT-VALUE}.")
    Duration writeStallTimeout;

    @Option(names = "--idle-timeout", paramLabel = "TIME", defaultValue = "0",
            description = "Close a connection that sends nothing for this long (0: never). Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--drain-timeout", paramLabel = "TIME", defaultValue = "5s",
            description = "On shutdown, how long to wait for unsent bytes. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--stop-timeout", paramLabel = "TIME", defaultValue = "2s",
            description = "On shutdown, how long after --drain-timeout the loops get to close their listeners and end; "
                    + "one still running then (stuck in a turn) is logged with its stack and abandoned, and the exit "
                    + "status is " + EXIT_SHARD_ABANDONED + ". Default: ${DEFAULT-VALUE}.")
    Duration stopTimeout;

    @Option(names = "--idle-spins", paramLabel = "N", defaultValue = "0",
            description = "Empty turns a loop polls before it sleeps (lower latency, more CPU). Default: ${DEFAULT-VALUE}.")
    int idleSpins;

    @Option(names = "--stats-interval", paramLabel = "TIME", defaultValue = "0",
            description = "Log every shard's counters this often (0: only at exit). Default: ${DEFAULT-VALUE}.")
    Duration statsInterval;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            protectedMode(); // checked before either model starts anything
        } catch (IllegalArgumentException e) {
            err.println("shardloop: " + e.getMessage());
            return 2;
        }
        if (model.threaded()) {
            return ThreadedServe.run(this, err);
        }
        RuntimeConfig config;
        List<Endpoint> endpoints;
        try {
            config = config();
            endpoints = endpoints(config);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("shardloop: " + e.getMessage());
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        ShardGroup group;
        try {
            group = ShardGroup.start(config, endpoints);
        } catch (PortInUseException e) {
            closeProtocols(endpoints);
            err.println("shardloop: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            closeProtocols(endpoints);
            err.println("shardloop: cannot start: " + e.getMessage());
            return 1;
        }
        LOG.log(System.Logger.Level.INFO, "config: " + config.describe());
        for (int i = 0; i < endpoints.size(); i++) {
            LOG.log(System.Logger.Level.INFO, "serving " + endpoints.get(i).protocol().name() + " on " + bind + ":"
                    + group.port(i) + (endpoints.get(i).protocol().name().equals("resp") ? " (state " + state.name()
                    .toLowerCase(Locale.ROOT) + ")" : ""));
        }
        LOG.log(System.Logger.Level.INFO, "Ctrl-C to stop");
        awaitStop(stop, group);
        LOG.log(System.Logger.Level.INFO, "stopping: no new connections, draining");
        List<String> abandoned = group.stop(stopTimeout);
        closeProtocols(endpoints);
        for (ShardStats s : group.stats()) {
            LOG.log(System.Logger.Level.INFO, s.describe());
        }
        if (!abandoned.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "stopped, leaving " + String.join(", ", abandoned) + " behind: exit status "
                    + EXIT_SHARD_ABANDONED);
            return EXIT_SHARD_ABANDONED;
        }
        return 0;
    }

    List<Endpoint> endpoints(RuntimeConfig config) {
        List<Endpoint> endpoints = new ArrayList<>();
        KvGroup cluster = null;
        for (String name : protocols) {
            switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "echo" -> endpoints.add(Endpoint.of(bind, port, new EchoProtocol()));
                case "resp" -> {
                    if (respPort == 0) {
                        continue;
                    }
                    if (cluster == null) {
                        cluster = new KvGroup(state, config.shards());
                    }
                    RespLimits limits = new RespLimits(Units.parseBytes(maxBulk), maxArgs,
                            (int) Math.min(Integer.MAX_VALUE, Units.parseBytes(maxInline)));
                    RespConfig respConfig = respConfig(limits);
                    LOG.log(System.Logger.Level.INFO, "resp: " + respConfig.describe());
                    endpoints.add(Endpoint.of(bind, respPort, new RespProtocol(cluster, respConfig)));
                }
                case "http" -> {
                    if (httpPort == 0) {
                        continue;
                    }
                    if (cluster == null) {
                        cluster = new KvGroup(state, config.shards());
                    }
                    HttpConfig httpConfig = HttpConfig.defaults(root).withTimeouts(httpKeepAlive, httpHeaderTimeout)
                            .withRequirePass(requirePass).withProtectedMode(protectedMode());
                    LOG.log(System.Logger.Level.INFO, "http: " + httpConfig.describe());
                    endpoints.add(Endpoint.of(bind, httpPort, new HttpProtocol(httpConfig, cluster)));
                }
                default -> throw new IllegalArgumentException("unknown protocol '" + name + "' (known: resp, http, echo)");
            }
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("nothing to serve: every protocol's port is 0");
        }
        return endpoints;
    }

    /** The Redis protocol's configuration from the options, for either model. */
    RespConfig respConfig(RespLimits limits) {
        return new RespConfig(limits, maxOutstanding, requirePass, protectedMode());
    }

    private boolean protectedMode() {
        return switch (protectedMode.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("--protected-mode takes yes or no, not '" + protectedMode + "'");
        };
    }

    /** Stops what protocols run beside the shards (HTTP's file readers). */
    private static void closeProtocols(List<Endpoint> endpoints) {
        for (Endpoint e : endpoints) {
            if (e.protocol() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ex) {
                    LOG.log(System.Logger.Level.WARNING, "closing " + e.protocol().name() + " failed: " + ex);
                }
            }
        }
    }

    private void awaitStop(CountDownLatch stop, ShardGroup group) {
        try {
            if (statsInterval.isZero()) {
                stop.await();
                return;
            }
            while (!stop.await(statsInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                for (ShardStats s : group.stats()) {
                    LOG.log(System.Logger.Level.INFO, s.describe());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * --max-connections, or the default the open-file limit leaves room for; logs the line that
     * says why when it is lowered, or when the value asked does not fit.
     */
    int maxConnections(int shards, int endpoints) {
        DescriptorBudget.Choice choice = DescriptorBudget.forServer(shards, endpoints, offloadThreads).choose(maxConnections);
        if (choice.line() != null) {
            LOG.log(choice.warning() ? System.Logger.Level.WARNING : System.Logger.Level.INFO, choice.line());
        }
        return choice.maxConnections();
    }

    RuntimeConfig config() {
        if (stopTimeout.isNegative()) {
            throw new IllegalArgumentException("--stop-timeout must not be negative, got " + stopTimeout);
        }
        int n = shards > 0 ? shards : Math.max(1, (cpus.isEmpty() ? Pinning.usableCpus() : cpus).size());
        ConnectionLimits limits = new ConnectionLimits(
                (int) Math.min(Integer.MAX_VALUE, Units.parseBytes(readBudget)), Units.parseBytes(highWater),
                Units.parseBytes(lowWater), Units.parseBytes(hardLimit),
                (int) Math.min(Integer.MAX_VALUE, Units.parseBytes(maxPendingInput)),
                writeStallTimeout.toNanos(), idleTimeout.toNanos());
        return RuntimeConfig.builder(n).pin(!noPin).cpus(cpus).acceptMode(accept).backlog(backlog)
                .maxConnections(maxConnections(n, protocols.size())).idleSpins(idleSpins).drainTimeout(drainTimeout).limits(limits)
                .mailbox(MailboxConfig.defaults().withKind(MailboxKind.parse(mailbox)))
                .offload(new OffloadConfig(offloadThreads, offloadQueue))
                .stall(stallThreshold.isZero() ? StallConfig.off() : StallConfig.defaults().withThreshold(stallThreshold))
                .build();
    }
}
