package io.shardloop.runtime.mailbox;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Payloads too long for a ring record (an eighth of the ring), one FIFO lane per ordered pair of
 * shards. The message itself still goes through the ring, in its place in line, as a small handle
 * record (kind flag {@link MessageDescriptor#LARGE}); the reader takes the payload from the pair's
 * lane when it reads the handle. Handles from one shard to another are read in the order they were
 * written, and payloads are offered in that same order, so the lane's head is always the payload of
 * the handle just read.
 * <p>
 * <b>Memory ordering.</b> The writer offers the payload before it commits the handle record (the
 * commit is a release store after the queue's own release), so a reader that has seen the handle
 * finds the payload in the lane.
 * <p>
 * Shared by the mailboxes of one group: each lane has one producer (the source shard's loop) and
 * one consumer (the target shard's loop).
 */
final class LargeLanes {
    private final int shards;
    private final ConcurrentLinkedQueue<byte[]>[] lanes;

    @SuppressWarnings("unchecked")
    LargeLanes(int shards) {
        this.shards = shards;
        this.lanes = new ConcurrentLinkedQueue[shards * shards];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new ConcurrentLinkedQueue<>();
        }
    }

    void offer(int from, int to, byte[] payload) {
        lanes[from * shards + to].offer(payload);
    }

    byte[] poll(int from, int to) {
        byte[] payload = lanes[from * shards + to].poll();
        if (payload == null) {
            throw new IllegalStateException("a large-message handle from shard " + from + " to shard " + to
                    + " has no payload in its lane");
        }
        return payload;
    }
}
