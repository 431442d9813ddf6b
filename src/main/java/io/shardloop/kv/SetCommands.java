package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.concurrent.ThreadLocalRandom;

import static io.shardloop.kv.Db.NO_EXPIRY;
import static io.shardloop.kv.KeyspaceEvents.GENERIC;
import static io.shardloop.kv.KeyspaceEvents.SET;

/**
 * Set commands, on one key and over several (SMOVE, SINTER, SUNION, SDIFF and their STORE forms,
 * SINTERCARD), answering as Redis 7.0's t_set.c. A set is a {@link MemberSet}, removed when its
 * last member goes. Their keyspace events are t_set.c's: {@code sadd}, {@code srem}, {@code spop},
 * SMOVE's {@code srem} and {@code sadd}, the STORE forms' {@code sinterstore}, {@code sunionstore}
 * and {@code sdiffstore} (or {@code del} for an empty result), and the {@code del} of an emptied set.
 */
final class SetCommands {

    static final byte[] NUMKEYS_NOT_POSITIVE = Errors.encoded("-ERR numkeys should be greater than 0");
    private static final byte[] NUMKEYS_TOO_MANY = Errors.encoded("-ERR Number of keys can't be greater than number of args");
    static final byte[] LIMIT_NEGATIVE = Errors.encoded("-ERR LIMIT can't be negative");

    private SetCommands() {
    }

    static MemberSet set(Object v, ReplySink out) {
        if (v instanceof MemberSet s) {
            return s;
        }
        out.raw(Errors.WRONGTYPE);
        return null;
    }

    static void sadd(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        MemberSet s;
        if (v == null) {
            s = new MemberSet();
            db.put(key, s, NO_EXPIRY);
        } else if ((s = set(v, out)) == null) {
            return;
        }
        long added = 0;
        for (int i = 2; i < a.count(); i++) {
            if (s.add(db.probe(1, a, i))) {
                added++;
            }
        }
        if (added > 0) {
            db.notify(SET, "sadd", key);
        }
        out.integer(added);
    }

    static void srem(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            out.integer(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s == null) {
            return;
        }
        long removed = 0;
        for (int i = 2; i < a.count(); i++) {
            if (s.remove(db.probe(1, a, i))) {
                removed++;
            }
        }
        if (removed > 0) {
            db.notify(SET, "srem", key);
        }
        removeIfEmpty(db, key, s);
        out.integer(removed);
    }

    static void smembers(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.setHeader(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s != null) {
            out.setHeader(s.size());
            for (int i = 0; i < s.size(); i++) {
                Key m = s.member(i);
                out.bulk(m.array(), m.offset(), m.length());
            }
        }
    }

