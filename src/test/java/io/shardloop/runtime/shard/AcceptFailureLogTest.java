package io.shardloop.runtime.shard;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failed accepts are all counted, and logged at most once a second per server. */
class AcceptFailureLogTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldLogAtMostOneLineASecondOverAllShardsAndCountTheRest() {
        AcceptFailureLog log = new AcceptFailureLog();
        long t0 = System.nanoTime();
        assertTrue(log.onFailure("shard-0", 6379, "Too many open files", 10 * MS, t0));
        int logged = 0;
        for (int i = 1; i <= 5_000; i++) {
            // 5,000 failures over 2.5 s on two shards
            if (log.onFailure("shard-" + (i % 2), 6379, "Too many open files", 20 * MS, t0 + i * MS / 2)) {
                logged++;
            }
        }
        assertEquals(2, logged, "one line at 1 s and one at 2 s");
        assertEquals(5_001, log.failures());
        assertEquals(1_000, log.unlogged(), "the failures after the last line wait for the next one");
    }

    @Test
    void shouldSayHowLongTheListenerPausesAndHowManyFailuresWentUnlogged() {
        assertEquals("shard-1: accept failed on port 6379: Too many open files; not accepting there for 40 ms"
                        + " (1999 more failures since the last line)",
                AcceptFailureLog.line("shard-1", 6379, "Too many open files", 40 * MS, 1999));
        assertEquals("shard-0: accept failed on port 80: Connection reset by peer (1 more failure since the last line)",
                AcceptFailureLog.line("shard-0", 80, "Connection reset by peer", 0, 1));
        assertFalse(AcceptFailureLog.line("shard-0", 80, "x", 0, 0).contains("since"));
    }
}
