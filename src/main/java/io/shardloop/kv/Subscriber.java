package io.shardloop.kv;

/**
 * A client that receives what is published: a connection subscribed to channels or patterns, or
 * a MONITOR client. Front ends implement it; the {@link PubSubRegistry} it is registered with
 * calls it.
 * <p>
 * <b>Threads.</b> On the event loops a subscriber is registered with its own shard's registry and
 * called on that shard's loop thread only (what other shards publish reaches it as a message). In
 * the thread-per-connection models it is called from the publishing client's thread, while that
 * thread holds the registry's lock: an implementation there must take the frame without blocking
 * (queue it for its own writer) and keep frames whole and in order.
 */
public interface Subscriber {
    /**
     * A frame for this client, whole. With {@code push} it is a RESP2 array (a message, pmessage or
     * smessage) that a client speaking RESP3 writes as a push frame ({@code >} for the first byte);
     * without it, bytes written as they are (a MONITOR line). The array is not kept past the call.
     */
    void deliver(byte[] frame, int offset, int length, boolean push);
}
