package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.concurrent.ThreadLocalRandom;

import static io.shardloop.kv.Db.NO_EXPIRY;
import static io.shardloop.kv.KeyspaceEvents.GENERIC;
import static io.shardloop.kv.KeyspaceEvents.ZSET;

/**
 * Sorted-set commands on one key, answering as Redis 7.0's t_zset.c does: its option rules, the
 * order in which it checks arguments and types, its error texts. A sorted set is a
 * {@link SortedSet}, removed when its last member goes. Scores reply as doubles
 * ({@link ReplySink#doubleValue}); in RESP3, WITHSCORES ranges and ZPOPMIN/ZPOPMAX with a count
 * answer an array of [member, score] pairs, as Redis 7.0 does. Keyspace events as t_zset.c's:
 * {@code zadd} (or ZINCRBY's and ZADD INCR's {@code zincr}) when a member was added or its score
 * changed, {@code zrem}, {@code zpopmin}/{@code zpopmax}, the {@code zremrangeby*} ones, and the
 * {@code del} of an emptied sorted set.
 */
final class ZSetCommands {
    private static final byte[] NAN_RESULT = encoded("-ERR resulting score is not a number (NaN)");
    private static final byte[] XX_AND_NX = encoded("-ERR XX and NX options at the same time are not compatible");
    private static final byte[] GT_LT_NX =
            encoded("-ERR GT, LT, and/or NX options at the same time are not compatible");
    private static final byte[] INCR_PAIRS = encoded("-ERR INCR option supports a single increment-element pair");



    private ZSetCommands() {
    }

    static SortedSet zset(Object v, ReplySink out) {
        if (v instanceof SortedSet z) {
            return z;
        }
        out.raw(Errors.WRONGTYPE);
        return null;
    }

    // ---- writes of scores ----

    /** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]. */
    static void zadd(Db db, CommandArgs a, ReplySink out) {
        boolean nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
        int j = 2;
        for (; j < a.count(); j++) {
            if (a.is(j, "nx")) {
                nx = true;
            } else if (a.is(j, "xx")) {
                xx = true;
            } else if (a.is(j, "gt")) {
                gt = true;
            } else if (a.is(j, "lt")) {
                lt = true;
            } else if (a.is(j, "ch")) {
                ch = true;
            } else if (a.is(j, "incr")) {
                incr = true;
            } else {
                break;
            }
        }
        int elements = a.count() - j;
        if (elements == 0 || elements % 2 != 0) {
            out.raw(Errors.SYNTAX);
            return;
        }
        if (nx && xx) {
            out.raw(XX_AND_NX);
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            out.raw(GT_LT_NX);
            return;
        }
        if (incr && elements > 2) {
            out.raw(INCR_PAIRS);
            return;
        }
        add(db, a, out, j, nx, xx, gt, lt, ch, incr);
    }

    /** ZINCRBY key increment member: ZADD INCR without options. */
    static void zincrby(Db db, CommandArgs a, ReplySink out) {
        add(db, a, out, 2, false, false, false, false, false, true);
    }

    private static void add(Db db, CommandArgs a, ReplySink out, int first, boolean nx, boolean xx,
                            boolean gt, boolean lt, boolean ch, boolean incr) {
        for (int i = first; i < a.count(); i += 2) {
            if (Double.isNaN(Scores.parse(a, i))) {
                out.raw(StringCommands.NOT_A_FLOAT);
                return;
            }
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        SortedSet z;
        if (v == null) {
            if (xx) {
                if (incr) {
                    out.nullBulk();
                } else {
                    out.integer(0);
                }
                return;
            }
            z = new SortedSet();
            db.put(key, z, NO_EXPIRY);
        } else if ((z = zset(v, out)) == null) {
            return;
        }
        long added = 0;
        long updated = 0;
        long processed = 0;
        double result = 0;
        for (int i = first; i < a.count(); i += 2) {
            double score = Scores.parse(a, i);
            Key member = db.probe(1, a, i + 1);
            SortedSet.Node n = z.node(member);
            if (n != null) {
                if (nx) {
                    continue;
                }
                double current = n.score;
                if (incr) {
                    score += current;
                    if (Double.isNaN(score)) {
                        out.raw(NAN_RESULT);
                        return;
                    }
                }
                if ((lt && score >= current) || (gt && score <= current)) {
                    continue;
                }
                if (score != current) {
                    z.updateScore(n, score);
                    updated++;
                }
            } else if (!xx) {
                z.insert(member, score);
                added++;
            } else {
                continue;
            }
            result = score;
            processed++;
        }
        if (added + updated > 0) {
            db.notify(ZSET, incr ? "zincr" : "zadd", key);
        }
        if (!incr) {
            out.integer(ch ? added + updated : added);
        } else if (processed > 0) {
            out.doubleValue(result);
        } else {
            out.nullBulk();
        }
    }

    /** ZREM key member [member ...]. */
    static void zrem(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.integer(0);
            return;
        }
        SortedSet z = zset(v, out);
        if (z == null) {
            return;
        }
        long removed = 0;
        for (int i = 2; i < a.count(); i++) {
            SortedSet.Node n = z.node(db.probe(1, a, i));
            if (n != null) {
                z.remove(n);
                removed++;
            }
        }
        removed(db, key, z, removed, "zrem");
        out.integer(removed);
    }

