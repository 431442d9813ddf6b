package io.shardloop.resp;

import io.shardloop.resp.codec.RespLimits;

/**
 * Every tunable of the Redis protocol, in one place, for both server models.
 *
 * @param limits         sizes a command may use ({@link RespLimits})
 * @param maxOutstanding replies one connection may have waiting for other shards at once; past it
 *                       the connection is not read until the line moves (event loops only)
 * @param requirePass    the password of the default user, which AUTH (or HELLO AUTH) must give
 *                       before any command but AUTH, HELLO, QUIT and RESET; null for none
 * @param protectedMode  Redis's protected mode: with no password, clients from other hosts than
 *                       this one's loopback are refused ({@link io.shardloop.runtime.net.ProtectedMode})
 * @param pubsubLimit    Redis's {@code client-output-buffer-limit pubsub}: when a subscriber that
 *                       does not read is closed
 */
public record RespConfig(RespLimits limits, int maxOutstanding, String requirePass, boolean protectedMode,
                         PubSubLimit pubsubLimit) {
    public RespConfig {
        if (limits == null) {
            throw new IllegalArgumentException("RESP limits are required");
        }
        if (pubsubLimit == null) {
            throw new IllegalArgumentException("the pub/sub output limit is required");
        }
        if (maxOutstanding < 2) {
            throw new IllegalArgumentException("at least 2 outstanding replies per connection, got " + maxOutstanding);
        }
    }

    /** With Redis's pub/sub output limit. */
    public RespConfig(RespLimits limits, int maxOutstanding, String requirePass, boolean protectedMode) {
        this(limits, maxOutstanding, requirePass, protectedMode, PubSubLimit.REDIS_DEFAULT);
    }

    /** Redis's limits, 1024 outstanding replies, no password, protected mode on (Redis's default). */
    public static RespConfig defaults() {
        return new RespConfig(RespLimits.REDIS_DEFAULTS, 1024, null, true);
    }

    public RespConfig withPubSubLimit(PubSubLimit limit) {
        return new RespConfig(limits, maxOutstanding, requirePass, protectedMode, limit);
    }

    public RespConfig withLimits(RespLimits newLimits) {
        return new RespConfig(newLimits, maxOutstanding, requirePass, protectedMode, pubsubLimit);
    }

    public RespConfig withMaxOutstanding(int n) {
        return new RespConfig(limits, n, requirePass, protectedMode, pubsubLimit);
    }

    public RespConfig withRequirePass(String password) {
        return new RespConfig(limits, maxOutstanding, password, protectedMode, pubsubLimit);
    }

    public RespConfig withProtectedMode(boolean on) {
        return new RespConfig(limits, maxOutstanding, requirePass, on, pubsubLimit);
    }

    /** One line for the start-up log (the password itself never). */
    public String describe() {
        return "auth=" + (requirePass == null ? "none" : "required") + " protected-mode=" + (protectedMode ? "yes" : "no")
                + " max-outstanding=" + maxOutstanding + " client-output-buffer-limit-pubsub=" + pubsubLimit + " "
                + limits;
    }
}
