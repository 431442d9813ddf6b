package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

/**
 * A range of a sorted set as the ZRANGE family names it (Redis's zrangeGenericCommand): by rank,
 * score or lex, forwards or reversed, with LIMIT and WITHSCORES, read from the arguments once and
 * then found in a set as a run of nodes. Shared by ZRANGE and its older forms, which reply the run,
 * and ZRANGESTORE, which stores it; and the score and lex range searches ZCOUNT and the range
 * removals use. Immutable once read; used by the thread running the command.
 */
final class ZRange {
    static final byte[] MIN_MAX_NOT_FLOAT = Errors.encoded("-ERR min or max is not a float");
    static final byte[] MIN_MAX_NOT_LEX = Errors.encoded("-ERR min or max not valid string range item");
    private static final byte[] LIMIT_NEEDS_BY = Errors.encoded(
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    private static final byte[] WITHSCORES_BYLEX =
            Errors.encoded("-ERR syntax error, WITHSCORES not supported in combination with BYLEX");

    /** Range types and directions: AUTO when the arguments choose (ZRANGE), else fixed by the command. */
    static final int AUTO = 0;
    static final int BY_RANK = 1;
    static final int BY_SCORE = 2;
    static final int BY_LEX = 3;
    static final int FORWARD = 1;
    static final int REVERSE = 2;

    /** A run of {@code count} nodes from {@code first}, walked backwards when {@code reverse}. */
    record Run(SortedSet.Node first, int count, boolean reverse) {
        SortedSet.Node after(SortedSet.Node n) {
            return reverse ? n.previous() : n.next();
        }
    }

    private final int type;
    private final boolean reverse;
    private final boolean withScores;
    private final long offset;
    private final long limit;
    private final long start;
    private final long stop;
    private final double min;
    private final boolean minEx;
    private final double max;
    private final boolean maxEx;
    private final LexBound lexMin;
    private final LexBound lexMax;

    private ZRange(int type, boolean reverse, boolean withScores, long offset, long limit, long start, long stop,
                   double min, boolean minEx, double max, boolean maxEx, LexBound lexMin, LexBound lexMax) {
        this.type = type;
        this.reverse = reverse;
        this.withScores = withScores;
        this.offset = offset;
        this.limit = limit;
        this.start = start;
        this.stop = stop;
        this.min = min;
        this.minEx = minEx;
        this.max = max;
        this.maxEx = maxEx;
        this.lexMin = lexMin;
        this.lexMax = lexMax;
    }

    boolean withScores() {
        return withScores;
    }

    /**
     * Reads the range of the key at argument {@code keyAt}: its two ends after it, then options. A
     * command that fixes the range type or the direction refuses the option that would choose it,
     * and a store ({@code store}) refuses WITHSCORES, all as syntax errors.
     *
     * @return the range, or null after replying Redis's error.
     */
    static ZRange parse(CommandArgs a, int keyAt, int type, int direction, boolean store, ReplySink out) {
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = keyAt + 3; j < a.count(); j++) {
            int left = a.count() - j - 1;
            if (!store && a.is(j, "withscores")) {
                withScores = true;
            } else if (a.is(j, "limit") && left >= 2) {
                if (!a.isLong(j + 1) || !a.isLong(j + 2)) {
                    out.raw(Errors.NOT_INTEGER);
                    return null;
                }
                offset = a.parseLong(j + 1, 0);
                limit = a.parseLong(j + 2, 0);
                j += 2;
            } else if (direction == AUTO && a.is(j, "rev")) {
                direction = REVERSE;
            } else if (type == AUTO && a.is(j, "bylex")) {
                type = BY_LEX;
            } else if (type == AUTO && a.is(j, "byscore")) {
                type = BY_SCORE;
            } else {
                out.raw(Errors.SYNTAX);
                return null;
            }
        }
        boolean reverse = direction == REVERSE;
        if (type == AUTO) {
            type = BY_RANK;
        }
        if (limit != -1 && type == BY_RANK) {
            out.raw(LIMIT_NEEDS_BY);
            return null;
        }
        if (withScores && type == BY_LEX) {
            out.raw(WITHSCORES_BYLEX);
            return null;
        }
        // A reverse score or lex range is given as max, min.
        int minAt = reverse && type != BY_RANK ? keyAt + 2 : keyAt + 1;
        int maxAt = 2 * keyAt + 3 - minAt;
        switch (type) {
            case BY_RANK -> {
                if (!a.isLong(minAt) || !a.isLong(maxAt)) {
                    out.raw(Errors.NOT_INTEGER);
                    return null;
                }
                return new ZRange(type, reverse, withScores, offset, limit, a.parseLong(minAt, 0),
                        a.parseLong(maxAt, 0), 0, false, 0, false, null, null);
            }
            case BY_SCORE -> {
                double min = Scores.parseBound(a, minAt);
                double max = Scores.parseBound(a, maxAt);
                if (Double.isNaN(min) || Double.isNaN(max)) {
                    out.raw(MIN_MAX_NOT_FLOAT);
                    return null;
                }
                return new ZRange(type, reverse, withScores, offset, limit, 0, 0, min,
                        Scores.exclusiveBound(a, minAt), max, Scores.exclusiveBound(a, maxAt), null, null);
            }
            default -> {
                LexBound lexMin = LexBound.parse(a, minAt);
                LexBound lexMax = LexBound.parse(a, maxAt);
                if (lexMin == null || lexMax == null) {
                    out.raw(MIN_MAX_NOT_LEX);
                    return null;
                }
                return new ZRange(type, reverse, withScores, offset, limit, 0, 0, 0, false, 0, false, lexMin, lexMax);
            }
        }
    }

