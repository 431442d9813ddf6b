package io.shardloop.kv;

import io.shardloop.persist.Crc64;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.script.ScriptEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a script may reach through redis.call on every store: its declared keys only, no command
 * that spans shards or belongs to the connection; and FUNCTION DUMP and RESTORE round trips.
 * Where these differ from Redis (which lets a script touch any key), the contract tests cannot
 * hold them against redis-server.
 */
class ScriptCommandsTest {
    private static String run(Store store, String... words) {
        BufferReplyWriter out = new BufferReplyWriter();
        store.execute(CommandArgs.of(words), out);
        return out.toString();
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldRefuseKeysNotDeclaredInKeys(StateMode mode) {
        Store store = mode.create(1, System::currentTimeMillis);
        assertEquals("+OK\r\n", run(store, "EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "{t}a"));
        String reply = run(store, "EVAL", "return redis.call('get', 'elsewhere')", "1", "{t}a");
        assertTrue(reply.startsWith("-ERR Script attempted to access a non local key in a cluster node script: "), reply);
        assertEquals(":0\r\n", run(store, "EVAL", "return redis.pcall('del', KEYS[1], 'x').err and 0 or 1", "1", "{t}a"));
        assertEquals("$1\r\nv\r\n", run(store, "GET", "{t}a"));
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldRefuseCommandsThatSpanShardsOrTheConnection(StateMode mode) {
        Store store = mode.create(1, System::currentTimeMillis);
        assertEquals(bulk("ERR 'keys' reads every shard and is not allowed from scripts"),
                run(store, "EVAL", "return redis.pcall('keys', '*').err", "0"));
        assertEquals(bulk("ERR 'dbsize' reads every shard and is not allowed from scripts"),
                run(store, "EVAL", "return redis.pcall('dbsize').err", "0"));
        assertEquals(bulk("ERR 'info' is answered by the connection and is not allowed from scripts"),
                run(store, "EVAL", "return redis.pcall('info').err", "0"));
        assertEquals(bulk("ERR This Redis command is not allowed from script"),
                run(store, "EVAL", "return redis.pcall('script', 'flush').err", "0"));
        assertEquals("+PONG\r\n", run(store, "EVAL", "return redis.call('ping')", "0"));
    }

    /** Only the keys of the caller's database gather: a script over keys of several shards may not SELECT another. */
    @org.junit.jupiter.api.Test
    void shouldRefuseSelectOfAnotherDatabaseInAScriptOverKeysOfSeveralShards() {
        Store store = StateMode.SHARDED.create(4, System::currentTimeMillis);
        String a = "a";
        String b = "b";
        for (int i = 0; Slots.ownerOf(a.getBytes(), 0, 1, 4) == Slots.ownerOf(b.getBytes(), 0, b.length(), 4); i++) {
            b = "b" + i;
        }
        String script = "redis.call('set', KEYS[1], 'x'); return redis.pcall('select', ARGV[1])";
        assertEquals(bulk(ScriptCommands.GATHERED_SELECT), run(store, "EVAL", script + ".err", "2", a, b, "3"));
        assertEquals("+OK\r\n", run(store, "EVAL", script, "2", a, b, "0"), "its own database");
        assertEquals("+OK\r\n", run(store, "EVAL", script, "1", a, "3"), "keys of one shard: any database");
    }

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void shouldRoundTripLibrariesThroughDumpAndRestore(StateMode mode) {
        Store store = mode.create(1, System::currentTimeMillis);
        run(store, "FUNCTION", "FLUSH");
        String lib = "#!lua name=dumped\nredis.register_function('dumpedf', function() return 7 end)";
        assertEquals("$6\r\ndumped\r\n", run(store, "FUNCTION", "LOAD", lib));
        byte[] payload = FunctionCommands.dump(ScriptEngine.forThisThread().registry()); // this thread's stores'
        assertEquals("-ERR Library dumped already exists\r\n", restore(store, payload, null));
        assertEquals("+OK\r\n", restore(store, payload, "REPLACE"));
        run(store, "FUNCTION", "FLUSH");
        assertEquals("-ERR Function not found\r\n", run(store, "FCALL", "dumpedf", "0"));
        assertEquals("+OK\r\n", restore(store, payload, "FLUSH"));
        assertEquals(":7\r\n", run(store, "FCALL", "dumpedf", "0"));
        payload[payload.length - 1] ^= 1;
        assertEquals("-ERR DUMP payload version or checksum are wrong\r\n", restore(store, payload, null));
        run(store, "FUNCTION", "FLUSH");
    }

    private static String bulk(String text) {
        return "$" + text.length() + "\r\n" + text + "\r\n";
    }

    private static String restore(Store store, byte[] payload, String policy) {
        CommandArgs args = CommandArgs.of("FUNCTION", "RESTORE").add(payload);
        if (policy != null) {
            args.add(policy);
        }
        BufferReplyWriter out = new BufferReplyWriter();
        store.execute(args, out);
        return out.toString();
    }

    @org.junit.jupiter.api.Test
    void shouldChecksumAsRedisCrc64() {
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(0xe9c6d914c4b8d9caL, FunctionCommands.crc64(check, 0, check.length));
    }
}
