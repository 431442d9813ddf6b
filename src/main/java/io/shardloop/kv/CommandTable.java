package io.shardloop.kv;

import io.shardloop.kv.Command.Merge;
import io.shardloop.kv.Command.Route;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.ArrayList;
import java.util.List;

/**
 * Every command the server knows, found by name without allocating (an open-addressing table
 * hashed on the lower-cased bytes). Immutable after class initialisation: shared by all threads.
 */
public final class CommandTable {
    private static final int TABLE_SIZE = 1024;
    private static final Command[] TABLE = new Command[TABLE_SIZE];
    private static final List<Command> ALL = new ArrayList<>();
    private static final java.util.Map<String, String> GROUPS = new java.util.HashMap<>();

    private static final String[] W = {"write"};
    private static final String[] WF = {"write", "fast"};
    private static final String[] WD = {"write", "denyoom"};
    private static final String[] WDF = {"write", "denyoom", "fast"};
    private static final String[] R = {"readonly"};
    private static final String[] RF = {"readonly", "fast"};
    private static final String[] F = {"fast"};
    /** Commands a client may send before it has authenticated (Redis's CMD_NO_AUTH). */
    private static final String[] NO_AUTH = {"fast", Command.NO_AUTH};
    private static final String[] NONE = {};
    /** The subcommands of a container command (MEMORY), by the container's slot in {@link #TABLE}. */
    private static final Subcommand[][] SUBCOMMANDS = new Subcommand[TABLE_SIZE][];

    /** A subcommand found by argument 1, with its own arity and key position: Redis's "memory|usage". */
    private record Subcommand(String name, Command command) {
    }

    /** KEYS: the servers walk it with SCAN steps instead of running it whole ({@link KvShard}). */
    public static final Command KEYS_COMMAND =
            new Command("keys", 2, R, 0, 0, 0, Route.ALL_SHARDS, Merge.CONCAT, KeyCommands::keys);
    /** SCAN: each step of a KEYS walk is one. */
    public static final Command SCAN_COMMAND =
            new Command("scan", -2, R, 0, 0, 0, Route.SCAN, Merge.NONE, KeyCommands::scan);

    /** MULTI, EXEC, DISCARD, WATCH, UNWATCH: the connection's ({@link MultiState}), which runs the transaction on the store. */
    public static final Command MULTI = new Command("multi", 1, new String[] {"fast"}, 0, 0, 0, Route.CONNECTION, Merge.NONE, null);
    public static final Command EXEC = new Command("exec", 1, NONE, 0, 0, 0, Route.CONNECTION, Merge.NONE, null);
    public static final Command DISCARD = new Command("discard", 1, F, 0, 0, 0, Route.CONNECTION, Merge.NONE, null);
    public static final Command WATCH = new Command("watch", -2, F, 1, -1, 1, Route.CONNECTION, Merge.NONE, null);
    public static final Command UNWATCH = new Command("unwatch", 1, F, 0, 0, 0, Route.CONNECTION, Merge.NONE, null);
    /**
     * What a WATCH sends the owners of its keys: each registers the key and answers its
     * {@link WatchTable#code}. Not in the table (no client can name it); {@link ShardExecutor}
     * knows it by name when it arrives from another shard.
     */
    public static final Command WATCH_CODES = new Command("watch|codes", -2, RF, 1, -1, 1, Route.MULTI_KEY,
            Merge.BY_POSITION, MultiState::watchCodes);

