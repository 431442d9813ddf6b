package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

/**
 * Where the commands a script runs go to MONITOR clients, shown as Redis shows them
 * ({@code [db lua] "set" "k" "v"}): each thread that runs scripts is bound to its feed, an event
 * loop to its shard's pub/sub ({@link PubSubShard}), a thread per connection to the server's one
 * registry. A thread without a feed shows nothing.
 */
public final class MonitorFeed {
    /** A thread's way to the monitors. */
    public interface Feed {
        /** Whether any monitor exists anywhere: one volatile read while none does. */
        boolean anyMonitor();

        void feed(byte[] line, int offset, int length);
    }

    private static final ThreadLocal<Feed> FEEDS = new ThreadLocal<>();

    private MonitorFeed() {
    }

    /** The calling thread's scripts show their commands through {@code feed}. */
    public static void bindThisThread(Feed feed) {
        FEEDS.set(feed);
    }

    /** A script on this thread ran {@code c} on database {@code db}: the monitors see it, after it ran. */
    static void scripted(int db, Command c, CommandArgs a) {
        Feed f = FEEDS.get();
        if (f != null && f.anyMonitor() && MonitorLine.fed(c)) {
            byte[] line = MonitorLine.formatScripted(MonitorLine.nowMicros(), db, c, a);
            f.feed(line, 0, line.length);
        }
    }
}
