package io.shardloop.baseline;

import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.resp.codec.RespLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The Redis protocol served by a thread per connection, over one store every connection thread
 * shares ({@link StateMode#LOCKED} or {@link StateMode#CONCURRENT}). The same parser, command table
 * and store as the event-loop server; only the threading differs.
 * <p>
 * Thread-safe: the store is thread-safe by construction, the counters are adders, and the expiry
 * thread touches only the store.
 */
public final class BlockingRespProtocol implements BlockingProtocol {
    private static final long EXPIRE_PERIOD_MILLIS = 100;
    private static final long EXPIRE_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long STARTED_MILLIS = System.currentTimeMillis();

    private final ServerModel model;
    private final Store store;
    private final RespLimits limits;
    private final String requirePass;
    private final int readBuffer;
    private final int flushAt;
    private final AtomicLong connected = new AtomicLong();
    private final LongAdder connectionsReceived = new LongAdder();
    private final LongAdder commands = new LongAdder();
    private final Thread expirer;
    private volatile boolean closed;

    public BlockingRespProtocol(ThreadedConfig config, StateMode state, RespLimits limits, String requirePass) {
        this(config, state, limits, requirePass, System::currentTimeMillis);
    }

    public BlockingRespProtocol(ThreadedConfig config, StateMode state, RespLimits limits, String requirePass,
                                LongSupplier clock) {
        config.model().check(state);
        this.model = config.model();
        this.store = state.create(1, clock);
        this.limits = limits;
        this.requirePass = requirePass;
        this.readBuffer = config.readBuffer();
        this.flushAt = config.flushAt();
        this.expirer = Thread.ofPlatform().name("resp-expiry").daemon(true).start(this::expireLoop);
    }

    @Override
    public String name() {
        return "resp";
    }

    public Store store() {
        return store;
    }

    RespLimits limits() {
        return limits;
    }

    String requirePass() {
        return requirePass;
    }

    int flushAt() {
        return flushAt;
    }

    void onCommands(long n) {
        commands.add(n);
    }

    @Override
    public void serve(InputStream in, OutputStream out, long connectionId) throws IOException {
        connected.incrementAndGet();
        connectionsReceived.increment();
        try {
            new BlockingRespConnection(this, connectionId, readBuffer).serve(in, out);
        } finally {
            connected.decrementAndGet();
        }
    }

    /** The INFO text for a section ("default", "all", "server", "clients", "stats", "keyspace"). */
    String info(String section) {
        String s = section.toLowerCase(Locale.ROOT);
        boolean every = s.equals("default") || s.equals("all") || s.equals("everything");
        StringBuilder out = new StringBuilder();
        if (every || s.equals("server")) {
            out.append("# Server\r\nredis_version:7.2.0\r\nshardloop_version:0.1.0\r\nredis_mode:standalone\r\n")
                    .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                    .append("uptime_in_seconds:").append((System.currentTimeMillis() - STARTED_MILLIS) / 1000).append("\r\n")
                    .append("server_model:").append(model.label()).append("\r\n")
                    .append("state_mode:").append(store.mode().name().toLowerCase(Locale.ROOT)).append("\r\n")
                    .append("available_processors:").append(Runtime.getRuntime().availableProcessors()).append("\r\n")
                    .append("java_version:").append(Runtime.version()).append("\r\n")
                    .append("jvm_uptime_ms:").append(ManagementFactory.getRuntimeMXBean().getUptime()).append("\r\n\r\n");
        }
        if (every || s.equals("clients")) {
            out.append("# Clients\r\nconnected_clients:").append(connected.get()).append("\r\n\r\n");
        }
        if (every || s.equals("stats")) {
            out.append("# Stats\r\ntotal_connections_received:").append(connectionsReceived.sum()).append("\r\n")
                    .append("total_commands_processed:").append(commands.sum()).append("\r\n\r\n");
        }
        if (every || s.equals("keyspace")) {
            out.append("# Keyspace\r\n");
            long keys = store.size();
            if (keys > 0) {
                out.append("db0:keys=").append(keys).append(",expires=0,avg_ttl=0\r\n");
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    private void expireLoop() {
        while (!closed) {
            try {
                Thread.sleep(EXPIRE_PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            store.expireCycle(EXPIRE_BUDGET_NANOS);
        }
    }

    @Override
    public void close() {
        closed = true;
        expirer.interrupt();
    }
}
