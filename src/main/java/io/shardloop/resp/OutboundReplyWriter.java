package io.shardloop.resp;

import io.shardloop.resp.codec.RespWriter;
import io.shardloop.runtime.net.OutboundBuffer;

/**
 * Writes replies into a connection's {@link OutboundBuffer}. One per connection, or one per shard
 * re-targeted with {@link #target} before each use.
 * <p>
 * Owned by one shard's loop thread.
 */
public final class OutboundReplyWriter extends RespWriter {
    private OutboundBuffer out;
    private long written;

    public OutboundReplyWriter() {
    }

    public OutboundReplyWriter(OutboundBuffer out) {
        this.out = out;
    }

    public OutboundReplyWriter target(OutboundBuffer out) {
        this.out = out;
        return this;
    }

    /** Bytes written since the last call, whatever the targets (INFO's total_net_output_bytes). */
    public long takeWrittenCount() {
        long n = written;
        written = 0;
        return n;
    }

    @Override
    protected void put(int b) {
        out.writeByte(b);
        written++;
    }

    @Override
    protected void put(byte[] src, int offset, int length) {
        out.writeBytes(src, offset, length);
        written += length;
    }
}
