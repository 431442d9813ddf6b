package io.shardloop.resp;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.KvShard;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.mailbox.MailboxStats;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.runtime.shard.Protocol;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.runtime.shard.ShardStats;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The event-loop server as INFO sees it from one shard: the sums of every shard's RESP counters
 * and key figures, the group's limits, and a "shards" section of its own with a line per shard.
 * Shard 0's view also samples the {@link ServerRates} from its loop's timer.
 * <p>
 * Read by INFO on its own shard's loop thread; every figure it reads is another shard's
 * single-writer counter (or the group's immutable configuration), safe from any thread.
 */
final class LoopServerView implements ServerView {
    private static final long SAMPLE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(InstantaneousRate.PERIOD_MILLIS);

    private final Shard shard;
    private final Protocol served;
    private final KvGroup cluster;
    private final AtomicReferenceArray<RespShardCounters> all;
    private final ServerRates rates;
    private final long startedMillis;
    private final StatsZero zero;
    private final List<CommandStats> commandStats;
    private final EventLoop.TimerTask sample = this::sample;
    private final io.shardloop.persist.DiskControl disk;

    /** @param served the protocol whose endpoint's port INFO shows (the RESP protocol this view belongs to) */
    LoopServerView(Shard shard, Protocol served, KvGroup cluster, AtomicReferenceArray<RespShardCounters> all,
                   ServerRates rates, long startedMillis, StatsZero zero, List<CommandStats> commandStats) {
        this.shard = shard;
        this.served = served;
        this.zero = zero;
        this.commandStats = commandStats;
        this.cluster = cluster;
        this.all = all;
        this.rates = rates;
        this.startedMillis = startedMillis;
        this.disk = cluster.mode() == io.shardloop.kv.StateMode.SHARDED
                ? io.shardloop.persist.DiskControl.repliesOn(cluster.durability().commands(), shard.loop()::execute) : io.shardloop.persist.DiskControl.NONE;
    }

    @Override
    public io.shardloop.persist.DiskControl disk() {
        return disk;
    }

    @Override
    public void shutdown(int flags, java.util.function.Consumer<String> outcome) {
        cluster.shutdown().request(flags, o -> shard.loop().execute(() -> outcome.accept(o)));
    }

    /** Samples the rates every {@link InstantaneousRate#PERIOD_MILLIS} from this shard's loop (shard 0's only). */
    void startSampling() {
        shard.loop().scheduleTimer(System.nanoTime() + SAMPLE_PERIOD_NANOS, sample);
    }

    private void sample(long now) {
        rates.sample(System.currentTimeMillis(), this);
        shard.loop().scheduleTimer(System.nanoTime() + SAMPLE_PERIOD_NANOS, sample);
    }

    @Override
    public long startedMillis() {
        return startedMillis;
    }

    @Override
    public String notifyKeyspaceEvents() {
        return cluster.notifyKeyspaceEvents();
    }

    @Override
    public String notifyKeyspaceEvents(String classes) {
        return cluster.notifyKeyspaceEvents(classes);
    }

    @Override
    public int tcpPort() {
        return shard.group().port(served);
    }

    @Override
    public Map<String, String> serverFields() {
        ShardGroup group = shard.group();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("server_model", "loops");
        fields.put("shards", Integer.toString(group.shardCount()));
        fields.put("state_mode", cluster.mode().name().toLowerCase(Locale.ROOT));
        fields.put("accept_mode", group.acceptMode().name().toLowerCase(Locale.ROOT));
        return fields;
    }

    @Override
    public long connectedClients() {
        return sum(RespShardCounters.CONNECTED);
    }

    @Override
    public long maxMemory() {
        return cluster.maxMemory();
    }

    @Override
    public long maxClients() {
        return shard.group().config().maxConnections();
    }

    @Override
    public long idleTimeoutSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(shard.group().config().limits().idleNanos());
    }

    @Override
    public long connectionsReceived() {
        return zero.since("connections", sum(RespShardCounters.CONNECTIONS_RECEIVED));
    }

    /** Protected mode's refusals, and the group's over its connection limit (which every protocol shares). */
    @Override
    public long rejectedConnections() {
        return zero.since("rejected", rejectedSum());
    }

    private long rejectedSum() {
        ShardGroup group = shard.group();
        long refused = 0;
        for (int i = 0; i < group.shardCount(); i++) {
            refused += group.shard(i).netStats().get(NetStats.REFUSED);
        }
        return refused + sum(RespShardCounters.REJECTED);
    }

    @Override
    public long commandsProcessed() {
        return zero.since("commands", sum(RespShardCounters.COMMANDS));
    }

    @Override
    public long netInputBytes() {
        return zero.since("net_input", sum(RespShardCounters.NET_INPUT_BYTES));
    }

    @Override
    public long netOutputBytes() {
        return zero.since("net_output", sum(RespShardCounters.NET_OUTPUT_BYTES));
    }

    @Override
    public void resetStats() {
        zero.reset("connections", sum(RespShardCounters.CONNECTIONS_RECEIVED));
        zero.reset("rejected", rejectedSum());
        zero.reset("commands", sum(RespShardCounters.COMMANDS));
        zero.reset("net_input", sum(RespShardCounters.NET_INPUT_BYTES));
        zero.reset("net_output", sum(RespShardCounters.NET_OUTPUT_BYTES));
        zero.reset("expired", cluster.expiredKeyCount());
        CommandStats.reset(commandStats, zero);
    }

    @Override
    public List<CommandStats> commandStats() {
        return commandStats;
    }

    @Override
    public StatsZero statsZero() {
        return zero;
    }

    @Override
    public ServerRates rates() {
        return rates;
    }

    @Override
    public long keys() {
        return cluster.keyCount();
    }

    @Override
    public long timedKeys() {
        return cluster.timedKeyCount();
    }

    @Override
    public long averageTtl() {
        return cluster.averageTtl();
    }

    @Override
    public int databases() {
        return cluster.databases();
    }

    @Override
    public long keys(int db) {
        return cluster.databaseKeyCount(db);
    }

    @Override
    public long timedKeys(int db) {
        return cluster.timedKeyCount(db);
    }

    @Override
    public long averageTtl(int db) {
        return cluster.averageTtl(db);
    }

    @Override
    public long expiredKeys() {
        return zero.since("expired", cluster.expiredKeyCount());
    }

    /** Distinct names over all shards: each shard's count of the names it is home to ({@link io.shardloop.kv.PubSubShard}). */
    private long subscribed(io.shardloop.kv.PubSubRegistry.Kind kind) {
        long total = 0;
        for (int i = 0; i < cluster.shardCount(); i++) {
            io.shardloop.kv.KvShard s = cluster.serviceOrNull(i);
            if (s != null) {
                total += s.pubsub().distinctHomedHere(kind);
            }
        }
        return total;
    }

    @Override
    public long pubsubChannels() {
        return subscribed(io.shardloop.kv.PubSubRegistry.Kind.CHANNEL);
    }

    @Override
    public long pubsubPatterns() {
        return subscribed(io.shardloop.kv.PubSubRegistry.Kind.PATTERN);
    }

    @Override
    public long pubsubShardChannels() {
        return subscribed(io.shardloop.kv.PubSubRegistry.Kind.SHARD_CHANNEL);
    }

    @Override
    public long[] tracking() {
        return cluster.trackingTotals();
    }

    @Override
    public List<String> ownSections() {
        return List.of("shards");
    }

    @Override
    public void appendSection(String name, StringBuilder out) {
        for (ShardStats st : shard.group().stats()) {
            int i = st.shard();
            RespShardCounters c = all.get(i);
            out.append("shard_").append(i).append(":cpu=").append(st.cpu() < 0 ? "unpinned" : String.valueOf(st.cpu()))
                    .append(",clients=").append(c == null ? 0 : c.get(RespShardCounters.CONNECTED))
                    .append(",commands=").append(c == null ? 0 : c.get(RespShardCounters.COMMANDS))
                    .append(",keys=").append(cluster.keyCount(i))
                    .append(",remote_sent=").append(kvCounter(i, KvShard.REMOTE_COMMANDS_SENT))
                    .append(",remote_served=").append(kvCounter(i, KvShard.REMOTE_COMMANDS_SERVED))
                    .append(",in_flight=").append(st.mailboxCounter(MailboxStats.IN_FLIGHT))
                    .append(",waiting=").append(kvCounter(i, KvShard.WAITING))
                    .append(",credit_waits=").append(kvCounter(i, KvShard.CREDIT_WAITS))
                    .append(",parked=").append(st.mailboxCounter(MailboxStats.PARKED_NOW))
                    .append(",transactions=").append(kvCounter(i, KvShard.TRANSACTIONS))
                    .append(",transaction_retries=").append(kvCounter(i, KvShard.TRANSACTION_RETRIES))
                    .append(",lock_waits=").append(kvCounter(i, KvShard.LOCK_WAITS))
                    .append(",blocked=").append(kvCounter(i, KvShard.BLOCKED_CLIENTS))
                    .append(",blocked_wakeups=").append(kvCounter(i, KvShard.BLOCKED_WAKEUPS))
                    .append(",turns=").append(st.turns())
                    .append(",busy_ms=").append(st.busyNanos() / 1_000_000)
                    .append(i == shard.index() ? ",this_connection=1" : "")
                    .append("\r\n");
        }
    }

    private long sum(int counter) {
        long total = 0;
        for (int i = 0; i < all.length(); i++) {
            RespShardCounters c = all.get(i);
            if (c != null) {
                total += c.get(counter);
            }
        }
        return total;
    }

    private long kvCounter(int shardIndex, int counter) {
        KvShard kv = cluster.serviceOrNull(shardIndex);
        return kv == null ? 0 : kv.counters().get(counter);
    }

    @Override
    public io.shardloop.kv.BlockedClients blockedClients() {
        return cluster.blockedClients();
    }
}
