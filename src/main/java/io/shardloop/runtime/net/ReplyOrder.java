package io.shardloop.runtime.net;

/**
 * Keeps the replies of pipelined requests in request order when some of them are answered later
 * than others (by another shard, or after offloaded work), so a client always reads its replies in
 * the order it sent its requests.
 * <p>
 * Requests take a place in line in the order they are parsed. While nothing waits ahead, a reply
 * goes straight to the connection's outbound buffer. Once a deferred reply is outstanding, later
 * replies are held in the slot of their place in line, in pooled chunks, and move to the outbound
 * buffer (without copying) as soon as every reply ahead of them is there.
 * <pre>
 *   sink = order.immediate();          // reply now: outbound, or a held slot behind a deferred one
 *   long ticket = order.defer();       // reply later: keep the ticket with the continuation
 *   ...
 *   order.deferred(ticket).writeBytes(reply); order.complete(ticket);   // when the answer arrives
 * </pre>
 * At most {@code capacity} replies may be outstanding at once; {@link #isFull()} tells the caller to
 * stop parsing requests until the line moves.
 * <p>
 * Owned by one connection, on its shard's loop thread.
 */
public final class ReplyOrder {
    private final Connection connection;
    /** Grown on demand up to {@link #capacity}: an idle connection holds a short line, not the longest. */
    private OutboundBuffer[] slots;
    private boolean[] ready;
    private int mask;
    private final int capacity;
    /** Place in line of the oldest reply not yet moved to the outbound buffer. */
    private static final int INITIAL_SLOTS = 8;

    private long head;
    /** Place in line the next request takes. */
    private long tail;

    /**
     * @param capacity the most replies held at once; rounded up to a power of two.
     */
    public ReplyOrder(Connection connection, int capacity) {
        int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        this.connection = connection;
        this.capacity = size;
        int initial = Math.min(size, INITIAL_SLOTS);
        this.slots = new OutboundBuffer[initial];
        this.ready = new boolean[initial];
        this.mask = initial - 1;
    }

    /** True when nothing is outstanding: replies go straight out. */
    public boolean isEmpty() {
        return head == tail;
    }

    /** True when the line is full: stop taking requests until {@link #complete} moves it. */
    public boolean isFull() {
        return tail - head == capacity;
    }

    /** Replies waiting in line, deferred or held. */
    public int outstanding() {
        return (int) (tail - head);
    }

    /** Where the reply to the request just parsed goes when it is known at once. */
    public OutboundBuffer immediate() {
        if (isEmpty()) {
            return connection.outbound();
        }
        long place = take();
        int i = (int) (place & mask);
        ready[i] = true;
        return slot(i);
    }

    /** Takes a place in line for a reply that will come later; keep the ticket to complete it. */
    public long defer() {
        long place = take();
        ready[(int) (place & mask)] = false;
        return place;
    }

    /** Where the deferred reply of this ticket is written before {@link #complete}. */
    public OutboundBuffer deferred(long ticket) {
        return slot((int) (ticket & mask));
    }

    /** The deferred reply of this ticket is written: move every reply now in order to the outbound buffer. */
    public void complete(long ticket) {
        assert ticket >= head && ticket < tail : "ticket " + ticket + " not in line [" + head + ", " + tail + ")";
        ready[(int) (ticket & mask)] = true;
        OutboundBuffer out = connection.outbound();
        boolean moved = false;
        while (head < tail && ready[(int) (head & mask)]) {
            int i = (int) (head & mask);
            if (slots[i] != null) {
                slots[i].moveTo(out);
            }
            head++;
            moved = true;
        }
        if (moved) {
            connection.flushSoon();
        }
    }

    /** Drops every held reply (the connection is closing). */
    public void discard() {
        for (OutboundBuffer slot : slots) {
            if (slot != null) {
                slot.discard();
            }
        }
        head = tail;
    }

    private long take() {
        if (isFull()) {
            throw new IllegalStateException("more than " + capacity + " replies outstanding");
        }
        if (tail - head == slots.length) {
            grow();
        }
        return tail++;
    }

    /** Doubles the line, keeping each waiting place at its ticket's new index. */
    private void grow() {
        int size = slots.length * 2;
        OutboundBuffer[] grownSlots = new OutboundBuffer[size];
        boolean[] grownReady = new boolean[size];
        for (long p = head; p < tail; p++) {
            grownSlots[(int) (p & (size - 1))] = slots[(int) (p & mask)];
            grownReady[(int) (p & (size - 1))] = ready[(int) (p & mask)];
        }
        slots = grownSlots;
        ready = grownReady;
        mask = size - 1;
    }

    private OutboundBuffer slot(int i) {
        OutboundBuffer slot = slots[i];
        if (slot == null) {
            slot = slots[i] = connection.newOutboundBuffer();
        }
        return slot;
    }
}