    static {
        String g = "transactions";
        add(g, MULTI);
        add(g, EXEC);
        add(g, DISCARD);
        add(g, WATCH);
        add(g, UNWATCH);

        g = "string";
        key(g, "get", 2, RF, StringCommands::get);
        key(g, "set", -3, WD, StringCommands::set);
        key(g, "setnx", 3, WDF, StringCommands::setnx);
        key(g, "setex", 4, WD, StringCommands::setex);
        key(g, "getset", 3, WDF, StringCommands::getset);
        key(g, "getdel", 2, WF, StringCommands::getdel);
        add(g, new Command("mget", -2, RF, 1, -1, 1, Route.MULTI_KEY, Merge.BY_POSITION, StringCommands::mget));
        add(g, new Command("mset", -3, WD, 1, -1, 2, Route.MULTI_KEY, Merge.ALL_OK, StringCommands::mset));
        key(g, "incr", 2, WDF, StringCommands::incr);
        key(g, "decr", 2, WDF, StringCommands::decr);
        key(g, "incrby", 3, WDF, StringCommands::incrby);
        key(g, "decrby", 3, WDF, StringCommands::decrby);
        key(g, "append", 3, WD, StringCommands::append);
        key(g, "strlen", 2, RF, StringCommands::strlen);
        key(g, "psetex", 4, WD, StringCommands::psetex);
        key(g, "getrange", 4, R, StringCommands::getrange);
        key(g, "substr", 4, R, StringCommands::getrange);
        key(g, "setrange", 4, WD, StringCommands::setrange);
        key(g, "incrbyfloat", 3, WDF, StringCommands::incrbyfloat);
        key(g, "getex", -2, WF, StringCommands::getex);
        whole(g, "msetnx", -3, WD, 1, -1, 2, StringCommands::msetnx);

        g = "bitmap";
        key(g, "setbit", 4, WD, BitCommands::setbit);
        key(g, "getbit", 3, RF, BitCommands::getbit);
        key(g, "bitcount", -2, R, BitCommands::bitcount);
        key(g, "bitpos", -3, R, BitCommands::bitpos);
        key(g, "bitfield", -2, WD, BitCommands::bitfield);
        key(g, "bitfield_ro", -2, RF, BitCommands::bitfieldRo);
        whole(g, "bitop", -4, WD, 2, -1, 1, BitCommands::bitop);

        g = "string";
        whole(g, "lcs", -3, R, 1, 2, 1, LcsCommand::lcs);

        g = "generic";
        add(g, new Command("del", -2, W, 1, -1, 1, Route.MULTI_KEY, Merge.SUM, KeyCommands::del));
        add(g, new Command("unlink", -2, WF, 1, -1, 1, Route.MULTI_KEY, Merge.SUM, KeyCommands::del));
        add(g, new Command("exists", -2, RF, 1, -1, 1, Route.MULTI_KEY, Merge.SUM, KeyCommands::exists));
        key(g, "type", 2, RF, KeyCommands::type);
        key(g, "expire", -3, WF, KeyCommands::expire);
        key(g, "pexpire", -3, WF, KeyCommands::pexpire);
        key(g, "expireat", -3, WF, KeyCommands::expireat);
        key(g, "pexpireat", -3, WF, KeyCommands::pexpireat);
        key(g, "ttl", 2, RF, KeyCommands::ttl);
        key(g, "pttl", 2, RF, KeyCommands::pttl);
        key(g, "persist", 2, WF, KeyCommands::persist);
        key(g, "expiretime", 2, RF, KeyCommands::expiretime);
        key(g, "pexpiretime", 2, RF, KeyCommands::pexpiretime);
        key(g, "dump", 2, R, DumpCommands::dump);
        key(g, "restore", -4, WD, DumpCommands::restore);
        add(g, new Command("touch", -2, RF, 1, -1, 1, Route.MULTI_KEY, Merge.SUM, KeyCommands::touch));
        add(g, KEYS_COMMAND);
        add(g, SCAN_COMMAND);
        whole(g, "rename", 3, W, 1, 2, 1, KeyCommands::rename);
        whole(g, "renamenx", 3, WF, 1, 2, 1, KeyCommands::renamenx);
        whole(g, "copy", -3, WD, 1, 2, 1, KeyCommands::copy);
        add(g, new Command("randomkey", 1, R, 0, 0, 0, Route.ALL_SHARDS, Merge.RANDOM, KeyCommands::randomkey));
        int object = local(g, "object", -2, NONE, ObjectCommands::object);
        SUBCOMMANDS[object] = new Subcommand[] {
            objectSubcommand("encoding", ObjectCommands::encoding),
            objectSubcommand("refcount", ObjectCommands::refcount),
            objectSubcommand("idletime", ObjectCommands::idletime),
            objectSubcommand("freq", ObjectCommands::freq),
        };
        sort(g, "sort", new String[] {"write", "denyoom", "movablekeys"}, SortCommand.STORE_KEY, SortCommand::sort);
        sort(g, "sort_ro", new String[] {"readonly", "movablekeys"}, null, SortCommand::sortRo);
        whole(g, "move", 3, WF, 1, 1, 1, KeyCommands::move);

        g = "server";
        add(g, new Command("dbsize", 1, RF, 0, 0, 0, Route.ALL_SHARDS, Merge.SUM, KeyCommands::dbsize));
        add(g, new Command("flushdb", -1, W, 0, 0, 0, Route.ALL_SHARDS, Merge.ALL_OK, KeyCommands::flushdb));
        add(g, new Command("flushall", -1, W, 0, 0, 0, Route.ALL_SHARDS, Merge.ALL_OK, KeyCommands::flushall));
        add(g, new Command("swapdb", 3, WF, 0, 0, 0, Route.ALL_SHARDS, Merge.ALL_OK, KeyCommands::swapdb));

        g = "hash";
        key(g, "hset", -4, WDF, HashCommands::hset);
        key(g, "hget", 3, RF, HashCommands::hget);
        key(g, "hmget", -3, RF, HashCommands::hmget);
        key(g, "hgetall", 2, R, HashCommands::hgetall);
        key(g, "hdel", -3, WF, HashCommands::hdel);
        key(g, "hlen", 2, RF, HashCommands::hlen);
        key(g, "hincrby", 4, WDF, HashCommands::hincrby);
        key(g, "hsetnx", 4, WDF, HashCommands::hsetnx);
        key(g, "hmset", -4, WDF, HashCommands::hmset);
        key(g, "hkeys", 2, R, HashCommands::hkeys);
        key(g, "hvals", 2, R, HashCommands::hvals);
        key(g, "hexists", 3, RF, HashCommands::hexists);
        key(g, "hstrlen", 3, RF, HashCommands::hstrlen);
        key(g, "hincrbyfloat", 4, WDF, HashCommands::hincrbyfloat);
        key(g, "hrandfield", -2, R, HashCommands::hrandfield);
        key(g, "hscan", -3, R, ValueScanCommands::hscan);

        g = "list";
        key(g, "lpush", -3, WDF, ListCommands::lpush);
        key(g, "rpush", -3, WDF, ListCommands::rpush);
        key(g, "lpop", -2, WF, ListCommands::lpop);
        key(g, "rpop", -2, WF, ListCommands::rpop);
        key(g, "lrange", 4, R, ListCommands::lrange);
        key(g, "llen", 2, RF, ListCommands::llen);
        key(g, "lpushx", -3, WDF, ListCommands::lpushx);
        key(g, "rpushx", -3, WDF, ListCommands::rpushx);
        key(g, "lindex", 3, R, ListCommands::lindex);
        key(g, "lset", 4, WD, ListCommands::lset);
        key(g, "linsert", 5, WD, ListCommands::linsert);
        key(g, "lrem", 4, W, ListCommands::lrem);
        key(g, "ltrim", 4, W, ListCommands::ltrim);
        key(g, "lpos", -3, R, ListCommands::lpos);
        whole(g, "lmove", 5, WD, 1, 2, 1, ListMultiKeyCommands::lmove);
        whole(g, "rpoplpush", 3, WD, 1, 2, 1, ListMultiKeyCommands::rpoplpush);
        numKeys(g, "lmpop", -4, W, 0, ListMultiKeyCommands::lmpop);
        String[] blocking = {"write", "noscript", "blocking"};
        String[] blockingGrows = {"write", "denyoom", "noscript", "blocking"};
        String[] blockingMovable = {"write", "blocking", "movablekeys"};
        whole(g, "blpop", -3, blocking, 1, -2, 1, BlockingCommands::blpop);
        whole(g, "brpop", -3, blocking, 1, -2, 1, BlockingCommands::brpop);
        whole(g, "blmove", 6, blockingGrows, 1, 2, 1, BlockingCommands::blmove);
        whole(g, "brpoplpush", 4, blockingGrows, 1, 2, 1, BlockingCommands::brpoplpush);
        add(g, new Command("blmpop", -5, blockingMovable, 0, 0, 0, Route.WHOLE, Merge.NONE, BlockingCommands::blmpop, 2));

        g = "set";
        key(g, "sadd", -3, WDF, SetCommands::sadd);
        key(g, "srem", -3, WF, SetCommands::srem);
        key(g, "smembers", 2, R, SetCommands::smembers);
        key(g, "sismember", 3, RF, SetCommands::sismember);
        key(g, "scard", 2, RF, SetCommands::scard);
        key(g, "spop", -2, WF, SetCommands::spop);
        key(g, "smismember", -3, RF, SetCommands::smismember);
        key(g, "srandmember", -2, R, SetCommands::srandmember);
        key(g, "sscan", -3, R, ValueScanCommands::sscan);
        whole(g, "smove", 4, WF, 1, 2, 1, SetCommands::smove);
        whole(g, "sinter", -2, R, 1, -1, 1, SetCommands::sinter);
        whole(g, "sunion", -2, R, 1, -1, 1, SetCommands::sunion);
        whole(g, "sdiff", -2, R, 1, -1, 1, SetCommands::sdiff);
        whole(g, "sinterstore", -3, WD, 1, -1, 1, SetCommands::sinterstore);
        whole(g, "sunionstore", -3, WD, 1, -1, 1, SetCommands::sunionstore);
        whole(g, "sdiffstore", -3, WD, 1, -1, 1, SetCommands::sdiffstore);
        numKeys(g, "sintercard", -3, R, 0, SetCommands::sintercard);

        g = "sorted-set";
        key(g, "zadd", -4, WDF, ZSetCommands::zadd);
        key(g, "zincrby", 4, WDF, ZSetCommands::zincrby);
        key(g, "zrem", -3, WF, ZSetCommands::zrem);
        key(g, "zscore", 3, RF, ZSetCommands::zscore);
        key(g, "zmscore", -3, RF, ZSetCommands::zmscore);
        key(g, "zcard", 2, RF, ZSetCommands::zcard);
        key(g, "zrank", 3, RF, ZSetCommands::zrank);
        key(g, "zrevrank", 3, RF, ZSetCommands::zrevrank);
        key(g, "zcount", 4, RF, ZSetCommands::zcount);
        key(g, "zlexcount", 4, RF, ZSetCommands::zlexcount);
        key(g, "zrange", -4, R, ZSetCommands::zrange);
        key(g, "zrangebyscore", -4, R, ZSetCommands::zrangebyscore);
        key(g, "zrevrange", -4, R, ZSetCommands::zrevrange);
        key(g, "zrevrangebyscore", -4, R, ZSetCommands::zrevrangebyscore);
        key(g, "zrangebylex", -4, R, ZSetCommands::zrangebylex);
        key(g, "zrevrangebylex", -4, R, ZSetCommands::zrevrangebylex);
        key(g, "zpopmin", -2, WF, ZSetCommands::zpopmin);
        key(g, "zpopmax", -2, WF, ZSetCommands::zpopmax);
        key(g, "zremrangebyrank", 4, W, ZSetCommands::zremrangebyrank);
        key(g, "zremrangebyscore", 4, W, ZSetCommands::zremrangebyscore);
        key(g, "zremrangebylex", 4, W, ZSetCommands::zremrangebylex);
        key(g, "zrandmember", -2, R, ZSetCommands::zrandmember);
        key(g, "zscan", -3, R, ValueScanCommands::zscan);
        numKeys(g, "zunion", -3, R, 0, ZSetMultiKeyCommands::zunion);
        numKeys(g, "zinter", -3, R, 0, ZSetMultiKeyCommands::zinter);
        numKeys(g, "zdiff", -3, R, 0, ZSetMultiKeyCommands::zdiff);
        numKeys(g, "zintercard", -3, R, 0, ZSetMultiKeyCommands::zintercard);
        numKeys(g, "zunionstore", -4, WD, 1, ZSetMultiKeyCommands::zunionstore);
        numKeys(g, "zinterstore", -4, WD, 1, ZSetMultiKeyCommands::zinterstore);
        numKeys(g, "zdiffstore", -4, WD, 1, ZSetMultiKeyCommands::zdiffstore);
        whole(g, "zrangestore", -5, WD, 1, 2, 1, ZSetMultiKeyCommands::zrangestore);
        numKeys(g, "zmpop", -4, W, 0, ZSetMultiKeyCommands::zmpop);
        String[] blockingFast = {"write", "noscript", "blocking", "fast"};
        whole(g, "bzpopmin", -3, blockingFast, 1, -2, 1, BlockingCommands::bzpopmin);
        whole(g, "bzpopmax", -3, blockingFast, 1, -2, 1, BlockingCommands::bzpopmax);
        add(g, new Command("bzmpop", -5, blockingMovable, 0, 0, 0, Route.WHOLE, Merge.NONE, BlockingCommands::bzmpop, 2));

        g = "scripting";
        String[] script = {"noscript", "stale", "skip_monitor", "may_replicate", "no_mandatory_keys"};
        String[] readOnlyScript = {"readonly", "noscript", "stale", "skip_monitor", "no_mandatory_keys"};
        scriptCommand(g, "eval", script, ScriptCommands::eval);
        scriptCommand(g, "evalsha", script, ScriptCommands::evalsha);
        scriptCommand(g, "eval_ro", readOnlyScript, ScriptCommands::evalRo);
        scriptCommand(g, "evalsha_ro", readOnlyScript, ScriptCommands::evalshaRo);
        scriptCommand(g, "fcall", script, ScriptCommands::fcall);
        scriptCommand(g, "fcall_ro", readOnlyScript, ScriptCommands::fcallRo);
        local(g, "script", -2, NONE, ScriptCommands::script);
        int function = local(g, "function", -2, NONE, FunctionCommands::function);
        String[] changes = {"write", "noscript"};
        String[] grows = {"write", "denyoom", "noscript"};
        SUBCOMMANDS[function] = new Subcommand[] { // Redis 7.0's arities and flags
            librariesSubcommand("load", -3, grows),
            librariesSubcommand("delete", 3, changes),
            librariesSubcommand("flush", -2, changes),
            librariesSubcommand("restore", -3, grows)};

        g = "connection";
        local(g, "ping", -1, F, ServerCommands::ping);
        local(g, "echo", 2, F, ServerCommands::echo);
        add(g, new Command("select", 2, F, 0, 0, 0, Route.CONNECTION, Merge.NONE, null));
        connection(g, "auth", -2, NO_AUTH);
        connection(g, "hello", -1, NO_AUTH);
        connection(g, "client", -2, NONE);
        connection(g, "quit", -1, NO_AUTH);
        connection(g, "reset", 1, NO_AUTH);

        g = "pubsub";
        String[] subscribe = {"pubsub", "noscript", "loading", "stale"};
        String[] publish = {"pubsub", "loading", "stale", "fast", "may_replicate"};
        connection(g, "subscribe", -2, subscribe);
        connection(g, "psubscribe", -2, subscribe);
        connection(g, "unsubscribe", -1, subscribe);
        connection(g, "punsubscribe", -1, subscribe);
        connection(g, "publish", 3, publish);
        connection(g, "pubsub", -2, NONE);
        add(g, new Command("ssubscribe", -2, subscribe, 1, -1, 1, Route.CONNECTION, Merge.NONE, null));
        add(g, new Command("sunsubscribe", -1, subscribe, 1, -1, 1, Route.CONNECTION, Merge.NONE, null));
        add(g, new Command("spublish", 3, publish, 1, 1, 1, Route.CONNECTION, Merge.NONE, null));

        g = "server";
        connection(g, "monitor", 1, new String[] {"admin", "noscript", "loading", "stale"});
        local(g, "command", -1, NONE, ServerCommands::command);
        local(g, "time", 1, F, ServerCommands::time);
        local(g, "role", 1, new String[] {"noscript", "loading", "stale", "fast"}, ServerCommands::role);
        local("generic", "wait", 3, new String[] {"noscript"}, ServerCommands::waitForReplicas);
        connection(g, "config", -2, NONE);
        connection(g, "slowlog", -2, NONE);
        connection(g, "latency", -2, NONE);
        connection(g, "info", -1, NONE);
        connection(g, "acl", -2, NONE);
        connection(g, "debug", -2, NONE);
        String[] disk = {"admin", "noscript", "no_async_loading"};
        connection(g, "bgsave", -1, disk);
        connection(g, "save", 1, new String[] {"admin", "noscript", "no_async_loading", "no_multi"});
        connection(g, "bgrewriteaof", 1, disk);
        connection(g, "lastsave", 1, new String[] {"loading", "stale", "fast"});
        connection(g, "shutdown", -1, new String[] {"admin", "noscript", "loading", "stale", "no_multi", "allow_busy"});
        int memory = local(g, "memory", -2, NONE, MemoryCommands::memory);
        SUBCOMMANDS[memory] = new Subcommand[] {new Subcommand("usage",
                new Command("memory|usage", -3, R, 2, 2, 1, Route.SINGLE_KEY, Merge.NONE, MemoryCommands::usage))};
    }

