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
        /** Whole, over keys of several shards: a transaction across them ({@link Command.Route#WHOLE}). */
        SPREAD
    }

    private Kind kind = Kind.HERE;
    private int owner = -1;
    private MultiKeySplit split = new MultiKeySplit();

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
            case SPREAD -> shard >= 0 && shard < shardCount; // until planned per shard, every shard
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

    void spread() {
        kind = Kind.SPREAD;
        owner = -1;
    }

    void all() {
        kind = Kind.ALL;
        owner = -1;
    }
}
