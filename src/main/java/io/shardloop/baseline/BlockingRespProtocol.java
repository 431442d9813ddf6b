package io.shardloop.baseline;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.LockedTracking;
import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.resp.CommandStats;
import io.shardloop.resp.ConcurrentClients;
import io.shardloop.resp.ServerSettings;
import io.shardloop.resp.StatsZero;
import io.shardloop.script.ScriptRegistry;
import io.shardloop.resp.ConnectionCommands;
import io.shardloop.resp.InstantaneousRate;
import io.shardloop.resp.RespConfig;
import io.shardloop.resp.ServerRates;
import io.shardloop.resp.ServerView;
import io.shardloop.resp.codec.RespLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The Redis protocol served by a thread per connection, over one store every connection thread
 * shares ({@link StateMode#LOCKED} or {@link StateMode#CONCURRENT}). The same parser, command
 * table, store and connection commands ({@link ConnectionCommands}) as the event-loop server; only
 * the threading differs. It is the {@link ServerView} INFO reads.
 * <p>
 * A timer thread does what shard 0's loop timer does for the event loops, every
 * {@link InstantaneousRate#PERIOD_MILLIS}: a step of the store's active expiry and a sample of the
 * instantaneous rates (Redis's serverCron). Client-side caching is one {@link LockedTracking} for
 * every connection, told of the store's expired keys.
 * <p>
 * Thread-safe: the store is thread-safe by construction, the counters are atomics and adders, and
 * the timer thread touches only the store and the rates.
 */
public final class BlockingRespProtocol implements BlockingProtocol, ServerView {
    private final io.shardloop.kv.BlockedClients blockedClients = new io.shardloop.kv.BlockedClients();
    private final io.shardloop.persist.Shutdown shutdown = new io.shardloop.persist.Shutdown(io.shardloop.persist.DiskControl.NONE);
    private static final long EXPIRE_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ServerModel model;
    private final Store store;
    private final RespConfig config;
    private final ConnectionCommands commands;
    private final int maxConnections;
    private final int readBuffer;
    private final int flushAt;
    private final long startedMillis = System.currentTimeMillis();
    private final AtomicLong connected = new AtomicLong();
    private final LongAdder connectionsReceived = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder commandsProcessed = new LongAdder();
    private final LongAdder inputBytes = new LongAdder();
    private final LongAdder outputBytes = new LongAdder();
    private final ServerRates rates = new ServerRates();
    /** Every client's subscriptions; its monitor is held to change or publish to them. */
    private final io.shardloop.kv.PubSubRegistry pubsub =
            new io.shardloop.kv.PubSubRegistry(new java.util.concurrent.atomic.AtomicInteger());
    private final StatsZero zero = new StatsZero();
    /** Written by every connection thread. */
    private final CommandStats commandStats = CommandStats.concurrent();
    /** notify-keyspace-events: the store's databases report to it; it publishes through {@link #pubsub} from any thread. */
    private final io.shardloop.kv.KeyspaceEvents keyspaceEvents = new io.shardloop.kv.KeyspaceEvents();
    /** CLIENT TRACKING: every connection's tracking and the one table of what they read. */
    private final LockedTracking tracking = new LockedTracking();
    private final Thread timer;
    /** This server's script cache and function libraries, which each connection's thread binds. */
    private final ScriptRegistry scripts = new ScriptRegistry();
    private volatile boolean closed;
    /** Set once by the server before it accepts; INFO reads it from connection threads after. */
    private volatile int port;

    public BlockingRespProtocol(ThreadedConfig config, StateMode state, RespConfig resp) {
        this(config, state, resp, System::currentTimeMillis);
    }

    public BlockingRespProtocol(ThreadedConfig config, StateMode state, RespLimits limits, String requirePass) {
        this(config, state, RespConfig.defaults().withLimits(limits).withRequirePass(requirePass));
    }

    public BlockingRespProtocol(ThreadedConfig config, StateMode state, RespConfig resp, LongSupplier clock) {
        this(config, state, resp, clock, KvGroup.DEFAULT_DATABASES);
    }

    /** @param databases how many numbered databases (SELECT 0 to databases - 1) */
    public BlockingRespProtocol(ThreadedConfig config, StateMode state, RespConfig resp, LongSupplier clock, int databases) {
        config.model().check(state);
        this.model = config.model();
        this.store = state.create(1, databases, clock, keyspaceEvents);
        store.onExpiry(tracking);
        keyspaceEvents.publishFromAnyThread((channel, message) -> {
            synchronized (pubsub) { // after the store's lock, as every publish from a command takes them
                pubsub.publish(channel, 0, channel.length, message, 0, message.length, false);
            }
        });
        this.config = resp;
        this.commands = new ConnectionCommands(resp, this, new ConcurrentClients(),
                new ServerSettings(this::maxMemory, null, this::maxClients, this::idleTimeoutSeconds, databases(),
                        resp.protectedMode(),
                        scripts.timeLimitMillis(), scripts::timeLimitMillis).keyspaceEvents(this)
                        .pubsubLimit(resp.pubsubLimit()).encodings(store.encodings()));
        this.maxConnections = config.maxConnections();
        this.readBuffer = config.readBuffer();
        this.flushAt = config.flushAt();
        this.timer = Thread.ofPlatform().name("resp-timer").daemon(true).start(this::timerLoop);
    }

    @Override
    public String name() {
        return "resp";
    }

    public Store store() {
        return store;
    }

    RespConfig config() {
        return config;
    }

    /**
     * Sets {@code notify-keyspace-events} from Redis's class letters (the {@code serve} option; where
     * CONFIG SET hooks in): null when done, else Redis's error text. Any thread.
     */
    @Override
    public String notifyKeyspaceEvents(String classes) {
        return keyspaceEvents.set(classes);
    }

    @Override
    public String notifyKeyspaceEvents() {
        return keyspaceEvents.get();
    }

    LockedTracking clientTracking() {
        return tracking;
    }

    io.shardloop.kv.PubSubRegistry pubsub() {
        return pubsub;
    }

    /** This server's script cache, function libraries and running scripts. */
    public ScriptRegistry scripts() {
        return scripts;
    }

    ConnectionCommands commands() {
        return commands;
    }

    @Override
    public List<CommandStats> commandStats() {
        return List.of(commandStats);
    }

    @Override
    public StatsZero statsZero() {
        return zero;
    }

    CommandStats stats() {
        return commandStats;
    }

    int flushAt() {
        return flushAt;
    }

    void onTraffic(long commandCount, long in, long out) {
        commandsProcessed.add(commandCount);
        inputBytes.add(in);
        outputBytes.add(out);
    }

    @Override
    public void serve(InputStream in, OutputStream out, long connectionId, SocketAddress peer, SocketAddress local)
            throws IOException {
        if (commands.refuses(peer)) {
            rejected.increment();
            out.write(ConnectionCommands.DENIED);
            out.flush();
            return;
        }
        connected.incrementAndGet();
        connectionsReceived.increment();
        try {
            new BlockingRespConnection(this, connectionId, readBuffer, peer, local).serve(in, out);
        } finally {
            connected.decrementAndGet();
        }
    }

    @Override
    public void onListening(int port) {
        this.port = port;
    }

    @Override
    public void onRefused() {
        rejected.increment();
    }

    private void timerLoop() {
        while (!closed) {
            try {
                Thread.sleep(InstantaneousRate.PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            store.expireCycle(EXPIRE_BUDGET_NANOS);
            tracking.endOfTurn(); // the BCAST keys the cycle expired
            rates.sample(System.currentTimeMillis(), this);
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.interrupt();
    }

    /** SHUTDOWN: nothing is kept on disk here, so it saves nothing (or fails to, when told SAVE); who runs the server sets what stops it. */
    public io.shardloop.persist.Shutdown shutdown() {
        return shutdown;
    }

    // ---- ServerView ------------------------------------------------------------------------------

    @Override
    public void shutdown(int flags, java.util.function.Consumer<String> outcome) {
        shutdown.request(flags, outcome); // decided at once: there is no save to wait for
    }

    @Override
    public long startedMillis() {
        return startedMillis;
    }

    @Override
    public int tcpPort() {
        return port;
    }

    @Override
    public Map<String, String> serverFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("server_model", model.label());
        fields.put("state_mode", store.mode().name().toLowerCase(Locale.ROOT));
        fields.put("available_processors", Integer.toString(Runtime.getRuntime().availableProcessors()));
        fields.put("jvm_uptime_ms", Long.toString(ManagementFactory.getRuntimeMXBean().getUptime()));
        return fields;
    }

    @Override
    public long connectedClients() {
        return connected.get();
    }

    /** The thread-per-connection baselines hold no maxmemory: their stores take writes until the heap is full. */
    @Override
    public long maxMemory() {
        return 0;
    }

    @Override
    public long maxClients() {
        return maxConnections;
    }

    @Override
    public long idleTimeoutSeconds() {
        return 0; // a connection thread waits for its client as long as it takes
    }

    @Override
    public long connectionsReceived() {
        return zero.since("connections", connectionsReceived.sum());
    }

    @Override
    public long rejectedConnections() {
        return zero.since("rejected", rejected.sum());
    }

    @Override
    public long commandsProcessed() {
        return zero.since("commands", commandsProcessed.sum());
    }

    @Override
    public long netInputBytes() {
        return zero.since("net_input", inputBytes.sum());
    }

    @Override
    public long netOutputBytes() {
        return zero.since("net_output", outputBytes.sum());
    }

    @Override
    public void resetStats() {
        zero.reset("connections", connectionsReceived.sum());
        zero.reset("rejected", rejected.sum());
        zero.reset("commands", commandsProcessed.sum());
        zero.reset("net_input", inputBytes.sum());
        zero.reset("net_output", outputBytes.sum());
        zero.reset("expired", store.expiredKeys());
        CommandStats.reset(commandStats(), zero);
    }

    @Override
    public ServerRates rates() {
        return rates;
    }

    @Override
    public long keys() {
        return store.size();
    }

    @Override
    public long timedKeys() {
        return store.timedSize();
    }

    @Override
    public long averageTtl() {
        return store.averageTtl();
    }

    @Override
    public int databases() {
        return store.databases();
    }

    @Override
    public long keys(int db) {
        return store.size(db);
    }

    @Override
    public long timedKeys(int db) {
        return store.timedSize(db);
    }

    @Override
    public long averageTtl(int db) {
        return store.averageTtl(db);
    }

    @Override
    public long expiredKeys() {
        return zero.since("expired", store.expiredKeys());
    }

    @Override
    public io.shardloop.kv.BlockedClients blockedClients() {
        return blockedClients;
    }

    @Override
    public long[] tracking() {
        return tracking.totals();
    }

    @Override
    public long pubsubChannels() {
        return pubsub.publishedSize(io.shardloop.kv.PubSubRegistry.Kind.CHANNEL);
    }

    @Override
    public long pubsubPatterns() {
        return pubsub.publishedSize(io.shardloop.kv.PubSubRegistry.Kind.PATTERN);
    }

    @Override
    public long pubsubShardChannels() {
        return pubsub.publishedSize(io.shardloop.kv.PubSubRegistry.Kind.SHARD_CHANNEL);
    }
}
