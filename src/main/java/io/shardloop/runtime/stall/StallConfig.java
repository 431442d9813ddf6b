package io.shardloop.runtime.stall;

import java.time.Duration;

/**
 * Tunables of the stall detector.
 *
 * @param enabled        run the watchdog at all
 * @param threshold      a turn that has been working longer than this is a stall
 * @param checkInterval  how often the watchdog looks at every shard
 * @param logInterval    at most one stall is logged per interval (the others are counted and
 *                       summarised in the next line); reports to listeners and JFR are not limited
 */
public record StallConfig(boolean enabled, Duration threshold, Duration checkInterval, Duration logInterval) {
    public StallConfig {
        if (threshold.isNegative() || threshold.isZero() || checkInterval.isNegative() || checkInterval.isZero()
                || logInterval.isNegative()) {
            throw new IllegalArgumentException("stall detector durations must be positive: threshold=" + threshold
                    + " check=" + checkInterval + " log=" + logInterval);
        }
    }

    public static StallConfig defaults() {
        return new StallConfig(true, Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofSeconds(1));
    }

    public static StallConfig off() {
        return new StallConfig(false, Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofSeconds(1));
    }

    public StallConfig withThreshold(Duration v) {
        return new StallConfig(enabled, v, checkInterval.compareTo(v) > 0 ? v : checkInterval, logInterval);
    }

    public String describe() {
        return enabled ? "stall-threshold=" + threshold.toMillis() + "ms" : "stall-detector=off";
    }
}
