package io.shardloop.resp;

import io.shardloop.metrics.ProcessMemory;
import io.shardloop.resp.codec.CommandArgs;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The text of INFO [section ...], from a {@link ServerView}: Redis's sections and field names, with
 * this server's real figures, so that tools reading them (redis-cli --stat, monitoring agents)
 * work unchanged. Sections: server, clients, memory, persistence, stats, replication, cluster,
 * commandstats, errorstats, cluster, keyspace (Redis's order), then the view's own; "default"
 * names them all but commandstats, which "all" and "everything" add (as in Redis); names are
 * case-insensitive; an unknown one gives nothing.
 * <p>
 * Field order matters to redis-cli, which finds a field with {@code strstr}: "used_memory:" comes
 * before every other field containing "used_memory", and "loading:" before "async_loading:".
 * <p>
 * Stateless apart from the process's run id; any thread.
 */
final class InfoReport {
    /** The Redis version this server answers as (INFO, HELLO): the protocol and commands it follows. */
    static final String REDIS_VERSION = "7.2.0";
    static final String VERSION = "0.1.0";
    private static final List<String> SECTIONS = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "commandstats", "errorstats", "cluster", "keyspace");
    /** Sections only "all" and "everything" (or their own name) give, as in Redis. */
    private static final List<String> NOT_DEFAULT = List.of("commandstats");
    /** Identifies this run of the process, as Redis's run_id: 40 random hex digits. */
    private static final String RUN_ID = runId();
    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();

    private InfoReport() {
    }

    /**
     * Loads the management beans INFO reads (and the memory reader), on the calling thread: their
     * first use takes about 100 ms, which must not be a loop's turn. The event-loop server calls it as it is made.
     */
    static void load() {
        ProcessMemory.updatePeak();
    }

    /** INFO with the sections named by arguments 1 and on (none: the default set). */
    static String render(ServerView view, CommandArgs args) {
        Set<String> asked = new HashSet<>();
        for (int i = 1; i < args.count(); i++) {
            asked.add(args.string(i).toLowerCase(Locale.ROOT));
        }
        boolean all = asked.contains("all") || asked.contains("everything");
        boolean every = asked.isEmpty() || asked.contains("default") || all;
        StringBuilder out = new StringBuilder(2048);
        for (String section : SECTIONS) {
            if (((every && !NOT_DEFAULT.contains(section)) || all) || asked.contains(section)) {
                begin(out, section);
                switch (section) {
                    case "server" -> server(view, out);
                    case "clients" -> clients(view, out);
                    case "memory" -> memory(view, out);
                    case "persistence" -> view.disk().info().forEach((name, value) -> field(out, name, value));
                    case "stats" -> stats(view, out);
                    case "replication" -> field(field(out, "role", "master"), "connected_slaves", 0);
                    case "commandstats" -> commandStats(view, out);
                    case "errorstats" -> CommandStats.errors(view.commandStats(), view.statsZero())
                            .forEach((code, n) -> out.append("errorstat_").append(code).append(":count=").append(n).append("\r\n"));
                    case "cluster" -> field(out, "cluster_enabled", 0);
                    case "keyspace" -> keyspace(view, out);
                    default -> throw new IllegalStateException(section);
                }
            }
        }
        for (String section : view.ownSections()) {
            if (every || asked.contains(section)) {
                begin(out, section);
                view.appendSection(section, out);
            }
        }
        return out.toString();
    }

    private static void begin(StringBuilder out, String section) {
        if (!out.isEmpty()) {
            out.append("\r\n");
        }
        out.append("# ").append(Character.toUpperCase(section.charAt(0))).append(section, 1, section.length()).append("\r\n");
    }

    private static void server(ServerView view, StringBuilder out) {
        long uptime = Math.max(0, (System.currentTimeMillis() - view.startedMillis()) / 1000);
        field(out, "redis_version", REDIS_VERSION);
        field(out, "shardloop_version", VERSION);
        field(out, "redis_mode", "standalone");
        field(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        field(out, "arch_bits", System.getProperty("sun.arch.data.model", "64"));
        field(out, "process_id", ProcessHandle.current().pid());
        field(out, "run_id", RUN_ID);
        field(out, "tcp_port", view.tcpPort());
        field(out, "uptime_in_seconds", uptime);
        field(out, "uptime_in_days", uptime / 86_400);
        field(out, "hz", 1000 / InstantaneousRate.PERIOD_MILLIS);
        field(out, "java_version", Runtime.version());
        for (Map.Entry<String, String> e : view.serverFields().entrySet()) {
            field(out, e.getKey(), e.getValue());
        }
    }

    private static void clients(ServerView view, StringBuilder out) {
        field(out, "connected_clients", view.connectedClients());
        field(out, "maxclients", view.maxClients());
        field(out, "blocked_clients", view.blockedClients().count());
        field(out, "tracking_clients", view.tracking()[0]);
    }

    private static void memory(ServerView view, StringBuilder out) {
        ProcessMemory.Figures m = ProcessMemory.sample();
        field(out, "used_memory", m.used());
        field(out, "used_memory_human", human(m.used()));
        if (m.resident() >= 0) {
            field(out, "used_memory_rss", m.resident());
            field(out, "used_memory_rss_human", human(m.resident()));
        }
        field(out, "used_memory_peak", m.peak());
        field(out, "used_memory_peak_human", human(m.peak()));
        field(out, "maxmemory", view.maxMemory());
        field(out, "maxmemory_human", human(view.maxMemory()));
        field(out, "maxmemory_policy", "noeviction");
        field(out, "mem_allocator", "jvm");
        field(out, "jvm_live_after_gc", ProcessMemory.liveBytes());
        field(out, "jvm_heap_used", m.heapUsed());
        field(out, "jvm_heap_committed", m.heapCommitted());
        field(out, "jvm_heap_max", m.heapMax());
        field(out, "jvm_direct_used", m.directUsed());
        field(out, "jvm_direct_capacity", m.directCapacity());
        field(out, "jvm_direct_buffers", m.directBuffers());
    }

    /** Nothing is persisted yet: nothing is loading or being saved. */
    private static void stats(ServerView view, StringBuilder out) {
        ServerRates rates = view.rates();
        field(out, "total_connections_received", view.connectionsReceived());
        field(out, "total_commands_processed", view.commandsProcessed());
        field(out, "instantaneous_ops_per_sec", rates.commandsPerSecond());
        field(out, "total_net_input_bytes", view.netInputBytes());
        field(out, "total_net_output_bytes", view.netOutputBytes());
        field(out, "instantaneous_input_kbps", String.format(Locale.ROOT, "%.2f", rates.inputBytesPerSecond() / 1024.0));
        field(out, "instantaneous_output_kbps", String.format(Locale.ROOT, "%.2f", rates.outputBytesPerSecond() / 1024.0));
        field(out, "rejected_connections", view.rejectedConnections());
        field(out, "expired_keys", view.expiredKeys());
        field(out, "pubsub_channels", view.pubsubChannels());
        field(out, "pubsub_patterns", view.pubsubPatterns());
        field(out, "pubsubshard_channels", view.pubsubShardChannels());
        long[] tracking = view.tracking();
        field(out, "tracking_total_keys", tracking[1]);
        field(out, "tracking_total_items", tracking[2]);
        field(out, "tracking_total_prefixes", tracking[3]);
        field(out, "total_error_replies", CommandStats.errorReplies(view.commandStats(), view.statsZero()));
        field(out, "gc_time_ms", gcMillis());
    }

    /**
     * Redis's cmdstat lines for the commands called, rejected or failed since the start (or CONFIG
     * RESETSTAT); a container's subcommands each have theirs (cmdstat_client|list), as in Redis 7.
     */
    private static void commandStats(ServerView view, StringBuilder out) {
        List<CommandStats> all = view.commandStats();
        StatsZero zero = view.statsZero();
        for (Map.Entry<String, Integer> line : CommandStats.lines()) {
            int slot = line.getValue();
            long calls = CommandStats.sum(all, zero, CommandStats.CALLS, slot);
            long rejected = CommandStats.sum(all, zero, CommandStats.REJECTED, slot);
            long failed = CommandStats.sum(all, zero, CommandStats.FAILED, slot);
            if (calls == 0 && rejected == 0 && failed == 0) {
                continue;
            }
            long micros = CommandStats.sum(all, zero, CommandStats.MICROS, slot);
            out.append("cmdstat_").append(line.getKey()).append(":calls=").append(calls).append(",usec=").append(micros)
                    .append(",usec_per_call=").append(String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) micros / calls))
                    .append(",rejected_calls=").append(rejected).append(",failed_calls=").append(failed).append("\r\n");
        }
    }

    /** Each database that has keys, in index order (as Redis shows them). */
    private static void keyspace(ServerView view, StringBuilder out) {
        for (int db = 0; db < view.databases(); db++) {
            long keys = view.keys(db);
            if (keys > 0) {
                out.append("db").append(db).append(":keys=").append(keys).append(",expires=").append(view.timedKeys(db))
                        .append(",avg_ttl=").append(view.averageTtl(db)).append("\r\n");
            }
        }
    }

    static StringBuilder field(StringBuilder out, String name, Object value) {
        return out.append(name).append(':').append(value).append("\r\n");
    }

    /** Redis's bytesToHuman (server.c): B under 1 KiB, then K, M, G, T, P with two decimals. */
    static String human(long n) {
        if (n < 1024) {
            return n + "B";
        }
        String[] units = {"K", "M", "G", "T", "P"};
        double d = n;
        for (String unit : units) {
            d /= 1024;
            if (d < 1024 || unit.equals("P")) {
                return String.format(Locale.ROOT, "%.2f%s", d, unit);
            }
        }
        throw new AssertionError("unreachable");
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : COLLECTORS) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private static String runId() {
        byte[] b = new byte[20];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
