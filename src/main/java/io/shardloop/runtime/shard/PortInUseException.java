package io.shardloop.runtime.shard;

import java.io.IOException;
import java.net.InetSocketAddress;

/** The address a server was asked to listen on is taken by another socket. */
public final class PortInUseException extends IOException {
    private final InetSocketAddress address;

    public PortInUseException(InetSocketAddress address, Throwable cause) {
        super("port " + address.getPort() + " on " + address.getHostString() + " is already in use", cause);
        this.address = address;
    }

    public InetSocketAddress address() {
        return address;
    }
}
