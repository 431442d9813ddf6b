package io.shardloop.kv;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The line of waiters per key: one signaled at a time, oldest first, no wake-up lost. */
class BlockedKeysTest {
    private final Set<Key> holding = new HashSet<>();
    private final BlockedKeys blocked = new BlockedKeys(holding::contains);
    private final List<String> signals = new ArrayList<>();
    private final Key key = Key.wrap("k".getBytes());

    private BlockedKeys.Waiter waiter(long id) {
        return new BlockedKeys.Waiter() {
            @Override
            public long waitId() {
                return id;
            }

            @Override
            public void onReady(Key k) {
                signals.add(id + ":" + new String(k.array(), k.offset(), k.length()));
            }
        };
    }

    @Test
    void aPutSignalsOnlyTheOldestWaiter() {
        blocked.block(key, waiter(1));
        blocked.block(key, waiter(2));
        assertTrue(signals.isEmpty(), "nothing there yet");
        holding.add(key);
        blocked.written(key);
        blocked.written(key);
        assertEquals(List.of("1:k"), signals, "one signaled at a time");
    }

    @Test
    void aServedWaiterPassesTheKeyOnWhileItHoldsSomething() {
        blocked.block(key, waiter(1));
        blocked.block(key, waiter(2));
        holding.add(key);
        blocked.written(key);
        blocked.leave(key, 1);
        assertEquals(List.of("1:k", "2:k"), signals);
        holding.remove(key);
        blocked.leave(key, 2);
        assertTrue(blocked.isEmpty(), "the line goes with its last waiter");
    }

    @Test
    void aWaiterThatFoundNothingKeepsItsPlaceAndIsSignaledAgainOnlyAfterAnotherPut() {
        blocked.block(key, waiter(1));
        blocked.block(key, waiter(2));
        holding.add(key);
        blocked.written(key);
        holding.remove(key); // another client took it
        blocked.decline(key, 1);
        assertEquals(List.of("1:k"), signals, "no put since: no signal");
        holding.add(key);
        blocked.written(key);
        assertEquals(List.of("1:k", "1:k"), signals, "still first in line");
    }

    @Test
    void aPutWhileTheSignaledWaiterIsAwayIsNotLost() {
        blocked.block(key, waiter(1));
        holding.add(key);
        blocked.written(key);
        blocked.written(key); // while 1 runs: noted
        blocked.decline(key, 1); // 1's run came before that put
        assertEquals(List.of("1:k", "1:k"), signals);
    }

    @Test
    void aWaiterJoiningAKeyThatHoldsSomethingIsSignaledAtOnce() {
        holding.add(key);
        blocked.block(key, waiter(7));
        assertEquals(List.of("7:k"), signals);
    }

    @Test
    void aWaiterLeavingBeforeItIsSignaledLeavesTheOthersTheirPlaces() {
        blocked.block(key, waiter(1));
        blocked.block(key, waiter(2));
        blocked.block(key, waiter(3));
        blocked.leave(key, 2);
        holding.add(key);
        blocked.written(key);
        blocked.leave(key, 1);
        assertEquals(List.of("1:k", "3:k"), signals);
    }
}
