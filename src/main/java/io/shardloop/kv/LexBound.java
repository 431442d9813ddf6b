package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

/**
 * One end of a lex range, as ZRANGEBYLEX takes it: "-" (before every member), "+" (after every
 * member), "[member" (inclusive) or "(member" (exclusive). Members compare as unsigned bytes.
 * <p>
 * Immutable; made per command.
 */
final class LexBound {
    private static final LexBound MIN = new LexBound(-1, null, true);
    private static final LexBound MAX = new LexBound(1, null, true);

    /** -1 for "-", 1 for "+", 0 for a member. */
    private final int infinity;
    private final Key member;
    private final boolean exclusive;

    private LexBound(int infinity, Key member, boolean exclusive) {
        this.infinity = infinity;
        this.member = member;
        this.exclusive = exclusive;
    }

    /** Redis's zslParseLexRangeItem over argument {@code i}, or null when it is not a range item. */
    static LexBound parse(CommandArgs a, int i) {
        byte[] b = a.array();
        int off = a.offset(i);
        int len = a.length(i);
        if (len == 0) {
            return null;
        }
        // Redis reads a C string: a NUL after "+" or "-" ends the item as the end would.
        boolean alone = len == 1 || b[off + 1] == 0;
        return switch (b[off]) {
            case '-' -> alone ? MIN : null;
            case '+' -> alone ? MAX : null;
            case '(' -> new LexBound(0, Key.copyOf(b, off + 1, len - 1), true);
            case '[' -> new LexBound(0, Key.copyOf(b, off + 1, len - 1), false);
            default -> null;
        };
    }

    /** Whether a member lies at or after this bound taken as a range's minimum. */
    boolean admitsAsMin(Key m) {
        if (infinity != 0) {
            return infinity < 0;
        }
        int c = m.compareTo(member);
        return exclusive ? c > 0 : c >= 0;
    }

    /** Whether a member lies at or before this bound taken as a range's maximum. */
    boolean admitsAsMax(Key m) {
        if (infinity != 0) {
            return infinity > 0;
        }
        int c = m.compareTo(member);
        return exclusive ? c < 0 : c <= 0;
    }

    /** Redis's empty-range test: min after max, or equal with either end exclusive. */
    static boolean emptyRange(LexBound min, LexBound max) {
        int c;
        if (min == max) {
            c = 0;
        } else if (min.infinity < 0 || max.infinity > 0) {
            c = -1;
        } else if (min.infinity > 0 || max.infinity < 0) {
            c = 1;
        } else {
            c = min.member.compareTo(max.member);
        }
        return c > 0 || (c == 0 && (min.exclusive || max.exclusive));
    }
}
