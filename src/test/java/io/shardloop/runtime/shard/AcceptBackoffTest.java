package io.shardloop.runtime.shard;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How long a listener stops accepting when accepts fail for want of descriptors, buffers or memory. */
class AcceptBackoffTest {
    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Test
    void shouldDoubleThePauseFromTenMillisecondsToOneSecondWhileFailuresRepeat() {
        AcceptBackoff backoff = new AcceptBackoff();
        long[] expected = {10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000};
        for (long pause : expected) {
            assertEquals(pause, millis(backoff.onExhausted()));
        }
    }

    @Test
    void shouldStartFromTheShortestPauseAgainAfterAnAcceptSucceeds() {
        AcceptBackoff backoff = new AcceptBackoff();
        for (int i = 0; i < 12; i++) {
            backoff.onExhausted();
        }
        backoff.onAccepted();
        assertEquals(10, millis(backoff.onExhausted()));
        assertEquals(20, millis(backoff.onExhausted()));
    }

    @Test
    void shouldTellRunningOutOfResourcesFromAFailureOfTheConnectionItself() {
        assertTrue(AcceptBackoff.isResourceExhaustion(new IOException("Too many open files")));          // EMFILE
        assertTrue(AcceptBackoff.isResourceExhaustion(new IOException("Too many open files in system"))); // ENFILE
        assertTrue(AcceptBackoff.isResourceExhaustion(new IOException("No buffer space available")));    // ENOBUFS
        assertTrue(AcceptBackoff.isResourceExhaustion(new IOException("Cannot allocate memory")));        // ENOMEM
        assertFalse(AcceptBackoff.isResourceExhaustion(new IOException("Connection reset by peer")));
        assertFalse(AcceptBackoff.isResourceExhaustion(new IOException("Protocol error")));
        assertFalse(AcceptBackoff.isResourceExhaustion(new IOException()));
    }
}
