package io.shardloop.resp;

import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.shard.Protocol;
import io.shardloop.runtime.shard.Shard;
import io.shardloop.kv.KvGroup;
import io.shardloop.kv.KvShard;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The Redis protocol (RESP2) on every shard, over the key-value data of a {@link KvGroup}.
 * redis-cli, redis-benchmark, Jedis and Lettuce talk to it unchanged.
 */
public final class RespProtocol implements Protocol {
    private final KvGroup cluster;
    private final RespLimits limits;
    private final int maxOutstanding;
    private final String requirePass;
    /** Each shard's counters, written by that shard, read by INFO on any shard. */
    private final AtomicReferenceArray<RespServerInfo> infos;

    /**
     * @param maxOutstanding replies one connection may have waiting for other shards at once; past
     *                       it the connection is not read until the line moves
     * @param requirePass    the password AUTH must give before any other command, or null for none
     */
    public RespProtocol(KvGroup cluster, RespLimits limits, int maxOutstanding, String requirePass) {
        if (maxOutstanding < 2) {
            throw new IllegalArgumentException("at least 2 outstanding replies per connection, got " + maxOutstanding);
        }
        this.cluster = cluster;
        this.limits = limits;
        this.maxOutstanding = maxOutstanding;
        this.requirePass = requirePass;
        this.infos = new AtomicReferenceArray<>(cluster.shardCount());
    }

    public RespProtocol(KvGroup cluster) {
        this(cluster, RespLimits.REDIS_DEFAULTS, 1024, null);
    }

    @Override
    public String name() {
        return "resp";
    }

    RespLimits limits() {
        return limits;
    }

    int maxOutstanding() {
        return maxOutstanding;
    }

    String requirePass() {
        return requirePass;
    }

    @Override
    public ConnectionHandler.Factory forShard(Shard shard) {
        KvShard kv = cluster.forShard(shard);
        RespServerInfo info = new RespServerInfo(shard, cluster, infos);
        infos.set(shard.index(), info);
        return connection -> new RespConnectionHandler(connection, kv, this, info);
    }
}
