package io.shardloop.kv;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients blocked in a command now, by connection id, server-wide: what CLIENT UNBLOCK finds
 * and INFO's {@code blocked_clients} counts. Only the registry is shared; a wait itself stays on
 * its client's thread, and unblocking one only asks that thread to end it.
 * <p>
 * Thread-safe: each client's thread adds and removes its own entry; any thread may look one up.
 */
public final class BlockedClients {
    /** A blocked client, as CLIENT UNBLOCK sees it. */
    public interface Blocked {
        /**
         * Ends the wait as a timeout (or with -UNBLOCKED when {@code error}), from any thread;
         * false when it was no longer waiting.
         */
        boolean unblockFromAnyThread(boolean error);
    }

    private final ConcurrentHashMap<Long, Blocked> byClient = new ConcurrentHashMap<>();

    public void add(long clientId, Blocked b) {
        byClient.put(clientId, b);
    }

    public void remove(long clientId, Blocked b) {
        byClient.remove(clientId, b);
    }

    /** CLIENT UNBLOCK: 1 when the client was blocked and is now being unblocked, else 0. */
    public int unblock(long clientId, boolean error) {
        Blocked b = byClient.get(clientId);
        return b != null && b.unblockFromAnyThread(error) ? 1 : 0;
    }

    /** INFO's blocked_clients. */
    public int count() {
        return byClient.size();
    }
}
