package io.shardloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.logging.Level;
import java.util.logging.Logger;

/** The {@code shardloop} command: wires the subcommands, holds no logic of its own. */
@Command(name = "shardloop", mixinStandardHelpOptions = true, version = "shardloop 0.1.0",
        description = "A shard-per-core server runtime: one pinned event loop per CPU, nothing shared.%n",
        subcommands = {ServeCommand.class, LoadCommand.class, ScaleCommand.class, CheckAofCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Kept so the level set on it is not collected with it. */
    private static final Logger AFFINITY_LOG = Logger.getLogger("net.openhft");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        configureLogging();
        System.exit(commandLine().execute(args));
    }

    /** The command line with its converters; also used by tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .registerConverter(java.time.Duration.class, Converters::duration)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(new OneLineErrors());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void configureLogging() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$s %5$s%6$s%n");
        }
        AFFINITY_LOG.setLevel(Level.SEVERE); // the runtime logs the outcome of pinning itself
    }
}
