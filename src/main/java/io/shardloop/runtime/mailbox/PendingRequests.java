package io.shardloop.runtime.mailbox;

import java.util.Arrays;

/**
 * The requests a shard has sent and not yet seen answered. A correlation id is
 * {@code generation << SLOT_BITS | slot}; the generation rises each time a slot is reused, so a
 * response can never resume a later request that took the same slot. Each slot remembers the target
 * and the bytes of its request, which return to that target's credit when the response arrives.
 * Slots grow on demand (doubling) up to their bound, so a shard that sends little holds little.
 * <p>
 * A cancelled request keeps its slot, without a continuation, until its response arrives: the owner
 * still runs it, and its credit is only free once the answer is back.
 * <p>
 * <b>Ownership.</b> Owned by one shard's loop thread; no method is thread-safe.
 */
final class PendingRequests {
    static final int SLOT_BITS = 24;
    static final int MAX_SLOTS = 1 << SLOT_BITS;
    private static final long SLOT_MASK = MAX_SLOTS - 1;
    private static final int INITIAL_SLOTS = 64;

    private final int maxSlots;
    private ResponseHandler[] handlers;
    private long[] contexts;
    private long[] ids;
    private long[] generations;
    private int[] targets;
    private int[] bytes;
    private int[] free;
    private int freeCount;
    private int pending;

    PendingRequests(int maxSlots) {
        if (maxSlots < 1 || maxSlots > MAX_SLOTS) {
            throw new IllegalArgumentException("pending request slots must be in [1, " + MAX_SLOTS + "]: " + maxSlots);
        }
        this.maxSlots = maxSlots;
        int initial = Math.min(maxSlots, INITIAL_SLOTS);
        handlers = new ResponseHandler[initial];
        contexts = new long[initial];
        ids = new long[initial];
        generations = new long[initial];
        targets = new int[initial];
        bytes = new int[initial];
        free = new int[initial];
        for (int i = 0; i < initial; i++) {
            free[freeCount++] = initial - 1 - i;
        }
    }

    /** Takes a slot; returns the new correlation id, or 0 when every slot is taken. */
    long register(ResponseHandler handler, long context, int target, int requestBytes) {
        if (freeCount == 0 && !grow()) {
            return 0;
        }
        int slot = free[--freeCount];
        long id = (++generations[slot] << SLOT_BITS) | slot;
        handlers[slot] = handler;
        contexts[slot] = context;
        ids[slot] = id;
        targets[slot] = target;
        bytes[slot] = requestBytes;
        pending++;
        return id;
    }

    /** True while the id waits for its response (cancelled or not). */
    boolean isPending(long id) {
        int slot = slotOf(id);
        return slot >= 0 && ids[slot] == id;
    }

    /** The continuation of a pending id, or null when it was cancelled. */
    ResponseHandler handler(long id) {
        return handlers[slotOf(id)];
    }

    long context(long id) {
        return contexts[slotOf(id)];
    }

    int target(long id) {
        return targets[slotOf(id)];
    }

    int requestBytes(long id) {
        return bytes[slotOf(id)];
    }

    /** Drops the continuation; the slot stays taken until the response. False if not pending or already cancelled. */
    boolean cancel(long id) {
        int slot = slotOf(id);
        if (slot < 0 || ids[slot] != id || handlers[slot] == null) {
            return false;
        }
        handlers[slot] = null;
        return true;
    }

    /** Frees the id's slot (its response arrived). */
    void release(long id) {
        int slot = slotOf(id);
        if (slot < 0 || ids[slot] != id) {
            throw new IllegalStateException("request " + id + " is not pending");
        }
        ids[slot] = 0;
        handlers[slot] = null;
        free[freeCount++] = slot;
        pending--;
    }

    int pending() {
        return pending;
    }

    private boolean grow() {
        int old = handlers.length;
        if (old == maxSlots) {
            return false;
        }
        int size = Math.min(maxSlots, old * 2);
        handlers = Arrays.copyOf(handlers, size);
        contexts = Arrays.copyOf(contexts, size);
        ids = Arrays.copyOf(ids, size);
        generations = Arrays.copyOf(generations, size);
        targets = Arrays.copyOf(targets, size);
        bytes = Arrays.copyOf(bytes, size);
        free = Arrays.copyOf(free, size);
        for (int i = size - 1; i >= old; i--) {
            free[freeCount++] = i;
        }
        return true;
    }

    private int slotOf(long id) {
        if (id <= 0) {
            return -1;
        }
        long slot = id & SLOT_MASK;
        return slot < handlers.length ? (int) slot : -1;
    }
}
