package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * Groups the keys of a multi-key command (MGET, MSET, DEL, EXISTS, UNLINK) by owner shard,
 * remembering each key's original position, so each owner gets one sub-command and the replies
 * can be merged back ({@link ReplyMerger}). Reusable: no allocation once its arrays have grown.
 * <pre>{@code
 * split.split(args, command.step(), shards);
 * for (int g = 0; g < split.groups(); g++) {
 *     int n = split.encodeGroup(g, args, ring, offset);   // the sub-command, to split.shard(g)
 * }
 * }</pre>
 * Not thread-safe: one per connection (or per shard, reused between commands).
 */
public final class MultiKeySplit {
    private int[] ownerOfKey = new int[16];
    private int[] countByShard = new int[4];
    private int[] startByGroup = new int[4];
    private int[] shardByGroup = new int[4];
    private int[] positions = new int[16];
    private int keys;
    private int groups;
    private int step;

    /**
     * @param step 1 when every argument after the name is a key, 2 for key-value pairs (MSET).
     */
    public void split(CommandArgs args, int step, int shardCount) {
        this.step = step;
        keys = (args.count() - 1) / step;
        if (ownerOfKey.length < keys) {
            ownerOfKey = new int[Math.max(keys, ownerOfKey.length * 2)];
            positions = new int[ownerOfKey.length];
        }
        if (countByShard.length < shardCount + 1) {
            countByShard = new int[shardCount + 1];
            startByGroup = new int[shardCount + 1];
            shardByGroup = new int[shardCount + 1];
        }
        Arrays.fill(countByShard, 0, shardCount + 1, 0);
        for (int k = 0; k < keys; k++) {
            int i = 1 + k * step;
            int owner = Slots.ownerOf(args.array(), args.offset(i), args.length(i), shardCount);
            ownerOfKey[k] = owner;
            countByShard[owner]++;
        }
        // Counting sort: groups in shard order, keys in request order within each group.
        groups = 0;
        int at = 0;
        for (int s = 0; s < shardCount; s++) {
            if (countByShard[s] > 0) {
                shardByGroup[groups] = s;
                startByGroup[groups] = at;
                at += countByShard[s];
                countByShard[s] = groups++; // from here on: the group index of shard s
            } else {
                countByShard[s] = -1;
            }
        }
        startByGroup[groups] = at;
        int[] fill = Arrays.copyOf(startByGroup, groups);
        for (int k = 0; k < keys; k++) {
            int g = countByShard[ownerOfKey[k]];
            positions[fill[g]++] = 1 + k * step;
        }
    }

    /** Shards involved. */
    public int groups() {
        return groups;
    }

    /** Keys in the whole command. */
    public int keys() {
        return keys;
    }

    public int step() {
        return step;
    }

    /** The owner shard of group {@code g}. */
    public int shard(int g) {
        return shardByGroup[g];
    }

    /** Keys in group {@code g}. */
    public int size(int g) {
        return startByGroup[g + 1] - startByGroup[g];
    }

    /** The argument index of the {@code k}-th key of group {@code g}. */
    public int position(int g, int k) {
        return positions[startByGroup[g] + k];
    }

    /** Encodes group {@code g} as a sub-command (same name, that group's keys and values). */
    public int encodeGroup(int g, CommandArgs args, MutableDirectBuffer dst, int offset) {
        return CommandCodec.encodeSubset(args, positions, startByGroup[g], size(g), step, dst, offset);
    }

    /** Fills {@code out} with group {@code g}'s sub-command (for a sub-command run in process). */
    public void subCommand(int g, CommandArgs args, CommandArgs out) {
        out.clear();
        out.db(args.db());
        out.addFrom(args, 0);
        for (int k = 0; k < size(g); k++) {
            for (int s = 0; s < step; s++) {
                out.addFrom(args, position(g, k) + s);
            }
        }
    }
}