    private CommandTable() {
    }

    /** Every command, in table order. */
    public static List<Command> all() {
        return ALL;
    }

    /** The subcommands that are commands of their own (MEMORY USAGE, FUNCTION LOAD...), which {@link #all} leaves out. */
    static List<Command> subcommands() {
        List<Command> subs = new ArrayList<>();
        for (Subcommand[] group : SUBCOMMANDS) {
            if (group != null) {
                for (Subcommand sub : group) {
                    subs.add(sub.command());
                }
            }
        }
        return subs;
    }

    /** The command named by argument 0, or null. */
    public static Command find(CommandArgs args) {
        return find(args, 0);
    }

    /**
     * The command named by argument {@code i}, case-insensitively, or null. For argument 0, a
     * container command's subcommand named by argument 1 when it has one (MEMORY USAGE).
     */
    public static Command find(CommandArgs args, int i) {
        byte[] b = args.array();
        int off = args.offset(i);
        int len = args.length(i);
        for (int slot = hash(b, off, len) & (TABLE_SIZE - 1); TABLE[slot] != null; slot = (slot + 1) & (TABLE_SIZE - 1)) {
            if (args.is(i, TABLE[slot].name())) {
                Subcommand[] subs = SUBCOMMANDS[slot];
                if (subs != null && i == 0 && args.count() > 1) {
                    for (Subcommand sub : subs) {
                        if (args.is(1, sub.name())) {
                            return sub.command();
                        }
                    }
                }
                return TABLE[slot];
            }
        }
        return null;
    }

