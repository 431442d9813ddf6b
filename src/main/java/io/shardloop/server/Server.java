package io.shardloop.server;

import io.shardloop.baseline.BlockingHttpProtocol;
import io.shardloop.baseline.BlockingProtocol;
import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;
import io.shardloop.echo.EchoProtocol;
import io.shardloop.http.HttpProtocol;
import io.shardloop.kv.KvGroup;
import io.shardloop.resp.RespProtocol;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.Protocol;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.runtime.shard.ShardStats;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A running server, exactly as its {@link ServerConfig} says: in the event-loop model a
 * {@link ShardGroup} with an endpoint per protocol, RESP and HTTP over one {@link KvGroup}; in a
 * thread-per-connection model a {@link ThreadedServer} per protocol, each over its own store.
 * <pre>{@code
 * try (Server server = Server.start(ServerConfig.builder().runtime(RuntimeConfig.builder(2).pin(false).build()).build())) {
 *     int port = server.port(ServedProtocol.RESP);
 *     ...
 * } // close(): the shards stop in order (stop accepting, drain, close listeners, end), then the protocols
 * }</pre>
 * Start, stop and the getters may be called from any thread; nothing here is on the data path.
 */
public final class Server implements AutoCloseable {
    private final ServerConfig config;
    /** The event-loop model's shards, or null in a thread-per-connection model. */
    private final ShardGroup group;
    private final KvGroup kv;
    private final List<Protocol> protocols;
    private final List<ThreadedServer> threaded;
    private final List<BlockingProtocol> blocking;
    private final Map<ServedProtocol, Integer> ports = new EnumMap<>(ServedProtocol.class);
    private final io.shardloop.persist.Shutdown shutdown;
    private List<String> abandoned;

    private Server(ServerConfig config, ShardGroup group, KvGroup kv, List<Protocol> protocols,
                   List<ThreadedServer> threaded, List<BlockingProtocol> blocking) {
        this.config = config;
        this.group = group;
        this.kv = kv;
        this.protocols = List.copyOf(protocols);
        this.threaded = List.copyOf(threaded);
        this.blocking = List.copyOf(blocking);
        for (int i = 0; i < config.protocols().size(); i++) {
            ports.put(config.protocols().get(i), group != null ? group.port(i) : threaded.get(i).port());
        }
        io.shardloop.persist.Shutdown s = kv != null ? kv.shutdown() : null;
        for (BlockingProtocol p : blocking) {
            if (p instanceof BlockingRespProtocol resp) {
                s = resp.shutdown();
            }
        }
        this.shutdown = s != null ? s : new io.shardloop.persist.Shutdown(io.shardloop.persist.DiskControl.NONE);
        this.shutdown.onStop(this::stop); // on the shutdown's own thread; serve sets its own (then exits)
    }

    /**
     * SHUTDOWN and the signals that ask for it: saves first when told to or when save points are
     * set, then stops this server ({@link #stop}, on a thread of its own); it never exits the
     * process: {@code serve} sets an action of its own ({@link io.shardloop.persist.Shutdown#onStop})
     * that ends its wait, stops the server and exits with status 0.
     */
    public io.shardloop.persist.Shutdown shutdown() {
        return shutdown;
    }

    /**
     * Starts everything the configuration names and returns once it is serving; on failure stops
     * what had started.
     *
     * @throws UnknownHostException when the bind address does not resolve
     * @throws io.shardloop.runtime.shard.PortInUseException when a port is taken
     * @throws io.shardloop.runtime.shard.AddressUnavailableException when the bind address is not this machine's
     * @throws IllegalArgumentException when a protocol's settings are refused (a static root that is no directory)
     */
    public static Server start(ServerConfig config) throws IOException {
        InetAddress bind = resolve(config.bind());
        return config.model().threaded() ? startThreaded(config) : startLoops(config, bind);
    }

