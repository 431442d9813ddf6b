package io.shardloop.kv;

import org.junit.jupiter.api.Test;

import java.util.HashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key header's LRU clock, as Redis's evict.c computes it, and its conversion bit. */
class ObjectHeaderTest {
    @Test
    void clockIsSecondsModuloTwoToTheTwentyFour() {
        assertEquals(1_700_000_000 & ObjectHeader.LRU_CLOCK_MAX, ObjectHeader.lruClock(1_700_000_000_999L));
        assertEquals(0, ObjectHeader.lruClock((1L << 24) * 1000));
    }

    @Test
    void idleTimeCountsAcrossTheClocksWrapAsRedisDoes() {
        int header = ObjectHeader.fresh(ObjectHeader.LRU_CLOCK_MAX - 2);
        assertEquals(0, ObjectHeader.idleMillis(header, ObjectHeader.LRU_CLOCK_MAX - 2));
        assertEquals(2_000, ObjectHeader.idleMillis(header, ObjectHeader.LRU_CLOCK_MAX));
        // estimateObjectIdleTime: clock + (LRU_CLOCK_MAX - lru), so a wrap to 3 reads 5 seconds
        assertEquals(5_000, ObjectHeader.idleMillis(header, 3));
    }

    @Test
    void restoresAnIdleTimeAndWrapsItBelowZero() {
        assertEquals(1000_000, ObjectHeader.idleMillis(ObjectHeader.idleFor(0, 5000, 1000), 5000));
        int h = ObjectHeader.idleFor(ObjectHeader.CONVERTED, 10, 1000);
        assertTrue(ObjectHeader.converted(h), "the flags stay");
        assertEquals(10 - 1000 + ObjectHeader.LRU_CLOCK_MAX, h & ObjectHeader.LRU_CLOCK_MAX);
    }

    @Test
    void aTouchStampsTheClockAndMarksAContainerPastItsEntryLimit() {
        EncodingThresholds limits = new EncodingThresholds();
        limits.hashMaxListpackEntries(2);
        HashMap<Key, byte[]> hash = new HashMap<>();
        hash.put(Key.copyOf(new byte[] {'a'}, 0, 1), new byte[] {'1'});
        int h = ObjectHeader.touched(ObjectHeader.fresh(7), 9, hash, limits);
        assertEquals(9, h & ObjectHeader.LRU_CLOCK_MAX);
        assertFalse(ObjectHeader.converted(h));
        hash.put(Key.copyOf(new byte[] {'b'}, 0, 1), new byte[] {'2'});
        hash.put(Key.copyOf(new byte[] {'c'}, 0, 1), new byte[] {'3'});
        h = ObjectHeader.touched(h, 9, hash, limits);
        assertTrue(ObjectHeader.converted(h));
        hash.clear();
        assertTrue(ObjectHeader.converted(ObjectHeader.touched(h, 10, hash, limits)), "never back");
        assertFalse(ObjectHeader.converted(ObjectHeader.touched(0, 1, new byte[100], limits)), "strings have no limit here");
    }
}
