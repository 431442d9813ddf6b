package io.shardloop.resp;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.runtime.mailbox.MailboxStats;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.runtime.shard.ShardStats;
import io.shardloop.kv.KvGroup;
import io.shardloop.kv.KvShard;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The Redis-protocol counters of one shard (written by its loop thread, readable anywhere) and the
 * INFO reply, which reads every shard's: server, clients, stats, keyspace and a per-shard section.
 */
final class RespServerInfo {
    private static final int CONNECTED = 0;
    private static final int CONNECTIONS_RECEIVED = 1;
    private static final int COMMANDS = 2;
    private static final long STARTED_MILLIS = System.currentTimeMillis();

    private final Shard shard;
    private final KvGroup cluster;
    private final AtomicReferenceArray<RespServerInfo> all;
    private final SingleWriterCounters counters = new SingleWriterCounters(3);

    RespServerInfo(Shard shard, KvGroup cluster, AtomicReferenceArray<RespServerInfo> all) {
        this.shard = shard;
        this.cluster = cluster;
        this.all = all;
    }

    long highWater() {
        return shard.group().config().limits().highWater();
    }

    void onConnect() {
        counters.increment(CONNECTED);
        counters.increment(CONNECTIONS_RECEIVED);
    }

    void onDisconnect() {
        counters.add(CONNECTED, -1);
    }

    void onCommand() {
        counters.increment(COMMANDS);
    }

    /** The INFO text for a section name ("default", "all", "server", "clients", "stats", "keyspace", "shards"). */
    String render(String section, int askingShard) {
        String s = section.toLowerCase(Locale.ROOT);
        boolean every = s.equals("default") || s.equals("all") || s.equals("everything");
        StringBuilder out = new StringBuilder();
        ShardGroup group = shard.group();
        if (every || s.equals("server")) {
            out.append("# Server\r\n")
                    .append("redis_version:7.2.0\r\n")
                    .append("shardloop_version:0.1.0\r\n")
                    .append("redis_mode:standalone\r\n")
                    .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                    .append("uptime_in_seconds:").append((System.currentTimeMillis() - STARTED_MILLIS) / 1000).append("\r\n")
                    .append("shards:").append(group.shardCount()).append("\r\n")
                    .append("state_mode:").append(cluster.mode().name().toLowerCase(Locale.ROOT)).append("\r\n")
                    .append("accept_mode:").append(group.acceptMode().name().toLowerCase(Locale.ROOT)).append("\r\n")
                    .append("java_version:").append(Runtime.version()).append("\r\n")
                    .append("\r\n");
        }
        if (every || s.equals("clients")) {
            out.append("# Clients\r\nconnected_clients:").append(sum(CONNECTED)).append("\r\n\r\n");
        }
        if (every || s.equals("stats")) {
            long expired = 0;
            out.append("# Stats\r\n")
                    .append("total_connections_received:").append(sum(CONNECTIONS_RECEIVED)).append("\r\n")
                    .append("total_commands_processed:").append(sum(COMMANDS)).append("\r\n");
            for (int i = 0; i < group.shardCount(); i++) {
                expired += kvCounter(i, KvShard.EXPIRED_KEYS);
            }
            out.append("expired_keys:").append(expired).append("\r\n")
                    .append("gc_time_ms:").append(gcMillis()).append("\r\n\r\n");
        }
        if (every || s.equals("keyspace")) {
            out.append("# Keyspace\r\n");
            long keys = cluster.keyCount();
            if (keys > 0) {
                out.append("db0:keys=").append(keys).append(",expires=0,avg_ttl=0\r\n");
            }
            out.append("\r\n");
        }
        if (every || s.equals("shards")) {
            out.append("# Shards\r\n");
            for (ShardStats st : group.stats()) {
                int i = st.shard();
                RespServerInfo info = all.get(i);
                out.append("shard_").append(i).append(":cpu=").append(st.cpu() < 0 ? "unpinned" : String.valueOf(st.cpu()))
                        .append(",clients=").append(info == null ? 0 : info.counters.get(CONNECTED))
                        .append(",commands=").append(info == null ? 0 : info.counters.get(COMMANDS))
                        .append(",keys=").append(cluster.keyCount(i))
                        .append(",remote_sent=").append(kvCounter(i, KvShard.REMOTE_COMMANDS_SENT))
                        .append(",remote_served=").append(kvCounter(i, KvShard.REMOTE_COMMANDS_SERVED))
                        .append(",in_flight=").append(st.mailboxCounter(MailboxStats.IN_FLIGHT))
                        .append(",waiting=").append(kvCounter(i, KvShard.WAITING))
                        .append(",credit_waits=").append(kvCounter(i, KvShard.CREDIT_WAITS))
                        .append(",parked=").append(st.mailboxCounter(MailboxStats.PARKED_NOW))
                        .append(",turns=").append(st.turns())
                        .append(",busy_ms=").append(st.busyNanos() / 1_000_000)
                        .append(i == askingShard ? ",this_connection=1" : "")
                        .append("\r\n");
            }
        }
        return out.toString();
    }

    private long sum(int counter) {
        long total = 0;
        for (int i = 0; i < all.length(); i++) {
            RespServerInfo info = all.get(i);
            if (info != null) {
                total += info.counters.get(counter);
            }
        }
        return total;
    }

    private long kvCounter(int shardIndex, int counter) {
        KvShard kv = cluster.serviceOrNull(shardIndex);
        return kv == null ? 0 : kv.counters().get(counter);
    }

    private static long gcMillis() {
        long total = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }
}
