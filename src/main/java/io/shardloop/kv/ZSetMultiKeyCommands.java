package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

import static io.shardloop.kv.Db.NO_EXPIRY;
import static io.shardloop.kv.KeyspaceEvents.GENERIC;
import static io.shardloop.kv.KeyspaceEvents.ZSET;

/**
 * Sorted-set commands over several keys, answering as Redis 7.0's t_zset.c: ZUNION, ZINTER, ZDIFF,
 * their STORE forms and ZINTERCARD (Redis's zunionInterDiffGenericCommand: a plain set is an input
 * whose members score 1, a missing key an empty input), ZRANGESTORE and ZMPOP. A stored result
 * has no deadline, and an empty one deletes the destination.
 */
final class ZSetMultiKeyCommands {
    private static final byte[] WEIGHT_NOT_FLOAT = Errors.encoded("-ERR weight value is not a float");

    private static final int UNION = 0;
    private static final int INTER = 1;
    private static final int DIFF = 2;

    private static final int SUM = 0;
    private static final int MIN = 1;
    private static final int MAX = 2;

    private ZSetMultiKeyCommands() {
    }

    static void zunion(Db db, CommandArgs a, ReplySink out) {
        combine(db, a, "zunion", 1, UNION, false, out);
    }

    static void zinter(Db db, CommandArgs a, ReplySink out) {
        combine(db, a, "zinter", 1, INTER, false, out);
    }

    static void zdiff(Db db, CommandArgs a, ReplySink out) {
        combine(db, a, "zdiff", 1, DIFF, false, out);
    }

    static void zintercard(Db db, CommandArgs a, ReplySink out) {
        combine(db, a, "zintercard", 1, INTER, true, out);
    }

    static void zunionstore(Db db, CommandArgs a, ReplySink out) {
        combine(db, a, "zunionstore", 2, UNION, false, out);
    }

    static void zinterstore(Db db, CommandArgs a, ReplySink out) {
        combine(db, a, "zinterstore", 2, INTER, false, out);
    }

    static void zdiffstore(Db db, CommandArgs a, ReplySink out) {
        combine(db, a, "zdiffstore", 2, DIFF, false, out);
    }

