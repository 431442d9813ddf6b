package io.shardloop.runtime.transport;

import io.shardloop.runtime.loop.Poller;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One event loop's I/O: it waits for events ({@link Poller#poll}), wakes from other threads
 * ({@link Poller#wakeup}), and makes and drives the loop's sockets. The loop's connections share
 * its read buffer, one read at a time.
 * <p>
 * Threading: every method but {@link #wakeup()} MUST be called on the owning loop's thread, and
 * every callback of a socket it drives arrives there, from {@link #poll}, never from within the
 * call that asked for it.
 */
public interface LoopIo extends Poller {
    /** The transport this loop's I/O belongs to. */
    Transport transport();

    /**
     * Watches a listener: {@code onAcceptable} runs when connections wait to be accepted, until the
     * watch is switched off or cancelled.
     */
    Watch watch(ListenSocket listener, Runnable onAcceptable) throws IOException;

    /** Takes an accepted socket (TCP_NODELAY on) for a connection of this loop; start it with {@link StreamSocket#start}. */
    StreamSocket open(AcceptedSocket accepted) throws IOException;

    /**
     * Starts a non-blocking connect; the outcome arrives as one callback of {@code events} from a later
     * poll. A failure to even begin (no descriptor, an unreachable family) is thrown here.
     */
    PendingConnect connect(InetSocketAddress address, ConnectEvents events) throws IOException;

    /** This loop's file requests, where the transport has them on the loop's own engine; null where it has not. */
    default LoopFiles files() {
        return null;
    }

    /** A listener's watch. Loop thread only. */
    interface Watch {
        /** Off: no callbacks until switched on again (the listener's queue stays as it is). */
        void enabled(boolean on);

        /** Ends the watch; the listener stays open. */
        void cancel();
    }

    /** A connect under way. Loop thread only. */
    interface PendingConnect {
        /** Abandons the attempt and closes its socket; no callback follows. */
        void cancel();
    }

    /** How a connect ended, on the loop thread. */
    interface ConnectEvents {
        /** Connected: the socket is the caller's, not yet started. */
        void onConnected(StreamSocket socket);

        /** {@link java.net.ConnectException} when refused, another {@link IOException} otherwise; the socket is closed. */
        void onConnectFailed(IOException cause);
    }
}
