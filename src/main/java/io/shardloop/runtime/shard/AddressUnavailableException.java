package io.shardloop.runtime.shard;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The address a server was asked to listen on is not one of this machine's (EADDRNOTAVAIL, "Cannot
 * assign requested address"): no port on it can be bound, whatever else runs here.
 */
public final class AddressUnavailableException extends IOException {
    private final InetSocketAddress address;

    public AddressUnavailableException(InetSocketAddress address, Throwable cause) {
        super(address.getHostString() + " is not an address of this machine (cannot assign requested address)", cause);
        this.address = address;
    }

    public InetSocketAddress address() {
        return address;
    }
}
