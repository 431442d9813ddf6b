package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code notify-keyspace-events} classes as Redis parses and renders them, and the events the
 * shared-state stores publish on the thread that runs the command, with a clock the test moves:
 * a key found past its deadline is {@code expired} once, a new key is {@code new} only with the n
 * class, and nothing goes out while the classes are off.
 */
class KeyspaceEventsTest {
    private static final int CALLS = 100_000;

    @Test
    void shouldParseAndRenderTheClassesAsRedisDoes() {
        assertEquals("A", KeyspaceEvents.render(KeyspaceEvents.parse("An")));
        assertEquals("AKE", KeyspaceEvents.render(KeyspaceEvents.parse("KEA")));
        assertEquals("A", KeyspaceEvents.render(KeyspaceEvents.parse("g$lshzxetd")));
        assertEquals("nK", KeyspaceEvents.render(KeyspaceEvents.parse("Kn")));
        assertEquals("$lshzxetdnm", KeyspaceEvents.render(KeyspaceEvents.parse("$lshzxetmdn")));
        assertEquals("glE", KeyspaceEvents.render(KeyspaceEvents.parse("Elg")));
        assertEquals("", KeyspaceEvents.render(KeyspaceEvents.parse("")));
        assertEquals(-1, KeyspaceEvents.parse("KEQ"));
        KeyspaceEvents events = new KeyspaceEvents();
        assertEquals("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.", events.set("x!"));
        assertNull(events.set("Kx"));
        assertEquals("xK", events.get());
    }

    @Test
    void shouldPublishLazyExpiryNewKeysAndCommandEventsFromEveryStore() {
        for (StateMode mode : new StateMode[] {StateMode.LOCKED, StateMode.CONCURRENT}) {
            AtomicLong clock = new AtomicLong(1_000);
            KeyspaceEvents events = new KeyspaceEvents();
            List<String> published = new ArrayList<>();
            events.bindThisThread((channel, message) -> published.add(
                    new String(channel, StandardCharsets.UTF_8) + " " + new String(message, StandardCharsets.UTF_8)));
            Store store = mode.create(1, 16, clock::get, events);

            run(store, "SET", "a", "1");
            assertEquals(List.of(), published, mode + ": off by default");

            assertNull(events.set("KEA"));
            run(store, "SET", "a", "1", "PX", "10");
            assertEquals(List.of("__keyspace@0__:a set", "__keyevent@0__:set a",
                    "__keyspace@0__:a expire", "__keyevent@0__:expire a"), published, mode.name());
            published.clear();
            clock.addAndGet(11);
            run(store, "GET", "a");
            run(store, "GET", "a");
            assertEquals(List.of("__keyspace@0__:a expired", "__keyevent@0__:expired a"), published, mode.name());

            published.clear();
            assertNull(events.set("Kn$"));
            run(store, "RPUSH", "l", "x");
            run(store, "APPEND", "s", "x");
            run(store, "APPEND", "s", "y");
            assertEquals(List.of("__keyspace@0__:l new", "__keyspace@0__:s new", "__keyspace@0__:s append",
                    "__keyspace@0__:s append"), published, mode + ": list events are off, new ones on");

            published.clear();
            CommandArgs inDb3 = CommandArgs.of("SET", "d", "1").db(3);
            store.execute(inDb3, new BufferReplyWriter());
            assertEquals(List.of("__keyspace@3__:d new", "__keyspace@3__:d set"), published, mode.name());
        }
    }

    @Test
    void shouldAllocateNothingForAnEventWhoseClassIsOff() {
        KeyspaceEvents events = new KeyspaceEvents();
        events.bindThisThread((channel, message) -> {
            throw new AssertionError("published");
        });
        Key key = Key.wrap("k".getBytes(StandardCharsets.US_ASCII));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (String classes : new String[] {"", "Kl"}) {
            assertNull(events.set(classes));
            long before = threads.getCurrentThreadAllocatedBytes();
            notifyMany(events, key);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // Less than a byte per event: what the JIT's work on this thread may cost, never an object per call.
            assertTrue(allocated < CALLS, "classes '" + classes + "': " + allocated + " bytes for " + CALLS + " events");
        }
    }

    private static void notifyMany(KeyspaceEvents events, Key key) {
        for (int i = 0; i < CALLS; i++) {
            events.notify(KeyspaceEvents.STRING, "set", key, 0);
        }
    }

    private static void run(Store store, String... words) {
        store.execute(CommandArgs.of(words), new BufferReplyWriter());
    }
}
