package io.shardloop.cli;

import io.shardloop.echo.EchoProtocol;
import io.shardloop.http.HttpConfig;
import io.shardloop.http.HttpProtocol;
import io.shardloop.runtime.RuntimeConfig;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.shard.AcceptMode;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code shardloop serve}: starts the shards and serves until SIGINT or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Serves a protocol on one event loop per CPU, each pinned to its CPU and accepting on its own",
            "SO_REUSEPORT listener. Listens on loopback unless --bind says otherwise. Stops cleanly on",
            "Ctrl-C or SIGTERM: stops accepting, sends what is buffered, then closes.%n"},
        footer = {"%nExamples:",
            "  shardloop serve                          HTTP on 127.0.0.1:8080, one shard per CPU",
            "  shardloop serve --root ./site            ... and the files under ./site at /static/",
            "  shardloop serve --protocol echo --http-port 0   echo on 127.0.0.1:7007 only",
            "  shardloop serve --shards 2 --http-port 9000     two shards",
            "  shardloop serve --no-pin --accept handoff"})
final class ServeCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--protocol", paramLabel = "NAME", defaultValue = "http",
            description = "http: HTTP only, on --http-port; echo: also echo on --port. Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port for HTTP (0: no HTTP). Default: ${DEFAULT-VALUE}.")
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

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (loopback only).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7007",
            description = "Port for --protocol echo (0: any free port). Default: ${DEFAULT-VALUE}.")
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

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "100000",
            description = "Open connections allowed over all shards; more are closed at once. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

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

    @Option(names = "--idle-spins", paramLabel = "N", defaultValue = "0",
            description = "Empty turns a loop polls before it sleeps (lower latency, more CPU). Default: ${DEFAULT-VALUE}.")
    int idleSpins;

    @Option(names = "--stats-interval", paramLabel = "TIME", defaultValue = "0",
            description = "Log every shard's counters this often (0: only at exit). Default: ${DEFAULT-VALUE}.")
    Duration statsInterval;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        RuntimeConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            err.println("shardloop: " + e.getMessage());
            return 2;
        }
        if (!protocol.equals("echo") && !protocol.equals("http")) {
            err.println("shardloop: unknown protocol '" + protocol + "' (known: http, echo)");
            return 2;
        }
        List<Endpoint> endpoints = new ArrayList<>();
        if (protocol.equals("echo")) {
            endpoints.add(Endpoint.of(bind, port, new EchoProtocol()));
        }
        HttpProtocol http = null;
        if (httpPort != 0) {
            try {
                HttpConfig httpConfig = HttpConfig.defaults(root).withTimeouts(httpKeepAlive, httpHeaderTimeout);
                http = new HttpProtocol(httpConfig);
                LOG.log(System.Logger.Level.INFO, "http: " + httpConfig.describe());
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                err.println("shardloop: " + e.getMessage());
                return 2;
            }
            endpoints.add(Endpoint.of(bind, httpPort, http));
        }
        if (endpoints.isEmpty()) {
            err.println("shardloop: nothing to serve (--http-port 0 and no --protocol echo)");
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        ShardGroup group;
        try {
            group = ShardGroup.start(config, endpoints);
        } catch (PortInUseException e) {
            closeQuietly(http);
            err.println("shardloop: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            closeQuietly(http);
            err.println("shardloop: cannot start: " + e.getMessage());
            return 1;
        }
        LOG.log(System.Logger.Level.INFO, "config: " + config.describe());
        for (int i = 0; i < endpoints.size(); i++) {
            LOG.log(System.Logger.Level.INFO, "serving " + endpoints.get(i).protocol().name() + " on " + bind + ":"
                    + group.port(i));
        }
        LOG.log(System.Logger.Level.INFO, "Ctrl-C to stop");
        awaitStop(stop, group);
        LOG.log(System.Logger.Level.INFO, "stopping: no new connections, draining");
        group.close();
        closeQuietly(http);
        for (ShardStats s : group.stats()) {
            LOG.log(System.Logger.Level.INFO, s.describe());
        }
        return 0;
    }

    private static void closeQuietly(HttpProtocol http) {
        if (http != null) {
            http.close();
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

    RuntimeConfig config() {
        int n = shards > 0 ? shards : Math.max(1, (cpus.isEmpty() ? Pinning.usableCpus() : cpus).size());
        ConnectionLimits limits = new ConnectionLimits(
                (int) Math.min(Integer.MAX_VALUE, Units.parseBytes(readBudget)), Units.parseBytes(highWater),
                Units.parseBytes(lowWater), Units.parseBytes(hardLimit),
                (int) Math.min(Integer.MAX_VALUE, Units.parseBytes(maxPendingInput)),
                writeStallTimeout.toNanos(), idleTimeout.toNanos());
        return RuntimeConfig.builder(n).pin(!noPin).cpus(cpus).acceptMode(accept).backlog(backlog)
                .maxConnections(maxConnections).idleSpins(idleSpins).drainTimeout(drainTimeout).limits(limits)
                .build();
    }
}
