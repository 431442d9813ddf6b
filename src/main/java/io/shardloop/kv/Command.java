package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

/**
 * One entry of the command table: what it is called, how many arguments it takes, where its keys
 * are, how it is routed between shards and how partial replies are merged.
 *
 * @param name     lower-case name, as Redis reports it.
 * @param arity    Redis's convention: n means exactly n arguments (name included), -n at least n.
 * @param flags    the flags COMMAND reports ("write", "readonly", "fast", ...).
 * @param firstKey index of the first key (0 when there is none), lastKey (-1: the last argument)
 *                 and step, as COMMAND reports them.
 * @param route    where it runs.
 * @param merge    how the replies of a split or fanned-out command combine.
 * @param handler  the implementation; null for {@link Route#CONNECTION} commands.
 * @param numKeysAt the index of a "numkeys" argument followed by that many keys (EVAL's 2,
 *                 ZUNIONSTORE's 2, SINTERCARD's 1), 0 when there is none; those keys come after
 *                 the ones firstKey to lastKey name.
 * @param optionKeys the keys an option names (SORT's STORE destination), after the ones firstKey
 *                 to lastKey name; null when there are none.
 * @param index    a number of its own, from 0, below {@link #count()}: per-command counters (INFO
 *                 commandstats) are arrays indexed by it, with no lookup by name per command.
 */
public record Command(String name, int arity, String[] flags, int firstKey, int lastKey, int step,
                      Route route, Merge merge, Handler handler, int numKeysAt, OptionKeys optionKeys, int index) {
    private static final java.util.concurrent.atomic.AtomicInteger COUNT = new java.util.concurrent.atomic.AtomicInteger();

    public Command(String name, int arity, String[] flags, int firstKey, int lastKey, int step,
                   Route route, Merge merge, Handler handler, int numKeysAt, OptionKeys optionKeys) {
        this(name, arity, flags, firstKey, lastKey, step, route, merge, handler, numKeysAt, optionKeys,
                COUNT.getAndIncrement());
    }

    public Command(String name, int arity, String[] flags, int firstKey, int lastKey, int step,
                   Route route, Merge merge, Handler handler) {
        this(name, arity, flags, firstKey, lastKey, step, route, merge, handler, 0, null);
    }

    public Command(String name, int arity, String[] flags, int firstKey, int lastKey, int step,
                   Route route, Merge merge, Handler handler, int numKeysAt) {
        this(name, arity, flags, firstKey, lastKey, step, route, merge, handler, numKeysAt, null);
    }

    /** Keys found by reading the options: where an option names one (SORT ... STORE key). */
    public interface OptionKeys {
        /** How many keys the options name. */
        int count(CommandArgs args);

        /** The argument index of the {@code n}th of them. */
        int index(CommandArgs args, int n);
    }

    /**
     * How many commands have been made: every {@link #index} is below it. All are made when
     * {@link CommandTable} is initialised; read it after that.
     */
    public static int count() {
        CommandTable.all(); // the table's commands exist once this returns
        return COUNT.get();
    }

    /** The flag of the commands a client may send before it has authenticated (AUTH, HELLO, QUIT, RESET). */
    public static final String NO_AUTH = "no_auth";

    public boolean hasFlag(String flag) {
        for (String f : flags) {
            if (f.equals(flag)) {
                return true;
            }
        }
        return false;
    }

    /** Where a command runs. */
    public enum Route {
        /** Touches one key (argument {@link #firstKey}, 1 but for MEMORY USAGE's 2): runs on its owner shard. */
        SINGLE_KEY,
        /** Touches keys at firstKey, every step: split by owner, run on each, merged. */
        MULTI_KEY,
        /**
         * Touches several keys ({@link #keyCount}) and cannot be split (RENAME, SMOVE, SINTERSTORE,
         * EVAL): runs whole on their owner when they share a shard, as a transaction when they do not.
         */
        WHOLE,
        /** Touches every shard's keys (KEYS, DBSIZE, FLUSHDB): fanned out to all, merged. */
        ALL_SHARDS,
        /** SCAN: runs on the shard named by the cursor's high bits ({@link ScanCursor}). */
        SCAN,
        /** Needs no data (PING, ECHO, COMMAND, CONFIG GET): runs wherever it arrives. */
        LOCAL,
        /**
         * Changes the function libraries (FUNCTION LOAD, DELETE, FLUSH, RESTORE): runs on shard
         * {@link Router#FIRST}, whose log keeps every change in the order they were made, and whose
         * snapshots carry the libraries.
         */
        FIRST_SHARD,
        /** Needs the connection or the server (AUTH, HELLO, CLIENT, QUIT, RESET, SELECT, INFO, CONFIG, DEBUG): the connection's job. */
        CONNECTION
    }

    /** How partial replies combine ({@link ReplyMerger}). */
    public enum Merge {
        NONE,
        /** Arrays of one element per key, restored to the request's order (MGET). */
        BY_POSITION,
        /** Integers summed (DEL, EXISTS, UNLINK, DBSIZE). */
        SUM,
        /** "+OK" when every part said so, else the first error (MSET, FLUSHDB). */
        ALL_OK,
        /** Arrays concatenated (KEYS). */
        CONCAT,
        /** One of the parts that is not a null, picked at random; a null when all are (RANDOMKEY). */
        RANDOM
    }

    /** The code of a command: bytes of arguments in, one reply out. */
    @FunctionalInterface
    public interface Handler {
        /** {@code db} is null for {@link Route#LOCAL} commands. */
        void execute(Db db, CommandArgs args, ReplySink out);
    }

    /**
     * Whether the command may change the data: Redis's "write" flag, or "may_replicate" (EVAL,
     * FCALL: a script may write any of its keys). Locks its keys exclusively in a transaction, and
     * changes the watched ones among them.
     */
    public boolean isWrite() {
        return hasFlag("write") || hasFlag("may_replicate");
    }

    /** Whether the command may grow the data (Redis's "denyoom" flag): refused while memory is over maxmemory. */
    public boolean denyOom() {
        for (String f : flags) {
            if (f.equals("denyoom")) {
                return true;
            }
        }
        return false;
    }

    /**
     * How many keys the command names, or -1 when its numkeys argument is not a count that fits
     * the arguments (the handler answers Redis's error for it).
     */
    public int keyCount(CommandArgs args) {
        int fixed = fixedKeyCount(args);
        if (optionKeys != null) {
            return fixed + optionKeys.count(args);
        }
        if (numKeysAt == 0) {
            return fixed;
        }
        if (numKeysAt >= args.count() || !args.isLong(numKeysAt)) {
            return -1;
        }
        long n = args.parseLong(numKeysAt, -1);
        return n < 0 || n > args.count() - numKeysAt - 1 ? -1 : fixed + (int) n;
    }

    /** The argument index of key {@code n} (0-based, below {@link #keyCount}). */
    public int keyIndex(CommandArgs args, int n) {
        int fixed = fixedKeyCount(args);
        if (n >= fixed && optionKeys != null) {
            return optionKeys.index(args, n - fixed);
        }
        return n < fixed ? firstKey + n * step : numKeysAt + 1 + (n - fixed);
    }

    private int fixedKeyCount(CommandArgs args) {
        if (firstKey == 0) {
            return 0;
        }
        int last = lastKey < 0 ? args.count() + lastKey : Math.min(lastKey, args.count() - 1);
        return last < firstKey ? 0 : (last - firstKey) / step + 1;
    }

    /** Whether the argument count fits the arity. */
    public boolean arityAccepts(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }
}
