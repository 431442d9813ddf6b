package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.ArrayList;
import java.util.List;

/** Commands that need no data and no connection state: PING, ECHO, COMMAND, TIME, WAIT, ROLE. */
final class ServerCommands {
    private static final String[] COMMAND_HELP = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    };

    private static final byte[] MASTER = "master".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

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

    /**
     * COMMAND, COMMAND COUNT, INFO [name...], DOCS [name...], LIST [FILTERBY MODULE|ACLCAT|PATTERN x],
     * GETKEYS and GETKEYSANDFLAGS command [arg...], HELP: as Redis 7.0's commandCommand, with the
     * docs, ACL categories and key-spec flags of Redis's own command descriptions ({@link CommandDocs}).
     */
    static void command(Db db, CommandArgs a, ReplySink out) {
        if (a.count() == 1) {
            out.arrayHeader(CommandTable.all().size());
            for (Command c : CommandTable.all()) {
                info(c, out);
            }
            return;
        }
        String sub = a.string(1).toLowerCase(java.util.Locale.ROOT);
        int arity = switch (sub) {
            case "help", "count" -> 2;
            case "info", "docs", "list" -> -2;
            case "getkeys", "getkeysandflags" -> -4;
            default -> 0;
        };
        if (arity == 0) {
            out.error(Errors.unknownSubcommand(a, "COMMAND"));
            return;
        }
        if (arity > 0 ? a.count() != arity : a.count() < -arity) {
            out.error(Errors.wrongArity("command|" + sub));
            return;
        }
        switch (sub) {
            case "help" -> Errors.help(out, "COMMAND", COMMAND_HELP);
            case "count" -> out.integer(CommandTable.all().size());
            case "info" -> {
                if (a.count() == 2) {
                    out.arrayHeader(CommandTable.all().size()); // Redis 7: no names, every command
                    for (Command c : CommandTable.all()) {
                        info(c, out);
                    }
                    return;
                }
                out.arrayHeader(a.count() - 2);
                for (int i = 2; i < a.count(); i++) {
                    Command c = CommandTable.find(a, i);
                    if (c == null) {
                        out.nullBulk();
                    } else {
                        info(c, out);
                    }
                }
            }
            case "docs" -> docs(a, out);
            case "list" -> list(a, out);
            default -> keys(a, sub.equals("getkeysandflags"), out);
        }
    }

    private static void docs(CommandArgs a, ReplySink out) {
        List<Command> asked = new ArrayList<>();
        if (a.count() == 2) {
            asked.addAll(CommandTable.all());
        }
        for (int i = 2; i < a.count(); i++) {
            Command c = CommandTable.find(a, i);
            if (c != null) {
                asked.add(c);
            }
        }
        out.mapHeader(asked.size());
        for (Command c : asked) {
            docs(c, out);
        }
    }

    /** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: the names. */
    private static void list(CommandArgs a, ReplySink out) {
        String filter = null;
        String value = null;
        for (int i = 2; i < a.count(); i++) {
            int more = a.count() - 1 - i;
            if (a.is(i, "FILTERBY") && more == 2
                    && (a.is(i + 1, "MODULE") || a.is(i + 1, "ACLCAT") || a.is(i + 1, "PATTERN"))) {
                filter = a.string(i + 1).toLowerCase(java.util.Locale.ROOT);
                value = a.string(i + 2);
                i += 2;
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        List<String> names = new ArrayList<>();
        for (Command c : CommandTable.all()) {
            if (filter == null || listed(c, filter, value)) {
                names.add(c.name());
            }
        }
        out.arrayHeader(names.size());
        for (String n : names) {
            out.bulk(ascii(n));
        }
    }

    private static boolean listed(Command c, String filter, String value) {
        switch (filter) {
            case "module" -> {
                return false; // no modules here
            }
            case "aclcat" -> {
                for (String category : categories(c)) {
                    if (category.equalsIgnoreCase(value)) {
                        return true;
                    }
                }
                return false;
            }
            default -> {
                byte[] p = value.toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                byte[] n = ascii(c.name());
                return Glob.matches(p, 0, p.length, n, 0, n.length);
            }
        }
    }

    /**
     * COMMAND GETKEYS and GETKEYSANDFLAGS: the keys the command's key positions name (its table
     * entry: firstKey, lastKey, step and numkeys, as Redis's key specs), with Redis's errors; the
     * flags are those of Redis's key spec for each key's place (the last spec for the keys past it).
     */
    private static void keys(CommandArgs a, boolean withFlags, ReplySink out) {
        CommandArgs asked = new CommandArgs();
        for (int i = 2; i < a.count(); i++) {
            asked.addFrom(a, i);
        }
        Command c = CommandTable.find(asked);
        if (c == null) {
            out.error("ERR Invalid command specified");
            return;
        }
        if (c.firstKey() == 0 && c.numKeysAt() == 0) {
            out.error("ERR The command has no key arguments");
            return;
        }
        if (!c.arityAccepts(asked.count())) {
            out.error("ERR Invalid number of arguments specified for command");
            return;
        }
        int n = c.keyCount(asked);
        if (n <= 0) {
            if (c.hasFlag("no_mandatory_keys")) {
                out.arrayHeader(0);
            } else {
                out.error("ERR Invalid arguments specified for command");
            }
            return;
        }
        CommandDocs.Doc doc = CommandDocs.of(c.name());
        String[][] specs = doc == null ? new String[0][] : doc.keySpecs();
        out.arrayHeader(n);
        for (int k = 0; k < n; k++) {
            int at = c.keyIndex(asked, k);
            if (!withFlags) {
                out.bulk(asked.array(), asked.offset(at), asked.length(at));
                continue;
            }
            String[] flags = specs.length == 0 ? new String[0] : keyFlags(c, asked, specs[Math.min(k, specs.length - 1)]);
            out.arrayHeader(2);
            out.bulk(asked.array(), asked.offset(at), asked.length(at));
            out.arrayHeader(flags.length);
            for (String f : flags) {
                out.simple(f);
            }
        }
    }

    /**
     * A key spec's flags for this call: SET's and BITFIELD's depend on their arguments in Redis
     * (db.c's setGetKeys, bitfieldGetKeys): SET without GET overwrites, BITFIELD without SET or
     * INCRBY only reads.
     */
    private static String[] keyFlags(Command c, CommandArgs args, String[] spec) {
        if (c.name().equals("set")) {
            for (int i = 3; i < args.count(); i++) {
                if (args.is(i, "GET")) {
                    return new String[] {"RW", "access", "update"};
                }
            }
            return new String[] {"OW", "update"};
        }
        if (c.name().equals("bitfield")) {
            for (int i = 2; i < args.count(); i++) {
                if (args.is(i, "SET") || args.is(i, "INCRBY")) {
                    return new String[] {"RW", "access", "update"};
                }
            }
            return new String[] {"RO", "access"};
        }
        return spec;
    }

    private static String[] categories(Command c) {
        CommandDocs.Doc doc = CommandDocs.of(c.name());
        return doc == null ? new String[0] : doc.categories();
    }

    /** Redis 7's ten-element COMMAND INFO entry; tips, key specs and subcommands left empty. */
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
        String[] categories = categories(c);
        out.setHeader(categories.length);
        for (String category : categories) {
            out.simple("@" + category);
        }
        out.setHeader(0); // tips
        out.arrayHeader(0); // key specs
        out.setHeader(0); // subcommands
    }

    /** Summary, since, group and complexity where Redis documents the command; the group alone where not. */
    private static void docs(Command c, ReplySink out) {
        out.bulk(ascii(c.name()));
        CommandDocs.Doc doc = CommandDocs.of(c.name());
        if (doc == null) {
            out.mapHeader(1);
            out.bulk(ascii("group"));
            out.bulk(ascii(CommandTable.group(c)));
            return;
        }
        out.mapHeader(4);
        out.bulk(ascii("summary"));
        out.bulk(doc.summary().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.bulk(ascii("since"));
        out.bulk(ascii(doc.since()));
        out.bulk(ascii("group"));
        out.bulk(ascii(doc.group()));
        out.bulk(ascii("complexity"));
        out.bulk(doc.complexity().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * WAIT numreplicas timeout: this server has no replicas, so none has acknowledged anything, and
     * the answer is 0 at once (Redis with none answers 0 after the timeout, or at once for 0 replicas).
     */
    static void waitForReplicas(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(1)) {
            out.raw(Errors.NOT_INTEGER);
        } else if (!a.isLong(2)) {
            out.error("ERR timeout is not an integer or out of range");
        } else if (a.parseLong(2, 0) < 0) {
            out.error("ERR timeout is negative");
        } else {
            out.integer(0);
        }
    }

    /**
     * ROLE: a primary with no replicas at replication offset 0, as Redis answers with replication
     * never configured (clients such as Lettuce's master/replica discovery ask it).
     */
    static void role(Db db, CommandArgs a, ReplySink out) {
        out.arrayHeader(3);
        out.bulk(MASTER);
        out.integer(0);
        out.arrayHeader(0);
    }

    /** TIME: the wall clock's Unix seconds and the microseconds within that second. */
    static void time(Db db, CommandArgs a, ReplySink out) {
        java.time.Instant now = java.time.Instant.now();
        out.arrayHeader(2);
        out.bulkDecimal(now.getEpochSecond());
        out.bulkDecimal(now.getNano() / 1000);
    }
}
