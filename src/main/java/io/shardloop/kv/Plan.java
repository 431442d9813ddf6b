package io.shardloop.kv;

/**
 * Where one command runs, as the {@link Router} decided: here, on one owner shard, split by owner
 * with the parts merged, or on every shard with the parts merged. Reused command after command by
 * its owner (one per connection), so routing allocates nothing.
 * <p>
 * Not thread-safe: owned by one connection, on its shard's loop thread.
 */
public final class Plan {
    /** How a command is spread over the shards. */
    public enum Kind {
        /** On this shard, now: no data, the shared store, or keys this shard owns. */
        HERE,
        /** Whole, on the one shard {@link #owner()} (never this one). */
        OWNER,
        /** Split by owner ({@link #split()}), each part run where its keys live, replies merged. */
        SPLIT,
        /** On every shard, replies merged (KEYS, DBSIZE, FLUSHDB). */
        ALL,
        /**
         * A transaction over several shards ({@link #shards()}): a command that cannot be split over
         * keys of several shards ({@link Command.Route#WHOLE}), or a MULTI/EXEC, MSET or FLUSHALL
         * across them.
         */
        SPREAD
    }

    private Kind kind = Kind.HERE;
    private int owner = -1;
    private MultiKeySplit split = new MultiKeySplit();
    /** The shards a {@link Kind#SPREAD} plan touches; null before one is planned. */
    private boolean[] shards;

    public Kind kind() {
        return kind;
    }

    /** The owner shard of an {@link Kind#OWNER} plan. */
    public int owner() {
        return owner;
    }

    /** The split of a {@link Kind#SPLIT} plan, valid until the next plan. */
    public MultiKeySplit split() {
        return split;
    }

    /**
     * Gives this plan's split to a caller that must keep it past the next plan (the merge of a split
     * command in flight), taking the caller's spare in exchange, so neither allocates.
     */
    public MultiKeySplit swapSplit(MultiKeySplit spare) {
        MultiKeySplit mine = split;
        split = spare;
        return mine;
    }

    /** Whether the plan touches that shard (the shard the plan was made on included when it runs a part there). */
    public boolean touches(int shard, int here, int shardCount) {
        return switch (kind) {
            case HERE -> shard == here;
            case OWNER -> shard == owner;
            case SPLIT -> {
                for (int g = 0; g < split.groups(); g++) {
                    if (split.shard(g) == shard) {
                        yield true;
                    }
                }
                yield false;
            }
            case ALL -> shard >= 0 && shard < shardCount;
            case SPREAD -> shard >= 0 && shard < shardCount && (shards == null || shards[shard]);
        };
    }

    void here() {
        kind = Kind.HERE;
        owner = -1;
    }

    void owner(int shard) {
        kind = Kind.OWNER;
        owner = shard;
    }

    void splitByOwner() {
        kind = Kind.SPLIT;
        owner = -1;
    }

    /** A plan over several shards, which ones not yet known (every shard until then). */
    void spread() {
        kind = Kind.SPREAD;
        owner = -1;
        shards = null;
    }

    /** A transaction's plan: touching the shards marked in {@code touched}. */
    void spread(boolean[] touched) {
        kind = Kind.SPREAD;
        owner = -1;
        shards = touched;
    }

    void all() {
        kind = Kind.ALL;
        owner = -1;
    }
}
