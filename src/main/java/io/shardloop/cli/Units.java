package io.shardloop.cli;

import java.time.Duration;
import java.util.Locale;

/** Sizes ("64k", "1m", "512") and durations ("30s", "250ms", "2m") as users type them. */
final class Units {
    private Units() {
    }

    static long parseBytes(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            default -> unit = 1;
        }
        if (unit != 1) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            long value = Long.parseLong(s);
            if (value < 0) {
                throw new IllegalArgumentException("a size cannot be negative: '" + text + "'");
            }
            return Math.multiplyExact(value, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size: '" + text + "' (use e.g. 512, 64k, 1m, 2g)");
        }
    }

    static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("us")) {
                return Duration.ofNanos(Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - 2)), 1_000));
            }
            if (s.endsWith("s")) {
                double seconds = Double.parseDouble(s.substring(0, s.length() - 1));
                if (!Double.isFinite(seconds) || Math.abs(seconds) > Long.MAX_VALUE / 1000.0) {
                    throw new NumberFormatException(text);
                }
                return Duration.ofMillis(Math.round(seconds * 1000));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(s));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 30s, 250ms, 2m)");
        }
    }
}
