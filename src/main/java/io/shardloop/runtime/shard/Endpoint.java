package io.shardloop.runtime.shard;

import java.net.InetSocketAddress;

/** A protocol served on an address. Port 0 asks the system for a free port. */
public record Endpoint(InetSocketAddress address, Protocol protocol) {
    public static Endpoint of(String host, int port, Protocol protocol) {
        return new Endpoint(new InetSocketAddress(host, port), protocol);
    }
}