    private static InetAddress resolve(String host) throws UnknownHostException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("cannot resolve the bind address '" + host + "'");
        }
    }

    private static Server startLoops(ServerConfig config, InetAddress bind) throws IOException {
        boolean data = config.protocols().stream().anyMatch(ServedProtocol::servesData);
        KvGroup kv = data ? new KvGroup(config.state(), config.runtime().shards(),
                System::currentTimeMillis, config.maxMemory(), config.databases(), config.persistence()) : null;
        if (kv != null) {
            String loaded = config.keepsDisk() ? kv.durability().load() : null; // before any shard serves
            if (loaded != null) {
                java.util.logging.Logger.getLogger(Server.class.getName()).info(loaded);
            }
            kv.notifyKeyspaceEvents(config.notifyKeyspaceEvents()); // checked by the config
            kv.scripts().timeLimitMillis(config.luaTimeLimit().toMillis());
        }
        List<Protocol> protocols = new ArrayList<>();
        List<Endpoint> endpoints = new ArrayList<>();
        try {
            for (ServedProtocol p : config.protocols()) {
                Protocol protocol = switch (p) {
                    case RESP -> new RespProtocol(kv, config.resp());
                    case HTTP -> new HttpProtocol(config.http(), kv);
                    case ECHO -> new EchoProtocol();
                };
                protocols.add(protocol);
                endpoints.add(new Endpoint(new InetSocketAddress(bind, config.port(p)), protocol));
            }
            ShardGroup group = ShardGroup.start(config.runtime(), endpoints);
            return new Server(config, group, kv, protocols, List.of(), List.of());
        } catch (IOException | RuntimeException e) {
            closeProtocols(protocols);
            throw e;
        }
    }

    private static Server startThreaded(ServerConfig config) throws IOException {
        ThreadedConfig base = config.threaded();
        List<ThreadedServer> servers = new ArrayList<>();
        List<BlockingProtocol> protocols = new ArrayList<>();
        try {
            for (ServedProtocol p : config.protocols()) {
                BlockingProtocol protocol = switch (p) {
                    case RESP -> {
                        BlockingRespProtocol resp = new BlockingRespProtocol(base, config.state(), config.resp(),
                                System::currentTimeMillis, config.databases());
                        resp.notifyKeyspaceEvents(config.notifyKeyspaceEvents()); // checked by the config
                        resp.scripts().timeLimitMillis(config.luaTimeLimit().toMillis());
                        yield resp;
                    }
                    case HTTP -> new BlockingHttpProtocol(base, config.http().limits());
                    case ECHO -> throw new IllegalArgumentException("the thread-per-connection models do not serve echo");
                };
                protocols.add(protocol);
                servers.add(ThreadedServer.start(base.withPort(config.port(p)), protocol));
            }
            return new Server(config, null, null, List.of(), servers, protocols);
        } catch (IOException | RuntimeException e) {
            closeThreaded(servers, protocols);
            throw e;
        }
    }

    public ServerConfig config() {
        return config;
    }

    /** The port a protocol listens on (the real one when 0 was asked). */
    public int port(ServedProtocol protocol) {
        Integer port = ports.get(protocol);
        if (port == null) {
            throw new IllegalArgumentException(protocol.label() + " is not served here");
        }
        return port;
    }

    /** The shards of the event-loop model; null in a thread-per-connection model. */
    public ShardGroup group() {
        return group;
    }

    /** The data RESP and HTTP serve in the event-loop model; null in the others, or when neither is served. */
    public KvGroup kv() {
        return kv;
    }

    /** The HTTP protocol of the event-loop model (its counters), or null. */
    public HttpProtocol http() {
        for (Protocol p : protocols) {
            if (p instanceof HttpProtocol h) {
                return h;
            }
        }
        return null;
    }

    /** The thread-per-connection servers, one per protocol; empty in the event-loop model. */
    public List<ThreadedServer> threadedServers() {
        return threaded;
    }

    /** A line per protocol, for the start-up log: "serving resp on 127.0.0.1:6379 (state sharded)". */
    public List<String> servingLines() {
        List<String> lines = new ArrayList<>();
        String state = config.state().name().toLowerCase(Locale.ROOT);
        for (ServedProtocol p : config.protocols()) {
            String detail = config.model().threaded()
                    ? " (model " + config.model().label() + (p == ServedProtocol.RESP ? ", state " + state : "") + ")"
                    : p == ServedProtocol.RESP ? " (state " + state + ")" : "";
            lines.add("serving " + p.label() + " on " + config.bind() + ":" + port(p) + detail);
        }
        return lines;
    }

    /** A line per shard (or per thread-per-connection server) of its counters, for the log at exit. */
    public List<String> statsLines() {
        List<String> lines = new ArrayList<>();
        if (group != null) {
            for (ShardStats s : group.stats()) {
                lines.add(s.describe());
            }
        }
        for (ThreadedServer s : threaded) {
            lines.add(s.protocol().name() + ": " + s.acceptedConnections() + " connections accepted, "
                    + s.refusedConnections() + " refused over max-connections");
        }
        return lines;
    }

    /**
     * Stops in order: the shards stop accepting, drain (within the drain timeout), close their
     * listeners together and end (within the stop timeout after it); then the protocols close. In
     * a thread-per-connection model each server stops accepting and drains, then its protocol closes.
     * After SHUTDOWN's final save the drain sends what is buffered and waits for no reply still owed:
     * the shards serve nothing more ({@link io.shardloop.persist.Shutdown#savedBeforeStop}).
     * Idempotent.
     *
     * @return the shards still running at the deadline, by name (left behind), or empty
     */
    public synchronized List<String> stop() {
        if (abandoned != null) {
            return abandoned;
        }
        if (group != null) {
            abandoned = group.stop(config.stopTimeout(), !shutdown.savedBeforeStop());
            if (kv != null) {
                kv.closeLogs(abandoned); // what the stopped shards appended is written and synced
            }
            closeProtocols(protocols);
        } else {
            abandoned = List.of();
            closeThreaded(threaded, blocking);
        }
        return abandoned;
    }

    @Override
    public void close() {
        stop();
    }

    private static void closeProtocols(List<Protocol> protocols) {
        for (Protocol p : protocols) {
            if (p instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    System.getLogger(Server.class.getName()).log(System.Logger.Level.WARNING,
                            "closing " + p.name() + " failed: " + e);
                }
            }
        }
    }

    private static void closeThreaded(List<ThreadedServer> servers, List<BlockingProtocol> protocols) {
        for (ThreadedServer s : servers) {
            s.close();
        }
        for (BlockingProtocol p : protocols) {
            p.close();
        }
    }
}
