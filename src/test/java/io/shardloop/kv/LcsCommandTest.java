package io.shardloop.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The LCS table and its walk back, against replies redis-server 7.0 gave for the same strings. */
class LcsCommandTest {
    private static LcsCommand.Result lcs(String a, String b, long minMatchLen) {
        return LcsCommand.compute(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII),
                minMatchLen, true);
    }

    @Test
    void shouldFindTheSubsequenceAndItsRangesFromTheEnd() {
        LcsCommand.Result r = lcs("ohmytext", "mynewtext", 0);
        assertEquals("mytext", new String(r.subsequence(), StandardCharsets.US_ASCII));
        assertEquals(6, r.length());
        assertEquals(List.of(new LcsCommand.Match(4, 7, 5, 8), new LcsCommand.Match(2, 3, 0, 1)), r.matches());
    }

    @Test
    void shouldDropTheMatchThatBreaksARangeAsRedisDoes() {
        LcsCommand.Result r = lcs("ABCBDAB", "BDCABA", 0);
        assertEquals("BDAB", new String(r.subsequence(), StandardCharsets.US_ASCII));
        // Redis reports two ranges of two, not the four single matches the subsequence is made of.
        assertEquals(List.of(new LcsCommand.Match(5, 6, 3, 4), new LcsCommand.Match(3, 4, 0, 1)), r.matches());
    }

    @Test
    void shouldKeepOnlyRangesOfTheMinimumLength() {
        LcsCommand.Result r = lcs("ohmytext", "mynewtext", 3);
        assertEquals(List.of(new LcsCommand.Match(4, 7, 5, 8)), r.matches());
        assertEquals(2, lcs("aaaa", "aa", 0).length());
        assertEquals(List.of(new LcsCommand.Match(2, 3, 0, 1)), lcs("aaaa", "aa", 0).matches());
    }

    @Test
    void shouldComputeOnlyTheLengthWhenNotWalking() {
        LcsCommand.Result r = LcsCommand.compute("abc".getBytes(StandardCharsets.US_ASCII),
                "xbc".getBytes(StandardCharsets.US_ASCII), 0, false);
        assertEquals(2, r.length());
        assertNull(r.subsequence());
        assertEquals(0, lcs("", "abc", 0).length());
    }
}
