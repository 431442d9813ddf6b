package io.shardloop.runtime.shard;

import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.ConnectionLimits;

/**
 * A wire protocol served by a shard group: echo, RESP, HTTP. One instance serves every shard, so
 * it holds nothing mutable itself; per-shard state lives in what {@link #forShard} returns.
 */
public interface Protocol {
    /** A short name for logs and stats ("echo", "resp", "http"). */
    String name();

    /**
     * Creates the protocol's state for one shard. Called on that shard's thread as it starts,
     * before its first connection; the factory and what it makes belong to that shard alone.
     */
    ConnectionHandler.Factory forShard(Shard shard);

    /** The limits of this protocol's connections, from the server's; a protocol with its own idle policy changes it. */
    default ConnectionLimits connectionLimits(ConnectionLimits server) {
        return server;
    }
}
