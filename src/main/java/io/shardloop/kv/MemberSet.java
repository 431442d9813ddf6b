package io.shardloop.kv;

import io.shardloop.resp.codec.Numbers;

import java.util.Arrays;

/**
 * The value of a Redis set: distinct {@link Key} members in a dense array, found through an
 * open-addressing index (linear probing over {@code int} slots holding a dense index + 1, 0 for
 * empty). Dense storage makes a uniformly random member, and its removal, O(1): SPOP takes a random
 * index and swaps the last member into the hole. A {@code HashSet} can only be walked from the start
 * of its table, which made SPOP O(set size) and slower still once removals had emptied its front.
 * <p>
 * Removal uses backward-shift deletion (no tombstones), so lookups stay short after any number of
 * removals, and the index shrinks when the set does. Iteration is by index, {@code 0..size()-1}.
 * <p>
 * Not thread-safe: a value is touched only by the thread running a command on its key (its shard,
 * the locked store's lock holder, or the concurrent store's {@code compute} on the key).
 */
final class MemberSet {
    private static final int MIN_SLOTS = 8;

    private Key[] members = new Key[4];
    private int size;
    private int[] slots = new int[MIN_SLOTS];
    private int mask = MIN_SLOTS - 1;
    /**
     * Whether a member that is no integer was ever added: Redis's set then left its intset for good
     * (setTypeAdd), whatever is removed later ({@link ObjectEncoding}).
     */
    private boolean heldNonInteger;

    /** An independent set of the same members (COPY); members are immutable keys, so they are shared. */
    MemberSet copy() {
        MemberSet c = new MemberSet();
        c.members = Arrays.copyOf(members, members.length);
        c.size = size;
        c.slots = slots.clone();
        c.mask = mask;
        c.heldNonInteger = heldNonInteger;
        return c;
    }

    int size() {
        return size;
    }

    /** Whether a member that is no integer was ever added (removing it since changes nothing). */
    boolean heldNonInteger() {
        return heldNonInteger;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Length of the member array (for MEMORY USAGE). */
    int capacity() {
        return members.length;
    }

    /** Length of the index (for MEMORY USAGE). */
    int slotCount() {
        return slots.length;
    }

    /** The member at a dense index, {@code 0 <= i < size()}; order changes with removals. */
    Key member(int i) {
        return members[i];
    }

    boolean contains(Key key) {
        return slotOf(key) >= 0;
    }

    /** Adds the member (an owned copy of a probe) unless present; true if added. */
    boolean add(Key key) {
        if (slotOf(key) >= 0) {
            return false;
        }
        if ((size + 1) * 2 > slots.length) {
            rehash(slots.length * 2);
        }
        if (size == members.length) {
            members = Arrays.copyOf(members, size * 2);
        }
        Key owned = key.owned();
        members[size] = owned;
        insertSlot(owned, size);
        size++;
        if (!heldNonInteger && !Numbers.isLong(owned.array(), owned.offset(), owned.length())) {
            heldNonInteger = true;
        }
        return true;
    }

    boolean remove(Key key) {
        int slot = slotOf(key);
        if (slot < 0) {
            return false;
        }
        removeAt(slot, slots[slot] - 1);
        return true;
    }

    /** Removes and returns the member at a dense index (SPOP's random pick). */
    Key removeIndex(int index) {
        Key m = members[index];
        removeAt(slotOf(m), index);
        return m;
    }

    private void removeAt(int slot, int index) {
        deleteSlot(slot);
        int last = --size;
        if (index != last) {
            Key moved = members[last];
            members[index] = moved;
            slots[slotOf(moved)] = index + 1;
        }
        members[last] = null;
        if (slots.length > MIN_SLOTS && size * 8 < slots.length) {
            rehash(slots.length / 2);
            if (members.length > 8 && size * 4 < members.length) {
                members = Arrays.copyOf(members, members.length / 2);
            }
        }
    }

    private int slotOf(Key key) {
        for (int s = home(key); ; s = (s + 1) & mask) {
            int v = slots[s];
            if (v == 0) {
                return -1;
            }
            if (members[v - 1].equals(key)) {
                return s;
            }
        }
    }

    private void insertSlot(Key key, int index) {
        int s = home(key);
        while (slots[s] != 0) {
            s = (s + 1) & mask;
        }
        slots[s] = index + 1;
    }

    /** Backward-shift deletion: pulls later entries of the probe run into the hole. */
    private void deleteSlot(int hole) {
        for (int j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
            int home = home(members[slots[j] - 1]);
            // The entry at j may fill the hole when the hole lies on its probe path (home..j, cyclic).
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = 0;
    }

    private void rehash(int capacity) {
        slots = new int[capacity];
        mask = capacity - 1;
        for (int i = 0; i < size; i++) {
            insertSlot(members[i], i);
        }
    }

    private int home(Key key) {
        int h = key.hashCode() * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
