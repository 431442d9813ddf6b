package io.shardloop.kv;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.mailbox.Mailbox;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.util.HashMap;

/**
 * One shard's side of the clients blocked in BLPOP and the others: the waits of its own clients,
 * by wait id, and the way a wait joins, declines and leaves the line of a key ({@link BlockedKeys})
 * at the key's owner: here without a message, on another shard by a one-way message
 * ({@link #MSG_BLOCK}, {@link #MSG_DECLINE}, {@link #MSG_LEAVE}); an owner wakes a wait of another
 * shard by {@link #MSG_READY}. The messages are never refused ({@link Mailbox#sendAlways}), so a
 * wait holds no credit. Keys are named with their database ({@link DbKeys}).
 * <p>
 * Owned by its shard's loop thread.
 */
final class ShardBlocking {
    /** One-way, waiter's shard to owner: a client waits on a key; payload: wait id, key. */
    static final int MSG_BLOCK = 20;
    /** One-way, waiter's shard to owner: the wait leaves the key's line (served, timed out, gone). */
    static final int MSG_LEAVE = 21;
    /** One-way, waiter's shard to owner: the signaled wait ran and found nothing; it stays in line. */
    static final int MSG_DECLINE = 22;
    /** One-way, owner to waiter's shard: the key may hold an element: run the command again. */
    static final int MSG_READY = 23;

    private final String shardName;
    private final int here;
    private final int shardCount;
    /** Whether keys have owners (sharded mode); in the shared-state modes every line is the store's. */
    private final boolean sharded;
    /** The lines of this shard's keys (sharded mode), or the shared store's. */
    private final BlockedKeys lines;
    private final Mailbox mailbox;
    private final BlockedClients blockedClients;
    private final SingleWriterCounters counters;
    /** This shard's clients blocked now, by wait id (what a wake-up from an owner names). */
    private final HashMap<Long, BlockingWait> waits = new HashMap<>();
    private long waitSequence;
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(128);

    ShardBlocking(String shardName, int here, int shardCount, boolean sharded, BlockedKeys lines, Mailbox mailbox,
                  BlockedClients blockedClients, SingleWriterCounters counters) {
        this.shardName = shardName;
        this.here = here;
        this.shardCount = shardCount;
        this.sharded = sharded;
        this.lines = lines;
        this.mailbox = mailbox;
        this.blockedClients = blockedClients;
        this.counters = counters;
    }

    /** Unique in the process: the shard in the high bits, as a connection id. */
    long nextWaitId() {
        return ((long) here << 48) | ++waitSequence;
    }

    /** The wait found nothing the first time: it is blocked now. */
    void waiting(BlockingWait w) {
        waits.put(w.waitId(), w);
        blockedClients.add(w.clientId(), w);
        counters.set(KvShard.BLOCKED_CLIENTS, waits.size());
    }

    void doneWaiting(BlockingWait w) {
        waits.remove(w.waitId());
        blockedClients.remove(w.clientId(), w);
        counters.set(KvShard.BLOCKED_CLIENTS, waits.size());
    }

    /** The wait joins the key's line at its owner. */
    void blockOn(Key key, BlockingWait w) {
        int owner = ownerOf(key);
        if (owner == here) {
            countSignals(() -> lines.block(key, w));
        } else {
            send(owner, MSG_BLOCK, w.waitId(), key);
        }
    }

    void leave(Key key, long waitId) {
        int owner = ownerOf(key);
        if (owner == here) {
            countSignals(() -> lines.leave(key, waitId));
        } else {
            send(owner, MSG_LEAVE, waitId, key);
        }
    }

    void decline(Key key, long waitId) {
        int owner = ownerOf(key);
        if (owner == here) {
            countSignals(() -> lines.decline(key, waitId));
        } else {
            send(owner, MSG_DECLINE, waitId, key);
        }
    }

    /** A message of the blocked clients' (false for any other type): handled. */
    boolean onMessage(int type, int source, DirectBuffer buffer, int offset, int length) {
        if (type < MSG_BLOCK || type > MSG_READY) {
            return false;
        }
        long waitId = buffer.getLong(offset);
        byte[] bytes = new byte[length - 8];
        buffer.getBytes(offset + 8, bytes);
        Key key = Key.wrap(bytes);
        switch (type) {
            case MSG_BLOCK -> countSignals(() -> lines.block(key, new RemoteWaiter(waitId, source)));
            case MSG_LEAVE -> countSignals(() -> lines.leave(key, waitId));
            case MSG_DECLINE -> countSignals(() -> lines.decline(key, waitId));
            default -> {
                BlockingWait w = waits.get(waitId);
                if (w != null) {
                    w.onReadyHere(key);
                }
            }
        }
        return true;
    }

    /** The shard that keeps the line of a key a client waits on. */
    private int ownerOf(Key key) {
        return sharded ? DbKeys.owner(key, shardCount) : here;
    }

    private void countSignals(Runnable r) {
        r.run();
        if (sharded) {
            counters.set(KvShard.BLOCKED_WAKEUPS, lines.signals());
        }
    }

    private void send(int target, int type, long waitId, Key key) {
        message.putLong(0, waitId);
        message.putBytes(8, key.array(), key.offset(), key.length());
        if (mailbox.sendAlways(target, type, message, 0, 8 + key.length()) < 0) {
            throw new IllegalStateException(shardName + ": a blocking message to shard " + target + " was refused");
        }
    }

    /** A client of another shard waiting on a key of this one: its wake-up is a message there. */
    private final class RemoteWaiter implements BlockedKeys.Waiter {
        private final long waitId;
        private final int shardOfWait;

        RemoteWaiter(long waitId, int shardOfWait) {
            this.waitId = waitId;
            this.shardOfWait = shardOfWait;
        }

        @Override
        public long waitId() {
            return waitId;
        }

        @Override
        public void onReady(Key key) {
            send(shardOfWait, MSG_READY, waitId, key);
        }
    }
}
