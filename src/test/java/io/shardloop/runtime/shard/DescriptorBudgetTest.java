package io.shardloop.runtime.shard;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection limit follows the open-file limit, as Redis lowers maxclients to it. */
class DescriptorBudgetTest {
    @Test
    void shouldReserveDescriptorsForTheProcessTheSelectorsTheListenersTheOffloadThreadsAndFilesServed() {
        // 64 for the JVM + 2 shards x (2 for the selector + 1 listener) + 4 offload threads + 64 files
        assertEquals(138, DescriptorBudget.reserveFor(2, 1, 4));
        assertEquals(64 + 8 * (2 + 2) + 4 + 64, DescriptorBudget.reserveFor(8, 2, 4));
    }

    @Test
    void shouldLowerTheDefaultBelowTheOpenFileLimitAndSaySo() {
        DescriptorBudget.Choice choice = new DescriptorBudget(1024, 138).choose(null);
        assertEquals(886, choice.maxConnections());
        assertFalse(choice.warning());
        assertTrue(choice.line().startsWith("max-connections is 886, below the default of 100000: the process may open 1024 files"),
                choice.line());
    }

    @Test
    void shouldKeepTheDefaultQuietlyWhenTheLimitLeavesRoomForIt() {
        DescriptorBudget.Choice choice = new DescriptorBudget(1_048_576, 138).choose(null);
        assertEquals(DescriptorBudget.DEFAULT_MAX_CONNECTIONS, choice.maxConnections());
        assertNull(choice.line());
        assertEquals(DescriptorBudget.DEFAULT_MAX_CONNECTIONS, new DescriptorBudget(-1, 138).choose(null).maxConnections());
    }

    @Test
    void shouldKeepAValueAskedAboveTheLimitWithOneWarning() {
        DescriptorBudget.Choice choice = new DescriptorBudget(256, 138).choose(100_000);
        assertEquals(100_000, choice.maxConnections());
        assertTrue(choice.warning());
        assertTrue(choice.line().startsWith("--max-connections 100000 is more than the open-file limit of 256 leaves room for (118"),
                choice.line());
    }

    @Test
    void shouldKeepAValueThatFitsWithoutAWord() {
        DescriptorBudget.Choice choice = new DescriptorBudget(1024, 138).choose(500);
        assertEquals(500, choice.maxConnections());
        assertNull(choice.line());
    }

    @Test
    void shouldLeaveRoomForOneConnectionWhenTheReserveTakesTheWholeLimit() {
        assertEquals(1, new DescriptorBudget(100, 138).choose(null).maxConnections());
    }

    @Test
    void shouldReadThisProcesssLimit() {
        long limit = DescriptorBudget.processFileLimit();
        assertTrue(limit == -1 || limit > 0, "limit " + limit);
    }
}
