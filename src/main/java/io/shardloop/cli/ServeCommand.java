package io.shardloop.cli;

import io.shardloop.baseline.ServerModel;
import io.shardloop.http.HttpConfig;
import io.shardloop.kv.StateMode;
import io.shardloop.persist.AppendLog;
import io.shardloop.persist.DiskFiles;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.persist.SavePoints;
import io.shardloop.resp.PubSubLimit;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.mailbox.MailboxConfig;
import io.shardloop.runtime.mailbox.MailboxKind;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.offload.OffloadConfig;
import io.shardloop.runtime.shard.AcceptMode;
import io.shardloop.runtime.shard.AddressUnavailableException;
import io.shardloop.runtime.shard.BindFailures;
import io.shardloop.runtime.shard.DescriptorBudget;
import io.shardloop.runtime.shard.Pinning;
import io.shardloop.runtime.shard.PortInUseException;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.Transports;
import io.shardloop.runtime.stall.StallConfig;
import io.shardloop.server.ServedProtocol;
import io.shardloop.server.Server;
import io.shardloop.server.ServerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code shardloop serve}: options → {@link ServerConfig} → {@link Server#start} → wait for SIGINT,
 * SIGTERM or SHUTDOWN (which save first when told to, {@link Server#shutdown}) → {@link Server#stop()}. Every option value is checked here, so a bad one is refused
 * with one line that names it.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Serves on one event loop per CPU, each pinned to its CPU and accepting on its own SO_REUSEPORT "
                    + "listener. By default: the Redis protocol on 127.0.0.1:6379 over a key-value store sharded by "
                    + "key across the loops, and HTTP/1.1 on 127.0.0.1:8080 over the same store. Listens on "
                    + "loopback unless --bind says otherwise.%n",
            "Stops cleanly on Ctrl-C, SIGTERM or SHUTDOWN: saves a snapshot first when --save has save points "
                    + "(or SHUTDOWN SAVE; not SHUTDOWN NOSAVE; if it fails, goes on serving), stops accepting, sends "
                    + "what is buffered (for up to --drain-timeout), then closes; a loop that has not stopped "
                    + "--stop-timeout later is named in the log with its stack and left behind. A second Ctrl-C "
                    + "meanwhile exits at once, with status 1.%n",
            "Sizes are bytes with an optional k, m or g (64k, 1m); times are a number with ms, s, m or h "
                    + "(250ms, 30s, 2m), or seconds alone.%n"},
        footer = {"%nExamples:",
            "  shardloop serve",
            "      Redis protocol on :6379 and HTTP on :8080, one shard per CPU",
            "  shardloop serve --root ./site",
            "      ... and the files under ./site at /static/",
            "  shardloop serve --state locked --shards 2",
            "      the same data behind one lock, for comparison",
            "  shardloop serve --protocol echo --port 9000",
            "      the echo protocol alone",
            "  shardloop serve --model virtual --state concurrent",
            "      a virtual thread per connection, as a baseline",
            "  shardloop serve --requirepass s3cret",
            "      AUTH before any Redis command, the password on HTTP /kv too",
            "  shardloop serve --no-pin --accept handoff",
            "      unpinned loops, one acceptor handing connections out",
            "%nExit status:",
            "  0  stopped cleanly after SIGINT, SIGTERM or SHUTDOWN",
            "  1  could not start",
            "  2  a bad option value, a port already in use, or an address not",
            "     this machine's",
            "  " + ServeCommand.EXIT_SHARD_ABANDONED + "  stopped, but a shard's loop did not stop by --drain-timeout",
            "     plus --stop-timeout and was abandoned (the log names it)"})
final class ServeCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());
    /** The exit status when shutdown had to leave a shard's loop running (stuck in a turn). */
    static final int EXIT_SHARD_ABANDONED = 3;
    static final int EXIT_CANNOT_START = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--protocol", paramLabel = "NAME", split = ",", defaultValue = "resp,http",
            description = "Protocols to serve, comma-separated: resp (Redis protocol, on --resp-port), "
                    + "http (HTTP/1.1, on --http-port), echo (on --port). Default: ${DEFAULT-VALUE}.")
    List<ServedProtocol> protocols;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "" + ServerConfig.DEFAULT_HTTP_PORT,
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

    @Option(names = "--http-body-timeout", paramLabel = "TIME", defaultValue = "20s",
            description = "Close an HTTP client that takes longer than this, plus what --http-body-min-rate earns it, "
                    + "to send a request body (0: never). Default: ${DEFAULT-VALUE}.")
    Duration httpBodyTimeout;

    @Option(names = "--http-body-min-rate", paramLabel = "SIZE", defaultValue = "500", converter = Converters.Size.class,
            description = "Bytes per second a request body must keep up: each this many bytes received adds a second "
                    + "to --http-body-timeout (0: a fixed deadline). Default: ${DEFAULT-VALUE}.")
    long httpBodyMinRate;

    @Option(names = "--resp-port", paramLabel = "PORT", defaultValue = "" + ServerConfig.DEFAULT_RESP_PORT,
            description = "Port of the Redis protocol (0: do not serve it). Default: ${DEFAULT-VALUE}.")
    int respPort;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "loops",
            description = "loops (event loops, one per shard), threads (a platform thread per connection, blocking "
                    + "sockets) or virtual (a virtual thread per connection); the last two serve resp and http over "
                    + "--state locked or concurrent, as baselines to measure the loops against. Default: ${DEFAULT-VALUE}.")
    ServerModel model;

    @Option(names = "--state", paramLabel = "MODE",
            description = "How the key-value data is held: sharded (each key owned by one shard, others send it "
                    + "messages), locked (one map behind one lock), concurrent (one ConcurrentHashMap). "
                    + "Default: sharded (locked with --model threads or virtual).")
    StateMode state;

    @Option(names = "--requirepass", paramLabel = "PASSWORD",
            description = "Require AUTH with this password before any other Redis command, and the same password "
                    + "on HTTP /kv (Basic as user default, or Bearer); /metrics, /stats and /plaintext stay open.")
    String requirePass;

    @Option(names = "--protected-mode", paramLabel = "yes|no", defaultValue = "yes",
            description = "Redis's protected mode: without --requirepass, Redis clients that do not connect over "
                    + "loopback are refused (-DENIED), and so are their /kv requests (403). Default: ${DEFAULT-VALUE}.")
    String protectedMode;

    @Option(names = "--maxmemory", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "Past this much memory held (the heap after the latest collection, and direct buffers), "
                    + "commands that may grow the data are answered -OOM, as Redis's noeviction policy does "
                    + "(0: no limit). Default: three quarters of the largest heap.")
    Long maxMemory;

    @Option(names = "--databases", paramLabel = "N", defaultValue = "16",
            description = "Numbered databases, as Redis's databases setting: SELECT 0 to N-1. Default: ${DEFAULT-VALUE}.")
    int databases;

    @Option(names = "--appendonly", paramLabel = "yes|no", defaultValue = "no",
            description = "Redis's appendonly: each shard appends the effects of its writes to its own log in --dir, "
                    + "read back at start. Default: ${DEFAULT-VALUE}.")
    String appendOnly;

    @Option(names = "--appendfsync", paramLabel = "always|everysec|no", defaultValue = "everysec",
            description = "Redis's appendfsync: always (a write is answered once its log is synced), everysec "
                    + "(synced once a second), no (left to the OS). Default: ${DEFAULT-VALUE}.")
    String appendFsync;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Redis's dir: where the append-only directory and the snapshot are. Default: the working directory.")
    Path dir;

    @Option(names = "--appenddirname", paramLabel = "NAME", defaultValue = PersistenceConfig.DEFAULT_APPEND_DIR,
            description = "Redis's appenddirname: the shards' logs, under --dir. Default: ${DEFAULT-VALUE}.")
    String appendDirName;

    @Option(names = "--dbfilename", paramLabel = "NAME", defaultValue = PersistenceConfig.DEFAULT_DB_FILENAME,
            description = "Redis's dbfilename: the snapshot SAVE and BGSAVE write, under --dir. Default: ${DEFAULT-VALUE}.")
    String dbFilename;

    @Option(names = "--auto-aof-rewrite-percentage", paramLabel = "PERCENT", defaultValue = "100",
            description = "Redis's auto-aof-rewrite-percentage: a shard's log is compacted once it has grown this much "
                    + "past its size after the last compaction (0: never). Default: ${DEFAULT-VALUE}.")
    int autoRewritePercentage;

    @Option(names = "--auto-aof-rewrite-min-size", paramLabel = "SIZE", defaultValue = "64mb",
            converter = Converters.Size.class,
            description = "Redis's auto-aof-rewrite-min-size: no automatic compaction below this size. Default: ${DEFAULT-VALUE}.")
    long autoRewriteMinSize;

    @Option(names = "--aof-load-truncated", paramLabel = "yes|no", defaultValue = "yes",
            description = "Redis's aof-load-truncated: a log cut short by a crash is loaded up to its last whole record "
                    + "(yes), or start-up stops (no). Default: ${DEFAULT-VALUE}.")
    String aofLoadTruncated;

    @Option(names = "--save", paramLabel = "\"SECONDS CHANGES ...\"", defaultValue = PersistenceConfig.REDIS_SAVE_POINTS,
            description = "Redis's save points: a snapshot (BGSAVE, to --dbfilename) is taken once, since the last one, "
                    + "at least CHANGES writes were made and more than SECONDS went by, for any pair; SHUTDOWN, SIGINT "
                    + "and SIGTERM save one before exiting when any is set. \"\" for none. Served by the event loops "
                    + "over sharded state. Default: \"${DEFAULT-VALUE}\" (Redis's).")
    String save;

    @Option(names = "--notify-keyspace-events", paramLabel = "CLASSES", defaultValue = "",
            description = "Redis's keyspace notifications: the classes of events published as __keyspace@<db>__:<key> "
                    + "and __keyevent@<db>__:<event> messages, in Redis's letters (K E g $ l s h z x e t m d n A, "
                    + "e.g. KEA). Default: none.")
    String notifyKeyspaceEvents;

    @Option(names = "--maxmemory-clients", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "Bytes all connections together may hold (input not yet used, replies not yet sent); past "
                    + "it the connections holding the most are closed, largest first (0: no bound). "
                    + "Default: a quarter of the largest heap.")
    Long maxMemoryClients;

    @Option(names = "--client-query-buffer-limit", paramLabel = "SIZE", defaultValue = "1g",
            converter = Converters.Size.class,
            description = "Input one connection may hold in all, a command still arriving included; past it the "
                    + "connection is closed. Default: ${DEFAULT-VALUE}.")
    long clientQueryBufferLimit;

    @Option(names = "--max-bulk", paramLabel = "SIZE", defaultValue = "512m", converter = Converters.Size.class,
            description = "Largest Redis bulk string accepted. Default: ${DEFAULT-VALUE}.")
    long maxBulk;

    @Option(names = "--max-args", paramLabel = "N", defaultValue = "1048576",
            description = "Most arguments in one Redis command. Default: ${DEFAULT-VALUE}.")
    int maxArgs;

    @Option(names = "--max-inline", paramLabel = "SIZE", defaultValue = "64k", converter = Converters.Size.class,
            description = "Longest inline Redis command. Default: ${DEFAULT-VALUE}.")
    long maxInline;

    @Option(names = "--max-outstanding", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_OUTSTANDING,
            description = "Replies one connection may have waiting on other shards before it is no longer read. "
                    + "Default: ${DEFAULT-VALUE}.")
    int maxOutstanding;

    @Option(names = "--mailbox", paramLabel = "KIND", defaultValue = "mpsc",
            description = "Cross-shard transport: mpsc (one inbox ring per shard) or spsc (a ring per ordered "
                    + "pair of shards). Default: ${DEFAULT-VALUE}.")
    MailboxKind mailbox;

    @Option(names = "--mailbox-credits", paramLabel = "N", defaultValue = "1024",
            description = "Requests a shard may have in flight to one other shard; a connection whose request finds "
                    + "none left waits, unread. Default: ${DEFAULT-VALUE}.")
    int mailboxCredits;

    @Option(names = "--mailbox-credit-bytes", paramLabel = "SIZE", defaultValue = "1m", converter = Converters.Size.class,
            description = "Request bytes a shard may have in flight to one other shard (a longer request still goes, "
                    + "alone). Default: ${DEFAULT-VALUE}.")
    long mailboxCreditBytes;

    @Option(names = "--mailbox-reply-backlog", paramLabel = "SIZE", defaultValue = "1m", converter = Converters.Size.class,
            description = "Reply bytes a shard may hold for an asking shard whose ring is full before it stops "
                    + "running that shard's requests. Default: ${DEFAULT-VALUE}.")
    long mailboxReplyBacklog;

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

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = ServerConfig.DEFAULT_BIND,
            description = "Address to listen on, one of this machine's (0.0.0.0: all of them). "
                    + "Default: ${DEFAULT-VALUE} (loopback only).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ServerConfig.DEFAULT_ECHO_PORT,
            description = "Port of the echo protocol (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--shards", paramLabel = "N",
            description = "Event loops to run, at least 1. Default: one per CPU of --cpus when given, else one per "
                    + "CPU this process may use (its affinity mask, as nproc counts).")
    Integer shards;

    @Option(names = "--no-pin", description = "Do not pin shard threads to CPUs.")
    boolean noPin;

    @Option(names = "--cpus", paramLabel = "LIST", split = ",",
            description = "CPUs to pin shards to, in order (e.g. 2,3). Default: the process's affinity mask.")
    List<Integer> cpus = List.of();

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "auto",
            description = "How the loops do network and file I/O: auto (the first of io_uring, epoll and nio that"
                    + " starts here), io_uring (a ring per loop, through FFM; static files on it too), epoll (native,"
                    + " through FFM) or nio (the JDK's). Default: ${DEFAULT-VALUE}.")
    String transport;

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

    @Option(names = "--read-budget", paramLabel = "SIZE", defaultValue = "64k", converter = Converters.Size.class,
            description = "Bytes read from one connection per loop turn. Default: ${DEFAULT-VALUE}.")
    long readBudget;

    @Option(names = "--high-water", paramLabel = "SIZE", defaultValue = "1m", converter = Converters.Size.class,
            description = "Unsent bytes at which a connection stops being read. Default: ${DEFAULT-VALUE}.")
    long highWater;

    @Option(names = "--low-water", paramLabel = "SIZE", defaultValue = "256k", converter = Converters.Size.class,
            description = "Unsent bytes at which reading resumes, at most --high-water. Default: ${DEFAULT-VALUE}.")
    long lowWater;

    @Option(names = "--hard-limit", paramLabel = "SIZE", defaultValue = "64m", converter = Converters.Size.class,
            description = "Bytes of replies (unsent, or held behind an earlier one) at which a connection is closed, at least --high-water. Default: ${DEFAULT-VALUE}.")
    long hardLimit;

    @Option(names = "--max-pending-input", paramLabel = "SIZE", defaultValue = "1m", converter = Converters.Size.class,
            description = "Received bytes a connection may hold unparsed. Default: ${DEFAULT-VALUE}.")
    long maxPendingInput;

    @Option(names = "--write-stall-timeout", paramLabel = "TIME", defaultValue = "30s",
            description = "Close a connection whose peer takes no bytes for this long (0: never). Default: ${DEFAULT-VALUE}.")
    Duration writeStallTimeout;

    @Option(names = "--idle-timeout", paramLabel = "TIME", defaultValue = "0",
            description = "Close a connection that sends nothing for this long (0: never). Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--linger-timeout", paramLabel = "TIME", defaultValue = "2s",
            description = "How long a connection the server closes keeps reading and dropping what its client still"
                    + " sends, so that the client reads the last reply before any reset (0: close at once)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration lingerTimeout;

    @Option(names = "--drain-timeout", paramLabel = "TIME", defaultValue = "5s",
            description = "On shutdown, how long to wait for unsent bytes. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--stop-timeout", paramLabel = "TIME", defaultValue = "2s",
            description = "On shutdown, how long after --drain-timeout the loops get to close their listeners and end; "
                    + "one still running then (stuck in a turn) is logged with its stack and abandoned, and the exit "
                    + "status is " + EXIT_SHARD_ABANDONED + ". Default: ${DEFAULT-VALUE}.")
    Duration stopTimeout;

    @Option(names = "--client-output-buffer-limit-pubsub-hard", paramLabel = "SIZE", defaultValue = "32m",
            converter = Converters.Size.class,
            description = "Redis's client-output-buffer-limit pubsub, hard part: a subscriber (or MONITOR) holding this "
                    + "many unsent bytes is closed (0: no limit). Default: ${DEFAULT-VALUE}.")
    long pubsubHardLimit;

    @Option(names = "--client-output-buffer-limit-pubsub-soft", paramLabel = "SIZE", defaultValue = "8m",
            converter = Converters.Size.class,
            description = "Its soft part: a subscriber over this many unsent bytes for "
                    + "--client-output-buffer-limit-pubsub-soft-seconds is closed (0: no limit). Default: ${DEFAULT-VALUE}.")
    long pubsubSoftLimit;

    @Option(names = "--client-output-buffer-limit-pubsub-soft-seconds", paramLabel = "N", defaultValue = "60",
            description = "Seconds a subscriber may stay over the soft limit. Default: ${DEFAULT-VALUE}.")
    long pubsubSoftSeconds;

    @Option(names = "--lua-time-limit", paramLabel = "TIME", defaultValue = "5s",
            description = "How long a script (EVAL, FCALL) may run before it is stopped with an error; what it wrote "
                    + "before stays. Its shard's loop runs nothing else meanwhile. 0: no limit. Default: ${DEFAULT-VALUE}.")
    Duration luaTimeLimit;

    @Option(names = "--idle-spins", paramLabel = "N", defaultValue = "0",
            description = "Empty turns a loop polls before it sleeps (lower latency, more CPU). Default: ${DEFAULT-VALUE}.")
    int idleSpins;

    @Option(names = "--stats-interval", paramLabel = "TIME", defaultValue = "0",
            description = "Log every shard's counters this often (0: only at exit). Default: ${DEFAULT-VALUE}.")
    Duration statsInterval;

    /** Which transport --transport settled on, and why, kept for the start-up log. */
    private Transports.Selection transportChoice;

    /** How --max-connections was settled, kept for the start-up log. */
    private DescriptorBudget.Choice connectionChoice;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        ServerConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            // The options passed their checks but a setting refused the combination.
            err.println(name + ": " + e.getMessage());
            return OneLineErrors.EXIT_USAGE;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(signal -> stop.countDown()); // until it serves: nothing to save yet
        Server server;
        try {
            server = Server.start(config);
        } catch (PortInUseException e) {
            err.println(name + ": " + e.getMessage() + ": choose another with " + portOption(e.address().getPort())
                    + ", or stop what holds it");
            return OneLineErrors.EXIT_USAGE;
        } catch (AddressUnavailableException | UnknownHostException e) {
            err.println(name + ": Invalid value for option '--bind': '" + bind + "': " + e.getMessage());
            return OneLineErrors.EXIT_USAGE;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println(name + ": " + e.getMessage());
            return OneLineErrors.EXIT_USAGE;
        } catch (IOException | RuntimeException e) {
            err.println(name + ": cannot start: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return EXIT_CANNOT_START;
        }
        if (connectionChoice.line() != null) {
            LOG.log(connectionChoice.warning() ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    connectionChoice.line());
        }
        LOG.log(System.Logger.Level.INFO, "transport: " + transportChoice);
        LOG.log(System.Logger.Level.INFO, "config: " + config.describe());
        for (String line : server.servingLines()) {
            LOG.log(System.Logger.Level.INFO, line);
        }
        server.shutdown().onStop(stop::countDown); // SHUTDOWN, or a signal, decided to stop: exit with 0
        Signals.onTermination(signal -> onSignal(signal, server));
        LOG.log(System.Logger.Level.INFO, "Ctrl-C to stop");
        awaitStop(stop, server);
        LOG.log(System.Logger.Level.INFO, "stopping: no new connections, draining");
        List<String> abandoned = server.stop();
        for (String line : server.statsLines()) {
            LOG.log(System.Logger.Level.INFO, line);
        }
        if (!abandoned.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "stopped, leaving " + String.join(", ", abandoned) + " behind: exit status "
                    + EXIT_SHARD_ABANDONED);
            return EXIT_SHARD_ABANDONED;
        }
        return 0;
    }

    /** Whether a signal's shutdown is under way: a second SIGINT meanwhile exits at once, as Redis does. */
    private final java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();

    /** SIGINT or SIGTERM once the server serves: SHUTDOWN without arguments (Redis's sigShutdownHandler, then serverCron). */
    private void onSignal(String signal, Server server) {
        if (!signalled.compareAndSet(false, true)) {
            if (signal.equals("INT")) {
                LOG.log(System.Logger.Level.WARNING, "You insist... exiting now.");
                Runtime.getRuntime().halt(1); // not a clean stop
            }
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "Received SIG" + signal + " scheduling shutdown...");
        server.shutdown().request(0, failed -> {
            if (failed != null) { // the save failed: it goes on serving, as Redis does
                LOG.log(System.Logger.Level.WARNING, "SIG" + signal + " received but errors trying to shut down the "
                        + "server, check the logs for more information");
                signalled.set(false);
            }
        });
    }

    /** The option that set a port, for the line about it being taken. */
    private String portOption(int taken) {
        if (protocols.contains(ServedProtocol.RESP) && respPort == taken) {
            return "--resp-port";
        }
        if (protocols.contains(ServedProtocol.HTTP) && httpPort == taken) {
            return "--http-port";
        }
        return "--port";
    }

    private void awaitStop(CountDownLatch stop, Server server) {
        try {
            if (statsInterval.isZero()) {
                stop.await();
                return;
            }
            while (!stop.await(statsInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                for (String line : server.statsLines()) {
                    LOG.log(System.Logger.Level.INFO, line);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server's configuration from the options; a bad value fails with the line that names it. */
    ServerConfig config() {
        check();
        List<ServedProtocol> served = new ArrayList<>();
        for (ServedProtocol p : protocols) {
            boolean off = (p == ServedProtocol.RESP && respPort == 0) || (p == ServedProtocol.HTTP && httpPort == 0);
            if (!off && !served.contains(p)) {
                served.add(p);
            }
        }
        if (served.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "nothing to serve: the port of every protocol in --protocol '" + checks().typed("--protocol")
                            + "' is 0");
        }
        int n = shards != null ? shards : Math.max(1, (cpus.isEmpty() ? Pinning.usableCpus() : cpus).size());
        ConnectionLimits limits = new ConnectionLimits((int) readBudget, highWater, lowWater, hardLimit,
                (int) maxPendingInput, clientQueryBufferLimit, writeStallTimeout.toNanos(), idleTimeout.toNanos(),
                lingerTimeout.toNanos());
        transportChoice = TransportOption.select(spec, transport);
        RuntimeConfig.Builder runtimeBuilder = RuntimeConfig.builder(n).transport(transportChoice.transport());
        if (maxMemoryClients != null) {
            runtimeBuilder.maxClientMemory(maxMemoryClients);
        }
        RuntimeConfig runtime = runtimeBuilder.pin(!noPin).cpus(cpus).acceptMode(accept).backlog(backlog)
                .maxConnections(maxConnections(model.threaded() ? 0 : n, served.size())).idleSpins(idleSpins)
                .drainTimeout(drainTimeout).limits(limits)
                .mailbox(MailboxConfig.defaults().withKind(mailbox).withCredits(mailboxCredits)
                        .withCreditBytes(mailboxCreditBytes).withReplyBacklogBytes(mailboxReplyBacklog))
                .offload(new OffloadConfig(offloadThreads, offloadQueue))
                .stall(stallThreshold.isZero() ? StallConfig.off() : StallConfig.defaults().withThreshold(stallThreshold))
                .build();
        HttpConfig http = HttpConfig.defaults(root).withTimeouts(httpKeepAlive, httpHeaderTimeout)
                .withBodyTimeout(httpBodyTimeout, httpBodyMinRate);
        ServerConfig.Builder server = ServerConfig.builder();
        if (maxMemory != null) {
            server.maxMemory(maxMemory);
        }
        server.databases(databases);
        server.notifyKeyspaceEvents(notifyKeyspaceEvents);
        server.luaTimeLimit(luaTimeLimit);
        server.persistence(new PersistenceConfig(appendOnly.equalsIgnoreCase("yes"), AppendLog.Fsync.parse(appendFsync),
                (dir != null ? dir : Path.of("")).toAbsolutePath(), appendDirName, dbFilename, autoRewritePercentage,
                autoRewriteMinSize, aofLoadTruncated.equalsIgnoreCase("yes"), SavePoints.parse(save), DiskFiles.INSTANCE));
        return server.protocols(served).bind(bind).respPort(respPort).httpPort(httpPort).echoPort(port)
                .model(model).state(state).runtime(runtime)
                .respLimits(new RespLimits(maxBulk, maxArgs, (int) maxInline)).maxOutstanding(maxOutstanding)
                .requirePass(requirePass).protectedMode(protectedMode.equalsIgnoreCase("yes")).http(http).stopTimeout(stopTimeout)
                .pubsubLimit(new PubSubLimit(pubsubHardLimit, pubsubSoftLimit, pubsubSoftSeconds)).build();
    }

    private OptionChecks checks() {
        return new OptionChecks(spec);
    }

    /** Every option value against what the server accepts, each refused with its own line. */
    private void check() {
        OptionChecks c = checks();
        c.port("--resp-port", respPort);
        c.port("--http-port", httpPort);
        c.port("--port", port);
        if (shards != null) {
            c.atLeast("--shards", shards, 1, "one event loop at least; leave it out for one per CPU");
        }
        c.cpus("--cpus", cpus);
        c.atLeast("--databases", databases, 1, "database 0 at least");
        c.yesNo("--appendonly", appendOnly);
        c.yesNo("--aof-load-truncated", aofLoadTruncated);
        if (AppendLog.Fsync.parse(appendFsync) == null) {
            throw c.invalid("--appendfsync", "is none of always, everysec, no");
        }
        if (dir != null && !Files.isDirectory(dir)) {
            throw c.invalid("--dir", "is not a directory");
        }
        for (String[] name : new String[][] {{"--appenddirname", appendDirName}, {"--dbfilename", dbFilename}}) {
            if (name[1].isEmpty() || name[1].contains("/") || name[1].equals(".") || name[1].equals("..")) {
                throw c.invalid(name[0], "must be a plain file name, not a path");
            }
        }
        c.atLeast("--auto-aof-rewrite-percentage", autoRewritePercentage, 0, "0 turns it off");
        try {
            SavePoints.parse(save);
        } catch (IllegalArgumentException e) {
            throw c.invalid("--save", "is not pairs of seconds (1 or more) and changes (0 or more), one space "
                    + "apart, nor \"\" (" + e.getMessage() + ")");
        }
        if (appendOnly.equalsIgnoreCase("yes") && (model.threaded() || state != null && state != StateMode.SHARDED)) {
            throw c.invalid("--appendonly", "is served by the event loops over sharded state (--model loops "
                    + "--state sharded)");
        }
        if (io.shardloop.kv.KeyspaceEvents.parse(notifyKeyspaceEvents) < 0) {
            throw c.invalid("--notify-keyspace-events", "has a class Redis does not know: use the letters of "
                    + "'Ag$lshzxeKEtmdn'");
        }
        checkBind(c);
        if (root != null && !Files.isDirectory(root)) {
            throw c.invalid("--root", Files.exists(root) ? "is not a directory" : "does not exist");
        }
        if (model.threaded()) {
            if (state == StateMode.SHARDED) {
                throw c.invalid("--state", "needs --model loops: with a thread per connection no shard owns a key "
                        + "(use --state locked or concurrent)");
            }
            if (protocols.contains(ServedProtocol.ECHO)) {
                throw c.invalid("--protocol", "holds echo, which --model " + model.label() + " does not serve "
                        + "(resp and http only)");
            }
            if (root != null && protocols.contains(ServedProtocol.HTTP)) {
                throw c.invalid("--root", "is served by --model loops only");
            }
        }
        c.yesNo("--protected-mode", protectedMode);
        c.between("--max-bulk", maxBulk, 1, Integer.MAX_VALUE - 16, null);
        c.atLeast("--max-args", maxArgs, 1, null);
        c.between("--max-inline", maxInline, 16, Integer.MAX_VALUE, null);
        c.atLeast("--max-outstanding", maxOutstanding, 2, null);
        c.atLeast("--client-output-buffer-limit-pubsub-soft-seconds", pubsubSoftSeconds, 0, null);
        c.between("--mailbox-credits", mailboxCredits, 1, MailboxConfig.MAX_CREDITS, null);
        c.atLeast("--mailbox-credit-bytes", mailboxCreditBytes, 1024, null);
        c.atLeast("--mailbox-reply-backlog", mailboxReplyBacklog, 1024, null);
        c.atLeast("--offload-threads", offloadThreads, 1, null);
        c.atLeast("--offload-queue", offloadQueue, 0, null);
        c.atLeast("--backlog", backlog, 1, null);
        if (maxConnections != null) {
            c.atLeast("--max-connections", maxConnections, 1, null);
        }
        c.between("--read-budget", readBudget, 1, Integer.MAX_VALUE, null);
        c.between("--max-pending-input", maxPendingInput, 1, Integer.MAX_VALUE, null);
        if (clientQueryBufferLimit < maxPendingInput) {
            throw c.invalid("--client-query-buffer-limit", "is below --max-pending-input '" + c.typed("--max-pending-input")
                    + "': the unparsed input of a connection is part of what it holds");
        }
        c.atLeast("--idle-spins", idleSpins, 0, null);
        if (lowWater > highWater) {
            throw c.invalid("--low-water", "is above --high-water '" + c.typed("--high-water")
                    + "': reading resumes at or below the low-water mark, so it cannot be the higher one");
        }
        if (hardLimit < highWater) {
            throw c.invalid("--hard-limit", "is below --high-water '" + c.typed("--high-water")
                    + "': a connection is closed past the hard limit, so it cannot come before reading stops");
        }
    }

    private void checkBind(OptionChecks c) {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw c.invalid("--bind", "is not an address, and no host of that name resolves");
        }
        if (address.isMulticastAddress()) {
            throw c.invalid("--bind", "is a multicast address, which cannot accept connections");
        }
        // A bind to any free port of the address tells whether it is this machine's, and takes nothing.
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(address, 0));
        } catch (BindException e) {
            if (BindFailures.classify(new InetSocketAddress(address, 0), e) instanceof AddressUnavailableException) {
                throw c.invalid("--bind", "is not an address of this machine (cannot assign requested address)");
            }
        } catch (IOException e) {
            // Not the address's fault (out of descriptors, say): the real bind will tell.
        }
    }

    /**
     * --max-connections, or the default the open-file limit leaves room for; the line that says why
     * when it is lowered, or when the value asked does not fit, is logged once the server runs.
     */
    private int maxConnections(int loops, int endpoints) {
        connectionChoice = DescriptorBudget.forServer(loops, endpoints, offloadThreads).choose(maxConnections);
        return connectionChoice.maxConnections();
    }
}
