package io.shardloop.cli;

import picocli.CommandLine;

/**
 * A bad command line gets one line on standard error, prefixed with the command, and exit status
 * 2: the message of the {@link CommandLine.ParameterException} (which names the option, the value
 * and the reason), not the whole usage text after it and never a stack trace.
 */
final class OneLineErrors implements CommandLine.IParameterExceptionHandler {
    /** The exit status of a command line that cannot run. */
    static final int EXIT_USAGE = 2;

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().replace('\n', ' ');
        cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": " + message);
        cli.getErr().flush();
        return EXIT_USAGE;
    }
}
