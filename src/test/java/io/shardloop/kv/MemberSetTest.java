package io.shardloop.kv;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberSetTest {

    private static Key key(int i) {
        return Key.of("m" + i);
    }

    private static Set<String> contents(MemberSet s) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < s.size(); i++) {
            assertTrue(out.add(s.member(i).toString()), "a member appears once");
        }
        return out;
    }

    @Test
    void shouldBehaveAsASetUnderRandomAddsRemovesAndPops() {
        SplittableRandom random = new SplittableRandom(11);
        MemberSet set = new MemberSet();
        Set<String> model = new HashSet<>();
        for (int step = 0; step < 200_000; step++) {
            int op = random.nextInt(10);
            // Grow for a while, then shrink, so the index both grows and shrinks.
            int range = step < 100_000 ? 5_000 : 500;
            Key k = key(random.nextInt(range));
            if (op < 5) {
                assertEquals(model.add(k.toString()), set.add(Key.probe().view(k.array(), k.offset(), k.length())));
            } else if (op < 8) {
                assertEquals(model.remove(k.toString()), set.remove(k));
            } else if (op == 8 && !set.isEmpty()) {
                Key popped = set.removeIndex(random.nextInt(set.size()));
                assertTrue(model.remove(popped.toString()), "popped a member: " + popped);
                assertFalse(set.contains(popped));
            } else {
                assertEquals(model.contains(k.toString()), set.contains(k));
            }
            assertEquals(model.size(), set.size());
        }
        assertEquals(model, contents(set));
        while (!set.isEmpty()) {
            set.removeIndex(set.size() - 1);
        }
        assertFalse(set.contains(key(1)));
    }

    @Test
    void shouldKeepAProbeAddedMemberIndependentOfTheProbesBytes() {
        MemberSet set = new MemberSet();
        byte[] buffer = "abc".getBytes();
        set.add(Key.probe().view(buffer, 0, 3));
        buffer[0] = 'x';
        assertTrue(set.contains(Key.of("abc")));
        assertFalse(set.contains(Key.of("xbc")));
    }

    @Test
    void shouldPickEveryMemberWithRoughlyEqualChanceWhenPoppingAtRandomIndices() {
        Map<String, Integer> firstPops = new HashMap<>();
        SplittableRandom random = new SplittableRandom(5);
        for (int round = 0; round < 4_000; round++) {
            MemberSet set = new MemberSet();
            for (int i = 0; i < 8; i++) {
                set.add(key(i));
            }
            set.remove(key(3)); // removals must not bias the choice
            firstPops.merge(set.removeIndex(random.nextInt(set.size())).toString(), 1, Integer::sum);
        }
        assertEquals(7, firstPops.size());
        firstPops.values().forEach(n -> assertTrue(n > 400 && n < 750, "counts " + firstPops));
    }
}
