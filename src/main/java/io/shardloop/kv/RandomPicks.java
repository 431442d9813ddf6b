package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;

/**
 * The count of SRANDMEMBER, HRANDFIELD and ZRANDMEMBER ({@code key count [WITHVALUES|WITHSCORES]}),
 * read and checked as Redis 7.0 does, in its order, with one bound of this server's own: a negative
 * count (picks that may repeat) answers at most {@link #MAX_REPEATED} picks, which Redis leaves
 * unbounded. Each pick is a reply element however small the value, so the count alone would size
 * the reply.
 */
final class RandomPicks {
    static final long MAX_REPEATED = 1L << 24;
    /** What {@link #count} returns after it answered an error. */
    static final long REFUSED = Long.MIN_VALUE;
    /** Redis's text for a count outside the range it accepts (a count it could not negate). */
    private static final byte[] COUNT_OUT_OF_RANGE = outOfRange(-Long.MAX_VALUE);
    /** The same text with this server's lower bound, for a value that Redis would answer. */
    private static final byte[] PICKS_OUT_OF_RANGE = outOfRange(-MAX_REPEATED);
    /** A count whose pairs (WITHVALUES, WITHSCORES) would overflow: Redis's check. */
    private static final byte[] VALUE_OUT_OF_RANGE = "-ERR value is out of range\r\n".getBytes(StandardCharsets.US_ASCII);

    private RandomPicks() {
    }

    /**
     * Argument 2 as the count, and argument 3, when there, the option {@code with} (null for a
     * command without one); answers the error and returns {@link #REFUSED} when they are not.
     * Checked before the key is read, as Redis does.
     */
    static long count(CommandArgs a, String with, ReplySink out) {
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return REFUSED;
        }
        long count = a.parseLong(2, 0);
        if (count == Long.MIN_VALUE) {
            out.raw(COUNT_OUT_OF_RANGE);
            return REFUSED;
        }
        if (with == null) {
            return count;
        }
        if (a.count() > 4 || (a.count() == 4 && !a.is(3, with))) {
            out.raw(Errors.SYNTAX);
            return REFUSED;
        }
        if (a.count() == 4 && (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2)) {
            out.raw(VALUE_OUT_OF_RANGE);
            return REFUSED;
        }
        return count;
    }

    /** Whether a negative count asks more picks than this server answers; if so the error is answered. */
    static boolean tooMany(long count, ReplySink out) {
        if (count < -MAX_REPEATED) {
            out.raw(PICKS_OUT_OF_RANGE);
            return true;
        }
        return false;
    }

    private static byte[] outOfRange(long least) {
        return ("-ERR value is out of range, value must between " + least + " and " + Long.MAX_VALUE + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
