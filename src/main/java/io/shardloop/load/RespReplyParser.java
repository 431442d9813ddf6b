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
 * A transaction ({@link RequestWriter#EXPECT_TRANSACTION}) is one response of several replies:
 * MULTI's +OK, a +QUEUED per command, EXEC's array. Each whole reply of it is consumed as it comes
 * and the parser keeps its place; the outcome comes with EXEC's reply: {@link #ABORTED} for a null
 * array or {@code -EXECABORT}, an error reply or wrong type for anything else that is not an
 * array of one reply per command or that came before it not as expected. The replies inside EXEC's
 * array are not looked into.
 * <p>
 * One instance per connection, on its load loop's thread; allocates nothing per reply.
 */
public final class RespReplyParser implements ResponseParser {
    /** Deepest nesting of aggregates accepted. */
    public static final int MAX_DEPTH = ReplyLimits.DEFAULTS.maxDepth();
    /** Bytes of a partial reply decoded before the parser consumes them rather than decode them again. */
    static final int RESUME_AFTER_BYTES = 16 * 1024;
    private static final byte[] OK_TEXT = {'O', 'K', '\r'};
    private static final byte[] QUEUED_TEXT = {'Q', 'U', 'E', 'U', 'E', 'D', '\r'};
    private static final byte[] EXECABORT_PREFIX = {'E', 'X', 'E', 'C', 'A', 'B', 'O', 'R', 'T', ' '};
    private static final byte[] NOSCRIPT_PREFIX = {'N', 'O', 'S', 'C', 'R', 'I', 'P', 'T', ' '};

    private final RespReplyDecoder decoder;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    /** Part of the current reply has been consumed: the decoder holds its place in it. */
    private boolean resuming;
    /** Where the last whole reply began in the buffer; -1 when its start was consumed by an earlier call. */
    private int lastReplyStart = -1;
    private String error;
    /** Commands between MULTI and EXEC in each transaction. */
    private final int commandsPerTransaction;
    /** Replies of the current transaction consumed so far (MULTI's is the first). */
    private int transactionReplies;
    /** The first of those that was not as expected, {@link #OK} when all were. */
    private int transactionOutcome = OK;

    /**
     * @param maxLineBytes           longest simple line (status, error, number) accepted
     * @param maxBulkBytes           longest bulk string accepted
     * @param commandsPerTransaction commands queued between MULTI and EXEC
     */
    public RespReplyParser(int maxLineBytes, long maxBulkBytes, int commandsPerTransaction) {
        this.commandsPerTransaction = commandsPerTransaction;
        this.decoder = new RespReplyDecoder(new ReplyLimits(maxLineBytes, maxBulkBytes,
                ReplyLimits.DEFAULTS.maxAggregateLength(), MAX_DEPTH));
    }

    @Override
    public int parse(ByteBuffer in, int expected) {
        if (expected != RequestWriter.EXPECT_TRANSACTION) {
            return parseOne(in, expected);
        }
        while (true) {
            int outcome = parseOne(in, RequestWriter.EXPECT_SIMPLE);
            int start = lastReplyStart;
            if (outcome == NEED_MORE || outcome == PROTOCOL_ERROR) {
                return outcome;
            }
            if (transactionReplies++ <= commandsPerTransaction) {
                if (outcome == OK && !textIs(in, start, transactionReplies == 1 ? OK_TEXT : QUEUED_TEXT)) {
                    outcome = WRONG_TYPE;
                }
                if (transactionOutcome == OK) {
                    transactionOutcome = outcome;
                }
                continue;
            }
            int earlier = transactionOutcome;
            transactionReplies = 0;
            transactionOutcome = OK;
            byte type = decoder.replyType();
            if (decoder.replyIsNull() || (type == '-' && textIs(in, start, EXECABORT_PREFIX))) {
                return ABORTED;
            }
            if (type == '-' || type == '!') {
                return ERROR_REPLY;
            }
            // A reply too long to be held whole (start unknown) is not counted; EXEC's of SETs and INCRs never is.
            if (type != '*' || (start >= 0 && aggregateCount(in, start) != commandsPerTransaction)) {
                return WRONG_TYPE;
            }
            return earlier;
        }
    }

    /** Whether the whole reply at {@code start} (-1: not held), already consumed, has this text after its type byte. */
    private static boolean textIs(ByteBuffer in, int start, byte[] text) {
        if (start < 0 || in.position() - start < text.length + 1) {
            return false;
        }
        for (int i = 0; i < text.length; i++) {
            if (in.get(start + 1 + i) != text[i]) {
                return false;
            }
        }
        return true;
    }

    /** The element count in the header of the whole aggregate at {@code start}. */
    private static long aggregateCount(ByteBuffer in, int start) {
        long n = 0;
        for (int i = start + 1; ; i++) {
            byte b = in.get(i);
            if (b < '0' || b > '9') {
                return b == '\r' ? n : -1;
            }
            n = n * 10 + (b - '0');
        }
    }

    /** One reply, checked against what its command gives. */
    private int parseOne(ByteBuffer in, int expected) {
        int start = in.position();
        boolean resumed = resuming;
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
        lastReplyStart = resumed ? -1 : start;
        if (result == RespReplyDecoder.INVALID) {
            error = decoder.error();
            decoder.reset();
            return PROTOCOL_ERROR;
        }
        in.position(decoder.position());
        byte type = decoder.replyType();
        if (type == '-' || type == '!') {
            return type == '-' && textIs(in, lastReplyStart, NOSCRIPT_PREFIX) ? NO_SCRIPT : ERROR_REPLY;
        }
        return switch (expected) {
            case RequestWriter.EXPECT_BULK_OR_NULL -> type == '$' || decoder.replyIsNull() ? OK : WRONG_TYPE;
            case RequestWriter.EXPECT_SIMPLE -> type == '+' ? OK : WRONG_TYPE;
            case RequestWriter.EXPECT_INTEGER -> type == ':' ? OK : WRONG_TYPE;
            case RequestWriter.EXPECT_ARRAY -> type == '*' && !decoder.replyIsNull() ? OK : WRONG_TYPE;
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
        transactionReplies = 0;
        transactionOutcome = OK;
    }
}
