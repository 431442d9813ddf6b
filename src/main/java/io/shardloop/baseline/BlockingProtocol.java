package io.shardloop.baseline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;

/**
 * The protocol side of a thread-per-connection server: serves one connection from its first byte
 * to its end, on the connection's own thread, with blocking reads and writes.
 * <p>
 * Implementations are shared by every connection thread: whatever they hold across connections
 * (the store, counters) must be thread-safe; the per-connection state lives in {@link #serve}'s frame.
 */
public interface BlockingProtocol extends AutoCloseable {
    String name();

    /**
     * Serves one connection until the peer closes its side, the protocol decides to close, or the
     * input fails. Returns normally on end of input; the caller closes the socket afterwards.
     *
     * @param peer the client's address (protected mode looks at it)
     */
    void serve(InputStream in, OutputStream out, long connectionId, SocketAddress peer, SocketAddress local) throws IOException;

    /** The server listens on {@code port} (the real one when 0 was asked); called once, before any connection. */
    default void onListening(int port) {
    }

    /** A connection was closed as soon as it was accepted, because the server was at its connection limit. */
    default void onRefused() {
    }

    /** Stops what the protocol runs besides its connections (timers). */
    @Override
    default void close() {
    }
}
