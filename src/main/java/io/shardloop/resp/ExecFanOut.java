package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.KvShard;
import io.shardloop.kv.Plan;
import io.shardloop.kv.PendingTransactions;
import io.shardloop.kv.PubSubShard;
import io.shardloop.kv.Transaction;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplyReader;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * An EXEC with PUBLISH, SPUBLISH or PUBSUB among its commands, on the loops, answered as Redis
 * answers it: each of those counts (or names) the subscribers of every shard. The EXEC runs as any
 * other; each such command delivers on its shard at once and writes its shard's part in its place
 * ({@link PubSubShard#runWithin(Command, CommandArgs, ReplySink, int, PubSubShard.Merged, int)}),
 * and when other shards have subscribers the merged reply comes back later. This stands between the
 * connection and the shard ({@link KvShard.Submitter}): it keeps the EXEC's reply until every merged
 * part is in, puts each in its command's place, and hands the whole reply to the connection, in its
 * place in line. An EXEC whose fan-outs found no other shard with subscribers costs a copy or two
 * of its reply.
 * <p>
 * Owned by its connection's loop thread.
 */
final class ExecFanOut implements KvShard.Submitter, PubSubShard.Merged {
    private final KvShard.Submitter client;
    /** The connection's fan-outs of EXECs in flight, by their commands' arguments (the transaction's own copies). */
    private final Map<CommandArgs, ExecFanOut> byArgs;
    private final Transaction tx;
    private final BufferReplyWriter now = new BufferReplyWriter(256);
    /** The merged reply of each command, by its place in the EXEC; null where its part is the whole. */
    private final byte[][] merged;
    private int awaited;
    /** The EXEC's reply as the shard wrote it, once in. */
    private byte[] reply;
    /** Its place in the connection's line; -1 until it has one. */
    private long token = -1;

    private ExecFanOut(Transaction tx, KvShard.Submitter client, Map<CommandArgs, ExecFanOut> byArgs) {
        this.tx = tx;
        this.client = client;
        this.byArgs = byArgs;
        this.merged = new byte[tx.size()][];
        now.protocol(client.protocol());
    }

    /**
     * The fan-out of an EXEC that has PUBLISH, SPUBLISH or PUBSUB among its commands, its commands
     * listed in {@code byArgs}; the same one when the EXEC is submitted again after waiting for
     * credit (the shard lets that waiter through); null for an EXEC without.
     */
    static ExecFanOut of(Transaction tx, KvShard.Submitter client, Map<CommandArgs, ExecFanOut> byArgs) {
        ExecFanOut f = null;
        for (int i = 0; i < tx.size(); i++) {
            if (tx.command(i).route() == Command.Route.CONNECTION && PubSubShard.fansOut(tx.command(i))) {
                if (f == null && byArgs.get(tx.args(i)) != null) {
                    return byArgs.get(tx.args(i));
                }
                if (f == null) {
                    f = new ExecFanOut(tx, client, byArgs);
                }
                byArgs.put(tx.args(i), f);
            }
        }
        return f;
    }

    /** Runs one of the EXEC's fan-out commands, in its place, as the EXEC reaches it. */
    void run(PubSubShard pubsub, Command c, CommandArgs args, ReplySink out) {
        byArgs.remove(args);
        if (pubsub.runWithin(c, args, out, client.protocol(), this, placeOf(args))) {
            awaited++;
        }
    }

    private int placeOf(CommandArgs args) {
        for (int i = 0; i < tx.size(); i++) {
            if (tx.args(i) == args) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a command of this EXEC");
    }

    /** After the shard took the EXEC: a reply written at once goes out now, or once its merged parts are in. */
    void submitted() {
        if (token >= 0 || now.length() == 0) {
            return; // it comes later, through onReply
        }
        if (awaited == 0) {
            done();
            client.replyNow().raw(now.array(), 0, now.length());
            return;
        }
        reply = java.util.Arrays.copyOf(now.array(), now.length());
        token = client.defer();
    }

    @Override
    public void onMerged(int place, DirectBuffer bytes, int offset, int length) {
        merged[place] = new byte[length];
        bytes.getBytes(offset, merged[place]);
        awaited--;
        answerWhenWhole();
    }

    @Override
    public void onReply(long t, DirectBuffer bytes, int offset, int length) {
        reply = new byte[length];
        bytes.getBytes(offset, reply);
        answerWhenWhole();
    }

    private void answerWhenWhole() {
        if (awaited > 0 || reply == null || token < 0) {
            return;
        }
        done();
        byte[] out = patched();
        client.onReply(token, new UnsafeBuffer(out), 0, out.length);
    }

    /** The EXEC's reply with each merged part in its command's place. */
    private byte[] patched() {
        UnsafeBuffer in = new UnsafeBuffer(reply);
        if (ReplyReader.type(in, 0) != '*' || ReplyReader.number(in, 0) != tx.size()) {
            return reply; // no command ran
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(reply.length + 64);
        int at = ReplyReader.firstElement(in, 0);
        out.write(reply, 0, at);
        for (int i = 0; i < tx.size(); i++) {
            int end = ReplyReader.skip(in, at);
            if (merged[i] != null) {
                out.writeBytes(merged[i]);
            } else {
                out.write(reply, at, end - at);
            }
            at = end;
        }
        return out.toByteArray();
    }

    /** Its commands that never ran (an EXEC aborted, refused or not run) are forgotten. */
    private void done() {
        for (int i = 0; i < tx.size(); i++) {
            byArgs.remove(tx.args(i), this);
        }
    }

    @Override
    public ReplySink replyNow() {
        return now;
    }

    @Override
    public long defer() {
        token = client.defer();
        return token;
    }

    @Override
    public int protocol() {
        return client.protocol();
    }

    @Override
    public PendingTransactions pendingTransactions() {
        return client.pendingTransactions();
    }

    @Override
    public void holdInputUntil(long t) {
        client.holdInputUntil(t);
    }

    @Override
    public Plan heldPlan() {
        return client.heldPlan();
    }

    @Override
    public void onCanSubmit() {
        client.onCanSubmit();
    }
}
