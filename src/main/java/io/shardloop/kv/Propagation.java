package io.shardloop.kv;

import io.shardloop.persist.AppendLog;
import io.shardloop.resp.codec.CommandArgs;

import java.util.Set;

/**
 * What the append-only log keeps of a write command that changed the data: the one place that
 * decides it. A command is logged as its effect, so that replaying the log at any later time gives
 * the same data, as Redis propagates it (server.c {@code propagateNow}, and the commands' own
 * rewrites):
 * <ul>
 *   <li>a relative time becomes absolute: EXPIRE, PEXPIRE, EXPIREAT, GETEX with a time become
 *       {@code PEXPIREAT key ms}; SET with EX, PX or EXAT, SETEX and PSETEX become
 *       {@code SET key value PXAT ms}; RESTORE becomes {@code RESTORE key ms payload REPLACE ABSTTL};
 *       a key such a command left deleted (a deadline in the past) is logged as {@code DEL key};</li>
 *   <li>a random choice is logged as what was chosen: SPOP logs the SREM of its members itself
 *       ({@link Db#propagated});</li>
 *   <li>a script (EVAL, EVALSHA, FCALL) is not logged: the commands it calls are, in one record;</li>
 *   <li>every other write command is logged as it came, once it changed something.</li>
 * </ul>
 * Keys that expire are logged as DELs by their keyspace. Stateless.
 */
final class Propagation {
    private enum Rule { VERBATIM, EXPIRE, SET, SETEX, GETEX, RESTORE, EFFECTS }

    private static final Set<String> SCRIPTS = Set.of("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro");
    /** By {@link Command#index}: null for a command that is never logged. */
    private static final Rule[] RULES = new Rule[Command.count()];

    static {
        for (Command c : CommandTable.all()) {
            RULES[c.index()] = rule(c);
        }
        for (Command c : CommandTable.subcommands()) {
            RULES[c.index()] = rule(c);
        }
    }

    private Propagation() {
    }

    private static Rule rule(Command c) {
        if (SCRIPTS.contains(c.name())) {
            return Rule.EFFECTS;
        }
        if (!c.hasFlag("write")) {
            return null;
        }
        return switch (c.name()) {
            case "expire", "pexpire", "expireat", "pexpireat" -> Rule.EXPIRE;
            case "set" -> Rule.SET;
            case "setex", "psetex" -> Rule.SETEX;
            case "getex" -> Rule.GETEX;
            case "restore" -> Rule.RESTORE;
            default -> Rule.VERBATIM;
        };
    }

    /** Whether {@code c} is logged when it changed something (scripts are not: their calls are). */
    static boolean logs(Command c) {
        Rule r = RULES[c.index()];
        return r != null && r != Rule.EFFECTS;
    }

    /** Whether {@code c} runs a script that may write (EVAL, not EVAL_RO): refused whole while the disk fails, as Redis does. */
    static boolean mayWriteScript(Command c) {
        return RULES[c.index()] == Rule.EFFECTS && !c.name().endsWith("_ro");
    }

    /** Appends the effect of {@code c}, which has just changed {@code db}, to the log. */
    static void append(AppendLog log, Db db, Command c, CommandArgs args) {
        int dbIndex = args.db();
        switch (RULES[c.index()]) {
            case VERBATIM -> verbatim(log, dbIndex, args);
            case EXPIRE, GETEX -> deadline(log, db, dbIndex, args);
            case SET -> {
                if (hasOption(args, 3, "ex") || hasOption(args, 3, "px") || hasOption(args, 3, "exat")) {
                    setAt(log, db, dbIndex, args, 2);
                } else {
                    verbatim(log, dbIndex, args);
                }
            }
            case SETEX -> setAt(log, db, dbIndex, args, 3);
            case RESTORE -> restore(log, db, dbIndex, args);
            case EFFECTS -> throw new IllegalStateException("a script's calls are logged, not the script");
        }
    }

    /** Appends a key's whole state: a RESTORE of its value and deadline, or a DEL when it is gone. */
    static void appendState(AppendLog log, Db db, int dbIndex, Key key) {
        Object value = db.peek(key);
        if (value == null) {
            del(log, dbIndex, key.array(), key.offset(), key.length());
            return;
        }
        long at = db.expireAt(key);
        log.command(dbIndex, 6);
        log.arg("RESTORE");
        log.arg(key.array(), key.offset(), key.length());
        log.arg(at == Db.NO_EXPIRY ? 0 : at);
        log.arg(DumpPayload.of(value));
        log.arg("REPLACE");
        log.arg("ABSTTL");
        log.endCommand();
    }

    private static void verbatim(AppendLog log, int db, CommandArgs args) {
        int n = args.count();
        log.command(db, n);
        for (int i = 0; i < n; i++) {
            log.arg(args.array(), args.offset(i), args.length(i));
        }
        log.endCommand();
    }

    /** The key's deadline as the command left it: PEXPIREAT, PERSIST when it has none, DEL when the key is gone. */
    private static void deadline(AppendLog log, Db db, int dbIndex, CommandArgs args) {
        Key key = db.probe(0, args, 1);
        if (db.peek(key) == null) {
            del(log, dbIndex, args.array(), args.offset(1), args.length(1));
            return;
        }
        long at = db.expireAt(key);
        log.command(dbIndex, at == Db.NO_EXPIRY ? 2 : 3);
        log.arg(at == Db.NO_EXPIRY ? "PERSIST" : "PEXPIREAT");
        log.arg(args.array(), args.offset(1), args.length(1));
        if (at != Db.NO_EXPIRY) {
            log.arg(at);
        }
        log.endCommand();
    }

    /** {@code SET key value PXAT ms} with the value at argument {@code valueAt}, or DEL when the key is gone. */
    private static void setAt(AppendLog log, Db db, int dbIndex, CommandArgs args, int valueAt) {
        Key key = db.probe(0, args, 1);
        if (db.peek(key) == null) {
            del(log, dbIndex, args.array(), args.offset(1), args.length(1));
            return;
        }
        long at = db.expireAt(key);
        log.command(dbIndex, at == Db.NO_EXPIRY ? 3 : 5);
        log.arg("SET");
        log.arg(args.array(), args.offset(1), args.length(1));
        log.arg(args.array(), args.offset(valueAt), args.length(valueAt));
        if (at != Db.NO_EXPIRY) {
            log.arg("PXAT");
            log.arg(at);
        }
        log.endCommand();
    }

    private static void restore(AppendLog log, Db db, int dbIndex, CommandArgs args) {
        Key key = db.probe(0, args, 1);
        if (db.peek(key) == null) {
            del(log, dbIndex, args.array(), args.offset(1), args.length(1));
            return;
        }
        long at = db.expireAt(key);
        log.command(dbIndex, 6);
        log.arg("RESTORE");
        log.arg(args.array(), args.offset(1), args.length(1));
        log.arg(at == Db.NO_EXPIRY ? 0 : at);
        log.arg(args.array(), args.offset(3), args.length(3));
        log.arg("REPLACE");
        log.arg("ABSTTL");
        log.endCommand();
    }

    private static void del(AppendLog log, int db, byte[] key, int offset, int length) {
        log.command(db, 2);
        log.arg("DEL");
        log.arg(key, offset, length);
        log.endCommand();
    }

    private static boolean hasOption(CommandArgs args, int from, String option) {
        for (int i = from; i < args.count(); i++) {
            if (args.length(i) == option.length() && args.is(i, option)) {
                return true;
            }
        }
        return false;
    }
}
