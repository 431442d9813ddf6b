package io.shardloop.runtime.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A bound, listening TCP socket of one {@link Transport}. Bound on the control thread; accepted
 * from and closed on the loop that watches it ({@link LoopIo#watch}).
 */
public interface ListenSocket {
    InetSocketAddress localAddress();

    /**
     * Takes the next waiting connection, or null when none waits. A failure of one connection (reset
     * before it was taken) and running out of descriptors or memory are thrown, with the kernel's
     * text in the message ("Too many open files").
     */
    AcceptedSocket accept() throws IOException;

    /** Closes the socket (connections still queued on it are reset); later calls do nothing. */
    void close() throws IOException;
}
