package io.shardloop.load;

import io.shardloop.resp.codec.ReplyLimits;
import io.shardloop.resp.codec.RespReplyDecoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * RESP2 and RESP3 replies, decoded by the codec's {@link RespReplyDecoder}: finds where each reply
 * ends, then checks its type against what the command expects. An incomplete reply is left in the
 * buffer (nothing consumed), to be decoded again from its first byte with more bytes after it,
 * until more than {@link #RESUME_AFTER_BYTES} of it has been decoded: from then on the decoder keeps
 * its place and the bytes are consumed as they arrive, so a large value is skipped, never held whole.
 * Aggregates are nested at most {@link #MAX_DEPTH} deep.
 * <p>
 * One instance per connection, on its load loop's thread; allocates nothing per reply.
 */
public final class RespReplyParser implements ResponseParser {
    /** Deepest nesting of aggregates accepted. */
    public static final int MAX_DEPTH = ReplyLimits.DEFAULTS.maxDepth();
    /** Bytes of a partial reply decoded before the parser consumes them rather than decode them again. */
    static final int RESUME_AFTER_BYTES = 16 * 1024;

    private final RespReplyDecoder decoder;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    /** Part of the current reply has been consumed: the decoder holds its place in it. */
    private boolean resuming;
    private String error;

    /**
     * @param maxLineBytes longest simple line (status, error, number) accepted
     * @param maxBulkBytes longest bulk string accepted
     */
    public RespReplyParser(int maxLineBytes, long maxBulkBytes) {
        this.decoder = new RespReplyDecoder(new ReplyLimits(maxLineBytes, maxBulkBytes,
                ReplyLimits.DEFAULTS.maxAggregateLength(), MAX_DEPTH));
    }

    @Override
    public int parse(ByteBuffer in, int expected) {
        int start = in.position();
        view.wrap(in); // indexes of the view are the buffer's own
        int result = decoder.decode(view, start, in.limit());
        if (result == RespReplyDecoder.NEED_MORE) {
            if (resuming || decoder.position() - start > RESUME_AFTER_BYTES) {
                resuming = true;
                in.position(decoder.position());
            } else {
                decoder.reset();
            }
            return NEED_MORE;
        }
        resuming = false;
        if (result == RespReplyDecoder.INVALID) {
            error = decoder.error();
            decoder.reset();
            return PROTOCOL_ERROR;
        }
        in.position(decoder.position());
        byte type = decoder.replyType();
        if (type == '-' || type == '!') {
            return ERROR_REPLY;
        }
        return switch (expected) {
            case RequestWriter.EXPECT_BULK_OR_NULL -> type == '$' || decoder.replyIsNull() ? OK : WRONG_TYPE;
            case RequestWriter.EXPECT_SIMPLE -> type == '+' ? OK : WRONG_TYPE;
            default -> OK;
        };
    }

    @Override
    public String lastError() {
        return error;
    }

    @Override
    public void reset() {
        decoder.reset();
        resuming = false;
    }
}
