package io.shardloop.resp;

/**
 * Redis's {@code client-output-buffer-limit pubsub <hard> <soft> <soft-seconds>}: a client
 * subscribed to anything (or a MONITOR) is closed once the replies and messages it has not read
 * reach {@code hard} bytes, or have stayed over {@code soft} bytes for {@code softSeconds}. Zero
 * turns a limit off, as in Redis. Checked each time a message is queued for the client, as Redis
 * checks on each reply it adds.
 *
 * @param hard        bytes at which the client is closed at once (0: none)
 * @param soft        bytes the client may hold for at most {@code softSeconds} (0: none)
 * @param softSeconds how long it may stay over {@code soft}
 */
public record PubSubLimit(long hard, long soft, long softSeconds) {
    /** Redis's default: 32mb 8mb 60. */
    public static final PubSubLimit REDIS_DEFAULT = new PubSubLimit(32L << 20, 8L << 20, 60);

    public PubSubLimit {
        if (hard < 0 || soft < 0 || softSeconds < 0) {
            throw new IllegalArgumentException("pub/sub output limits must not be negative: " + hard + " " + soft + " "
                    + softSeconds);
        }
    }

    /**
     * The limit on one client: when it went over the soft limit. It reads the limit in force at
     * each check ({@link ClientOutputLimits}: CONFIG SET changes it for every client at once).
     * Owned by that client's thread.
     */
    public static final class Watch {
        private final java.util.function.Supplier<PubSubLimit> limit;
        /** When the client went over the soft limit, nanoTime; 0 while it is under. */
        private long overSoftSince;

        Watch(java.util.function.Supplier<PubSubLimit> limit) {
            this.limit = limit;
        }

        /** Whether a client holding this many unsent bytes now must be closed (the clock is read only over the soft limit). */
        public boolean exceeded(long bytes) {
            PubSubLimit l = limit.get();
            long hard = l.hard;
            long soft = l.soft;
            if (hard > 0 && bytes >= hard) {
                return true;
            }
            if (soft == 0 || bytes < soft) {
                overSoftSince = 0;
                return false;
            }
            long now = System.nanoTime();
            if (overSoftSince == 0) {
                overSoftSince = now | 1; // never 0 once over
                return false;
            }
            return now - overSoftSince >= l.softSeconds * 1_000_000_000L;
        }
    }

    /** A watch for one client, of this limit always. */
    public Watch watch() {
        return new Watch(() -> this);
    }

    @Override
    public String toString() {
        return hard + " " + soft + " " + softSeconds;
    }
}
