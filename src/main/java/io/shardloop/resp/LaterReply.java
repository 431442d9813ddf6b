package io.shardloop.resp;

/**
 * A connection's place in line for a reply that other shards' answers complete (CLIENT LIST and
 * CLIENT KILL over every shard). Called on the connection's loop thread.
 */
public interface LaterReply {
    /** Takes the next place in line; its token comes back with {@link #complete}. */
    long defer();

    /** The reply of that place, encoded. */
    void complete(long token, byte[] reply);

    /** The RESP version the reply is to be written in. */
    int protocol();
}
