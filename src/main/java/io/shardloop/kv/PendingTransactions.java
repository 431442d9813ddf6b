package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The transactions over several shards one client has in flight, and their keys: a later command
 * of the same client over one of those keys must wait for the transaction's reply, so the client's
 * own order holds on every key even when a transaction has to start again (and so lets later
 * commands that touch other keys go first). Commands over other keys do not wait: across keys and
 * shards, a client's pipelined commands are not ordered for other clients (as for any commands
 * sent to two shards).
 * <p>
 * Not thread-safe: owned by its connection.
 */
public final class PendingTransactions {
    private final Map<Long, TransactionParts> byToken = new HashMap<>();
    /** Per key, how many pending transactions name it. */
    private final Map<Key, int[]> keys = new HashMap<>();
    private int overEverything;
    private final Key probe = Key.probe();

    public boolean isEmpty() {
        return byToken.isEmpty();
    }

    /** A transaction is in flight, to be answered at {@code token} ({@link KvShard} says so). */
    void add(long token, TransactionParts parts) {
        byToken.put(token, parts);
        if (parts.overEverything()) {
            overEverything++;
        }
        for (Key k : parts.keys()) {
            keys.computeIfAbsent(k, x -> new int[1])[0]++;
        }
    }

    /** The reply at {@code token} is in; false when it was not a pending transaction's. */
    public boolean complete(long token) {
        TransactionParts parts = byToken.remove(token);
        if (parts == null) {
            return false;
        }
        if (parts.overEverything()) {
            overEverything--;
        }
        for (Key k : parts.keys()) {
            int[] n = keys.get(k);
            if (n != null && --n[0] == 0) {
                keys.remove(k);
            }
        }
        return true;
    }

    /**
     * Whether a command must wait: it names a pending transaction's key, or one of them is over every
     * key, or it is; a PUBLISH waits for them all (one published inside them goes out first).
     */
    public boolean holdsBack(Command c, CommandArgs args) {
        if (byToken.isEmpty()) {
            return false;
        }
        Command.Route r = c.route();
        if (overEverything > 0 || r == Command.Route.ALL_SHARDS || r == Command.Route.SCAN || PubSubShard.fansOut(c)) {
            return true;
        }
        int n = c.keyCount(args);
        for (int i = 0; i < n; i++) {
            int k = c.keyIndex(args, i);
            if (keys.containsKey(probe.view(args.array(), args.offset(k), args.length(k)))) {
                return true;
            }
        }
        return false;
    }

    /** Whether any command of an EXEC, or a key it watches, must wait. */
    public boolean holdsBack(Transaction tx) {
        if (byToken.isEmpty()) {
            return false;
        }
        for (int i = 0; i < tx.size(); i++) {
            if (tx.command(i).route() != Command.Route.CONNECTION && holdsBack(tx.command(i), tx.args(i))) {
                return true;
            }
        }
        for (int i = 0; i < tx.watchedCount(); i++) {
            if (keys.containsKey(DbKeys.name(tx.watchedKey(i)))) {
                return true;
            }
        }
        return false;
    }
}