    /**
     * Finds the command and checks its arity; on failure replies Redis's error and returns null.
     */
    public static Command resolve(CommandArgs args, ReplySink out) {
        Command c = find(args, 0);
        if (c == null) {
            out.error(unknownCommand(args));
            return null;
        }
        if (!c.arityAccepts(args.count())) {
            // Redis 7.0 refuses a bad EXEC by discarding the transaction, and says so.
            out.error(c == EXEC ? "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"
                    : Errors.wrongArity(c.name()));
            return null;
        }
        return c;
    }

    /** Redis 7's text: the name and up to 128 characters of quoted arguments. */
    public static String unknownCommand(CommandArgs args) {
        StringBuilder rest = new StringBuilder();
        for (int i = 1; i < args.count() && rest.length() < 128; i++) {
            String s = args.string(i);
            rest.append('\'').append(s, 0, Math.min(s.length(), 128 - rest.length())).append("' ");
        }
        String name = args.string(0);
        return Sanitize.of("ERR unknown command '" + name.substring(0, Math.min(128, name.length()))
                + "', with args beginning with: " + rest);
    }

    /**
     * The subcommands Redis 7.0 gives a container command ("list", "kill" for CLIENT), from its
     * command descriptions ({@link CommandDocs}); empty for a command that is not one.
     */
    public static List<String> redisSubcommands(Command c) {
        return CommandDocs.subcommands(c.name());
    }

