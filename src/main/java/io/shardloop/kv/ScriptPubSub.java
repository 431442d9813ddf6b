package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

/**
 * Where a script's PUBLISH, SPUBLISH and PUBSUB go: each thread that runs scripts is bound to its
 * pub/sub, an event loop to its shard's ({@link PubSubShard#runWithin}: this shard's subscribers at
 * once, the other shards' one way, the reply counting this shard's receivers), a thread per
 * connection to the server's one registry (every receiver counted). A script runs whole on one
 * thread and never waits for another shard, so on the loops its PUBLISH cannot count the receivers
 * of the other shards; they still receive the message. A thread without pub/sub (a store used
 * alone) answers as a server without subscribers.
 */
public final class ScriptPubSub {
    /** A thread's pub/sub, as a script's command reaches it. */
    @FunctionalInterface
    public interface Runner {
        void run(Command c, CommandArgs args, ReplySink out);
    }

    private static final ThreadLocal<Runner> RUNNERS = new ThreadLocal<>();
    /** Never subscribed to: read only, by any thread. */
    private static final PubSubRegistry NOBODY = new PubSubRegistry(new java.util.concurrent.atomic.AtomicInteger());

    private ScriptPubSub() {
    }

    /** The calling thread's scripts publish through {@code runner}. */
    public static void bindThisThread(Runner runner) {
        RUNNERS.set(runner);
    }

    /** A script on this thread runs PUBLISH, SPUBLISH or PUBSUB. */
    static void run(Command c, CommandArgs args, ReplySink out) {
        Runner r = RUNNERS.get();
        if (r != null) {
            r.run(c, args, out);
        } else if (c.name().equals("pubsub")) {
            if (PubSubClient.checkPubsub(args, out)) {
                PubSubClient.pubsubHere(NOBODY, args, out);
            }
        } else {
            out.integer(0);
        }
    }
}
