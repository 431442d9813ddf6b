package io.shardloop.cli;

import picocli.CommandLine;

import java.time.Duration;

/** Turns sizes and durations typed by users into values, refusing what no option can take. */
final class Converters {
    private Converters() {
    }

    /** A size in bytes: 512, 64k, 1m, 2g (no negatives). */
    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            try {
                return Units.parseBytes(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a size (use e.g. 512, 64k, 1m, 2g)");
            }
        }
    }

    /** A duration: 30s, 250ms, 1.5s, 2m, 1h, a bare number of seconds (no negatives). */
    static Duration duration(String text) {
        Duration d;
        try {
            d = Units.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration (use e.g. 30s, 250ms, 2m)");
        }
        if (d.isNegative()) {
            throw new CommandLine.TypeConversionException("'" + text + "' is negative (a duration is 0 or more)");
        }
        try {
            d.toNanos(); // every timer of the runtime counts in nanoseconds
        } catch (ArithmeticException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is too long (at most about 292 years)");
        }
        return d;
    }
}
