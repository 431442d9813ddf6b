package io.shardloop.resp.codec;

import org.agrona.DirectBuffer;

/**
 * Reads complete replies in a buffer (as {@link RespWriter} produced them): the gathering side of
 * a split command reads partial replies with it, and front ends that do not speak RESP replay
 * replies into their own {@link ReplySink}. A thin layer over {@link RespReplyDecoder}, which holds
 * the grammar; each thread uses one decoder of its own, so nothing is allocated per call.
 * <p>
 * The bytes are the server's own, whole, and trusted: the limits bound only what an index can
 * hold. A reply that is cut short or malformed is a bug, reported as an {@link IllegalArgumentException}.
 */
public final class ReplyReader {
    /** What the server's own replies may hold: anything an int-indexed buffer can. */
    static final ReplyLimits COMPLETE = new ReplyLimits(Integer.MAX_VALUE - 16, Integer.MAX_VALUE - 16,
            ReplyLimits.MAX_SINK_AGGREGATE, 32);

    private static final ThreadLocal<PerThread> DECODERS = ThreadLocal.withInitial(PerThread::new);

    /** A thread's decoder, and whether a replay on it is calling out to a sink right now. */
    private static final class PerThread {
        final RespReplyDecoder decoder = new RespReplyDecoder(COMPLETE);
        boolean replaying;
    }

    private ReplyReader() {
    }

    /** The type byte of the reply at {@code at}: '+', '-', ':', '$' or '*'. */
    public static byte type(DirectBuffer b, int at) {
        return b.getByte(at);
    }

    /** The number on the header line at {@code at} (an integer reply's value, a bulk's length, an array's count). */
    public static long number(DirectBuffer b, int at) {
        RespReplyDecoder d = header(b, at);
        return d.headerNumber();
    }

    /** The offset of an array's first element (past its header). */
    public static int firstElement(DirectBuffer b, int at) {
        return header(b, at).headerEnd();
    }

    /** The offset just past the reply element that starts at {@code at}. */
    public static int skip(DirectBuffer b, int at) {
        RespReplyDecoder d = decoder();
        d.reset();
        return end(d, d.decode(b, at, b.capacity()), at);
    }

    /**
     * Replays the reply element at {@code at} into a sink, element by element, as the command that
     * produced it wrote it: how a front end that does not speak RESP (HTTP's /kv) receives a reply
     * that crossed shards as bytes. Returns the offset just past the element.
     */
    public static int replay(DirectBuffer b, int at, ReplySink out) {
        PerThread mine = DECODERS.get();
        RespReplyDecoder d = decoder();
        boolean outer = !mine.replaying;
        mine.replaying = true;
        try {
            d.reset();
            return end(d, d.replay(b, at, b.capacity(), out), at);
        } finally {
            if (outer) {
                mine.replaying = false;
            }
        }
    }

    /** The thread's decoder; a fresh one for a sink that reads another reply from inside a replay's callback. */
    private static RespReplyDecoder decoder() {
        PerThread mine = DECODERS.get();
        return mine.replaying ? new RespReplyDecoder(COMPLETE) : mine.decoder;
    }

    private static RespReplyDecoder header(DirectBuffer b, int at) {
        RespReplyDecoder d = decoder();
        int r = d.readHeader(b, at, b.capacity());
        if (r != RespReplyDecoder.HEADER) {
            throw new IllegalArgumentException(problem(d, r, at));
        }
        return d;
    }

    private static int end(RespReplyDecoder d, int result, int at) {
        if (result != RespReplyDecoder.REPLY) {
            throw new IllegalArgumentException(problem(d, result, at));
        }
        return d.position();
    }

    private static String problem(RespReplyDecoder d, int result, int at) {
        return result == RespReplyDecoder.NEED_MORE ? "the reply at " + at + " is cut short by the end of the buffer"
                : "not a RESP2 reply at " + at + ": " + d.error();
    }
}
