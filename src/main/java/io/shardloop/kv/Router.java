package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

/**
 * The one place that decides, for every command from every front end (the Redis protocol, HTTP's
 * {@code /kv}, the in-process {@link ShardedReferenceStore}), whether it is valid and where it runs.
 * <ol>
 *   <li>{@link #resolve}: the name, the arity and the shape of the key arguments (MSET's pairs) are
 *       checked once, before anything is routed or run, with Redis's error texts;</li>
 *   <li>{@link #plan}: where the command runs: here, on its owner, split by owner and merged, or
 *       on every shard and merged ({@link Plan}); a change of the function libraries on shard
 *       {@link #FIRST}.</li>
 * </ol>
 * In the shared-state modes every data command runs here, on the shared store. Stateless.
 */
public final class Router {
    /**
     * The shard the changes of the function libraries run on ({@link Command.Route#FIRST_SHARD}):
     * its log and its snapshots are where the libraries are kept on disk.
     */
    public static final int FIRST = 0;

    private Router() {
    }

    /**
     * The command named by argument 0, checked: or null, with Redis's error written to {@code out}
     * (unknown command, wrong number of arguments).
     */
    public static Command resolve(CommandArgs args, ReplySink out) {
        Command c = CommandTable.resolve(args, out);
        if (c == null) {
            return null;
        }
        if (!keysWellFormed(c, args)) {
            out.error(Errors.wrongArity(c.name()));
            return null;
        }
        return c;
    }

    /**
     * The command named by argument 0 when the arguments are valid for it, else null, writing
     * nothing: for a caller that must not take a place for a reply until it knows there is one to
     * write ({@link #resolve} then writes the error).
     */
    public static Command find(CommandArgs args) {
        Command c = CommandTable.find(args);
        return c != null && c.arityAccepts(args.count()) && keysWellFormed(c, args) ? c : null;
    }

    private static boolean keysWellFormed(Command c, CommandArgs args) {
        return c.route() != Command.Route.MULTI_KEY || (args.count() - c.firstKey()) % c.step() == 0;
    }

    /**
     * Plans a resolved command that is not a {@link Command.Route#CONNECTION} command.
     *
     * @param here    the shard the command arrived on
     * @param shards  shards in all
     * @param sharded whether each shard owns its keys; false in the shared-state modes
     */
    public static void plan(Command c, CommandArgs args, int here, int shards, boolean sharded, Plan plan) {
        if (!sharded || shards == 1 && c.route() != Command.Route.ALL_SHARDS) {
            plan.here();
            return;
        }
        switch (c.route()) {
            case SINGLE_KEY -> {
                int k = c.firstKey();
                ownerOrHere(Slots.ownerOf(args.array(), args.offset(k), args.length(k), shards), here, plan);
            }
            case SCAN -> {
                int owner = args.isLong(1) ? ScanCursor.shard(args.parseLong(1, 0)) : here;
                ownerOrHere(owner >= 0 && owner < shards ? owner : 0, here, plan);
            }
            case MULTI_KEY -> {
                MultiKeySplit split = plan.split();
                split.split(args, c.step(), shards);
                if (split.groups() == 1) {
                    ownerOrHere(split.shard(0), here, plan); // one owner: the whole command, atomic there
                } else {
                    plan.splitByOwner();
                }
            }
            case WHOLE -> {
                int owner = commonOwner(c, args, shards);
                if (owner == SEVERAL) {
                    plan.spread();
                } else {
                    ownerOrHere(owner < 0 ? here : owner, here, plan); // no valid keys: the handler answers the error
                }
            }
            case ALL_SHARDS -> plan.all();
            case FIRST_SHARD -> ownerOrHere(FIRST, here, plan);
            case LOCAL, CONNECTION -> plan.here();
        }
    }

    private static final int SEVERAL = -2;

    /** The one shard owning every key of a {@link Command.Route#WHOLE} command, -1 when it names none, or {@link #SEVERAL}. */
    private static int commonOwner(Command c, CommandArgs args, int shards) {
        int keys = c.keyCount(args);
        int owner = -1;
        for (int n = 0; n < keys; n++) {
            int k = c.keyIndex(args, n);
            int o = Slots.ownerOf(args.array(), args.offset(k), args.length(k), shards);
            if (owner >= 0 && o != owner) {
                return SEVERAL;
            }
            owner = o;
        }
        return owner;
    }

    private static void ownerOrHere(int owner, int here, Plan plan) {
        if (owner == here) {
            plan.here();
        } else {
            plan.owner(owner);
        }
    }
}
