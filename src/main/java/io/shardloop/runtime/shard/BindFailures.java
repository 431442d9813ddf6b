package io.shardloop.runtime.shard;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * Tells apart the reasons a bind fails, which the JDK reports alike as a {@link BindException}:
 * EADDRINUSE (another socket holds the port), EADDRNOTAVAIL (the address is not this machine's)
 * and EACCES (a port below 1024 without the privilege), by the error text bind(2) gave and, when
 * that text is not the usual one, by whether the address belongs to an interface here.
 */
public final class BindFailures {
    private BindFailures() {
    }

    /** The exception that says why {@code address} could not be bound. */
    public static IOException classify(InetSocketAddress address, BindException failure) {
        String text = failure.getMessage() == null ? "" : failure.getMessage();
        if (text.contains("already in use")) {
            return new PortInUseException(address, failure);
        }
        if (text.contains("assign requested address") || !isLocal(address.getAddress())) {
            return new AddressUnavailableException(address, failure);
        }
        if (text.contains("ermission denied")) {
            BindException denied = new BindException("cannot listen on port " + address.getPort() + " of "
                    + address.getHostString() + ": permission denied (ports below 1024 need privileges)");
            denied.initCause(failure);
            return denied;
        }
        return new PortInUseException(address, failure);
    }

    private static boolean isLocal(InetAddress address) {
        if (address == null || address.isAnyLocalAddress() || address.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return true; // cannot tell: the port is the likelier cause
        }
    }
}
