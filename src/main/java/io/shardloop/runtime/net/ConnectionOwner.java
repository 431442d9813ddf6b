package io.shardloop.runtime.net;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;

import java.nio.ByteBuffer;

/** What a connection needs from the shard that owns it. Loop thread only. */
public interface ConnectionOwner {
    EventLoop loop();

    BufferPool bufferPool();

    /** The shard's scratch array for gathering writes. */
    ByteBuffer[] iov();

    SingleWriterCounters netStats();

    void onClosed(Connection connection);

    /** What the connection holds (input and unsent output) changed by {@code delta} bytes; an owner that keeps a budget counts it. */
    default void onMemoryChange(Connection connection, long delta) {
    }
}
