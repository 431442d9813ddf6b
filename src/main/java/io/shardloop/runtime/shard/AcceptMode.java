package io.shardloop.runtime.shard;

/** How connections reach shards. */
public enum AcceptMode {
    /** Each shard binds its own listener with SO_REUSEPORT; the kernel spreads connections. */
    REUSEPORT,
    /** Shard 0 accepts every connection and hands them to shards round-robin. */
    HANDOFF
}
