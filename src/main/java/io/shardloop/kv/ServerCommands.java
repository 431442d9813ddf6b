package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

/** Commands that need no data and no connection state: PING, ECHO, COMMAND, TIME. */
final class ServerCommands {
    private static final String[] COMMAND_HELP = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "INFO <command-name> [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
    };

    private ServerCommands() {
    }

    static void ping(Db db, CommandArgs a, ReplySink out) {
        if (a.count() > 2) {
            out.error(Errors.wrongArity("ping"));
        } else if (a.count() == 2) {
            out.bulk(a.array(), a.offset(1), a.length(1));
        } else {
            out.raw(Errors.PONG);
        }
    }

    static void echo(Db db, CommandArgs a, ReplySink out) {
        out.bulk(a.array(), a.offset(1), a.length(1));
    }

    /** COMMAND, COMMAND COUNT, COMMAND INFO name..., COMMAND DOCS [name...], COMMAND HELP. */
    static void command(Db db, CommandArgs a, ReplySink out) {
        if (a.count() == 1) {
            out.arrayHeader(CommandTable.all().size());
            for (Command c : CommandTable.all()) {
                info(c, out);
            }
        } else if (a.is(1, "HELP") && a.count() == 2) {
            Errors.help(out, "COMMAND", COMMAND_HELP);
        } else if (a.is(1, "COUNT") && a.count() == 2) {
            out.integer(CommandTable.all().size());
        } else if (a.is(1, "INFO") && a.count() == 2) {
            out.arrayHeader(CommandTable.all().size()); // Redis 7: no names, every command
            for (Command c : CommandTable.all()) {
                info(c, out);
            }
        } else if (a.is(1, "INFO")) {
            out.arrayHeader(a.count() - 2);
            for (int i = 2; i < a.count(); i++) {
                Command c = CommandTable.find(a, i);
                if (c == null) {
                    out.nullBulk();
                } else {
                    info(c, out);
                }
            }
        } else if (a.is(1, "DOCS")) {
            int n = 0;
            for (int i = 2; i < a.count(); i++) {
                n += CommandTable.find(a, i) == null ? 0 : 1;
            }
            out.mapHeader(a.count() == 2 ? CommandTable.all().size() : n);
            if (a.count() == 2) {
                for (Command c : CommandTable.all()) {
                    docs(c, out);
                }
            } else {
                for (int i = 2; i < a.count(); i++) {
                    Command c = CommandTable.find(a, i);
                    if (c != null) {
                        docs(c, out);
                    }
                }
            }
        } else {
            out.error(Errors.unknownSubcommand(a, "COMMAND"));
        }
    }

    /** Redis 7's ten-element COMMAND INFO entry; ACL categories, tips and key specs left empty. */
    private static void info(Command c, ReplySink out) {
        out.arrayHeader(10);
        out.bulk(ascii(c.name()));
        out.integer(c.arity());
        out.setHeader(c.flags().length);
        for (String f : c.flags()) {
            out.simple(f);
        }
        out.integer(c.firstKey());
        out.integer(c.lastKey());
        out.integer(c.step());
        out.setHeader(0); // ACL categories
        out.setHeader(0); // tips
        out.arrayHeader(0); // key specs
        out.setHeader(0); // subcommands
    }

    /** The fields redis-cli reads for its hints: summary, since, group. */
    private static void docs(Command c, ReplySink out) {
        out.bulk(ascii(c.name()));
        out.mapHeader(3);
        out.bulk(ascii("summary"));
        out.bulk(ascii(c.name().toUpperCase(java.util.Locale.ROOT) + " as in Redis"));
        out.bulk(ascii("since"));
        out.bulk(ascii("1.0.0"));
        out.bulk(ascii("group"));
        out.bulk(ascii(CommandTable.group(c)));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** TIME: the wall clock's Unix seconds and the microseconds within that second. */
    static void time(Db db, CommandArgs a, ReplySink out) {
        java.time.Instant now = java.time.Instant.now();
        out.arrayHeader(2);
        out.bulkDecimal(now.getEpochSecond());
        out.bulkDecimal(now.getNano() / 1000);
    }
}
