package io.shardloop.resp;

import io.shardloop.kv.CommandTable;
import io.shardloop.kv.KvGroup;
import io.shardloop.kv.KvShard;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.shard.Protocol;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.script.ScriptRegistry;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The Redis protocol (RESP2) on every shard, over the key-value data of a {@link KvGroup}.
 * redis-cli, redis-benchmark, Jedis and Lettuce talk to it unchanged.
 */
public final class RespProtocol implements Protocol {
    private final KvGroup cluster;
    private final RespConfig config;
    /** Each shard's counters, written by that shard, read by INFO on any shard. */
    private final AtomicReferenceArray<RespShardCounters> counters;
    /** Sampled by shard 0's loop, read by INFO on any shard. */
    private final ServerRates rates = new ServerRates();
    private final long startedMillis = System.currentTimeMillis();
    /** Each shard's per-command statistics, written by that shard, summed by INFO on any shard. */
    private final java.util.List<CommandStats> commandStats;
    /** INFO's counters' zero since CONFIG RESETSTAT, for every shard. */
    private final StatsZero zero = new StatsZero();
    /** CONFIG's parameters, for every shard: made with the first shard, which knows the group's limits. */
    private ServerSettings settings;

    public RespProtocol(KvGroup cluster, RespConfig config) {
        // Here, on the thread that builds the server, rather than in a loop's first command: the
        // command table's initialisation (its handlers' lambdas) and INFO's beans take ~100 ms each.
        CommandTable.all();
        InfoReport.load();
        this.cluster = cluster;
        this.config = config;
        this.counters = new AtomicReferenceArray<>(cluster.shardCount());
        CommandStats[] stats = new CommandStats[cluster.shardCount()];
        for (int i = 0; i < stats.length; i++) {
            stats[i] = CommandStats.singleWriter();
        }
        this.commandStats = java.util.List.of(stats);
    }

    private synchronized ServerSettings settings(ServerView view) {
        if (settings == null) {
            ScriptRegistry scripts = cluster.scripts();
            settings = new ServerSettings(cluster::maxMemory, cluster::maxMemory, view::maxClients,
                    view::idleTimeoutSeconds, view.databases(), config.protectedMode(), scripts.timeLimitMillis(),
                    scripts::timeLimitMillis).keyspaceEvents(view).pubsubLimit(config.pubsubLimit())
                    .encodings(cluster.encodings()).persistence(cluster.durability().config(),
                            cluster.mode() == io.shardloop.kv.StateMode.SHARDED ? cluster.durability().commands()
                                    : null);
        }
        return settings;
    }

    /**
     * @param maxOutstanding replies one connection may have waiting for other shards at once
     * @param requirePass    the password AUTH must give before any other command, or null for none
     */
    public RespProtocol(KvGroup cluster, RespLimits limits, int maxOutstanding, String requirePass) {
        this(cluster, RespConfig.defaults().withLimits(limits).withMaxOutstanding(maxOutstanding).withRequirePass(requirePass));
    }

    public RespProtocol(KvGroup cluster) {
        this(cluster, RespConfig.defaults());
    }

    @Override
    public String name() {
        return "resp";
    }

    RespConfig config() {
        return config;
    }

    @Override
    public ConnectionHandler.Factory forShard(Shard shard) {
        KvShard kv = cluster.forShard(shard);
        RespShardCounters shardCounters = new RespShardCounters();
        counters.set(shard.index(), shardCounters);
        LoopServerView view = new LoopServerView(shard, this, cluster, counters, rates, startedMillis, zero, commandStats);
        CommandStats shardStats = commandStats.get(shard.index());
        if (shard.index() == 0) {
            view.startSampling();
        }
        ShardClients clients = new ShardClients(shard.index(), cluster.shardCount(), kv.connectionQuestions());
        ServerSettings serverSettings = settings(view);
        CommandLogs logs = new CommandLogs(shard.index(), cluster.shardCount(), kv.connectionQuestions(), serverSettings);
        ConnectionCommands commands = new ConnectionCommands(config, view, clients, serverSettings, logs);
        int index = shard.index();
        // The detector's thread only posts the figure; the shard records it on its own loop.
        shard.group().stallDetector().addListener(report -> {
            if (report.shard() == index) {
                shard.loop().execute(() -> logs.onStall(report.stalledNanos()));
            }
        });
        long highWater = shard.group().config().limits().highWater();
        return connection -> new RespConnectionHandler(connection, kv, config, commands, shardCounters, shardStats,
                highWater);
    }
}