    static void sismember(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s != null) {
            out.integer(s.contains(db.probe(1, a, 2)) ? 1 : 0);
        }
    }

    static void scard(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.integer(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s != null) {
            out.integer(s.size());
        }
    }

    /**
     * SPOP key [count]: removes and returns members chosen uniformly at random, each O(1). With a
     * count, the members are distinct (each is removed as it is taken) and at most the set's size;
     * without one, a single member or nil.
     */
    static void spop(Db db, CommandArgs a, ReplySink out) {
        boolean hasCount = a.count() == 3;
        if (a.count() > 3) {
            out.raw(Errors.SYNTAX);
            return;
        }
        long count = 1;
        if (hasCount) {
            if (!a.isLong(2) || a.parseLong(2, 0) < 0) {
                out.raw(Errors.NOT_POSITIVE);
                return;
            }
            count = a.parseLong(2, 0);
        }
        Key key = db.probe(0, a, 1);
        Object v = db.get(key);
        if (v == null) {
            if (hasCount) {
                out.setHeader(0);
            } else {
                out.nullBulk();
            }
            return;
        }
        MemberSet s = set(v, out);
        if (s == null) {
            return;
        }
        int n = (int) Math.min(count, s.size());
        if (hasCount) {
            out.setHeader(n);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        io.shardloop.persist.AppendLog log = n > 0 ? db.appendLog() : null;
        if (log != null) { // logged as what was chosen, as Redis propagates SPOP as SREM
            log.command(a.db(), 2 + n);
            log.arg("SREM");
            log.arg(a.array(), a.offset(1), a.length(1));
        }
        for (int k = 0; k < n; k++) {
            Key m = s.removeIndex(random.nextInt(s.size()));
            out.bulk(m.array(), m.offset(), m.length());
            if (log != null) {
                log.arg(m.array(), m.offset(), m.length());
            }
        }
        if (log != null) {
            log.endCommand();
            db.propagated();
        }
        if (n > 0) {
            db.notify(SET, "spop", key);
        }
        removeIfEmpty(db, key, s);
    }

    /** A set left empty goes, with Redis's {@code del} event. */
    private static void removeIfEmpty(Db db, Key key, MemberSet s) {
        if (s.isEmpty()) {
            db.remove(key);
            db.notify(GENERIC, "del", key);
        }
    }

    /** SMISMEMBER key member [member ...]: 1 or 0 for each member; a missing key is an empty set. */
    static void smismember(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        MemberSet s = null;
        if (v != null && (s = set(v, out)) == null) {
            return;
        }
        out.arrayHeader(a.count() - 2);
        for (int i = 2; i < a.count(); i++) {
            out.integer(s != null && s.contains(db.probe(1, a, i)) ? 1 : 0);
        }
    }

    /**
     * SRANDMEMBER key [count]: without a count one random member (nil for no set); with a positive
     * count that many distinct members (all when the set has no more), with a negative one that
     * many picks that may repeat; an array in both protocols, as Redis answers it.
     */
    static void srandmember(Db db, CommandArgs a, ReplySink out) {
        if (a.count() > 3) {
            out.raw(Errors.SYNTAX);
            return;
        }
        if (a.count() == 2) {
            Object v = db.get(db.probe(0, a, 1));
            if (v == null) {
                out.nullBulk();
                return;
            }
            MemberSet s = set(v, out);
            if (s != null) {
                bulk(s.member(ThreadLocalRandom.current().nextInt(s.size())), out);
            }
            return;
        }
        long count = RandomPicks.count(a, null, out);
        if (count == RandomPicks.REFUSED) {
            return;
        }
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.arrayHeader(0);
            return;
        }
        MemberSet s = set(v, out);
        if (s == null || RandomPicks.tooMany(count, out)) {
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (count < 0) {
            out.arrayHeader((int) -count);
            for (long k = count; k < 0; k++) {
                bulk(s.member(random.nextInt(s.size())), out);
            }
            return;
        }
        int size = s.size();
        if (count >= size) {
            out.arrayHeader(size);
            for (int i = 0; i < size; i++) {
                bulk(s.member(i), out);
            }
            return;
        }
        int n = (int) count;
        out.arrayHeader(n);
        if (n == 0) {
            return;
        }
        // Floyd's sampling: n distinct dense indexes, each n-subset equally likely, in O(n).
        HashSet<Integer> chosen = new HashSet<>(n * 2);
        for (int j = size - n; j < size; j++) {
            int t = random.nextInt(j + 1);
            int pick = chosen.contains(t) ? j : t;
            chosen.add(pick);
            bulk(s.member(pick), out);
        }
    }

    // ---- commands over several keys ----

    /** SMOVE source destination member: 1 when the member left the source (for the same key: is in it). */
    static void smove(Db db, CommandArgs a, ReplySink out) {
        Key source = Key.copyOf(a, 1);
        Key destination = Key.copyOf(a, 2);
        Object sv = db.get(source);
        Object dv = db.get(destination);
        if (sv == null) {
            out.integer(0);
            return;
        }
        MemberSet from = set(sv, out);
        if (from == null || (dv != null && set(dv, out) == null)) {
            return;
        }
        Key member = db.probe(1, a, 3);
        if (sv == dv) {
            out.integer(from.contains(member) ? 1 : 0);
            return;
        }
        if (!from.remove(member)) {
            out.integer(0);
            return;
        }
        db.notify(SET, "srem", source);
        removeIfEmpty(db, source, from);
        MemberSet to = (MemberSet) dv;
        if (to == null) {
            to = new MemberSet();
            db.put(destination, to, NO_EXPIRY);
        }
        if (to.add(member)) {
            db.notify(SET, "sadd", destination);
        }
        out.integer(1);
    }

    static void sinter(Db db, CommandArgs a, ReplySink out) {
        inter(db, a, 1, a.count() - 1, null, false, 0, out);
    }

    static void sinterstore(Db db, CommandArgs a, ReplySink out) {
        inter(db, a, 2, a.count() - 2, Key.copyOf(a, 1), false, 0, out);
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]: the size of the intersection, counted up to limit (0: all). */
    static void sintercard(Db db, CommandArgs a, ReplySink out) {
        long numKeys = a.isLong(1) ? a.parseLong(1, 0) : 0;
        if (numKeys < 1) {
            out.raw(NUMKEYS_NOT_POSITIVE);
            return;
        }
        if (numKeys > a.count() - 2) {
            out.raw(NUMKEYS_TOO_MANY);
            return;
        }
        long limit = 0;
        for (int j = 2 + (int) numKeys; j < a.count(); j++) {
            if (a.is(j, "limit") && j + 1 < a.count()) {
                j++;
                limit = a.isLong(j) ? a.parseLong(j, -1) : -1;
                if (limit < 0) {
                    out.raw(LIMIT_NEGATIVE);
                    return;
                }
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        inter(db, a, 2, (int) numKeys, null, true, limit, out);
    }

    /**
     * Redis's sinterGenericCommand over the {@code n} keys from argument {@code first}: a missing
     * key is an empty set (but every key's type is still checked), the smallest set is walked.
     * Stored at {@code destination} without a deadline (an empty result deletes it), counted when
     * {@code countOnly} (stopping at a non-zero {@code limit}), else replied as a set.
     */
    private static void inter(Db db, CommandArgs a, int first, int n, Key destination, boolean countOnly, long limit,
                              ReplySink out) {
        MemberSet[] sets = new MemberSet[n];
        boolean anyMissing = false;
        for (int j = 0; j < n; j++) {
            Object v = db.get(Key.copyOf(a, first + j));
            if (v == null) {
                anyMissing = true;
            } else if ((sets[j] = set(v, out)) == null) {
                return;
            }
        }
        ArrayList<Key> found = new ArrayList<>();
        long count = 0;
        if (!anyMissing) {
            Arrays.sort(sets, Comparator.comparingInt(MemberSet::size));
            MemberSet smallest = sets[0];
            for (int i = 0; i < smallest.size(); i++) {
                Key m = smallest.member(i);
                if (inAll(sets, m)) {
                    count++;
                    if (countOnly) {
                        if (limit > 0 && count >= limit) {
                            break;
                        }
                    } else {
                        found.add(m);
                    }
                }
            }
        }
        if (countOnly) {
            out.integer(count);
        } else if (destination != null) {
            store(db, destination, found, "sinterstore", out);
        } else {
            reply(found, out);
        }
    }

    private static boolean inAll(MemberSet[] sets, Key m) {
        for (int j = 1; j < sets.length; j++) {
            if (sets[j] != sets[0] && !sets[j].contains(m)) {
                return false;
            }
        }
        return true;
    }

    static void sunion(Db db, CommandArgs a, ReplySink out) {
        unionOrDiff(db, a, 1, null, false, out);
    }

    static void sunionstore(Db db, CommandArgs a, ReplySink out) {
        unionOrDiff(db, a, 2, Key.copyOf(a, 1), false, out);
    }

    static void sdiff(Db db, CommandArgs a, ReplySink out) {
        unionOrDiff(db, a, 1, null, true, out);
    }

    static void sdiffstore(Db db, CommandArgs a, ReplySink out) {
        unionOrDiff(db, a, 2, Key.copyOf(a, 1), true, out);
    }

    /**
     * Redis's sunionDiffGenericCommand over the keys from argument {@code first}: a missing key is
     * an empty set; the difference is the first set's members in none of the others (none at all
     * when a later key names the first set again).
     */
    private static void unionOrDiff(Db db, CommandArgs a, int first, Key destination, boolean diff, ReplySink out) {
        int n = a.count() - first;
        MemberSet[] sets = new MemberSet[n];
        boolean firstRepeated = false;
        for (int j = 0; j < n; j++) {
            Object v = db.get(Key.copyOf(a, first + j));
            if (v != null && (sets[j] = set(v, out)) == null) {
                return;
            }
            firstRepeated |= j > 0 && sets[j] != null && sets[j] == sets[0];
        }
        MemberSet result = new MemberSet();
        if (!diff) {
            for (MemberSet s : sets) {
                for (int i = 0; s != null && i < s.size(); i++) {
                    result.add(s.member(i));
                }
            }
        } else if (sets[0] != null && !firstRepeated) {
            for (int i = 0; i < sets[0].size(); i++) {
                Key m = sets[0].member(i);
                if (inNoneAfterFirst(sets, m)) {
                    result.add(m);
                }
            }
        }
        ArrayList<Key> members = new ArrayList<>(result.size());
        for (int i = 0; i < result.size(); i++) {
            members.add(result.member(i));
        }
        if (destination != null) {
            store(db, destination, members, diff ? "sdiffstore" : "sunionstore", out);
        } else {
            reply(members, out);
        }
    }

    private static boolean inNoneAfterFirst(MemberSet[] sets, Key m) {
        for (int j = 1; j < sets.length; j++) {
            if (sets[j] != null && sets[j].contains(m)) {
                return false;
            }
        }
        return true;
    }

    /** A *STORE result: a new set without a deadline, or no key at all when it is empty; {@code event} its event. */
    private static void store(Db db, Key destination, ArrayList<Key> members, String event, ReplySink out) {
        if (members.isEmpty()) {
            if (db.remove(destination)) {
                db.notify(GENERIC, "del", destination);
            }
            out.integer(0);
            return;
        }
        MemberSet s = new MemberSet();
        for (Key m : members) {
            s.add(m);
        }
        db.put(destination, s, NO_EXPIRY);
        db.notify(SET, event, destination);
        out.integer(s.size());
    }

    private static void reply(ArrayList<Key> members, ReplySink out) {
        out.setHeader(members.size());
        for (Key m : members) {
            bulk(m, out);
        }
    }

    private static void bulk(Key m, ReplySink out) {
        out.bulk(m.array(), m.offset(), m.length());
    }
}
