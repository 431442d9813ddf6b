package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SORT's reading of its options, its weights and patterns, and the sharded rule for pattern keys. */
class SortCommandTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldFindTheLastStoreSkippingTheArgumentsOfOtherOptions() {
        assertEquals(0, SortCommand.storeIndex(CommandArgs.of("SORT", "k")));
        assertEquals(3, SortCommand.storeIndex(CommandArgs.of("SORT", "k", "STORE", "d")));
        assertEquals(5, SortCommand.storeIndex(CommandArgs.of("SORT", "k", "STORE", "d", "STORE", "e")));
        assertEquals(0, SortCommand.storeIndex(CommandArgs.of("SORT", "k", "GET", "STORE")));
        assertEquals(0, SortCommand.storeIndex(CommandArgs.of("SORT", "k", "BY", "STORE", "x")));
        assertEquals(0, SortCommand.storeIndex(CommandArgs.of("SORT", "k", "LIMIT", "STORE", "x")));
        assertEquals(0, SortCommand.storeIndex(CommandArgs.of("SORT", "k", "STORE")));
        Command sort = CommandTable.find(CommandArgs.of("SORT"));
        CommandArgs args = CommandArgs.of("SORT", "k", "LIMIT", "0", "1", "STORE", "d");
        assertEquals(2, sort.keyCount(args));
        assertEquals(6, sort.keyIndex(args, 1));
    }

    @Test
    void shouldReadWeightsAsStrtod() {
        assertEquals(1.5, SortCommand.score(b("1.5")));
        assertEquals(0, SortCommand.score(b("")));
        assertEquals(3, SortCommand.score(b("  3")));
        assertEquals(16, SortCommand.score(b("0x10")));
        assertTrue(Double.isNaN(SortCommand.score(b("   "))));
        assertTrue(Double.isNaN(SortCommand.score(b("1a"))));
        assertTrue(Double.isNaN(SortCommand.score(b("nan"))));
        assertTrue(Double.isNaN(SortCommand.score(b("1e999"))));
    }

    @Test
    void shouldLookUpStringsAndHashFieldsByPattern() {
        Keyspace db = new Keyspace(System::currentTimeMillis);
        db.put(Key.of("w_a"), b("7"), Db.NO_EXPIRY);
        java.util.HashMap<Key, byte[]> h = new java.util.HashMap<>();
        h.put(Key.of("f"), b("9"));
        db.put(Key.of("h_a"), h, Db.NO_EXPIRY);
        assertArrayEquals(b("7"), SortCommand.lookup(db, b("w_*"), b("a")));
        assertArrayEquals(b("9"), SortCommand.lookup(db, b("h_*->f"), b("a")));
        assertArrayEquals(b("a"), SortCommand.lookup(db, b("#"), b("a")));
        assertNull(SortCommand.lookup(db, b("h_*->g"), b("a")));
        assertNull(SortCommand.lookup(db, b("w_*->f"), b("a")), "a field of a string is nothing");
        assertNull(SortCommand.lookup(db, b("h_*"), b("a")), "a hash read as a string is nothing");
        assertNull(SortCommand.lookup(db, b("w_a"), b("a")), "no '*': no key");
        db.put(Key.of("w_a->"), b("8"), Db.NO_EXPIRY);
        assertArrayEquals(b("8"), SortCommand.lookup(db, b("w_*->"), b("a")), "'->' with no field is part of the key");
    }

    @Test
    void shouldReadPatternKeysOnlyWhereTheirFixedHashTagIsOwned() {
        Keyspace whole = new Keyspace(System::currentTimeMillis);
        assertTrue(SortCommand.patternReadable(whole, b("w_*")));
        int owner = Slots.ownerOf(b("{t}"), 0, 3, 4);
        Keyspace shard = new Keyspace(System::currentTimeMillis, owner, 4);
        Keyspace other = new Keyspace(System::currentTimeMillis, (owner + 1) % 4, 4);
        assertTrue(SortCommand.patternReadable(shard, b("{t}w_*")));
        assertTrue(SortCommand.patternReadable(shard, b("{t}h_*->f")));
        assertTrue(SortCommand.patternReadable(shard, b("nostar")));
        assertFalse(SortCommand.patternReadable(other, b("{t}w_*")));
        assertFalse(SortCommand.patternReadable(shard, b("w_*")));
        assertFalse(SortCommand.patternReadable(shard, b("{*}w")), "the tag holds the '*'");
        assertFalse(SortCommand.patternReadable(shard, b("*{t}")), "the '*' comes before the tag");
        assertFalse(SortCommand.patternReadable(shard, b("{}t*")), "an empty tag is no tag");
        Keyspace scratch = new Keyspace(System::currentTimeMillis, GatheredKeys.SCRATCH_SHARD, 1);
        assertFalse(SortCommand.patternReadable(scratch, b("{t}w_*")), "gathered keys hold no pattern key");
    }
}
