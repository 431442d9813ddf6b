package io.shardloop.runtime.net;

/**
 * Keeps the replies of one connection's pipelined requests in request order, however late each
 * is ready (answered by another shard, after offloaded work, or streamed from a file), for every
 * protocol.
 * <p>
 * Requests take a place in line in the order they are parsed. A reply at the head of the line
 * writes straight into the connection's outbound buffer, which is the only case on the fast path
 * and costs nothing. A reply that is ready while an earlier one is still away is written into its
 * place's own buffer (pooled chunks) and moves to the connection, without copying, once every reply
 * ahead of it has. A reply that must write to the socket itself (a file streamed chunk by chunk)
 * asks to be told when it reaches the head ({@link #whenHead}) and only then writes.
 * <pre>
 *   sink = order.immediate();                 // a reply known now
 *   long ticket = order.defer();              // a reply that comes later: keep the ticket
 *   ...
 *   order.out(ticket).writeBytes(reply);      // when it comes: the connection at the head, its place behind
 *   order.complete(ticket);
 *
 *   head ─────────────────────────── tail
 *   [ writing ][ ready ][ waiting ][ ready ] ...   at most capacity
 * </pre>
 * At most {@code capacity} replies are outstanding; {@link #isFull()} tells the protocol to stop
 * taking requests until the line moves. The line starts short and doubles up to its capacity, so an
 * idle connection holds little.
 * <p>
 * Owned by one connection, on its shard's loop thread.
 */
public final class ReplyOrder {
    /** A reply told that every reply before it has been written. */
    public interface HeadListener {
        void onHead();

        /** The connection closed before this reply reached the head. */
        void onDiscarded();
    }

    /** Told each time the head moved: room for more requests, perhaps nothing left in line. */
    @FunctionalInterface
    public interface Advance {
        void onAdvance();
    }

    private static final int INITIAL_SLOTS = 8;
    private static final Advance NO_ADVANCE = () -> { };

    private final Connection connection;
    private final int capacity;
    private final Advance onAdvance;
    private OutboundBuffer[] slots;
    private boolean[] ready;
    private HeadListener[] waiting;
    private int mask;
    /** Place in line of the oldest reply not yet in the connection's outbound buffer. */
    private long head;
    /** Place in line the next request takes. */
    private long tail;

    /** @param capacity the most replies outstanding at once; rounded up to a power of two */
    public ReplyOrder(Connection connection, int capacity, Advance onAdvance) {
        int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        this.connection = connection;
        this.capacity = size;
        this.onAdvance = onAdvance == null ? NO_ADVANCE : onAdvance;
        int initial = Math.min(size, INITIAL_SLOTS);
        this.slots = new OutboundBuffer[initial];
        this.ready = new boolean[initial];
        this.waiting = new HeadListener[initial];
        this.mask = initial - 1;
    }

    public ReplyOrder(Connection connection, int capacity) {
        this(connection, capacity, null);
    }

    /** True when nothing is outstanding: replies go straight out. */
    public boolean isEmpty() {
        return head == tail;
    }

    /** True when the line is full: take no more requests until it moves. */
    public boolean isFull() {
        return tail - head == capacity;
    }

    /** Replies in line, waiting or held. */
    public int outstanding() {
        return (int) (tail - head);
    }

    /** Where the reply to the request just parsed goes when it is known at once. */
    public OutboundBuffer immediate() {
        assert connection.loop().inLoop();
        if (isEmpty()) {
            return connection.outbound();
        }
        long place = take();
        int i = (int) (place & mask);
        ready[i] = true;
        return slot(i);
    }

    /**
     * Where bytes go that answer no request (a message pushed to a subscriber): behind every reply
     * written so far, without a place of their own, so such bytes never fill the line. With nothing
     * in line, or only the head (which is still away), that is the connection's outbound buffer;
     * otherwise the place of the last reply in line, after what it holds. Call
     * {@link Connection#flushSoon()} after writing to the connection's buffer, {@link
     * Connection#onReplyHeld()} after writing to a place.
     */
    public OutboundBuffer unsolicited() {
        assert connection.loop().inLoop();
        if (tail - head <= 1) {
            return connection.outbound();
        }
        return slot((int) ((tail - 1) & mask));
    }

    /** Takes a place in line for a reply that comes later; keep the ticket to complete it. */
    public long defer() {
        assert connection.loop().inLoop();
        long place = take();
        ready[(int) (place & mask)] = false;
        return place;
    }

    /** Whether the ticket's reply is at the head (it writes to the connection itself). */
    public boolean isHead(long ticket) {
        return ticket == head;
    }

    /** Where the ticket's reply writes now: the connection's outbound buffer at the head, its own place behind. */
    public OutboundBuffer out(long ticket) {
        assert ticket >= head && ticket < tail : "ticket " + ticket + " not in line [" + head + ", " + tail + ")";
        return ticket == head ? connection.outbound() : slot((int) (ticket & mask));
    }

    /** Asks to be told when the ticket reaches the head (at once, if it is there). */
    public void whenHead(long ticket, HeadListener listener) {
        assert connection.loop().inLoop();
        if (ticket == head) {
            listener.onHead();
        } else {
            waiting[(int) (ticket & mask)] = listener;
        }
    }

    /** The ticket's reply is whole: move every reply now in order to the connection. */
    public void complete(long ticket) {
        assert connection.loop().inLoop();
        assert ticket >= head && ticket < tail : "ticket " + ticket + " not in line [" + head + ", " + tail + ")";
        if (ticket != head) {
            ready[(int) (ticket & mask)] = true;
            connection.onReplyHeld();
            return;
        }
        head++;
        OutboundBuffer out = connection.outbound();
        while (head < tail) {
            int i = (int) (head & mask);
            if (ready[i]) {
                ready[i] = false;
                if (slots[i] != null) {
                    slots[i].moveTo(out);
                }
                head++;
            } else {
                HeadListener l = waiting[i];
                if (l != null) {
                    waiting[i] = null;
                    l.onHead();
                }
                break;
            }
        }
        connection.flushSoon();
        onAdvance.onAdvance();
    }

    /** Drops every held reply and tells the replies still waiting (the connection is closing). */
    public void discard() {
        assert connection.loop().inLoop();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                slots[i].discard();
            }
            ready[i] = false;
            HeadListener l = waiting[i];
            waiting[i] = null;
            if (l != null) {
                l.onDiscarded();
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

    /** Doubles the line, keeping each place at its ticket's new index. */
    private void grow() {
        int size = slots.length * 2;
        int newMask = size - 1;
        OutboundBuffer[] s = new OutboundBuffer[size];
        boolean[] r = new boolean[size];
        HeadListener[] w = new HeadListener[size];
        for (long p = head; p < tail; p++) {
            int from = (int) (p & mask);
            int to = (int) (p & newMask);
            s[to] = slots[from];
            r[to] = ready[from];
            w[to] = waiting[from];
        }
        slots = s;
        ready = r;
        waiting = w;
        mask = newMask;
    }

    private OutboundBuffer slot(int i) {
        OutboundBuffer slot = slots[i];
        if (slot == null) {
            slot = slots[i] = connection.newOutboundBuffer();
        }
        return slot;
    }
}
