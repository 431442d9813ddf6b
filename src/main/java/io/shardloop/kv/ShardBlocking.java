package io.shardloop.kv;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.runtime.mailbox.Mailbox;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * One shard's side of the clients blocked in BLPOP and the others: the waits of its own clients,
 * by wait id, and the way a wait joins and leaves the lines of its keys ({@link BlockedKeys}) at
 * their owners: here without a message, on another shard by a one-way message ({@link #MSG_BLOCK},
 * {@link #MSG_LEAVE}, one per owner, naming the command so the owner can serve it); an owner hands
 * a wait of another shard its answer by {@link #MSG_SERVED}. The messages are never refused
 * ({@link Mailbox#sendAlways}), so a wait holds no credit. Keys are named with their database
 * ({@link DbKeys}).
 * <p>
 * Owned by its shard's loop thread.
 */
final class ShardBlocking {
    /**
     * One-way, waiter's shard to owner: a client waits on the owner's keys of its command; payload:
     * wait id, RESP version, whether the owner runs the command first (it owns all its keys: the
     * run and the joining are then one step there, answered as a serve if it found something), the
     * command.
     */
    static final int MSG_BLOCK = 20;
    /** One-way, waiter's shard to owner: the wait leaves every line there (served, timed out, gone); payload: wait id. */
    static final int MSG_LEAVE = 21;
    /**
     * One-way, owner to waiter's shard: the owner served the wait from a key; payload: wait id, the
     * key, the answer, and the command that gives the answer's elements back if the wait has ended.
     */
    static final int MSG_SERVED = 24;
    /** One-way, owner to waiter's shard: the wait has joined the lines there; payload: wait id. */
    static final int MSG_JOINED = 25;

    private final String shardName;
    private final int here;
    private final int shardCount;
    /** Whether keys have owners (sharded mode); in the shared-state modes every line is the store's. */
    private final boolean sharded;
    /** The lines of this shard's keys (sharded mode), or the shared store's. */
    private final BlockedKeys lines;
    /** Serves the ready keys of {@link #lines}, holding what the data needs (the store's locks). */
    private final Runnable serve;
    private final KvShard kv;
    private final Mailbox mailbox;
    private final BlockedClients blockedClients;
    private final SingleWriterCounters counters;
    /** This shard's clients blocked now, by wait id (what an owner's answer names). */
    private final HashMap<Long, BlockingWait> waits = new HashMap<>();
    /** Those of them in every line of their keys: what INFO and CLIENT UNBLOCK see. */
    private int counted;
    private long waitSequence;
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(128);
    /** The key of an answer that is a first run's rather than a serve from one key. */
    private static final Key NO_KEY = Key.wrap(new byte[0]);

    ShardBlocking(KvShard kv, String shardName, int here, int shardCount, boolean sharded, BlockedKeys lines,
                  Runnable serve, Mailbox mailbox, BlockedClients blockedClients, SingleWriterCounters counters) {
        this.kv = kv;
        this.shardName = shardName;
        this.here = here;
        this.shardCount = shardCount;
        this.sharded = sharded;
        this.lines = lines;
        this.serve = serve;
        this.mailbox = mailbox;
        this.blockedClients = blockedClients;
        this.counters = counters;
    }

    /** Unique in the process: the shard in the high bits, as a connection id. */
    long nextWaitId() {
        return ((long) here << 48) | ++waitSequence;
    }

    /** The wait found nothing the first time: it is blocked now (its owners' answers find it). */
    void waiting(BlockingWait w) {
        waits.put(w.waitId(), w);
    }

    /**
     * The wait is in every line of its keys: counted blocked (INFO's blocked_clients, CLIENT
     * UNBLOCK) only now, so that a push sent once a client is seen blocked finds it in line, as in
     * Redis, even when the push comes from another shard than the wait's joining did.
     */
    void inEveryLine(BlockingWait w) {
        counted++;
        blockedClients.add(w.clientId(), w);
        counters.set(KvShard.BLOCKED_CLIENTS, counted);
    }

    void doneWaiting(BlockingWait w, boolean wasCounted) {
        waits.remove(w.waitId());
        if (wasCounted) {
            counted--;
            blockedClients.remove(w.clientId(), w);
            counters.set(KvShard.BLOCKED_CLIENTS, counted);
        }
    }

    /**
     * The wait joins the lines of its keys at their owners; an owner serves it at once if one holds
     * something. Returns how many owners of other shards were told: each answers {@link #MSG_JOINED}
     * ({@link BlockingWait#onJoined}).
     */
    int blockOn(BlockingWait w, List<Key> keys) {
        List<Key> mine = new ArrayList<>();
        boolean[] toldOwner = new boolean[shardCount];
        for (Key k : keys) {
            int owner = ownerOf(k);
            if (owner == here) {
                mine.add(k);
            } else if (!toldOwner[owner]) {
                toldOwner[owner] = true;
                sendBlock(owner, w, false);
            }
        }
        if (!mine.isEmpty()) {
            lines.block(w, mine);
            serveHere();
        }
        int told = 0;
        for (boolean t : toldOwner) {
            told += t ? 1 : 0;
        }
        return told;
    }

    /** The owner of every key of the wait runs its command first, and has it join its lines if it finds nothing. */
    void runOrBlockAt(int owner, BlockingWait w) {
        sendBlock(owner, w, true);
    }

    /** The wait leaves the lines of its keys at every owner. */
    void leave(BlockingWait w, List<Key> keys) {
        boolean[] told = new boolean[shardCount];
        for (Key k : keys) {
            int owner = ownerOf(k);
            if (told[owner]) {
                continue;
            }
            told[owner] = true;
            if (owner == here) {
                lines.leave(w.waitId());
            } else {
                message.putLong(0, w.waitId());
                send(owner, MSG_LEAVE, 8);
            }
        }
    }

    /** Serves the ready keys here now (sharded mode: this shard's; shared modes: the store's). */
    void serveHere() {
        serve.run();
        if (sharded) {
            counters.set(KvShard.BLOCKED_WAKEUPS, lines.served());
        }
    }

    /** A message of the blocked clients' (false for any other type): handled. */
    boolean onMessage(int type, int source, DirectBuffer buffer, int offset, int length) {
        switch (type) {
            case MSG_BLOCK -> {
                CommandArgs args = new CommandArgs();
                CommandCodec.decode(buffer, offset + 13, args);
                Command c = CommandTable.find(args);
                int protocol = buffer.getInt(offset + 8);
                RemoteWaiter w = new RemoteWaiter(buffer.getLong(offset), protocol, source, c, args);
                if (buffer.getByte(offset + 12) == 1) {
                    kv.firstRunForAnotherShard(c, args, protocol, r -> {
                        if (BlockingCommands.notServed(r.buffer(), 0, r.length())) {
                            join(w, source);
                        } else {
                            w.served(NO_KEY, r.buffer(), 0, r.length());
                        }
                    });
                } else {
                    join(w, source);
                }
            }
            case MSG_JOINED -> {
                BlockingWait w = waits.get(buffer.getLong(offset));
                if (w != null) {
                    w.onJoined();
                }
            }
            case MSG_LEAVE -> lines.leave(buffer.getLong(offset));
            case MSG_SERVED -> onServed(buffer, offset);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** A wait of another shard joins the lines of its keys here, is served at once if one holds something, and is told. */
    private void join(RemoteWaiter w, int source) {
        List<Key> mine = new ArrayList<>();
        for (Key k : BlockingCommands.waitedKeys(w.command(), w.args())) {
            if (ownerOf(k) == here) {
                mine.add(k);
            }
        }
        lines.block(w, mine);
        serveHere();
        message.putLong(0, w.waitId());
        send(source, MSG_JOINED, 8);
    }

    /** An owner's answer for a wait of this shard; a wait that has ended gives what it took back. */
    private void onServed(DirectBuffer buffer, int offset) {
        long waitId = buffer.getLong(offset);
        int at = offset + 8;
        int keyLength = buffer.getInt(at);
        byte[] key = new byte[keyLength];
        buffer.getBytes(at + 4, key);
        at += 4 + keyLength;
        int replyLength = buffer.getInt(at);
        int reply = at + 4;
        at = reply + replyLength;
        int backLength = buffer.getInt(at);
        BlockingWait w = waits.get(waitId);
        if (w != null && w.claim()) {
            w.onServedHere(Key.wrap(key), buffer, reply, replyLength);
        } else if (backLength > 0) {
            CommandArgs back = new CommandArgs();
            CommandCodec.decode(buffer, at + 4, back);
            kv.runDetached(back);
        }
    }

    private void sendBlock(int owner, BlockingWait w, boolean runFirst) {
        message.putLong(0, w.waitId());
        message.putInt(8, w.protocol());
        message.putByte(12, (byte) (runFirst ? 1 : 0));
        int length = CommandCodec.encode(w.args(), message, 13);
        send(owner, MSG_BLOCK, 13 + length);
    }

    /** The shard that keeps the line of a key a client waits on. */
    private int ownerOf(Key key) {
        return sharded ? DbKeys.owner(key, shardCount) : here;
    }

    private void send(int target, int type, int length) {
        if (mailbox.sendAlways(target, type, message, 0, length) < 0) {
            throw new IllegalStateException(shardName + ": a blocking message to shard " + target + " was refused");
        }
    }

    /** A client of another shard waiting on keys of this one: its answer is a message there. */
    private final class RemoteWaiter implements BlockedKeys.Waiter {
        private final long waitId;
        private final int protocol;
        private final int shardOfWait;
        private final Command command;
        private final CommandArgs args;

        RemoteWaiter(long waitId, int protocol, int shardOfWait, Command command, CommandArgs args) {
            this.waitId = waitId;
            this.protocol = protocol;
            this.shardOfWait = shardOfWait;
            this.command = command;
            this.args = args;
        }

        @Override
        public long waitId() {
            return waitId;
        }

        @Override
        public Command command() {
            return command;
        }

        @Override
        public CommandArgs args() {
            return args;
        }

        @Override
        public int protocol() {
            return protocol;
        }

        @Override
        public boolean claim() {
            return true; // its shard gives the answer's elements back if the wait has ended meanwhile
        }

        @Override
        public void served(Key key, DirectBuffer reply, int offset, int length) {
            CommandArgs back = BlockingCommands.popsOnly(command, args, shardCount, sharded)
                    ? BlockingCommands.pushBackToSource(command, args, reply, offset)
                    : BlockingCommands.giveBack(command, args, reply, offset);
            message.putLong(0, waitId);
            int at = 8;
            message.putInt(at, key.length());
            message.putBytes(at + 4, key.array(), key.offset(), key.length());
            at += 4 + key.length();
            message.putInt(at, length);
            message.putBytes(at + 4, reply, offset, length);
            at += 4 + length;
            int backLength = back == null ? 0 : CommandCodec.encode(back, message, at + 4);
            message.putInt(at, backLength);
            int total = at + 4 + backLength;
            if (!ReplyHold.holdsOnThisThread()) {
                send(shardOfWait, MSG_SERVED, total);
                return;
            }
            byte[] held = new byte[total]; // the pop is logged here: the answer waits for the disk
            message.getBytes(0, held);
            ReplyHold.whenDurable(() -> {
                message.putBytes(0, held);
                send(shardOfWait, MSG_SERVED, total);
            });
        }
    }
}
