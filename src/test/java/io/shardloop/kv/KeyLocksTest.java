package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The intent locks of one shard: grants in order of arrival, shared reads, and the rule that keeps waits acyclic. */
class KeyLocksTest {
    private final KeyLocks locks = new KeyLocks();
    private final List<String> granted = new ArrayList<>();

    private KeyLocks.Entry entry(long id, String name, boolean write, String... keys) {
        Key[] k = new Key[keys.length];
        boolean[] w = new boolean[keys.length];
        for (int i = 0; i < keys.length; i++) {
            k[i] = Key.of(keys[i]);
            w[i] = write;
        }
        return new KeyLocks.Entry(id, k, w, false, () -> granted.add(name));
    }

    @Test
    void entriesOverOtherKeysOrReadingTheSameAreGrantedAtOnce() {
        assertEquals(KeyLocks.GRANTED, locks.acquire(entry(1, "a", true, "x")));
        assertEquals(KeyLocks.GRANTED, locks.acquire(entry(2, "b", true, "y")));
        assertEquals(KeyLocks.GRANTED, locks.acquire(entry(3, "r1", false, "z")));
        assertEquals(KeyLocks.GRANTED, locks.acquire(entry(4, "r2", false, "z")));
        assertEquals(4, locks.size());
    }

    @Test
    void aConflictingEntryWaitsAndIsGrantedWhenTheOneAheadLetsGo() {
        KeyLocks.Entry first = entry(1, "first", true, "x");
        KeyLocks.Entry second = entry(2, "second", false, "x", "y");
        KeyLocks.Entry third = entry(3, "third", true, "y");
        assertEquals(KeyLocks.GRANTED, locks.acquire(first));
        assertEquals(KeyLocks.WAITING, locks.acquire(second));
        assertEquals(KeyLocks.WAITING, locks.acquire(third), "behind the reader of y that waits ahead of it");
        locks.release(first);
        assertEquals(List.of("second"), granted);
        locks.release(second);
        assertEquals(List.of("second", "third"), granted);
        locks.release(third);
        assertTrue(locks.isEmpty());
    }

    @Test
    void anEntryThatWouldWaitBehindALargerIdIsRefusedAndNotQueued() {
        assertEquals(KeyLocks.GRANTED, locks.acquire(entry(7, "young", true, "x")));
        assertEquals(KeyLocks.RETRY, locks.acquire(entry(5, "old", true, "x")));
        assertEquals(1, locks.size());
        assertEquals(KeyLocks.GRANTED, locks.acquire(entry(6, "old but elsewhere", true, "y")),
                "no conflict: a smaller id is taken when it waits for nobody");
    }

    @Test
    void plainCommandsAreBlockedByHeldAndAwaitedKeysInTheirMode() {
        locks.acquire(entry(1, "reader", false, "r"));
        locks.acquire(entry(2, "writer", true, "w"));
        Command get = CommandTable.find(CommandArgs.of("GET", "r"));
        Command set = CommandTable.find(CommandArgs.of("SET", "r", "1"));
        assertFalse(locks.blocks(get, CommandArgs.of("GET", "r")), "reads share");
        assertTrue(locks.blocks(set, CommandArgs.of("SET", "r", "1")), "a write waits for a reader");
        assertTrue(locks.blocks(get, CommandArgs.of("GET", "w")), "a read waits for a writer");
        assertFalse(locks.blocks(set, CommandArgs.of("SET", "other", "1")));
        Command flush = CommandTable.find(CommandArgs.of("FLUSHALL"));
        assertTrue(locks.blocks(flush, CommandArgs.of("FLUSHALL")), "a command over every key waits for any entry");
    }

    @Test
    void aGrantThatReleasesAtOnceLetsTheNextOneGoInTheSameWalk() {
        KeyLocks.Entry holder = entry(1, "holder", true, "x");
        locks.acquire(holder);
        KeyLocks.Entry[] plain = new KeyLocks.Entry[1];
        plain[0] = new KeyLocks.Entry(2, new Key[] {Key.of("x")}, new boolean[] {true}, false, () -> {
            granted.add("plain");
            locks.release(plain[0]); // a plain command runs and leaves inside its grant
        });
        locks.acquire(plain[0]);
        locks.acquire(entry(3, "after", true, "x"));
        locks.release(holder);
        assertEquals(List.of("plain", "after"), granted);
    }
}