    static String group(Command c) {
        return GROUPS.get(c.name());
    }

    private static int hash(byte[] b, int off, int len) {
        int h = 0;
        for (int i = off; i < off + len; i++) {
            int c = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
            h = h * 31 + c;
        }
        return h ^ (h >>> 16);
    }

    private static void key(String group, String name, int arity, String[] flags, Command.Handler h) {
        add(group, new Command(name, arity, flags, 1, 1, 1, Route.SINGLE_KEY, Merge.NONE, h));
    }

    /** A command whose keys cannot be split: firstKey to lastKey, every step ({@link Route#WHOLE}). */
    private static void whole(String group, String name, int arity, String[] flags, int firstKey, int lastKey,
                              int step, Command.Handler h) {
        add(group, new Command(name, arity, flags, firstKey, lastKey, step, Route.WHOLE, Merge.NONE, h));
    }

    /**
     * A {@link Route#WHOLE} command naming its keys by count: a destination at 1 when it has one
     * ({@code destinations} 1: ZUNIONSTORE), then numkeys and that many keys. COMMAND reports it
     * "movablekeys", as Redis does: its key positions depend on its arguments.
     */
    private static void numKeys(String group, String name, int arity, String[] flags, int destinations,
                                Command.Handler h) {
        String[] movable = java.util.Arrays.copyOf(flags, flags.length + 1);
        movable[flags.length] = "movablekeys";
        add(group, new Command(name, arity, movable, destinations, destinations, destinations, Route.WHOLE, Merge.NONE,
                h, 1 + destinations));
    }

