package io.shardloop.kv;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class SortedSetTest {
    private record Entry(double score, Key member) {
    }

    private static final Comparator<Entry> ORDER =
            Comparator.comparingDouble(Entry::score).thenComparing(Entry::member);

    @Test
    void shouldOrderByScoreThenMemberBytesUnsigned() {
        SortedSet z = new SortedSet();
        z.insert(Key.of("b"), 1);
        z.insert(Key.of("a"), 1);
        z.insert(Key.wrap(new byte[] {(byte) 0xff}), 1);
        z.insert(Key.of("z"), 0.5);
        z.insert(Key.of("m"), Double.NEGATIVE_INFINITY);
        List<String> order = new ArrayList<>();
        for (SortedSet.Node n = z.first(); n != null; n = n.next()) {
            order.add(n.member.toString());
        }
        assertEquals(List.of("m", "z", "a", "b", "\u00ff"), order);
        assertEquals("\u00ff", z.last().member.toString());
        assertEquals("b", z.last().previous().member.toString());
        assertNull(z.first().previous());
    }

    @Test
    void shouldAgreeWithAnOrderedModelThroughRandomInsertsUpdatesAndRemovals() {
        Random random = new Random(7);
        SortedSet z = new SortedSet();
        TreeSet<Entry> model = new TreeSet<>(ORDER);
        Map<Key, Double> scores = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            Key member = Key.of("m" + random.nextInt(600));
            double score = random.nextInt(50) / 4.0;
            SortedSet.Node n = z.node(member);
            int op = random.nextInt(3);
            if (n == null) {
                z.insert(member, score);
                model.add(new Entry(score, member));
                scores.put(member, score);
            } else if (op == 0) {
                z.remove(n);
                model.remove(new Entry(scores.remove(member), member));
            } else {
                z.updateScore(n, score);
                model.remove(new Entry(scores.get(member), member));
                model.add(new Entry(score, member));
                scores.put(member, score);
            }
            if (step % 1000 == 0) {
                assertAgrees(model, z);
            }
        }
        assertAgrees(model, z);
        while (!z.isEmpty()) {
            z.remove(z.byRank(random.nextInt(z.size())));
        }
        assertNull(z.first());
        assertNull(z.last());
    }

    private static void assertAgrees(TreeSet<Entry> model, SortedSet z) {
        assertEquals(model.size(), z.size());
        int rank = 0;
        SortedSet.Node n = z.first();
        SortedSet.Node previous = null;
        for (Entry e : model) {
            assertEquals(e.member(), n.member);
            assertEquals(e.score(), n.score);
            assertSame(previous, n.previous());
            assertEquals(rank, z.rank(n));
            assertSame(n, z.byRank(rank));
            assertSame(n, z.node(e.member()));
            previous = n;
            n = n.next();
            rank++;
        }
        assertNull(n);
        assertSame(previous, z.last());
    }

    @Test
    void shouldFindTheEndsOfScoreRangesInclusiveAndExclusive() {
        SortedSet z = new SortedSet();
        for (int i = 0; i < 100; i++) {
            z.insert(Key.of("m" + i), i / 2); // two members per score
        }
        assertEquals(10, z.firstFrom(10, false).score);
        assertEquals(20, z.rank(z.firstFrom(10, false)));
        assertEquals(22, z.rank(z.firstFrom(10, true)));
        assertEquals(21, z.rank(z.lastUpTo(10, false)));
        assertEquals(19, z.rank(z.lastUpTo(10, true)));
        assertSame(z.first(), z.firstFrom(Double.NEGATIVE_INFINITY, false));
        assertSame(z.last(), z.lastUpTo(Double.POSITIVE_INFINITY, false));
        assertNull(z.firstFrom(49, true));
        assertNull(z.lastUpTo(0, true));
    }
}
