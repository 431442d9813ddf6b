package io.shardloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code shardloop check-aof [--fix] PATH}: Redis's redis-check-aof for the shards' append-only files. */
@Command(name = "check-aof", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Checks append-only files as Redis's redis-check-aof checks a multi-part AOF, with its messages: "
                    + "each RESP file read through (whole commands, MULTI/EXEC, # annotations), each RDB base "
                    + "checked to its CRC-64, each file the manifest names present.%n",
            "PATH is the append-only directory (every shard of the set in use, as the pointer file says), one "
                    + "shard's manifest, or one .aof or .rdb file.%n",
            "Exit status: 0 every file is valid (or was repaired); 1 a file is not valid, or PATH cannot be "
                    + "checked; 2 a bad option.%n"},
        footer = {"%nExamples:",
            "  shardloop check-aof appendonlydir",
            "      every shard's files, as the server would read them at start",
            "  shardloop check-aof --fix appendonlydir/appendonly-s0of2.aof.manifest",
            "      shard 0 of 2, cutting a torn tail of its last file after asking",
            "  yes | shardloop check-aof --fix appendonlydir",
            "      the same for every shard, answered from standard input"})
final class CheckAofCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--fix",
            description = "Cut a torn or garbage tail off the last incremental file of a shard (back to its last "
                    + "whole record, then synced), as the server does at start under aof-load-truncated yes, "
                    + "once the answer to 'Continue? [y/N]:' on standard input starts with y. Damage in a base, "
                    + "in a file other files follow, or with whole commands after it is never cut.")
    boolean fix;

    @Parameters(paramLabel = "PATH", description = "The append-only directory, a manifest, or one file.")
    Path path;

    /** Where the answers come from; tests give their own. */
    InputStream answers = System.in;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = new BufferedReader(new InputStreamReader(answers, StandardCharsets.UTF_8));
        boolean terminal = answers == System.in && System.console() != null && System.console().isTerminal();
        AofCheck check = new AofCheck(out, in, !terminal, fix);
        try {
            return check.check(path) ? 0 : 1;
        } catch (AofCheck.Refused e) {
            return fail(e.getMessage());
        } catch (IOException e) {
            return fail("cannot read " + path + ": " + e);
        } finally {
            out.flush();
        }
    }

    private int fail(String message) {
        spec.commandLine().getOut().flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": " + message);
        err.flush();
        return 1;
    }
}