    // ---- reads of one member or the size ----

    static void zscore(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.nullBulk();
            return;
        }
        SortedSet z = zset(v, out);
        if (z != null) {
            SortedSet.Node n = z.node(db.probe(1, a, 2));
            if (n == null) {
                out.nullBulk();
            } else {
                out.doubleValue(n.score);
            }
        }
    }

    /** ZMSCORE key member [member ...]: a score or nil for each; a missing key has no members. */
    static void zmscore(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        SortedSet z = null;
        if (v != null && (z = zset(v, out)) == null) {
            return;
        }
        out.arrayHeader(a.count() - 2);
        for (int i = 2; i < a.count(); i++) {
            SortedSet.Node n = z == null ? null : z.node(db.probe(1, a, i));
            if (n == null) {
                out.nullBulk();
            } else {
                out.doubleValue(n.score);
            }
        }
    }

    static void zcard(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        SortedSet z = zset(v, out);
        if (z != null) {
            out.integer(z.size());
        }
    }

    static void zrank(Db db, CommandArgs a, ReplySink out) {
        rank(db, a, out, false);
    }

    static void zrevrank(Db db, CommandArgs a, ReplySink out) {
        rank(db, a, out, true);
    }

    private static void rank(Db db, CommandArgs a, ReplySink out, boolean reverse) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.nullBulk();
            return;
        }
        SortedSet z = zset(v, out);
        if (z == null) {
            return;
        }
        SortedSet.Node n = z.node(db.probe(1, a, 2));
        if (n == null) {
            out.nullBulk();
            return;
        }
        long rank = z.rank(n);
        out.integer(reverse ? z.size() - 1 - rank : rank);
    }

    /** ZCOUNT key min max: the range is checked before the key, as Redis does. */
    static void zcount(Db db, CommandArgs a, ReplySink out) {
        double min = Scores.parseBound(a, 2);
        double max = Scores.parseBound(a, 3);
        if (Double.isNaN(min) || Double.isNaN(max)) {
            out.raw(ZRange.MIN_MAX_NOT_FLOAT);
            return;
        }
        boolean minEx = Scores.exclusiveBound(a, 2);
        boolean maxEx = Scores.exclusiveBound(a, 3);
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        SortedSet z = zset(v, out);
        if (z == null) {
            return;
        }
        SortedSet.Node first = ZRange.firstInScoreRange(z, min, minEx, max, maxEx);
        out.integer(first == null ? 0 : z.rank(z.lastUpTo(max, maxEx)) - z.rank(first) + 1);
    }

    /** ZLEXCOUNT key min max. */
    static void zlexcount(Db db, CommandArgs a, ReplySink out) {
        LexBound min = LexBound.parse(a, 2);
        LexBound max = LexBound.parse(a, 3);
        if (min == null || max == null) {
            out.raw(ZRange.MIN_MAX_NOT_LEX);
            return;
        }
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        SortedSet z = zset(v, out);
        if (z == null) {
            return;
        }
        SortedSet.Node first = ZRange.firstInLexRange(z, min, max);
        out.integer(first == null ? 0 : z.rank(z.lastUpTo(max)) - z.rank(first) + 1);
    }

    // ---- ranges ----

    static void zrange(Db db, CommandArgs a, ReplySink out) {
        range(db, a, out, ZRange.AUTO, ZRange.AUTO);
    }

    static void zrangebyscore(Db db, CommandArgs a, ReplySink out) {
        range(db, a, out, ZRange.BY_SCORE, ZRange.FORWARD);
    }

    static void zrevrange(Db db, CommandArgs a, ReplySink out) {
        range(db, a, out, ZRange.BY_RANK, ZRange.REVERSE);
    }

    static void zrevrangebyscore(Db db, CommandArgs a, ReplySink out) {
        range(db, a, out, ZRange.BY_SCORE, ZRange.REVERSE);
    }

    static void zrangebylex(Db db, CommandArgs a, ReplySink out) {
        range(db, a, out, ZRange.BY_LEX, ZRange.FORWARD);
    }

    static void zrevrangebylex(Db db, CommandArgs a, ReplySink out) {
        range(db, a, out, ZRange.BY_LEX, ZRange.REVERSE);
    }

    /** Redis's zrangeGenericCommand: key start stop, then options ({@link ZRange}). */
    private static void range(Db db, CommandArgs a, ReplySink out, int type, int direction) {
        ZRange range = ZRange.parse(a, 1, type, direction, false, out);
        if (range == null) {
            return;
        }
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.arrayHeader(0);
            return;
        }
        SortedSet z = zset(v, out);
        if (z == null) {
            return;
        }
        ZRange.Run run = range.select(z);
        header(out, run.count(), range.withScores());
        SortedSet.Node n = run.first();
        for (int k = 0; k < run.count(); k++) {
            emit(out, n, range.withScores());
            n = run.after(n);
        }
    }

    // ---- random members ----

    /**
     * ZRANDMEMBER key [count [WITHSCORES]]: without a count one random member (nil for no key);
     * with a positive count that many distinct members (all, from the highest, when the set has no
     * more, as Redis 7.0 lists a small set); with a negative one that many picks that may repeat,
     * at most {@link RandomPicks#MAX_REPEATED}.
     */
    static void zrandmember(Db db, CommandArgs a, ReplySink out) {
        if (a.count() == 2) {
            Object v = db.get(db.probe(0, a, 1));
            if (v == null) {
                out.nullBulk();
                return;
            }
            SortedSet z = zset(v, out);
            if (z != null) {
                bulk(out, z.byRank(ThreadLocalRandom.current().nextInt(z.size())).member);
            }
            return;
        }
        long count = RandomPicks.count(a, "withscores", out);
        if (count == RandomPicks.REFUSED) {
            return;
        }
        boolean withScores = a.count() == 4;
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.arrayHeader(0);
            return;
        }
        SortedSet z = zset(v, out);
        if (z == null) {
            return;
        }
        if (count == 0) {
            out.arrayHeader(0);
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int size = z.size();
        if (count < 0 || count == 1) {
            if (RandomPicks.tooMany(count, out)) {
                return;
            }
            int picks = (int) Math.abs(count);
            header(out, picks, withScores);
            for (int k = 0; k < picks; k++) {
                emit(out, z.byRank(random.nextInt(size)), withScores);
            }
            return;
        }
        if (count >= size) {
            header(out, size, withScores);
            for (SortedSet.Node n = z.last(); n != null; n = n.previous()) {
                emit(out, n, withScores);
            }
            return;
        }
        int n = (int) count;
        header(out, n, withScores);
        // Floyd's sampling: n distinct ranks, each n-subset equally likely, in O(n log size).
        HashSet<Integer> chosen = new HashSet<>(n * 2);
        for (int j = size - n; j < size; j++) {
            int t = random.nextInt(j + 1);
            int pick = chosen.contains(t) ? j : t;
            chosen.add(pick);
            emit(out, z.byRank(pick), withScores);
        }
    }

    // ---- pops and range removals ----

    static void zpopmin(Db db, CommandArgs a, ReplySink out) {
        pop(db, a, out, false);
    }

    static void zpopmax(Db db, CommandArgs a, ReplySink out) {
        pop(db, a, out, true);
    }

    /**
     * ZPOPMIN / ZPOPMAX key [count]: [member, score, ...] flat; in RESP3 with a count, pairs.
     */
    private static void pop(Db db, CommandArgs a, ReplySink out, boolean max) {
        if (a.count() > 3) {
            out.raw(Errors.SYNTAX);
            return;
        }
        boolean hasCount = a.count() == 3;
        long count = 1;
        if (hasCount) {
            count = a.parseLong(2, -1);
            if (count < 0) { // Redis gives a count that is no integer the same answer
                out.raw(Errors.NOT_POSITIVE);
                return;
            }
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.arrayHeader(0);
            return;
        }
        SortedSet z = zset(v, out);
        if (z == null) {
            return;
        }
        int n = (int) Math.min(count, z.size());
        boolean pairs = hasCount && out.protocol() == 3;
        out.arrayHeader(pairs ? n : n * 2);
        for (int k = 0; k < n; k++) {
            SortedSet.Node node = max ? z.last() : z.first();
            if (pairs) {
                out.arrayHeader(2);
            }
            bulk(out, node.member);
            out.doubleValue(node.score);
            z.remove(node);
        }
        removed(db, key, z, n, max ? "zpopmax" : "zpopmin");
    }

    static void zremrangebyrank(Db db, CommandArgs a, ReplySink out) {
        if (!a.isLong(2) || !a.isLong(3)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long start = a.parseLong(2, 0);
        long stop = a.parseLong(3, 0);
        Key key = db.probe(0, a, 1);
        SortedSet z = forRemoval(db, key, out);
        if (z == null) {
            return;
        }
        RankRange r = RankRange.of(start, stop, z.size());
        if (r == null) {
            out.integer(0);
            return;
        }
        long removed = removeRun(z, z.byRank(r.first()), r.count());
        removed(db, key, z, removed, "zremrangebyrank");
        out.integer(removed);
    }

    static void zremrangebyscore(Db db, CommandArgs a, ReplySink out) {
        double min = Scores.parseBound(a, 2);
        double max = Scores.parseBound(a, 3);
        if (Double.isNaN(min) || Double.isNaN(max)) {
            out.raw(ZRange.MIN_MAX_NOT_FLOAT);
            return;
        }
        boolean minEx = Scores.exclusiveBound(a, 2);
        boolean maxEx = Scores.exclusiveBound(a, 3);
        Key key = db.probe(0, a, 1);
        SortedSet z = forRemoval(db, key, out);
        if (z == null) {
            return;
        }
        SortedSet.Node first = ZRange.firstInScoreRange(z, min, minEx, max, maxEx);
        long removed = 0;
        if (first != null) {
            removed = removeRun(z, first, z.rank(z.lastUpTo(max, maxEx)) - z.rank(first) + 1);
        }
        removed(db, key, z, removed, "zremrangebyscore");
        out.integer(removed);
    }

    static void zremrangebylex(Db db, CommandArgs a, ReplySink out) {
        LexBound min = LexBound.parse(a, 2);
        LexBound max = LexBound.parse(a, 3);
        if (min == null || max == null) {
            out.raw(ZRange.MIN_MAX_NOT_LEX);
            return;
        }
        Key key = db.probe(0, a, 1);
        SortedSet z = forRemoval(db, key, out);
        if (z == null) {
            return;
        }
        SortedSet.Node first = ZRange.firstInLexRange(z, min, max);
        long removed = 0;
        if (first != null) {
            removed = removeRun(z, first, z.rank(z.lastUpTo(max)) - z.rank(first) + 1);
        }
        removed(db, key, z, removed, "zremrangebylex");
        out.integer(removed);
    }

    /** The sorted set at the key, or null after replying 0 (no key) or WRONGTYPE. */
    private static SortedSet forRemoval(Db db, Key key, ReplySink out) {
        Object v = db.get(key);
        if (v == null) {
            out.integer(0);
            return null;
        }
        return zset(v, out);
    }

    /** Removes {@code count} nodes in order from {@code n}. */
    private static long removeRun(SortedSet z, SortedSet.Node n, long count) {
        for (long k = 0; k < count; k++) {
            SortedSet.Node next = n.next();
            z.remove(n);
            n = next;
        }
        return count;
    }

    // ---- helpers ----

    /** A range reply's header: with scores, RESP2 flattens the pairs, RESP3 nests them. */
    static void header(ReplySink out, int count, boolean withScores) {
        out.arrayHeader(withScores && out.protocol() == 2 ? count * 2 : count);
    }

    static void emit(ReplySink out, SortedSet.Node n, boolean withScores) {
        if (withScores && out.protocol() == 3) {
            out.arrayHeader(2);
        }
        bulk(out, n.member);
        if (withScores) {
            out.doubleValue(n.score);
        }
    }

    static void bulk(ReplySink out, Key m) {
        out.bulk(m.array(), m.offset(), m.length());
    }

    /** After {@code count} members went: the command's {@code event} if any did, and the key if it is empty. */
    static void removed(Db db, Key key, SortedSet z, long count, String event) {
        if (count > 0) {
            db.notify(ZSET, event, key);
        }
        removeIfEmpty(db, key, z);
    }

    /** A sorted set left empty goes, with Redis's {@code del} event. */
    static void removeIfEmpty(Db db, Key key, SortedSet z) {
        if (z.isEmpty()) {
            db.remove(key);
            db.notify(GENERIC, "del", key);
        }
    }

    private static byte[] encoded(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
