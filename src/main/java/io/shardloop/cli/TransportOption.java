package io.shardloop.cli;

import io.shardloop.runtime.shard.Transports;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --transport}, shared by serve and load: a transport that cannot run here is refused in one line. */
final class TransportOption {
    private TransportOption() {
    }

    static Transports.Selection select(CommandSpec spec, String name) {
        try {
            return Transports.select(name);
        } catch (Transports.UnavailableException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '--transport': '" + name + "': " + e.getMessage());
        }
    }
}
