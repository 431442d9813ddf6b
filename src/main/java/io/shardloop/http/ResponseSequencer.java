package io.shardloop.http;

import io.shardloop.runtime.net.BufferPool;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.OutboundBuffer;

import java.nio.ByteBuffer;

/**
 * Keeps the responses of one connection in request order, however late each is ready.
 * <p>
 * Every request takes the next sequence number. The response at the head of the order writes
 * straight into the connection's outbound buffer; this is the only case on the plaintext path and
 * it costs nothing. A response that is ready while an earlier one is still pending (a file being
 * opened, a key owned by another shard) is written into its slot's own buffer and moved to
 * the connection when everything before it has left. An asynchronous response that is not yet at
 * the head waits: it is told when it gets there ({@link HeadListener}) and only then writes, so a
 * large file streams straight to the socket and never into a slot.
 * <pre>
 *   seq:     headSeq ─────────────── nextSeq
 *   slots:   [ writing ][ ready ][ waiting ][ ready ] ...   at most maxPipelined
 * </pre>
 * Owned by one connection, on its shard's loop thread.
 */
final class ResponseSequencer {
    /** An asynchronous response told that every response before it has been written. */
    interface HeadListener {
        void onHead();

        /** The connection closed before this response reached the head. */
        void onDiscarded();
    }

    /** Told when the head advanced: room for more requests, perhaps nothing left in flight. */
    interface Advance {
        void onAdvance();
    }

    /** Slots an idle connection holds: enough for light pipelining, growing only when used. */
    private static final int INITIAL_SLOTS = 8;

    private final Connection connection;
    private final BufferPool pool;
    private final ByteBuffer[] iov;
    private final Advance onAdvance;
    /** Slots by sequence number modulo their length; they start small and double up to the limit. */
    private OutboundBuffer[] deferred;
    private boolean[] ready;
    private HeadListener[] waiting;
    private int mask;
    private final int limit;
    private long headSeq;
    private long nextSeq;

    ResponseSequencer(Connection connection, BufferPool pool, ByteBuffer[] iov, int maxInFlight, Advance onAdvance) {
        this.connection = connection;
        this.pool = pool;
        this.iov = iov;
        this.onAdvance = onAdvance;
        int size = Math.min(INITIAL_SLOTS, Integer.highestOneBit(Math.max(1, maxInFlight - 1)) << 1);
        this.mask = size - 1;
        this.deferred = new OutboundBuffer[size];
        this.ready = new boolean[size];
        this.waiting = new HeadListener[size];
        this.limit = maxInFlight;
    }

    /** Whether another request may be taken. */
    boolean hasRoom() {
        return nextSeq - headSeq < limit;
    }

    /** Whether every response taken has been written to the connection. */
    boolean idle() {
        return nextSeq == headSeq;
    }

    long inFlight() {
        return nextSeq - headSeq;
    }

    /** Takes the next sequence number for a request. */
    long open() {
        assert hasRoom();
        if (nextSeq - headSeq == deferred.length) {
            grow();
        }
        return nextSeq++;
    }

    /** Doubles the slots, keeping every response in flight at its sequence number's new place. */
    private void grow() {
        int size = deferred.length * 2;
        OutboundBuffer[] d = new OutboundBuffer[size];
        boolean[] r = new boolean[size];
        HeadListener[] w = new HeadListener[size];
        int newMask = size - 1;
        for (long seq = headSeq; seq < nextSeq; seq++) {
            int from = (int) seq & mask;
            int to = (int) seq & newMask;
            d[to] = deferred[from];
            r[to] = ready[from];
            w[to] = waiting[from];
        }
        deferred = d;
        ready = r;
        waiting = w;
        mask = newMask;
    }

    boolean isHead(long seq) {
        return seq == headSeq;
    }

    /** Where the response of {@code seq} writes: the connection itself at the head, its slot's buffer behind it. */
    OutboundBuffer out(long seq) {
        if (seq == headSeq) {
            return connection.outbound();
        }
        int i = (int) seq & mask;
        OutboundBuffer b = deferred[i];
        if (b == null) {
            b = new OutboundBuffer(pool, iov);
            deferred[i] = b;
        }
        return b;
    }

    /** Asks to be told when {@code seq} is at the head (at once, if it already is). */
    void whenHead(long seq, HeadListener listener) {
        if (seq == headSeq) {
            listener.onHead();
        } else {
            waiting[(int) seq & mask] = listener;
        }
    }

    /** The response of {@code seq} is whole. */
    void complete(long seq) {
        if (seq != headSeq) {
            ready[(int) seq & mask] = true;
            return;
        }
        headSeq++;
        while (headSeq < nextSeq) {
            int i = (int) headSeq & mask;
            if (ready[i]) {
                ready[i] = false;
                moveToConnection(deferred[i]);
                headSeq++;
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

    /** Drops every deferred response (the connection is closing). */
    void discard() {
        for (int i = 0; i < deferred.length; i++) {
            if (deferred[i] != null) {
                deferred[i].discard();
            }
            ready[i] = false;
            HeadListener l = waiting[i];
            waiting[i] = null;
            if (l != null) {
                l.onDiscarded();
            }
        }
    }

    private void moveToConnection(OutboundBuffer from) {
        if (from != null) {
            from.moveTo(connection.outbound());
        }
    }
}
