package io.shardloop.runtime.mailbox;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shardloop.runtime.mailbox.MessageDescriptor.*;

/**
 * An ordered local queue of messages, as entries {@code [type][kind][correlation id][payload]}: a
 * full ring's backlog on the sending side, and the requests a receiving shard has parked. It grows
 * on demand (up to 1 GiB) and counts its messages and the bytes of their payloads, large ones
 * included at their full length.
 * <p>
 * <b>Ownership.</b> Owned by one shard's loop thread.
 */
final class MessageQueue {
    private static final int INITIAL_CAPACITY = 4096;

    private final UnsafeBuffer entry;
    private ExpandableRingBuffer queue;
    private int count;
    private long bytes;

    /** @param entryScratch the shard's scratch for building one entry, as long as the longest inline payload */
    MessageQueue(UnsafeBuffer entryScratch) {
        this.entry = entryScratch;
    }

    int count() {
        return count;
    }

    /** Payload bytes held, a large message counted at its full length. */
    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Appends one message. {@code logicalBytes} is what it counts for: its payload length, or a
     * large message's full length.
     *
     * @return false only when the queue is at its maximum size (1 GiB) and cannot take the entry
     */
    boolean append(int type, int kind, long correlationId, DirectBuffer payload, int offset, int length, long logicalBytes) {
        if (queue == null) {
            queue = new ExpandableRingBuffer(INITIAL_CAPACITY, ExpandableRingBuffer.MAX_CAPACITY, false);
        }
        entry.putInt(ENTRY_TYPE_OFFSET, type);
        entry.putInt(ENTRY_KIND_OFFSET, kind);
        entry.putLong(ENTRY_CORRELATION_ID_OFFSET, correlationId);
        if (length > 0) {
            entry.putBytes(ENTRY_PAYLOAD_OFFSET, payload, offset, length);
        }
        int entryLength = ENTRY_PAYLOAD_OFFSET + length;
        if (!fits(entryLength) || !queue.append(entry, 0, entryLength)) {
            return false;
        }
        count++;
        bytes += logicalBytes;
        return true;
    }

    /** Hands entries, oldest first, to the consumer until it returns false or {@code limit} were taken. */
    int consume(ExpandableRingBuffer.MessageConsumer consumer, int limit) {
        return queue == null || count == 0 ? 0 : queue.consume(consumer, limit);
    }

    /** The consumer took an entry of this logical size. */
    void taken(long logicalBytes) {
        count--;
        bytes -= logicalBytes;
    }

    /**
     * Whether an entry fits. Agrona's ExpandableRingBuffer (2.6), once at its maximum capacity,
     * accepts an entry that fits in the free bytes in total but not before the end of its buffer,
     * and then writes past the end; such an entry counts as not fitting.
     */
    private boolean fits(int entryLength) {
        int capacity = queue.capacity();
        if (capacity < ExpandableRingBuffer.MAX_CAPACITY) {
            return true; // below the maximum the queue grows into a fresh buffer instead of wrapping
        }
        int aligned = BitUtil.align(ExpandableRingBuffer.HEADER_LENGTH + entryLength, ExpandableRingBuffer.HEADER_ALIGNMENT);
        int free = capacity - (int) (queue.tail() - queue.head());
        if (aligned > free) {
            return false;
        }
        int headOffset = (int) queue.head() & (capacity - 1);
        int tailOffset = (int) queue.tail() & (capacity - 1);
        if (tailOffset >= headOffset) {
            int toEnd = capacity - tailOffset;
            return aligned <= toEnd || aligned <= free - toEnd;
        }
        return true;
    }
}
