package io.shardloop.runtime.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * How the process does its network I/O: the JDK's NIO, or the kernel's own interfaces through the
 * Foreign Function and Memory API. A transport holds no loop state; each event loop opens its own
 * {@link LoopIo}, which waits for events and performs every socket operation of that loop (Netty's
 * split of the loop from its {@code IoHandler}). Connections, listeners and connectors see only the
 * types of this package, never which transport serves them.
 * <p>
 * Thread-safe: {@link #listen} runs on the control thread that starts a server; {@link #openLoop}
 * on any thread, once per loop.
 */
public interface Transport {
    /** As {@code --transport} names it: {@code nio}, {@code epoll}. */
    String name();

    /**
     * Opens one loop's I/O engine.
     *
     * @param readBufferSize bytes of the buffer the loop's connections read into, one read at a time
     */
    LoopIo openLoop(String loopName, int readBufferSize) throws IOException;

    /**
     * Binds a listening socket (SO_REUSEADDR, and SO_REUSEPORT when asked). A taken port or an
     * address that is not this machine's is a {@link java.net.BindException}, as the JDK reports it.
     */
    ListenSocket listen(InetSocketAddress address, int backlog, boolean reusePort) throws IOException;

    /** Whether SO_REUSEPORT spreads connections over several listeners here. */
    boolean reusePortSupported();
}
