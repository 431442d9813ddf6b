package io.shardloop.kv;

import java.util.HashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The value of a Redis sorted set, as Redis holds one: a skip list ordered by (score, member bytes
 * unsigned) whose links carry spans (how many nodes each link jumps), so that insertion, removal,
 * rank and lookup by rank are O(log n); and a hash from member to its node, so that a member's score
 * is O(1). Ranges are walked from a node found by rank, score bound or lex bound, forwards along
 * level 0 or backwards along {@link Node#backward}.
 * <p>
 * Lex bounds compare members only, as Redis's do: they are meaningful when all scores are equal.
 * <p>
 * Not thread-safe: a value is touched only by the thread running a command on its key (its shard,
 * the locked store's lock holder, or the concurrent store's {@code compute} on the key).
 */
final class SortedSet {
    /** Redis's ZSKIPLIST_MAXLEVEL: enough for 2^64 members at p = 1/4. */
    static final int MAX_LEVEL = 32;

    /** One member: its score, its links per level with their spans, and the node before it. */
    static final class Node {
        final Key member;
        final double score;
        final Node[] forward;
        final int[] span;
        Node backward;

        Node(Key member, double score, int levels) {
            this.member = member;
            this.score = score;
            this.forward = new Node[levels];
            this.span = new int[levels];
        }

        /** The next node in order, or null. */
        Node next() {
            return forward[0];
        }

        /** The previous node in order, or null. */
        Node previous() {
            return backward;
        }

        int levels() {
            return forward.length;
        }
    }

    private final Node head = new Node(null, 0, MAX_LEVEL);
    private final HashMap<Key, Node> byMember = new HashMap<>();
    private final Node[] update = new Node[MAX_LEVEL];
    private final int[] rankAt = new int[MAX_LEVEL];
    private Node tail;
    private int level = 1;
    /** The longest member ever inserted: past zset-max-listpack-value, Redis's set left its listpack for good. */
    private int longestMember;

    /** An independent sorted set of the same members and scores (COPY), built in order. */
    SortedSet copy() {
        SortedSet c = new SortedSet();
        for (Node n = first(); n != null; n = n.next()) {
            c.insert(n.member, n.score);
        }
        c.longestMember = longestMember;
        return c;
    }

    int size() {
        return byMember.size();
    }

    /** The length of the longest member ever inserted, removed since or not. */
    int longestMember() {
        return longestMember;
    }

    boolean isEmpty() {
        return byMember.isEmpty();
    }

    /** The member's node (a probe may be passed), or null. */
    Node node(Key member) {
        return byMember.get(member);
    }

    Node first() {
        return head.forward[0];
    }

    Node last() {
        return tail;
    }

    /**
     * Adds a member that is not in the set (the caller checked with {@link #node}); stores an owned
     * copy of a probe.
     */
    Node insert(Key member, double score) {
        assert !Double.isNaN(score) && !byMember.containsKey(member);
        Key owned = member.owned();
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            rankAt[i] = i == level - 1 ? 0 : rankAt[i + 1];
            while (x.forward[i] != null && before(x.forward[i], score, owned)) {
                rankAt[i] += x.span[i];
                x = x.forward[i];
            }
            update[i] = x;
        }
        int levels = randomLevel();
        if (levels > level) {
            for (int i = level; i < levels; i++) {
                rankAt[i] = 0;
                update[i] = head;
                head.span[i] = size();
            }
            level = levels;
        }
        Node n = new Node(owned, score, levels);
        for (int i = 0; i < levels; i++) {
            n.forward[i] = update[i].forward[i];
            update[i].forward[i] = n;
            n.span[i] = update[i].span[i] - (rankAt[0] - rankAt[i]);
            update[i].span[i] = (rankAt[0] - rankAt[i]) + 1;
        }
        for (int i = levels; i < level; i++) {
            update[i].span[i]++;
        }
        n.backward = update[0] == head ? null : update[0];
        if (n.forward[0] != null) {
            n.forward[0].backward = n;
        } else {
            tail = n;
        }
        byMember.put(owned, n);
        longestMember = Math.max(longestMember, owned.length());
        return n;
    }

    /** Removes a node of this set. */
    void remove(Node n) {
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && before(x.forward[i], n.score, n.member)) {
                x = x.forward[i];
            }
            update[i] = x;
        }
        assert x.forward[0] == n;
        for (int i = 0; i < level; i++) {
            if (update[i].forward[i] == n) {
                update[i].span[i] += n.span[i] - 1;
                update[i].forward[i] = n.forward[i];
            } else {
                update[i].span[i]--;
            }
        }
        if (n.forward[0] != null) {
            n.forward[0].backward = n.backward;
        } else {
            tail = n.backward;
        }
        while (level > 1 && head.forward[level - 1] == null) {
            level--;
        }
        byMember.remove(n.member);
    }

    /** Gives a member of the set a new score; returns its new node. */
    Node updateScore(Node n, double score) {
        remove(n);
        return insert(n.member, score);
    }

    /** The 0-based rank of a node of this set, in ascending order. */
    long rank(Node n) {
        long rank = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && !before(n, x.forward[i].score, x.forward[i].member)) {
                rank += x.span[i];
                x = x.forward[i];
            }
            if (x == n) {
                return rank - 1;
            }
        }
        throw new IllegalStateException("not a node of this set");
    }

    /** The node at a 0-based rank, {@code 0 <= rank < size()}. */
    Node byRank(long rank) {
        long target = rank + 1;
        long traversed = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && traversed + x.span[i] <= target) {
                traversed += x.span[i];
                x = x.forward[i];
            }
            if (traversed == target) {
                return x;
            }
        }
        throw new IndexOutOfBoundsException("rank " + rank + " of " + size());
    }

    /** The first node whose score is at least {@code min} (above it when {@code exclusive}), or null. */
    Node firstFrom(double min, boolean exclusive) {
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && !atLeast(x.forward[i].score, min, exclusive)) {
                x = x.forward[i];
            }
        }
        return x.forward[0];
    }

    /** The last node whose score is at most {@code max} (below it when {@code exclusive}), or null. */
    Node lastUpTo(double max, boolean exclusive) {
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && atMost(x.forward[i].score, max, exclusive)) {
                x = x.forward[i];
            }
        }
        return x == head ? null : x;
    }

    /** The first node whose member is at or past the lex bound, or null. */
    Node firstFrom(LexBound min) {
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && !min.admitsAsMin(x.forward[i].member)) {
                x = x.forward[i];
            }
        }
        return x.forward[0];
    }

    /** The last node whose member is at or before the lex bound, or null. */
    Node lastUpTo(LexBound max) {
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && max.admitsAsMax(x.forward[i].member)) {
                x = x.forward[i];
            }
        }
        return x == head ? null : x;
    }

    static boolean atLeast(double score, double min, boolean exclusive) {
        return exclusive ? score > min : score >= min;
    }

    static boolean atMost(double score, double max, boolean exclusive) {
        return exclusive ? score < max : score <= max;
    }

    /** Whether node {@code n} sorts before (score, member). */
    private static boolean before(Node n, double score, Key member) {
        return n.score < score || (n.score == score && n.member.compareTo(member) < 0);
    }

    /** Redis's zslRandomLevel: each further level with probability 1/4. */
    private static int randomLevel() {
        int levels = 1;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (levels < MAX_LEVEL && random.nextInt(4) == 0) {
            levels++;
        }
        return levels;
    }
}
