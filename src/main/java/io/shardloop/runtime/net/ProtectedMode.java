package io.shardloop.runtime.net;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * Redis's protected mode: while it is on and no password is set, only clients on the loopback
 * interface reach the data; any other is told why, in Redis's words, and turned away. The rule is
 * Redis 7's (networking.c, {@code clientAcceptHandler}): it looks at the peer only, so a server
 * bound to loopback alone never refuses anyone, and one bound to every interface refuses the
 * clients that come from outside.
 * <p>
 * Stateless; any thread.
 */
public final class ProtectedMode {
    /** Why, after Redis's DENIED text, with this server's ways out. */
    public static final String EXPLANATION = "shardloop is running in protected mode because protected mode is enabled"
            + " and no password is set for the default user. In this mode connections are only accepted from the"
            + " loopback interface. If you want to connect from external computers to shardloop you may adopt one of"
            + " the following solutions: 1) Restart the server with the '--protected-mode no' option, however MAKE"
            + " SURE it is not publicly accessible from internet if you do so. 2) Set up an authentication password"
            + " for the default user: restart the server with the '--requirepass <password>' option. NOTE: You only"
            + " need to do one of the above things in order for the server to start accepting connections from the"
            + " outside.";

    private ProtectedMode() {
    }

    /** Whether a client from {@code peer} is turned away; an unknown peer (null) is not trusted. */
    public static boolean refuses(boolean protectedMode, boolean passwordSet, SocketAddress peer) {
        return protectedMode && !passwordSet && !isLocal(peer);
    }

    /** 127.0.0.0/8, ::1 (Redis's connIsLocal: "127." or "::1"), or a Unix domain socket. */
    public static boolean isLocal(SocketAddress peer) {
        return switch (peer) {
            case InetSocketAddress inet -> inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
            case UnixDomainSocketAddress unix -> true;
            case null, default -> false;
        };
    }
}
