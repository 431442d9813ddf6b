package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.script.ScriptEngine;
import io.shardloop.script.ScriptRegistry;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EVAL, EVALSHA, SCRIPT, FUNCTION and FCALL answer as redis-server 7.0 does on every front end and
 * store: the conversions between replies and Lua values both ways (scripting.tcl's cases), error
 * texts, the script cache, libraries, pcall, cjson and global protection. Keys share the hash tag
 * "{t}" so that one shard owns them at every shard count.
 */
class ScriptingContractTest {
    private static FrontEnds fronts;

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.close();
    }

    @Test
    void repliesBecomeLuaValuesAsInRedis() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "{t}s", "hello"},
            {"RPUSH", "{t}l", "a", "b", "c"},
            {"EVAL", "return redis.call('get', KEYS[1])", "1", "{t}s"},
            {"EVAL", "return type(redis.call('get', KEYS[1]))", "1", "{t}missing"},
            {"EVAL", "return tostring(redis.call('get', KEYS[1]))", "1", "{t}missing"},
            {"EVAL", "return redis.call('incr', KEYS[1])", "1", "{t}n"},
            {"EVAL", "local t = redis.call('lrange', KEYS[1], 0, -1) return {#t, t[1], t[3]}", "1", "{t}l"},
            {"EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "{t}s2"},
            {"EVAL", "local r = redis.call('set', KEYS[1], 'x') return r.ok", "1", "{t}s2"},
            {"EVAL", "local r = redis.pcall('incr', KEYS[1]) return r.err", "1", "{t}s"},
            {"EVAL", "return redis.pcall('incr', KEYS[1])", "1", "{t}s"},
            {"EVAL", "return redis.call('ping')", "0"},
            {"EVAL", "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #ARGV}", "2", "{t}a", "{t}b", "x", "y"},
            {"EVAL", "return redis.call('exists', KEYS[1], KEYS[2])", "2", "{t}s", "{t}l"},
        });
    }

    @Test
    void luaValuesBecomeRepliesAsInRedis() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"EVAL", "return 100.5", "0"},
            {"EVAL", "return -3.99", "0"},
            {"EVAL", "return 'hello'", "0"},
            {"EVAL", "return true", "0"},
            {"EVAL", "return false", "0"},
            {"EVAL", "return nil", "0"},
            {"EVAL", "return {1, 2, 3, 'ciao', {1, 2}}", "0"},
            {"EVAL", "return {1, 2, nil, 4}", "0"},
            {"EVAL", "return {}", "0"},
            {"EVAL", "return {ok='fine'}", "0"},
            {"EVAL", "return {err='My Error'}", "0"},
            {"EVAL", "return {err='a\\r\\nb'}", "0"},
            {"EVAL", "return redis.error_reply('My Error')", "0"},
            {"EVAL", "return redis.error_reply('-CODE with text')", "0"},
            {"EVAL", "return redis.status_reply('fine')", "0"},
            {"EVAL", "return {true, false, 1}", "0"},
            {"EVAL", "return {double=3.25}", "0"},
            {"EVAL", "return redis.sha1hex('')", "0"},
            {"EVAL", "return redis.sha1hex('Pizza & Mandolino')", "0"},
            {"EVAL", "return redis.REDIS_VERSION_NUM > 0", "0"},
            {"EVAL", "return redis.LOG_WARNING", "0"},
        });
    }

    @Test
    void theStandardLibrariesAnswerAsInRedis() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"EVAL", "return _G", "0"},
            {"EVAL", "local t = {} for i = 1, 5 do t[i] = i * 2 end return t", "0"},
            {"EVAL", "return string.format('%d-%s-%5.2f', 3, 'x', 1.5)", "0"},
            {"EVAL", "return {string.rep('ab', 3), string.upper('x'), string.sub('hello', 2, 4), #'four'}", "0"},
            {"EVAL", "return table.concat({1, 2, 3}, ',')", "0"},
            {"EVAL", "return string.format('%g|%g|%g|%.3g|%e|%10.4f|%-6d|%05d|%x|%q', 0.1, 1e20, 100, 2/3, 12345.678,"
                    + " 3.14159, 42, -7, 255, 'a\\\"b')", "0"},
            {"EVAL", "return string.format('%s %5s %.2s %c%c', 'x', 'y', 'abc', 72, 105)", "0"},
            {"EVAL", "return {math.floor(3.7), math.max(1, 9, 4), tonumber('10') + 1, select('#', 1, 2, 3)}", "0"},
            {"EVAL", "local t = {3, 1, 2} table.sort(t) return t", "0"},
            {"EVAL", "return {string.find('hello world', 'o w'), string.match('key:42', '%d+')}", "0"},
            {"EVAL", "return string.gsub('hello', 'l', 'L')", "0"},
            {"EVAL", "return redis.call('setex', KEYS[1], 100, 'v')", "1", "{t}ex"},
            {"EVAL", "return redis.call('ttl', KEYS[1])", "1", "{t}ex"},
            {"EVAL", "return redis.call('incrby', KEYS[1], 5) * 2", "1", "{t}n"},
            {"EVAL", "local ok, e = pcall(error) return tostring(ok)", "0"},
            {"EVAL", "return type(setmetatable({}, {__index = function() return 1 end}).x)", "0"},
        });
    }

    @Test
    void scriptErrorsReadAsInRedis() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "{t}s", "hello"},
            {"EVAL", "return 1", "-1"},
            {"EVAL", "return 1", "2", "a"},
            {"EVAL", "return 1", "x"},
            {"EVAL", "return 1"},
            {"EVAL", "error('boom')", "0"},
            {"EVAL", "\nerror({err='MY bad'})", "0"},
            {"EVAL", "return redis.call('incr', KEYS[1])", "1", "{t}s"},
            {"EVAL", "return redis.call('nosuchcommand')", "0"},
            {"EVAL", "return redis.call('get', 'a', 'b')", "0"},
            {"EVAL", "return redis.pcall('get', 'a', 'b')", "0"},
            {"EVAL", "return redis.call()", "0"},
            {"EVAL", "return redis.call('eval', 'return 1', '0')", "0"},
            {"EVAL", "return redis.call('hello')", "0"},
            {"EVAL", "return redis.call('config', 'get', 'maxmemory')", "0"},
            {"EVAL", "return redis.call('config', 'set', 'maxmemory', '0')", "0"},
            {"EVAL", "return redis.call('latency', 'latest')", "0"},
            {"EVAL", "return redis.call('debug', 'sleep', '0')", "0"},
            {"EVAL", "return redis.call('acl', 'whoami')", "0"},
            {"EVAL_RO", "return redis.call('set', KEYS[1], 'v')", "1", "{t}s"},
            {"EVAL_RO", "return redis.call('get', KEYS[1])", "1", "{t}s"},
            {"EVAL", "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'v')", "1", "{t}s"},
            {"EVAL_RO", "#!lua\nreturn 1", "0"},
            {"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"},
            {"EVALSHA_RO", "ffffffffffffffffffffffffffffffffffffffff", "0"},
            {"GET", "{t}s"},
        });
    }

    @Test
    void globalsAreProtectedAsInRedis7() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"EVAL", "a = 1", "0"},
            {"EVAL", "return a", "0"},
            {"EVAL", "redis.call = nil", "0"},
            {"EVAL", "string.upper = nil", "0"},
            {"EVAL", "local t = {} t.x = 1 return t.x", "0"},
            {"EVAL", "return os", "0"},
            {"EVAL", "return io", "0"},
            {"EVAL", "return debug", "0"},
            {"EVAL", "return require", "0"},
            {"EVAL", "return dofile", "0"},
            {"EVAL", "return type(unpack) .. type(loadstring) .. type(cjson) .. type(bit) .. type(pcall)", "0"},
            {"EVAL", "return unpack({1, 2, 3})", "0"},
            {"EVAL", "return loadstring('return 7')()", "0"},
        });
    }

    @Test
    void pcallAndCjsonBehaveAsInRedis() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FLUSHALL"},
            {"SET", "{t}s", "hello"},
            {"EVAL", "local ok, e = pcall(function() redis.call('incr', KEYS[1]) end) return {tostring(ok), e}", "1", "{t}s"},
            {"EVAL", "local ok, e = pcall(function() error({err='X y'}) end) return e", "0"},
            {"EVAL", "local ok, e = pcall(function() error('plain') end) return e", "0"},
            {"EVAL", "return cjson.encode({1, 2, {a=1}})", "0"},
            {"EVAL", "return cjson.encode({})", "0"},
            {"EVAL", "return cjson.encode({a='x\"y/'})", "0"},
            {"EVAL", "return cjson.encode(1/3)", "0"},
            {"EVAL", "return cjson.encode(100000000000000)", "0"},
            {"EVAL", "return cjson.encode({1, nil, 3})", "0"},
            {"EVAL", "return cjson.encode(cjson.null)", "0"},
            {"EVAL", "return cjson.decode('[1,2,null,{\"a\":3.5}]')[4].a", "0"},
            {"EVAL", "local t = cjson.decode('{\"k\":[true,false,\"s\"]}') return {tostring(t.k[1]), t.k[3]}", "0"},
            {"EVAL", "return cjson.encode(cjson.decode('{\"a\":[1,2,{\"b\":\"c\"}]}'))", "0"},
            {"EVAL", "return {tostring(cjson.encode_keep_buffer(false)), tostring(cjson.encode_keep_buffer()),"
                    + " tostring(cjson.encode_keep_buffer('on')), cjson.encode({1})}", "0"},
            {"EVAL", "return cjson.encode_keep_buffer('x')", "0"},
            {"EVAL", "return cjson.encode_keep_buffer(1)", "0"},
            {"EVAL", "return {cjson.encode_max_depth(), cjson.encode_max_depth(2), cjson.decode_max_depth(),"
                    + " cjson.decode_max_depth(1), tostring(cjson.encode_invalid_numbers())}", "0"},
            {"EVAL", "return cjson.encode({{1}})", "0"},
            {"EVAL", "return cjson.encode({{{1}}})", "0"},
            {"EVAL", "return cjson.decode('[1,2]')[2]", "0"},
            {"EVAL", "return cjson.decode('{\"a\":{\"b\":1}}')", "0"},
            {"EVAL", "return cjson.decode('[[]]')", "0"},
            {"EVAL", "return cjson.encode_max_depth(0)", "0"},
            {"EVAL", "return cjson.decode_max_depth('x')", "0"},
            {"EVAL", "return cjson.encode({1/0})", "0"},
            {"EVAL", "return {tostring(cjson.encode_invalid_numbers(true)), cjson.encode({1/0, -1/0, 0/0, 2})}", "0"},
            {"EVAL", "return {cjson.encode_invalid_numbers('null'), cjson.encode({1/0, 0/0})}", "0"},
            {"EVAL", "return cjson.encode_invalid_numbers('nan')", "0"},
            {"EVAL", "return {cjson.encode_max_depth(1000), cjson.decode_max_depth(1000),"
                    + " tostring(cjson.encode_invalid_numbers(false))}", "0"},
            {"EVAL", "return cmsgpack.pack({1, 2, 3})", "0"},
            {"EVAL", "return cmsgpack.pack(1, -1, -100, 200, 70000, 5000000000, -40000, 0.5, 0.1, true, false, 'short')", "0"},
            {"EVAL", "return cmsgpack.pack({a=1})", "0"},
            {"EVAL", "return cmsgpack.pack(string.rep('x', 40))", "0"},
            {"EVAL", "local a, b, c = cmsgpack.unpack(cmsgpack.pack({1, {2, 'x'}}, 'y', -5)) return {a[2][2], b, c}", "0"},
            {"EVAL", "return cmsgpack.unpack(cmsgpack.pack({k='v'})).k", "0"},
            {"EVAL", "local s = cmsgpack.pack(1, 'two', {3}) local o, a = cmsgpack.unpack_one(s)"
                    + " local o2, b = cmsgpack.unpack_one(s, o) local o3, c = cmsgpack.unpack_one(s, o2)"
                    + " return {o, a, o2, b, o3, c[1]}", "0"},
            {"EVAL", "local s = cmsgpack.pack(1, 2, 3) local o, a, b = cmsgpack.unpack_limit(s, 2)"
                    + " local o2, c, d = cmsgpack.unpack_limit(s, 5, o) return {o, a, b, o2, c, tostring(d)}", "0"},
            {"EVAL", "return {cmsgpack.unpack_limit(cmsgpack.pack(7, 8), 0, 0)}", "0"},
            {"EVAL", "return cmsgpack.unpack_one(cmsgpack.pack(1), 5)", "0"},
            {"EVAL", "return cmsgpack.unpack_one(cmsgpack.pack(1), -1)", "0"},
            {"EVAL", "return {cmsgpack.unpack_one(cmsgpack.pack(1), 1)}", "0"},
            {"EVAL", "return bit.tohex(65535) .. ' ' .. bit.band(7, 3) .. ' ' .. bit.bor(1, 2, 4) .. ' ' .. bit.bnot(0)", "0"},
            {"EVAL", "return {bit.lshift(1, 4), bit.rshift(-1, 28), bit.arshift(-16, 2), bit.bxor(5, 3), bit.tobit(4294967297)}", "0"},
        });
    }

    @Test
    void theScriptCacheIsSharedAndFlushedAsInRedis() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"SCRIPT", "FLUSH"},
            {"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"},
            {"SCRIPT", "LOAD", "return 'loaded'"},
            {"SCRIPT", "EXISTS", "c27e2a5c1d0bd2ee5e4d1a1e5d4c2b2a8d0b8e28", "0aba1d4f50a84e9f4fb4d2f8ee8ab17c9b3f9f92"},
            {"EVALSHA", "0aba1d4f50a84e9f4fb4d2f8ee8ab17c9b3f9f92", "0"},
            {"EVAL", "return 'by eval'", "0"},
            {"SCRIPT", "LOAD", "return 1 +"},
            {"SCRIPT", "FLUSH", "BOGUS"},
            {"SCRIPT", "FLUSH", "ASYNC"},
            {"EVALSHA", "0aba1d4f50a84e9f4fb4d2f8ee8ab17c9b3f9f92", "0"},
            {"SCRIPT", "KILL"},
            {"SCRIPT", "LOAD"},
            {"SCRIPT", "BOGUS"},
        });
    }

    @Test
    void functionsLoadListCallAndDeleteAsInRedis() throws Exception {
        String lib = "#!lua name=mylib\n"
                + "redis.register_function('myset', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n"
                + "redis.register_function{function_name='myget', callback=function(keys, args) "
                + "return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}";
        String solo = "#!lua name=solo\nredis.register_function{function_name='solo', "
                + "callback=function() return 1 end, flags={'no-writes'}, description='one'}";
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FUNCTION", "FLUSH"},
            {"FLUSHALL"},
            // Redis lists libraries and functions in its hash tables' order: one of each here
            {"FUNCTION", "LOAD", solo},
            {"FUNCTION", "LIST"},
            {"FUNCTION", "LIST", "WITHCODE"},
            {"FUNCTION", "LIST", "LIBRARYNAME", "so*"},
            {"FUNCTION", "LIST", "LIBRARYNAME", "other*"},
            {"FUNCTION", "LIST", "LIBRARYNAME"},
            {"FUNCTION", "LIST", "BOGUS"},
            {"FUNCTION", "DELETE", "solo"},
            {"FUNCTION", "LOAD", lib},
            {"FUNCTION", "LOAD", lib},
            {"FCALL", "myset", "1", "{t}k", "v1"},
            {"FCALL", "myget", "1", "{t}k"},
            {"FCALL_RO", "myget", "1", "{t}k"},
            {"FCALL_RO", "myset", "1", "{t}k", "v2"},
            {"FCALL", "nosuch", "0"},
            {"FCALL", "myget", "x"},
            {"FCALL", "myget", "-1"},
            {"FCALL", "myget", "3", "a"},
            {"FUNCTION", "STATS"},
            {"FUNCTION", "LOAD", "REPLACE", lib},
            {"FUNCTION", "LOAD", "return 1"},
            {"FUNCTION", "LOAD", "#!lua name=bad\nreturn 1 +"},
            {"FUNCTION", "LOAD", "#!lua name=bad\nerror('x')"},
            {"FUNCTION", "LOAD", "#!lua name=bad\nlocal x = 1"},
            {"FUNCTION", "LOAD", "#!lua name=bad\nredis.call('ping')"},
            {"FUNCTION", "LOAD", "#!lua name=bad\nredis.register_function('f-1', function() end)"},
            {"FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('myset', function() end)"},
            {"FUNCTION", "LOAD", "#!lua name=boom\nredis.register_function('boom', function() error('boom') end)"},
            {"FCALL", "boom", "0"},
            {"FUNCTION", "DELETE", "nosuch"},
            {"FUNCTION", "DELETE", "mylib"},
            {"FCALL", "myget", "1", "{t}k"},
            {"FUNCTION", "KILL"},
            {"FUNCTION", "FLUSH", "SYNC"},
            {"FUNCTION", "LIST"},
            {"FUNCTION", "BOGUS"},
        });
    }

    @Test
    void functionsDumpAndRestoreAsInRedis() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"FUNCTION", "FLUSH"},
            {"FUNCTION", "LOAD", "#!lua name=one\nredis.register_function('f1', function() return 1 end)"},
            {"EVAL", "return 1", "0"},
            {"FUNCTION", "RESTORE", "bogus"},
            {"FUNCTION", "RESTORE", "bogus", "WRONG"},
        });
    }

    @Test
    void payloadsCrossBetweenRedisAndThisServer() throws Exception {
        String lib = "#!lua name=crossing\n-- a comment long enough that Redis compresses the code with LZF\n"
                + "redis.register_function('crossingf', function(keys, args) return 'crossed ' .. args[1] end)";
        Store store = StateMode.SHARDED.create(2, System::currentTimeMillis);
        FrontEnds.call(store, 2, "FUNCTION", "FLUSH");
        try (redis.clients.jedis.Jedis redis = new redis.clients.jedis.Jedis("127.0.0.1", fronts.redisPort())) {
            redis.functionFlush();
            redis.functionLoad(lib);
            byte[] fromRedis = redis.functionDump();
            assertEquals("+OK", FrontEnds.call(store, 2, "FUNCTION", "RESTORE",
                    new String(fromRedis, StandardCharsets.ISO_8859_1)));
            assertEquals("$9 crossed x", FrontEnds.call(store, 2, "FCALL", "crossingf", "0", "x"));

            byte[] ours = ScriptEngine.forThisThread().registry().libraries().byName().isEmpty() ? new byte[0]
                    : dumpOf(store);
            redis.functionFlush();
            assertEquals("OK", redis.functionRestore(ours));
            assertEquals("crossed y", redis.fcall("crossingf", List.of(), List.of("y")));
            redis.functionFlush();
        }
        FrontEnds.call(store, 2, "FUNCTION", "FLUSH");
    }

    private static byte[] dumpOf(Store store) {
        io.shardloop.resp.codec.BufferReplyWriter out = new io.shardloop.resp.codec.BufferReplyWriter();
        store.execute(io.shardloop.resp.codec.CommandArgs.of("FUNCTION", "DUMP"), out);
        byte[] reply = out.toByteArray();
        int start = 0;
        while (reply[start] != '\n') {
            start++;
        }
        return java.util.Arrays.copyOfRange(reply, start + 1, reply.length - 2);
    }

    @Test
    void resp3ClientsGetResp3TypesAsFromRedis() throws Exception {
        String[][] probes = {
            {"FLUSHALL"},
            {"HSET", "{t}h", "f", "v"},
            {"EVAL", "return {map={a=1}}", "0"},
            {"EVAL", "return {set={b=true}}", "0"},
            {"EVAL", "return {double=2.5}", "0"},
            {"EVAL", "return {big_number='123456789012345678901234567890'}", "0"},
            {"EVAL", "return nil", "0"},
            {"EVAL", "return false", "0"},
            {"EVAL", "return true", "0"},
            {"EVAL", "redis.setresp(3) return true", "0"},
            {"EVAL", "redis.setresp(3) return false", "0"},
            {"EVAL", "redis.setresp(3) return redis.call('hgetall', KEYS[1])", "1", "{t}h"},
            {"EVAL", "redis.setresp(3) return redis.call('hgetall', KEYS[1]).map.f", "1", "{t}h"},
            {"EVAL", "redis.setresp(3) return tostring(redis.call('get', KEYS[1]))", "1", "{t}nokey"},
            {"EVAL", "return redis.call('hgetall', KEYS[1])", "1", "{t}h"},
            {"EVAL", "redis.setresp(4)", "0"},
        };
        List<String> expected = new ArrayList<>();
        try (RawResp reference = new RawResp(fronts.redisPort())) {
            reference.call("HELLO", "3");
            for (String[] probe : probes) {
                expected.add(reference.call(probe));
            }
        }
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp client = new RawResp(front.getValue())) {
                client.call("HELLO", "3");
                for (int i = 0; i < probes.length; i++) {
                    FrontEnds.compare(front.getKey(), client.call(probes[i]), expected.get(i), probes[i], mismatches);
                }
            }
        }
        for (StateMode mode : StateMode.values()) {
            Store store = mode.create(2, System::currentTimeMillis);
            for (int i = 0; i < probes.length; i++) {
                FrontEnds.compare("store " + mode, FrontEnds.call(store, 3, probes[i]), expected.get(i), probes[i],
                        mismatches);
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " RESP3 replies differ from redis-server's:\n"
                + String.join("\n", mismatches));
    }

    @Test
    void scriptKillFromAnotherConnectionStopsARunningScript() throws Exception {
        int port = fronts.ports().get("threads locked"); // a thread per connection: the killer is not queued behind
        java.util.concurrent.atomic.AtomicReference<String> reply = new java.util.concurrent.atomic.AtomicReference<>();
        Thread runner = new Thread(() -> {
            try (RawResp client = new RawResp(port)) {
                reply.set(client.call("EVAL", "local n = 0 while true do n = n + 1 end", "0"));
            } catch (java.io.IOException e) {
                reply.set(e.toString());
            }
        });
        runner.start();
        long deadline = System.nanoTime() + 5_000_000_000L;
        ScriptRegistry scripts = fronts.threadedScripts("threads locked");
        while (!scripts.busy() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        try (RawResp killer = new RawResp(port)) {
            assertTrue(scripts.busyMillis() >= 0);
            assertEquals("+OK", killer.call("SCRIPT", "KILL"));
            runner.join(5000);
            assertEquals("-ERR Script killed by user with SCRIPT KILL...", reply.get());
            assertEquals("-NOTBUSY No scripts in execution right now.", killer.call("SCRIPT", "KILL"));
        }
    }
}
