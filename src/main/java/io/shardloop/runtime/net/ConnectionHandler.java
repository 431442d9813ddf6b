package io.shardloop.runtime.net;

import java.nio.ByteBuffer;

/**
 * The protocol side of one connection: bytes in, replies out through the connection's
 * {@link Connection#outbound()}. Every method is called on the connection's shard thread.
 * <p>
 * Replies written during a callback are flushed at the end of the loop's turn; replies written
 * later (when a cross-shard answer or an offloaded task completes) need {@link Connection#flushSoon()}.
 */
public interface ConnectionHandler {
    /**
     * Bytes arrived. Consume what can be used; whatever is left between position and limit is
     * kept and handed back, with the next bytes after it, on the next call.
     */
    void onRead(ByteBuffer in);

    /** The peer shut down its side; the usual answer is {@link Connection#closeAfterFlush()}. */
    void onInputClosed();

    /** Unsent bytes fell to the low-water mark after {@link Connection#notifyWhenWritable()}. */
    default void onWritable() {
    }

    /**
     * Whether replies are still owed that will be written later (answers from another shard, an
     * offloaded read). A draining connection waits for them (within the shutdown's deadline).
     */
    default boolean hasRepliesInFlight() {
        return false;
    }

    /**
     * Bytes the handler holds for input it has consumed but not yet used up: a request still
     * arriving (a bulk value being received), its parser's buffers. Counted against the
     * connection's input bound and the server's client-memory budget.
     */
    default long bytesHeld() {
        return 0;
    }

    /** Which deadline a connection missed. */
    enum Timeout {
        /** Nothing received, sent or owed for the idle timeout (HTTP's keep-alive). */
        IDLE,
        /** A request did not arrive whole in time ({@link Connection#expectFrame}). */
        FRAME
    }

    /** The connection missed a deadline and closes right after this (for the protocol's own counters). */
    default void onTimeout(Timeout which) {
    }

    /** The connection is closed; release what the handler holds. */
    default void onClose() {
    }

    /** Makes a handler for each new connection of one shard. */
    @FunctionalInterface
    interface Factory {
        ConnectionHandler newHandler(Connection connection);
    }
}
