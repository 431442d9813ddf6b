package io.shardloop.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;

/**
 * Clients that a server listening on 127.0.0.1 sees as coming from another host: the socket is
 * bound to one of this machine's non-loopback IPv4 addresses before it connects to 127.0.0.1, so
 * the peer address the server reads is that address, and the server never listens beyond loopback.
 * A test that needs one is skipped, saying why, on a machine without such an address.
 */
public final class OutsideAddress {
    private OutsideAddress() {
    }

    /** An up, non-loopback, non-link-local IPv4 address of this machine; skips the test when there is none. */
    public static InetAddress find() {
        try {
            for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : ni.inetAddresses().toList()) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a;
                    }
                }
            }
        } catch (SocketException e) {
            Assumptions.abort("cannot list this machine's network interfaces (" + e + "): protected mode is not tested");
        }
        Assumptions.abort("this machine has no non-loopback IPv4 address to connect from: protected mode is not tested");
        throw new AssertionError("unreachable");
    }

    /** A socket from {@link #find()} connected to 127.0.0.1:port, with a 10 s read timeout. */
    public static Socket connect(int port) throws IOException {
        InetAddress from = find();
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        } catch (IOException e) {
            s.close();
            Assumptions.abort("cannot reach 127.0.0.1 from " + from.getHostAddress() + " (" + e + "): protected mode is not tested");
        }
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }
}