    /** OBJECT's subcommands: each names its key at argument 2, as MEMORY USAGE does. */
    private static Subcommand objectSubcommand(String name, Command.Handler h) {
        return new Subcommand(name, new Command("object|" + name, 3, R, 2, 2, 1, Route.SINGLE_KEY, Merge.NONE, h));
    }

    /**
     * FUNCTION's subcommands that change the libraries: the FUNCTION handler runs them, on shard
     * {@link Router#FIRST} ({@link Route#FIRST_SHARD}), where they are logged.
     */
    private static Subcommand librariesSubcommand(String name, int arity, String[] flags) {
        return new Subcommand(name, new Command("function|" + name, arity, flags, 0, 0, 0, Route.FIRST_SHARD,
                Merge.NONE, FunctionCommands::function));
    }

    /**
     * SORT and SORT_RO: the sorted key, and SORT's STORE destination ({@code storeKey}), run whole
     * on their owner. The keys its BY and GET patterns name are found as it runs ({@link SortCommand}).
     */
    private static void sort(String group, String name, String[] flags, Command.OptionKeys storeKey,
                             Command.Handler h) {
        add(group, new Command(name, -2, flags, 1, 1, 1, Route.WHOLE, Merge.NONE, h, 0, storeKey));
    }

    /** A script command: its keys follow the numkeys argument 2, and it runs whole on their owner. */
    private static void scriptCommand(String group, String name, String[] flags, Command.Handler h) {
        add(group, new Command(name, -3, flags, 0, 0, 0, Route.WHOLE, Merge.NONE, h, 2));
    }

    private static int local(String group, String name, int arity, String[] flags, Command.Handler h) {
        return add(group, new Command(name, arity, flags, 0, 0, 0, Route.LOCAL, Merge.NONE, h));
    }

    private static void connection(String group, String name, int arity, String[] flags) {
        add(group, new Command(name, arity, flags, 0, 0, 0, Route.CONNECTION, Merge.NONE, null));
    }

    /** Adds a command and returns its slot. */
    private static int add(String group, Command c) {
        byte[] name = c.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int slot = hash(name, 0, name.length) & (TABLE_SIZE - 1);
        while (TABLE[slot] != null) {
            slot = (slot + 1) & (TABLE_SIZE - 1);
        }
        TABLE[slot] = c;
        ALL.add(c);
        GROUPS.put(c.name(), group);
        return slot;
    }
}
