package io.shardloop.resp;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONFIG's parameters: Redis's readings of numbers and sizes, and a SET that applies all or none. */
class ServerSettingsTest {
    private final AtomicLong maxMemory = new AtomicLong();
    private final AtomicLong scriptLimit = new AtomicLong(5000);
    private final ServerSettings settings = new ServerSettings(maxMemory::get, maxMemory::set, () -> 100, () -> 0,
            16, true, 5000, scriptLimit::set);

    @Test
    void shouldReadSizesAsRedissMemtoull() {
        assertEquals(1024, ServerSettings.memory("1kb"));
        assertEquals(1000, ServerSettings.memory("1K"));
        assertEquals(3L << 30, ServerSettings.memory("3GB"));
        assertEquals(5_000_000, ServerSettings.memory("5m"));
        assertEquals(7, ServerSettings.memory("7b"));
        assertEquals(-1, ServerSettings.memory("1.5mb"));
        assertEquals(-1, ServerSettings.memory("-1"));
        assertEquals(-1, ServerSettings.memory("mb"));
        assertEquals(-1, ServerSettings.memory("99999999999999999999"));
    }

    @Test
    void shouldReadIntegersAsRedissString2ll() {
        assertEquals(-5L, ServerSettings.strictLong("-5"));
        assertEquals(0L, ServerSettings.strictLong("0"));
        assertNull(ServerSettings.strictLong("+5"));
        assertNull(ServerSettings.strictLong("05"));
        assertNull(ServerSettings.strictLong(" 5"));
        assertNull(ServerSettings.strictLong("-"));
        assertNull(ServerSettings.strictLong("9223372036854775808"));
    }

    @Test
    void shouldReadSavePointsAsRedissConfigDoesAndSetThemIntoTheServers() {
        java.util.concurrent.atomic.AtomicReference<io.shardloop.persist.SavePoints> points =
                new java.util.concurrent.atomic.AtomicReference<>(io.shardloop.persist.SavePoints.parse("3600 1"));
        java.util.concurrent.atomic.AtomicBoolean appendOnly = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<io.shardloop.persist.AppendLog.Fsync> fsync =
                new java.util.concurrent.atomic.AtomicReference<>(io.shardloop.persist.AppendLog.Fsync.EVERYSEC);
        io.shardloop.persist.DiskControl disk = new io.shardloop.persist.DiskControl() {
            @Override public Reply bgsave(boolean schedule) { return null; }
            @Override public void save(java.util.function.Consumer<Reply> done) { }
            @Override public void finalSave(java.util.function.Consumer<Reply> done) { }
            @Override public long lastSave() { return 0; }
            @Override public Reply bgrewriteaof() { return null; }
            @Override public java.util.Map<String, Object> info() { return java.util.Map.of(); }
            @Override public io.shardloop.persist.SavePoints savePoints() { return points.get(); }
            @Override public void savePoints(io.shardloop.persist.SavePoints p) { points.set(p); }
            @Override public io.shardloop.persist.AppendLog.Fsync appendfsync() { return fsync.get(); }
            @Override public void appendfsync(io.shardloop.persist.AppendLog.Fsync f) { fsync.set(f); }
            @Override public boolean appendOnly() { return appendOnly.get(); }
            @Override public String appendOnlyRefused(boolean on) { return on || !appendOnly.get() ? null : "not off"; }
            @Override public void appendOnly(boolean on) { appendOnly.set(on); }
        };
        settings.persistence(io.shardloop.persist.PersistenceConfig.defaults(), disk);
        assertEquals(List.of("3600 1"), settings.get(List.of("save")).stream().map(p -> p[1]).toList());
        assertNull(settings.set(List.of("save", "+900 1 300 10")));
        assertEquals("900 1 300 10", points.get().toString(), "the server's own, as Redis shows them");
        assertNull(settings.set(List.of("save", "60  3600 4")), "two spaces: an empty word, which strtoll reads as 0");
        assertEquals("60 0 3600 4", settings.get(List.of("save")).get(0)[1]);
        assertNull(settings.set(List.of("save", "1 2147483648")));
        assertEquals("1 -2147483648", points.get().toString(), "changes are an int in Redis");
        for (String bad : new String[] {"3600", "0 1", "1 -1", " 5 3", "abc 1", "1 2 ", "1 x"}) {
            assertEquals("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
                    settings.set(List.of("save", bad)), bad);
        }
        assertEquals("1 -2147483648", points.get().toString(), "nothing applied");
        assertNull(settings.set(List.of("save", "")));
        assertEquals(io.shardloop.persist.SavePoints.NONE, points.get());
        assertNull(settings.set(List.of("appendfsync", "ALWAYS")));
        assertEquals(io.shardloop.persist.AppendLog.Fsync.ALWAYS, fsync.get());
        assertEquals("always", settings.get(List.of("appendfsync")).get(0)[1]);
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of "
                + "the following: always, everysec, no", settings.set(List.of("appendfsync", "sometimes")));
        assertEquals(io.shardloop.persist.AppendLog.Fsync.ALWAYS, fsync.get(), "nothing applied");
        assertEquals("no", settings.get(List.of("appendonly")).get(0)[1]);
        assertNull(settings.set(List.of("appendonly", "yes")));
        assertEquals("yes", settings.get(List.of("appendonly")).get(0)[1]);
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'appendonly') - not off",
                settings.set(List.of("appendonly", "no")), "the server's refusal");
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'",
                settings.set(List.of("appendonly", "maybe")));
        assertTrue(appendOnly.get());
    }

    @Test
    void shouldApplyEveryPairOrNone() {
        assertNull(settings.set(List.of("maxmemory", "2mb", "LUA-TIME-LIMIT", "750", "slowlog-max-len", "3")));
        assertEquals(2L << 20, maxMemory.get());
        assertEquals(750, scriptLimit.get());
        assertEquals(3, settings.slowlogMaxLen());
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument "
                + "couldn't be parsed into an integer",
                settings.set(List.of("maxmemory", "0", "slowlog-log-slower-than", "x")));
        assertEquals(2L << 20, maxMemory.get(), "nothing applied");
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument "
                + "couldn't be parsed into an integer", settings.set(List.of("LUA-time-limit", "x")),
                "a failed value names the parameter by the name it was found by, as Redis does");
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'maxclients') - can't set immutable config",
                settings.set(List.of("Maxclients", "5")));
        assertNull(settings.set(List.of("maxclients", "100", "protected-mode", "YES")), "what they are already");
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'Databases') - can't set immutable config",
                settings.set(List.of("Databases", "1")), "immutable in Redis too");
        assertEquals(List.of("100"), settings.get(List.of("maxclients")).stream().map(p -> p[1]).toList());
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'appendonly') - can't set immutable config",
                settings.set(List.of("appendonly", "yes")), "what the server started with");
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'",
                settings.set(List.of("appendonly", "maybe")));
    }
}
