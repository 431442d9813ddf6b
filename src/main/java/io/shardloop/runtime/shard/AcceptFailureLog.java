package io.shardloop.runtime.shard;

import java.util.concurrent.TimeUnit;

/**
 * The log of failed accepts of one server (a {@link ShardGroup}): at most one line a second over
 * all its listeners, each line saying how many failures went unlogged since the one before. A
 * flood of connections past the descriptor limit fails thousands of accepts a second; the log
 * must not become the next thing to run out.
 * <p>
 * Threading: any shard's loop thread; the counters are atomics, touched on failures only.
 */
final class AcceptFailureLog {
    private static final System.Logger LOG = System.getLogger(AcceptFailureLog.class.getName());

    private final ThrottledLog throttle = new ThrottledLog();

    /**
     * Counts a failed accept and logs it unless a line went out less than a second ago.
     *
     * @param pauseNanos how long the listener stops accepting because of it (0: it goes on)
     * @return whether a line was logged
     */
    boolean onFailure(String shard, int port, String reason, long pauseNanos, long nowNanos) {
        long skipped = throttle.onEvent(nowNanos);
        if (skipped < 0) {
            return false;
        }
        LOG.log(System.Logger.Level.WARNING, line(shard, port, reason, pauseNanos, skipped));
        return true;
    }

    static String line(String shard, int port, String reason, long pauseNanos, long skipped) {
        return shard + ": accept failed on port " + port + ": " + reason
                + (pauseNanos > 0 ? "; not accepting there for " + TimeUnit.NANOSECONDS.toMillis(pauseNanos) + " ms" : "")
                + ThrottledLog.skipped(skipped, "failure", "failures");
    }

    /** Failures counted but not logged since the last line. */
    long unlogged() {
        return throttle.unlogged();
    }

    /** Failed accepts over the server's life. */
    long failures() {
        return throttle.events();
    }
}