    /**
     * numkeys at {@code numKeysAt}, that many keys, then options: WEIGHTS and AGGREGATE (not for a
     * difference nor a count), WITHSCORES (not for a store nor a count), LIMIT (a count only). The
     * keys' types are checked before the options are read, as Redis does. A store names its
     * destination at argument 1.
     */
    private static void combine(Db db, CommandArgs a, String name, int numKeysAt, int op, boolean countOnly,
                                ReplySink out) {
        if (!a.isLong(numKeysAt)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long numKeys = a.parseLong(numKeysAt, 0);
        if (numKeys < 1) {
            out.error("ERR at least 1 input key is needed for '" + name + "' command");
            return;
        }
        if (numKeys > a.count() - (numKeysAt + 1)) {
            out.raw(Errors.SYNTAX);
            return;
        }
        int n = (int) numKeys;
        boolean store = numKeysAt == 2;
        Input[] inputs = new Input[n];
        for (int i = 0; i < n; i++) {
            Object v = db.get(Key.copyOf(a, numKeysAt + 1 + i));
            if (v != null && !(v instanceof SortedSet) && !(v instanceof MemberSet)) {
                out.raw(Errors.WRONGTYPE);
                return;
            }
            inputs[i] = new Input(v);
        }
        int aggregate = SUM;
        boolean withScores = false;
        long limit = 0;
        for (int j = numKeysAt + 1 + n; j < a.count(); ) {
            int remaining = a.count() - j;
            if (op != DIFF && !countOnly && remaining >= n + 1 && a.is(j, "weights")) {
                j++;
                for (int i = 0; i < n; i++, j++) {
                    double w = Scores.parse(a, j);
                    if (Double.isNaN(w)) {
                        out.raw(WEIGHT_NOT_FLOAT);
                        return;
                    }
                    inputs[i].weight = w;
                }
            } else if (op != DIFF && !countOnly && remaining >= 2 && a.is(j, "aggregate")) {
                if (a.is(j + 1, "sum")) {
                    aggregate = SUM;
                } else if (a.is(j + 1, "min")) {
                    aggregate = MIN;
                } else if (a.is(j + 1, "max")) {
                    aggregate = MAX;
                } else {
                    out.raw(Errors.SYNTAX);
                    return;
                }
                j += 2;
            } else if (!store && !countOnly && a.is(j, "withscores")) {
                withScores = true;
                j++;
            } else if (countOnly && remaining >= 2 && a.is(j, "limit")) {
                limit = a.isLong(j + 1) ? a.parseLong(j + 1, -1) : -1;
                if (limit < 0) {
                    out.raw(SetCommands.LIMIT_NEGATIVE);
                    return;
                }
                j += 2;
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        if (op != DIFF) {
            Arrays.sort(inputs, Comparator.comparingInt(Input::size)); // the smallest is walked
        }
        if (countOnly) {
            out.integer(interCount(inputs, limit));
            return;
        }
        SortedSet result = switch (op) {
            case UNION -> union(inputs, aggregate);
            case INTER -> inter(inputs, aggregate);
            default -> diff(inputs);
        };
        if (store) {
            store(db, Key.copyOf(a, 1), result, name, out);
            return;
        }
        ZSetCommands.header(out, result.size(), withScores);
        for (SortedSet.Node node = result.first(); node != null; node = node.next()) {
            ZSetCommands.emit(out, node, withScores);
        }
    }

    /** One input of a combination: a sorted set, a set (every member scoring 1) or nothing, and its weight. */
    private static final class Input {
        final Object value;
        double weight = 1;

        Input(Object value) {
            this.value = value;
        }

        int size() {
            return switch (value) {
                case null -> 0;
                case SortedSet z -> z.size();
                default -> ((MemberSet) value).size();
            };
        }

        /** The member's score here, or NaN when it is not a member (no stored score is NaN). */
        double scoreOf(Key member) {
            return switch (value) {
                case null -> Double.NaN;
                case SortedSet z -> {
                    SortedSet.Node n = z.node(member);
                    yield n == null ? Double.NaN : n.score;
                }
                default -> ((MemberSet) value).contains(member) ? 1 : Double.NaN;
            };
        }

        /** Each member with its score, in the input's own order. */
        void forEach(MemberVisitor visitor) {
            if (value instanceof SortedSet z) {
                for (SortedSet.Node n = z.first(); n != null; n = n.next()) {
                    if (!visitor.visit(n.member, n.score)) {
                        return;
                    }
                }
            } else if (value instanceof MemberSet s) {
                for (int i = 0; i < s.size(); i++) {
                    if (!visitor.visit(s.member(i), 1)) {
                        return;
                    }
                }
            }
        }
    }

    @FunctionalInterface
    private interface MemberVisitor {
        /** @return whether to go on. */
        boolean visit(Key member, double score);
    }

    /** A weighted score: Redis takes the NaN of 0 times infinity as 0. */
    private static double weighted(double score, double weight) {
        double w = score * weight;
        return Double.isNaN(w) ? 0 : w;
    }

    /** Redis's zunionInterAggregate; a sum of opposite infinities is 0. */
    private static double aggregate(double target, double value, int aggregate) {
        return switch (aggregate) {
            case SUM -> {
                double sum = target + value;
                yield Double.isNaN(sum) ? 0 : sum;
            }
            case MIN -> value < target ? value : target;
            default -> value > target ? value : target;
        };
    }

    private static SortedSet union(Input[] inputs, int aggregate) {
        HashMap<Key, Double> scores = new HashMap<>();
        for (Input input : inputs) {
            input.forEach((member, score) -> {
                double w = weighted(score, input.weight);
                Double seen = scores.get(member);
                scores.put(member, seen == null ? w : aggregate(seen, w, aggregate));
                return true;
            });
        }
        SortedSet result = new SortedSet();
        for (Map.Entry<Key, Double> e : scores.entrySet()) {
            result.insert(e.getKey(), e.getValue());
        }
        return result;
    }

    /** The members of the smallest input (inputs sorted by size) found in every other, scores aggregated. */
    private static SortedSet inter(Input[] inputs, int aggregate) {
        SortedSet result = new SortedSet();
        inputs[0].forEach((member, score) -> {
            double total = interScore(inputs, member, score, aggregate);
            if (!Double.isNaN(total)) {
                result.insert(member, total);
            }
            return true;
        });
        return result;
    }

    private static long interCount(Input[] inputs, long limit) {
        long[] count = {0};
        inputs[0].forEach((member, score) -> {
            if (!Double.isNaN(interScore(inputs, member, score, SUM))) {
                count[0]++;
            }
            return limit == 0 || count[0] < limit;
        });
        return count[0];
    }

    /** The aggregated score of a member of inputs[0] in every input, or NaN when one lacks it. */
    private static double interScore(Input[] inputs, Key member, double score, int aggregate) {
        double total = weighted(score, inputs[0].weight);
        for (int j = 1; j < inputs.length; j++) {
            double s = inputs[j].value == inputs[0].value ? score : inputs[j].scoreOf(member);
            if (Double.isNaN(s)) {
                return Double.NaN;
            }
            total = aggregate(total, s * inputs[j].weight, aggregate);
        }
        return total;
    }

    /** The first input's members found in no other, with their scores; none when a later key names it again. */
    private static SortedSet diff(Input[] inputs) {
        SortedSet result = new SortedSet();
        Object first = inputs[0].value;
        for (int j = 1; j < inputs.length; j++) {
            if (first != null && inputs[j].value == first) {
                return result;
            }
        }
        inputs[0].forEach((member, score) -> {
            for (int j = 1; j < inputs.length; j++) {
                if (!Double.isNaN(inputs[j].scoreOf(member))) {
                    return true;
                }
            }
            result.insert(member, score);
            return true;
        });
        return result;
    }

    /** A stored result, with its event ({@code name}, the command's), or no key and {@code del} when it is empty. */
    private static void store(Db db, Key destination, SortedSet result, String name, ReplySink out) {
        if (result.isEmpty()) {
            if (db.remove(destination)) {
                db.notify(GENERIC, "del", destination);
            }
            out.integer(0);
        } else {
            db.put(destination, result, NO_EXPIRY);
            db.notify(ZSET, name, destination);
            out.integer(result.size());
        }
    }

    /** ZRANGESTORE destination source min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]. */
    static void zrangestore(Db db, CommandArgs a, ReplySink out) {
        ZRange range = ZRange.parse(a, 2, ZRange.AUTO, ZRange.AUTO, true, out);
        if (range == null) {
            return;
        }
        Object v = db.get(Key.copyOf(a, 2));
        SortedSet result = new SortedSet();
        if (v != null) {
            SortedSet z = ZSetCommands.zset(v, out);
            if (z == null) {
                return;
            }
            ZRange.Run run = range.select(z);
            SortedSet.Node n = run.first();
            for (int k = 0; k < run.count(); k++) {
                result.insert(n.member, n.score);
                n = run.after(n);
            }
        }
        store(db, Key.copyOf(a, 1), result, "zrangestore", out);
    }

    /**
     * ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: up to count members from the first key
     * holding a sorted set, as [key, [[member, score] ...]]; a nil array when none does.
     */
    static void zmpop(Db db, CommandArgs a, ReplySink out) {
        mpop(db, a, 1, () -> true, out);
    }

    /**
     * ZMPOP's pass with numkeys at {@code numKeysAt} (BZMPOP's 2); {@code accepted} checks what the
     * caller adds (BZMPOP's timeout) after the options, as Redis does, and has replied when false.
     */
    static void mpop(Db db, CommandArgs a, int numKeysAt, java.util.function.BooleanSupplier accepted, ReplySink out) {
        long numKeys = a.isLong(numKeysAt) ? a.parseLong(numKeysAt, 0) : 0;
        if (numKeys < 1) {
            out.raw(SetCommands.NUMKEYS_NOT_POSITIVE);
            return;
        }
        long whereAt = numKeysAt + 1 + numKeys;
        if (whereAt >= a.count() || !(a.is((int) whereAt, "min") || a.is((int) whereAt, "max"))) {
            out.raw(Errors.SYNTAX);
            return;
        }
        boolean max = a.is((int) whereAt, "max");
        long count = ListMultiKeyCommands.popCount(a, (int) whereAt + 1, out);
        if (count < 0 || !accepted.getAsBoolean()) {
            return;
        }
        for (int i = numKeysAt + 1; i < whereAt; i++) {
            Key key = Key.copyOf(a, i);
            Object v = db.get(key);
            if (v == null) {
                continue;
            }
            SortedSet z = ZSetCommands.zset(v, out);
            if (z == null) {
                return;
            }
            int n = (int) Math.min(count, z.size());
            out.arrayHeader(2);
            ZSetCommands.bulk(out, key);
            out.arrayHeader(n);
            for (int k = 0; k < n; k++) {
                SortedSet.Node node = max ? z.last() : z.first();
                out.arrayHeader(2);
                ZSetCommands.bulk(out, node.member);
                out.doubleValue(node.score);
                z.remove(node);
            }
            ZSetCommands.removed(db, key, z, n, max ? "zpopmax" : "zpopmin");
            return;
        }
        out.nullArray();
    }
}