    /** The nodes of the range in {@code z}, in reply order. */
    Run select(SortedSet z) {
        if (type == BY_RANK) {
            long size = z.size();
            RankRange r = RankRange.of(start, stop, size);
            if (r == null) {
                return new Run(null, 0, reverse);
            }
            return new Run(z.byRank(reverse ? size - 1 - r.first() : r.first()), (int) r.count(), reverse);
        }
        if (offset > 0 && offset >= z.size()) {
            return new Run(null, 0, reverse);
        }
        SortedSet.Node from;
        if (type == BY_SCORE) {
            from = reverse ? lastInScoreRange(z, min, minEx, max, maxEx) : firstInScoreRange(z, min, minEx, max, maxEx);
        } else {
            from = reverse ? lastInLexRange(z, lexMin, lexMax) : firstInLexRange(z, lexMin, lexMax);
        }
        // Redis steps past `offset` nodes; a negative offset steps past them all.
        for (long skip = offset; from != null && skip != 0; skip = skip < 0 ? skip : skip - 1) {
            from = reverse ? from.previous() : from.next();
        }
        int count = 0;
        for (SortedSet.Node n = from; n != null && (limit < 0 || count < limit); n = reverse ? n.previous() : n.next()) {
            boolean inside = type == BY_SCORE
                    ? reverse ? SortedSet.atLeast(n.score, min, minEx) : SortedSet.atMost(n.score, max, maxEx)
                    : reverse ? lexMin.admitsAsMin(n.member) : lexMax.admitsAsMax(n.member);
            if (!inside) {
                break;
            }
            count++;
        }
        return new Run(from, count, reverse);
    }

    /** Redis's zslFirstInRange: null when no member's score lies in the range. */
    static SortedSet.Node firstInScoreRange(SortedSet z, double min, boolean minEx, double max, boolean maxEx) {
        if (min > max || (min == max && (minEx || maxEx))) {
            return null;
        }
        SortedSet.Node n = z.firstFrom(min, minEx);
        return n != null && SortedSet.atMost(n.score, max, maxEx) ? n : null;
    }

    static SortedSet.Node lastInScoreRange(SortedSet z, double min, boolean minEx, double max, boolean maxEx) {
        if (min > max || (min == max && (minEx || maxEx))) {
            return null;
        }
        SortedSet.Node n = z.lastUpTo(max, maxEx);
        return n != null && SortedSet.atLeast(n.score, min, minEx) ? n : null;
    }

    /**
     * Redis's zslIsInLexRange: a non-empty range, the last member at or past min, the first at or
     * before max. With equal scores it follows from the walk; with mixed ones it decides, as in Redis.
     */
    private static boolean mayHoldLexRange(SortedSet z, LexBound min, LexBound max) {
        return !LexBound.emptyRange(min, max) && !z.isEmpty()
                && min.admitsAsMin(z.last().member) && max.admitsAsMax(z.first().member);
    }

    static SortedSet.Node firstInLexRange(SortedSet z, LexBound min, LexBound max) {
        if (!mayHoldLexRange(z, min, max)) {
            return null;
        }
        SortedSet.Node n = z.firstFrom(min);
        return n != null && max.admitsAsMax(n.member) ? n : null;
    }

    static SortedSet.Node lastInLexRange(SortedSet z, LexBound min, LexBound max) {
        if (!mayHoldLexRange(z, min, max)) {
            return null;
        }
        SortedSet.Node n = z.lastUpTo(max);
        return n != null && min.admitsAsMin(n.member) ? n : null;
    }
}
