package io.shardloop.baseline;

import io.shardloop.kv.StateMode;

import java.util.Locale;

/**
 * How a server runs its connections: the event loops this project is about, or one of the two
 * thread-per-connection baselines it is measured against.
 */
public enum ServerModel {
    /** One pinned event loop per CPU, each owning its connections (the default server). */
    LOOPS,
    /** One platform thread per connection, blocking reads and writes on java.net sockets. */
    THREADS,
    /** One virtual thread per connection, the same blocking code as {@link #THREADS}. */
    VIRTUAL;

    /** Whether connections are served by threads that block (any thread may touch any key). */
    public boolean threaded() {
        return this != LOOPS;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Refuses a state mode the model cannot hold: a thread per connection has no shard that owns a
     * key, so {@link StateMode#SHARDED} would have no owner to send a command to.
     */
    public void check(StateMode state) {
        if (threaded() && state == StateMode.SHARDED) {
            throw new IllegalArgumentException("--model " + label() + " serves every connection on its own thread, "
                    + "so no shard owns a key: use --state locked or --state concurrent (sharded needs --model loops)");
        }
    }

    /** A thread builder for connection threads of this model, named {@code prefix-N}. */
    Thread.Builder connectionThreads(String prefix) {
        return switch (this) {
            case THREADS -> Thread.ofPlatform().name(prefix + "-", 0).daemon(true);
            case VIRTUAL -> Thread.ofVirtual().name(prefix + "-", 0);
            case LOOPS -> throw new IllegalStateException("the loops model has no connection threads");
        };
    }
}
