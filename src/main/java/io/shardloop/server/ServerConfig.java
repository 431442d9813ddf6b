package io.shardloop.server;

import io.shardloop.baseline.ServerModel;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.http.HttpConfig;
import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.resp.PubSubLimit;
import io.shardloop.resp.RespConfig;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.shard.Pinning;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything a {@link Server} runs with: what it serves and where, how it holds the data, and every
 * limit. {@code shardloop serve} builds one from its options; tests build one with {@link #builder()}.
 *
 * @param protocols      what to serve, in this order (the order of the shard group's endpoints)
 * @param bind           the address every protocol listens on
 * @param respPort       port of {@link ServedProtocol#RESP} (0: any free port)
 * @param httpPort       port of {@link ServedProtocol#HTTP} (0: any free port)
 * @param echoPort       port of {@link ServedProtocol#ECHO} (0: any free port)
 * @param model          event loops on a shard group, or a thread per connection (the baselines)
 * @param state          how the key-value data is held
 * @param runtime        the shard group's settings; the thread-per-connection models take the
 *                       backlog, the connection limit and the drain timeout from it
 * @param respLimits     sizes a Redis command may declare
 * @param maxOutstanding replies one RESP connection may have waiting on other shards
 * @param requirePass    the password of RESP's AUTH and of HTTP's {@code /kv}, or null for none; it
 *                       replaces the one in {@code http}
 * @param http           the HTTP server's settings
 * @param stopTimeout    what {@link Server#close()} gives the loops, after the drain timeout, to end
 * @param protectedMode  Redis's protected mode: without a password, clients that do not come over
 *                       loopback are refused (RESP, and HTTP's {@code /kv}); it replaces the one in {@code http}
 * @param maxMemory      Redis's maxmemory (noeviction): bytes past which writes that may grow the data
 *                       are refused with -OOM, 0 for none (the event-loop model)
 * @param databases      Redis's {@code databases}: how many numbered databases SELECT reaches (16)
 * @param pubsubLimit    Redis's {@code client-output-buffer-limit pubsub}: when a subscriber that does
 *                       not read is closed
 * @param notifyKeyspaceEvents Redis's {@code notify-keyspace-events} classes ("" for none, the default)
 * @param persistence    what is kept on disk: the shards' append-only logs, snapshots (the event-loop
 *                       model over sharded state)
 * @param luaTimeLimit   Redis's lua-time-limit: how long a script may run before it is stopped (zero: no limit)
 */
public record ServerConfig(List<ServedProtocol> protocols, String bind, int respPort, int httpPort, int echoPort,
                           ServerModel model, StateMode state, RuntimeConfig runtime, RespLimits respLimits,
                           int maxOutstanding, String requirePass, HttpConfig http, Duration stopTimeout,
                           boolean protectedMode, long maxMemory, int databases,
                           PubSubLimit pubsubLimit, String notifyKeyspaceEvents, PersistenceConfig persistence,
                           Duration luaTimeLimit) {
    /** The ports {@code shardloop serve} listens on unless told otherwise. */
    public static final int DEFAULT_RESP_PORT = 6379;
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_ECHO_PORT = 7007;
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_MAX_OUTSTANDING = 1024;

    public ServerConfig {
        protocols = List.copyOf(protocols);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("nothing to serve: no protocol given");
        }
        if (EnumSet.copyOf(protocols).size() != protocols.size()) {
            throw new IllegalArgumentException("a protocol is listed twice: " + labels(protocols));
        }
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("a bind address is required");
        }
        for (int port : new int[] {respPort, httpPort, echoPort}) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("a port is between 0 and 65535, got " + port);
            }
        }
        Set<Integer> taken = new java.util.HashSet<>();
        for (ServedProtocol p : protocols) {
            int port = switch (p) {
                case RESP -> respPort;
                case HTTP -> httpPort;
                case ECHO -> echoPort;
            };
            if (port != 0 && !taken.add(port)) {
                throw new IllegalArgumentException("two protocols on port " + port + ": give each its own");
            }
        }
        if (model == null || state == null || runtime == null || respLimits == null || http == null
                || stopTimeout == null || luaTimeLimit == null) {
            throw new IllegalArgumentException("model, state, runtime, RESP limits, HTTP, stop timeout and lua time limit"
                    + " are required");
        }
        model.check(state);
        if (model.threaded()) {
            for (ServedProtocol p : protocols) {
                if (!p.servesData()) {
                    throw new IllegalArgumentException("--model " + model.label() + " serves resp and http, not "
                            + p.label());
                }
            }
            if (http.staticRoot() != null && protocols.contains(ServedProtocol.HTTP)) {
                throw new IllegalArgumentException("static files (--root) are served by --model loops only");
            }
        }
        if (maxOutstanding < 2) {
            throw new IllegalArgumentException("at least 2 outstanding replies per connection, got " + maxOutstanding);
        }
        if (stopTimeout.isNegative()) {
            throw new IllegalArgumentException("the stop timeout must not be negative, got " + stopTimeout);
        }
        if (maxMemory < 0) {
            throw new IllegalArgumentException("maxmemory must not be negative, got " + maxMemory);
        }
        if (persistence == null) {
            throw new IllegalArgumentException("the persistence settings are required");
        }
        if (persistence.appendOnly() && (model.threaded() || state != StateMode.SHARDED)) { // keepsDisk(), before the fields are set
            throw new IllegalArgumentException("appendonly yes is served by the event loops over sharded state"
                    + " (--model loops --state sharded), not by --model " + model.label() + " --state "
                    + state.name().toLowerCase(Locale.ROOT));
        }
        if (databases < 1) {
            throw new IllegalArgumentException("at least one database, got " + databases);
        }
        if (io.shardloop.kv.KeyspaceEvents.parse(notifyKeyspaceEvents) < 0) {
            throw new IllegalArgumentException("notify-keyspace-events '" + notifyKeyspaceEvents + "': "
                    + io.shardloop.kv.KeyspaceEvents.INVALID);
        }
        http = http.withRequirePass(requirePass).withProtectedMode(protectedMode);
    }

    /** The Redis protocol's settings. */
    /** Whether this server keeps data on disk (snapshots, logs): the event loops over sharded state do. */
    public boolean keepsDisk() {
        return !model.threaded() && state == StateMode.SHARDED;
    }

    public RespConfig resp() {
        return new RespConfig(respLimits, maxOutstanding, requirePass, protectedMode, pubsubLimit);
    }

    /** The defaults of {@code shardloop serve}, except the ports: 0, any free port. */
    public static Builder builder() {
        return new Builder();
    }

    /** The port asked for a protocol (0: any free port). */
    public int port(ServedProtocol protocol) {
        return switch (protocol) {
            case RESP -> respPort;
            case HTTP -> httpPort;
            case ECHO -> echoPort;
        };
    }

    public boolean serves(ServedProtocol protocol) {
        return protocols.contains(protocol);
    }

    /** The settings of each thread-per-connection server (the port is set per protocol). */
    ThreadedConfig threaded() {
        return ThreadedConfig.defaults(model, bind, 0)
                .withLimits(runtime.backlog(), runtime.maxConnections(), runtime.drainTimeout(),
                        Duration.ofNanos(runtime.limits().lingerNanos()));
    }

    /** One line for the start-up log: every setting, the runtime's and the protocols' included. */
    public String describe() {
        StringBuilder b = new StringBuilder("model=").append(model.label())
                .append(" state=").append(state.name().toLowerCase(Locale.ROOT)).append(" bind=").append(bind);
        for (ServedProtocol p : protocols) {
            b.append(' ').append(p.label()).append("-port=").append(port(p));
        }
        b.append(' ').append(model.threaded() ? threaded().describe() : runtime.describe());
        b.append(" stop-timeout=").append(stopTimeout.toMillis()).append("ms");
        b.append(" databases=").append(databases);
        if (!model.threaded()) {
            b.append(" maxmemory=").append(maxMemory);
            b.append(' ').append(persistence.describe());
        }
        if (serves(ServedProtocol.RESP)) {
            b.append("; resp: max-bulk=").append(respLimits.maxBulkLength()).append(" max-args=")
                    .append(respLimits.maxArguments()).append(" max-inline=").append(respLimits.maxInlineLength())
                    .append(" max-outstanding=").append(maxOutstanding)
                    .append(" auth=").append(requirePass == null ? "none" : "required")
                    .append(" protected-mode=").append(protectedMode ? "yes" : "no")
                    .append(" client-output-buffer-limit-pubsub=").append(pubsubLimit)
                    .append(" notify-keyspace-events=\"").append(notifyKeyspaceEvents).append('"');
        }
        if (serves(ServedProtocol.HTTP)) {
            b.append("; http: ").append(http.describe());
        }
        return b.toString();
    }

    private static String labels(List<ServedProtocol> protocols) {
        List<String> names = new ArrayList<>();
        protocols.forEach(p -> names.add(p.label()));
        return String.join(",", names);
    }

    /** Builds a {@link ServerConfig}; starts from the defaults of {@link #builder()}. */
    public static final class Builder {
        private List<ServedProtocol> protocols = List.of(ServedProtocol.RESP, ServedProtocol.HTTP);
        private String bind = DEFAULT_BIND;
        private int respPort;
        private int httpPort;
        private int echoPort;
        private ServerModel model = ServerModel.LOOPS;
        private StateMode state;
        private RuntimeConfig runtime;
        private RespLimits respLimits = RespLimits.REDIS_DEFAULTS;
        private int maxOutstanding = DEFAULT_MAX_OUTSTANDING;
        private String requirePass;
        private HttpConfig http = HttpConfig.defaults(null);
        private Duration stopTimeout = ShardGroup.DEFAULT_STOP_TIMEOUT;
        private boolean protectedMode = true;
        private long maxMemory = KvGroup.defaultMaxMemory();
        private int databases = KvGroup.DEFAULT_DATABASES;
        private PubSubLimit pubsubLimit = PubSubLimit.REDIS_DEFAULT;
        private String notifyKeyspaceEvents = "";
        /**
         * Redis's defaults but for the directory: a server built in code (a test, an embedding)
         * starts from nothing, whatever its working directory holds; {@code serve --dir} defaults to
         * the working directory, as redis-server's dir does.
         */
        private PersistenceConfig persistence = PersistenceConfig.defaults().withDir(ProcessDirectory.get());
        private Duration luaTimeLimit = Duration.ofMillis(io.shardloop.script.ScriptRegistry.DEFAULT_TIME_LIMIT_MILLIS);

        private Builder() {
        }

        public Builder protocols(List<ServedProtocol> v) { protocols = v; return this; }
        public Builder protocols(ServedProtocol... v) { protocols = List.of(v); return this; }
        public Builder bind(String v) { bind = v; return this; }
        public Builder respPort(int v) { respPort = v; return this; }
        public Builder httpPort(int v) { httpPort = v; return this; }
        public Builder echoPort(int v) { echoPort = v; return this; }
        public Builder model(ServerModel v) { model = v; return this; }
        /** Unset: sharded for the loops, locked for a thread per connection (no shard owns a key there). */
        public Builder state(StateMode v) { state = v; return this; }
        /** Unset: the runtime's defaults with a pinned shard per usable CPU. */
        public Builder runtime(RuntimeConfig v) { runtime = v; return this; }
        public Builder respLimits(RespLimits v) { respLimits = v; return this; }
        public Builder maxOutstanding(int v) { maxOutstanding = v; return this; }
        public Builder requirePass(String v) { requirePass = v; return this; }
        public Builder http(HttpConfig v) { http = v; return this; }
        public Builder stopTimeout(Duration v) { stopTimeout = v; return this; }
        public Builder protectedMode(boolean v) { protectedMode = v; return this; }
        /** Unset: three quarters of the largest heap ({@link KvGroup#defaultMaxMemory()}); 0: none. */
        public Builder maxMemory(long v) { maxMemory = v; return this; }
        /** Unset: Redis's 16. */
        public Builder databases(int v) { databases = v; return this; }
        public Builder pubsubLimit(PubSubLimit v) { pubsubLimit = v; return this; }
        /** Unset: "", Redis's default (no events). */
        public Builder notifyKeyspaceEvents(String v) { notifyKeyspaceEvents = v; return this; }
        /** Unset: Redis's defaults ({@link PersistenceConfig#defaults()}: appendonly no). */
        public Builder persistence(PersistenceConfig v) { persistence = v; return this; }
        /** Unset: Redis's 5 seconds; zero: no limit. */
        public Builder luaTimeLimit(Duration v) { luaTimeLimit = v; return this; }

        public ServerConfig build() {
            StateMode s = state != null ? state : model.threaded() ? StateMode.LOCKED : StateMode.SHARDED;
            RuntimeConfig r = runtime != null ? runtime : RuntimeConfig.builder(Pinning.usableCpus().size()).build();
            return new ServerConfig(protocols, bind, respPort, httpPort, echoPort, model, s, r, respLimits,
                    maxOutstanding, requirePass, http, stopTimeout, protectedMode, maxMemory, databases,
                    pubsubLimit, notifyKeyspaceEvents, persistence, luaTimeLimit);
        }
    }

    /** A directory of this process's own for the snapshots of servers built in code, made once. */
    private static final class ProcessDirectory {
        private static final java.nio.file.Path DIR = make();

        static java.nio.file.Path get() {
            return DIR;
        }

        private static java.nio.file.Path make() {
            try {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("shardloop-");
                dir.toFile().deleteOnExit(); // when nothing was saved in it
                return dir;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot make a directory for the snapshots: " + e.getMessage(), e);
            }
        }
    }
}
