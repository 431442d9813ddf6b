package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.script.ScriptCalls;
import io.shardloop.script.ScriptEngine;
import io.shardloop.script.ScriptRegistry;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL and FCALL_RO, which run a script whole on the shard
 * owning its keys (routed {@link Command.Route#WHOLE} by its numkeys argument), and SCRIPT and
 * FUNCTION, which touch only the server's {@link ScriptRegistry}. The script runs on this
 * thread's {@link ScriptEngine}; each {@code redis.call} is checked here and runs its handler on
 * the same {@link Db}:
 * <ul>
 *   <li>unknown commands and wrong arities answer Redis's script errors;</li>
 *   <li>commands Redis refuses in scripts (connection commands, CONFIG, LATENCY, DEBUG, scripts
 *       themselves) answer "This Redis command is not allowed from script"; commands that touch
 *       every shard (KEYS, DBSIZE, FLUSHALL, SCAN) or that the connection answers (INFO, SLOWLOG)
 *       are refused too, since a script runs on one shard, where Redis runs them;</li>
 *   <li>a key not among the script's KEYS is refused with Redis Cluster's "Script attempted to
 *       access a non local key in a cluster node": it may live on another shard;</li>
 *   <li>write commands (and those that may replicate, PUBLISH among them, as Redis counts them)
 *       from EVAL_RO, EVALSHA_RO, FCALL_RO and scripts or functions flagged no-writes answer
 *       "Write commands are not allowed from read-only scripts."</li>
 *   <li>PUBLISH, SPUBLISH and PUBSUB go to this thread's pub/sub ({@link ScriptPubSub}); a shard
 *       channel is not a key here, as in Redis outside a cluster.</li>
 * </ul>
 * Runs on the thread that runs the command; stateless.
 */
public final class ScriptCommands {
    /** Redis's CMD_NOSCRIPT commands (for a container: the subcommands that do the work) the table has. */
    private static final List<String> NOT_IN_SCRIPTS = List.of("eval", "evalsha", "eval_ro", "evalsha_ro",
            "fcall", "fcall_ro", "script", "function", "auth", "hello", "client", "acl", "config", "latency", "debug",
            "quit", "reset", "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
            "monitor", "wait");

    /** SELECT in a script whose keys live on several shards. */
    static final String GATHERED_SELECT = "ERR SELECT of another database is not allowed in a script "
            + "over keys of several shards";

    private ScriptCommands() {
    }

    public static void eval(Db db, CommandArgs args, ReplySink out) {
        evalGeneric(db, args, out, false, false);
    }

    public static void evalRo(Db db, CommandArgs args, ReplySink out) {
        evalGeneric(db, args, out, false, true);
    }

    public static void evalsha(Db db, CommandArgs args, ReplySink out) {
        evalGeneric(db, args, out, true, false);
    }

    public static void evalshaRo(Db db, CommandArgs args, ReplySink out) {
        evalGeneric(db, args, out, true, true);
    }

    public static void fcall(Db db, CommandArgs args, ReplySink out) {
        fcallGeneric(db, args, out, false);
    }

    public static void fcallRo(Db db, CommandArgs args, ReplySink out) {
        fcallGeneric(db, args, out, true);
    }

    private static void evalGeneric(Db db, CommandArgs args, ReplySink out, boolean bySha, boolean readOnly) {
        int numKeys = numKeys(args, out, "ERR value is not an integer or out of range");
        if (numKeys < 0) {
            return;
        }
        ScriptEngine engine = ScriptEngine.forThisThread();
        boolean noWrites = readOnly;
        byte[] body = null;
        if (bySha) {
            String source = engine.registry().source(args.string(1).toLowerCase(java.util.Locale.ROOT));
            if (source != null) {
                body = source.getBytes(StandardCharsets.ISO_8859_1);
            }
        } else {
            body = args.copy(1);
        }
        if (body != null) {
            List<String> flags = ScriptEngine.shebangFlags(body);
            if (flags != null) {
                if (!flags.isEmpty() && flags.getFirst().startsWith("ERR ")) {
                    out.error(flags.getFirst());
                    return;
                }
                if (readOnly && !flags.contains("no-writes")) {
                    out.error("ERR Can not execute a script with write flag using *_ro command.");
                    return;
                }
                noWrites |= flags.contains("no-writes");
            }
        }
        Calls calls = new Calls(db, args, 3, numKeys, noWrites);
        if (bySha) {
            engine.evalSha(args.string(1), args, 3, numKeys, calls, out);
        } else {
            engine.eval(body, args, 3, numKeys, calls, out);
        }
    }

    private static void fcallGeneric(Db db, CommandArgs args, ReplySink out, boolean readOnly) {
        int numKeys = numKeys(args, out, "ERR Bad number of keys provided");
        if (numKeys < 0) {
            return;
        }
        ScriptEngine engine = ScriptEngine.forThisThread();
        ScriptRegistry.FunctionInfo f = engine.registry().function(args.string(1));
        if (f == null) {
            out.error("ERR Function not found");
            return;
        }
        if (readOnly && !f.readOnly()) {
            out.error("ERR Can not execute a script with write flag using *_ro command.");
            return;
        }
        engine.fcall(f, args, 3, numKeys, new Calls(db, args, 3, numKeys, readOnly || f.readOnly()), out);
    }

    /** SCRIPT LOAD | EXISTS | FLUSH | KILL | HELP: the server's script cache. */
    public static void script(Db db, CommandArgs args, ReplySink out) {
        ScriptEngine engine = ScriptEngine.forThisThread();
        ScriptRegistry registry = engine.registry();
        int n = args.count();
        if (args.is(1, "load")) {
            if (n != 3) {
                out.error(Errors.wrongArity("script|load"));
                return;
            }
            engine.loadScript(args.copy(2), out);
        } else if (args.is(1, "exists")) {
            if (n < 3) {
                out.error(Errors.wrongArity("script|exists"));
                return;
            }
            out.arrayHeader(n - 2);
            for (int i = 2; i < n; i++) {
                out.integer(registry.exists(args.string(i)) ? 1 : 0);
            }
        } else if (args.is(1, "flush")) {
            if (n > 3 || n == 3 && !args.is(2, "sync") && !args.is(2, "async")) {
                out.error(n > 3 ? Errors.wrongArity("script|flush") : "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
                return;
            }
            registry.flushScripts();
            out.simple("OK");
        } else if (args.is(1, "kill")) {
            if (n != 2) {
                out.error(Errors.wrongArity("script|kill"));
                return;
            }
            if (registry.kill(false)) {
                out.simple("OK");
            } else {
                out.error("NOTBUSY No scripts in execution right now.");
            }
        } else if (args.is(1, "help") && n == 2) {
            Errors.help(out, "SCRIPT", new String[] {
                "EXISTS <sha1> [<sha1> ...]",
                "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]",
                "    Flush the Lua scripts cache. Very dangerous on replicas.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the scripts cache.",
                "    * SYNC: Synchronously flush the scripts cache.",
                "KILL",
                "    Kill the currently executing Lua script.",
                "LOAD <script>",
                "    Load a script into the scripts cache without executing it."});
        } else {
            out.error(Errors.unknownSubcommand(args, "SCRIPT"));
        }
    }

    /** Argument 2 as a key count that fits, or -1 with Redis's error written. */
    private static int numKeys(CommandArgs args, ReplySink out, String notANumber) {
        if (!args.isLong(2)) {
            out.error(notANumber);
            return -1;
        }
        long n = args.parseLong(2, 0);
        if (n < 0) {
            out.error("ERR Number of keys can't be negative");
            return -1;
        }
        if (n > args.count() - 3) {
            out.error("ERR Number of keys can't be greater than number of args");
            return -1;
        }
        return (int) n;
    }

    /** One script's way to the data: checks each redis.call and runs it on the script's {@link Db}. */
    private static final class Calls implements ScriptCalls {
        /** The database of the script's caller; SELECT in the script changes {@link #db} only, as in Redis 7. */
        private final Db callers;
        private Db db;
        /** The index of {@link #db}: each call's arguments carry it, as a connection's do. */
        private int dbIndex;
        private final byte[][] keys;
        private final boolean noWrites;

        Calls(Db db, CommandArgs args, int keysAt, int numKeys, boolean noWrites) {
            this.db = db;
            this.callers = db;
            this.dbIndex = args.db();
            this.noWrites = noWrites;
            keys = new byte[numKeys][];
            for (int i = 0; i < numKeys; i++) {
                keys[i] = args.copy(keysAt + i);
            }
        }

        @Override
        public void call(CommandArgs command, ReplySink reply) {
            Command c = CommandTable.find(command);
            if (c == null) {
                reply.error("ERR Unknown Redis command called from script");
                return;
            }
            if (Router.find(command) == null) {
                reply.error("ERR Wrong number of args calling Redis command from script");
                return;
            }
            if (c.name().equals("select")) {
                select(command, reply);
                return;
            }
            String refusal = PubSubShard.fansOut(c) ? null : refusal(c);
            if (refusal != null) {
                reply.error(refusal);
                return;
            }
            if (noWrites && (c.hasFlag("write") || c.hasFlag("may_replicate"))) {
                reply.error("ERR Write commands are not allowed from read-only scripts.");
                return;
            }
            if (PubSubShard.fansOut(c)) {
                String unknown = c.name().equals("pubsub") ? PubSubClient.refusedInScript(command) : null;
                if (unknown != null) {
                    reply.error(unknown);
                    return;
                }
                ScriptPubSub.run(c, command, reply);
                MonitorFeed.scripted(dbIndex, c, command);
                return;
            }
            int n = c.keyCount(command);
            for (int i = 0; i < n; i++) {
                if (!declared(command, c.keyIndex(command, i))) {
                    reply.error("ERR Script attempted to access a non local key in a cluster node");
                    return;
                }
            }
            command.db(dbIndex);
            if (db != callers) {
                db.watches().beforeCommand(c, command, db); // EVAL changed its keys in the caller's database; these are in another
            }
            io.shardloop.persist.AppendLog log = db.appendLog();
            if (log == null || !(db instanceof Keyspace k)) {
                c.handler().execute(c.route() == Command.Route.LOCAL ? null : db, command, reply);
            } else { // the script's record, opened by the executor, gets each call that changed the data
                long before = k.changes();
                c.handler().execute(c.route() == Command.Route.LOCAL ? null : db, command, reply);
                if (!k.takePropagated() && k.changes() != before && Propagation.logs(c)) {
                    Propagation.append(log, db, c, command);
                }
            }
            MonitorFeed.scripted(dbIndex, c, command);
        }

        /**
         * SELECT inside a script: the script's later calls run on that database of the same shard.
         * Refused in a script over keys of several shards: only its keys in the caller's database
         * were gathered.
         */
        private void select(CommandArgs command, ReplySink reply) {
            long index = MultiState.selectedDb(command, 1, db.databases());
            if (index < 0) {
                reply.error(MultiState.selectError(index));
            } else if (db instanceof Keyspace k && k.gathered() && index != dbIndex) {
                reply.error(GATHERED_SELECT);
            } else {
                db = db.database((int) index);
                dbIndex = (int) index;
                reply.raw(Errors.OK);
            }
        }

        private static String refusal(Command c) {
            if (NOT_IN_SCRIPTS.contains(c.name()) || c.hasFlag("noscript")) { // Redis refuses its CMD_NOSCRIPT commands (BLPOP...)
                return "ERR This Redis command is not allowed from script";
            }
            return switch (c.route()) {
                case ALL_SHARDS, SCAN -> "ERR '" + c.name() + "' reads every shard and is not allowed from scripts";
                case CONNECTION -> "ERR '" + c.name() + "' is answered by the connection and is not allowed from scripts";
                default -> null;
            };
        }

        private boolean declared(CommandArgs command, int at) {
            byte[] b = command.array();
            int off = command.offset(at);
            int len = command.length(at);
            for (byte[] k : keys) {
                if (Arrays.equals(k, 0, k.length, b, off, off + len)) {
                    return true;
                }
            }
            return false;
        }
    }
}
