package io.shardloop.cli;

import io.shardloop.runtime.shard.Pinning;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.util.HashSet;
import java.util.List;

/**
 * The checks every command runs on its option values after parsing, each failing with one
 * {@link ParameterException} that names the option, the value as typed and why it is refused, in
 * the words picocli uses for a value it cannot convert: {@code Invalid value for option '--shards':
 * '0' is below 1 (...)}. {@link OneLineErrors} prints it as the command's only output.
 */
final class OptionChecks {
    private final CommandSpec spec;

    OptionChecks(CommandSpec spec) {
        this.spec = spec;
    }

    /** The refusal of an option's value, for a reason checked elsewhere. */
    ParameterException invalid(String option, String why) {
        return invalid(option, typed(option), why);
    }

    /** The refusal of one value of an option (one item of a list). */
    ParameterException invalid(String option, String value, String why) {
        return new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': '" + value
                + "' " + why);
    }

    /** A Redis-style yes/no value. */
    void yesNo(String option, String value) {
        if (!value.equalsIgnoreCase("yes") && !value.equalsIgnoreCase("no")) {
            throw invalid(option, "is not yes or no");
        }
    }

    void atLeast(String option, long value, long min, String why) {
        if (value < min) {
            throw invalid(option, "is below " + min + (why == null ? "" : " (" + why + ")"));
        }
    }

    void between(String option, long value, long min, long max, String why) {
        if (value < min || value > max) {
            throw invalid(option, "is outside " + min + ".." + max + (why == null ? "" : " (" + why + ")"));
        }
    }

    /** A port: 0 (its meaning is the option's, said in its help) up to 65535. */
    void port(String option, int value) {
        between(option, value, 0, 65535, "a TCP port");
    }

    /** Each of a list option's values at least {@code min}. */
    void eachAtLeast(String option, List<? extends Number> values, long min, String why) {
        for (Number v : values) {
            if (v.longValue() < min) {
                throw invalid(option, String.valueOf(v), "is below " + min + (why == null ? "" : " (" + why + ")"));
            }
        }
    }

    /** CPUs to pin to: each one this process may use (its affinity mask), none twice. */
    void cpus(String option, List<Integer> cpus) {
        List<Integer> usable = Pinning.usableCpus();
        for (int cpu : cpus) {
            if (!usable.contains(cpu)) {
                throw invalid(option, String.valueOf(cpu), "is not a CPU this process may use (" + usable + ")");
            }
        }
        if (cpus.size() != new HashSet<>(cpus).size()) {
            throw invalid(option, "names a CPU twice (each thread gets a CPU of its own)");
        }
    }

    /** Whether the user gave the option (a default value does not count). */
    boolean given(String option) {
        CommandLine.ParseResult result = spec.commandLine().getParseResult();
        return result != null && result.hasMatchedOption(option);
    }

    /** The option's value as the user typed it, or its default as written in the help. */
    String typed(String option) {
        OptionSpec o = spec.findOption(option);
        if (o == null) {
            return "?";
        }
        List<String> original = o.originalStringValues();
        if (!original.isEmpty()) {
            return String.join(",", original);
        }
        return o.defaultValue() != null ? o.defaultValue() : String.valueOf((Object) o.getValue());
    }
}
