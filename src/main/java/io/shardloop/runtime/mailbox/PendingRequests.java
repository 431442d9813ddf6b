package io.shardloop.runtime.mailbox;

/**
 * The requests a shard has sent and not yet seen answered: preallocated slots, so sending a request
 * allocates nothing. A correlation id is {@code generation << SLOT_BITS | slot}; the generation
 * rises each time a slot is reused, so a late response to a cancelled request matches nothing.
 * <p>
 * <b>Ownership.</b> Owned by one shard's loop thread; no method is thread-safe.
 */
final class PendingRequests {
    static final int SLOT_BITS = 20;
    static final int MAX_SLOTS = 1 << SLOT_BITS;
    private static final long SLOT_MASK = MAX_SLOTS - 1;

    private final ResponseHandler[] handlers;
    private final long[] contexts;
    private final long[] ids;
    private final long[] generations;
    private final int[] free;
    private int freeCount;

    PendingRequests(int capacity) {
        handlers = new ResponseHandler[capacity];
        contexts = new long[capacity];
        ids = new long[capacity];
        generations = new long[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /** Takes a slot; returns the new correlation id, or 0 when every slot is taken. */
    long register(ResponseHandler handler, long context) {
        if (freeCount == 0) {
            return 0;
        }
        int slot = free[--freeCount];
        long id = (++generations[slot] << SLOT_BITS) | slot;
        handlers[slot] = handler;
        contexts[slot] = context;
        ids[slot] = id;
        return id;
    }

    /** True if the id is pending. */
    boolean isPending(long id) {
        int slot = slotOf(id);
        return slot >= 0 && ids[slot] == id;
    }

    /** The continuation of a pending id; call {@link #release} after reading it. */
    ResponseHandler handler(long id) {
        return handlers[slotOf(id)];
    }

    long context(long id) {
        return contexts[slotOf(id)];
    }

    /** Frees the id's slot; false if the id was not pending. */
    boolean release(long id) {
        int slot = slotOf(id);
        if (slot < 0 || ids[slot] != id) {
            return false;
        }
        ids[slot] = 0;
        handlers[slot] = null;
        free[freeCount++] = slot;
        return true;
    }

    int pending() {
        return handlers.length - freeCount;
    }

    private int slotOf(long id) {
        if (id <= 0) {
            return -1;
        }
        long slot = id & SLOT_MASK;
        return slot < handlers.length ? (int) slot : -1;
    }
}
