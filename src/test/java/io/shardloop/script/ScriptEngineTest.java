package io.shardloop.script;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine alone, with a fake {@link ScriptCalls}: conversions both ways (RESP2 and RESP3),
 * error texts, the time limit, and SCRIPT KILL from another thread.
 */
class ScriptEngineTest {
    private final ScriptRegistry registry = new ScriptRegistry();
    private final ScriptEngine engine = new ScriptEngine(registry);
    private final List<String> called = new ArrayList<>();

    /** Answers each command with the RESP bytes of its first argument's canned reply. */
    private final ScriptCalls fake = (command, reply) -> {
        called.add(command.toString());
        switch (command.string(0)) {
            case "int" -> reply.integer(42);
            case "bulk" -> reply.bulk("v".getBytes(StandardCharsets.US_ASCII));
            case "nil" -> reply.nullBulk();
            case "status" -> reply.simple("OK");
            case "error" -> reply.error("WRONGTYPE Operation against a key holding the wrong kind of value");
            case "map" -> {
                reply.mapHeader(1);
                reply.bulk("f".getBytes(StandardCharsets.US_ASCII));
                reply.integer(1);
            }
            case "double" -> reply.doubleValue(1.5);
            case "array" -> {
                reply.arrayHeader(3);
                reply.integer(1);
                reply.nullBulk();
                reply.bulk("x".getBytes(StandardCharsets.US_ASCII));
            }
            default -> reply.error("ERR unknown");
        }
    };

    private String eval(String script, String... keysThenArgs) {
        return eval(2, script, 0, keysThenArgs);
    }

    private String eval(int protocol, String script, int numKeys, String... rest) {
        BufferReplyWriter out = new BufferReplyWriter();
        out.protocol(protocol);
        CommandArgs args = CommandArgs.of("EVAL", script, Integer.toString(numKeys));
        for (String r : rest) {
            args.add(r);
        }
        engine.eval(script.getBytes(StandardCharsets.ISO_8859_1), args, 3, numKeys, fake, out);
        return out.toString();
    }

    @Test
    void shouldConvertRepliesToLuaAsRedisDoes() {
        assertEquals(":42\r\n", eval("return redis.call('int')"));
        assertEquals("$6\r\nnumber\r\n", eval("return type(redis.call('int'))"));
        assertEquals("$1\r\nv\r\n", eval("return redis.call('bulk')"));
        assertEquals("$5\r\nfalse\r\n", eval("return tostring(redis.call('nil'))"));
        assertEquals("$2\r\nOK\r\n", eval("return redis.call('status').ok"));
        assertEquals("*3\r\n:1\r\n$-1\r\n$1\r\nx\r\n", eval("return redis.call('array')"),
                "a null element becomes false, which returns as a null");
        assertEquals("*1\r\n:1\r\n", eval("return {1, nil, 3}"), "a table stops at its first nil");
        assertEquals("$65\r\nWRONGTYPE Operation against a key holding the wrong kind of value\r\n",
                eval("return redis.pcall('error').err"));
        assertEquals("*2\r\n$1\r\nf\r\n:1\r\n", eval("return redis.call('map')"), "a RESP2 map is its pairs");
        assertEquals("$3\r\n1.5\r\n", eval("return redis.call('double')"));
    }

    @Test
    void shouldSpeakResp3AfterSetresp() {
        assertEquals(":1\r\n", eval("redis.setresp(3) return redis.call('map').map.f"));
        assertEquals("$3\r\n1.5\r\n", eval("redis.setresp(3) return tostring(redis.call('double').double)"));
        assertEquals("$3\r\nnil\r\n", eval("redis.setresp(3) return tostring(redis.call('nil'))"));
        assertEquals("%1\r\n$1\r\na\r\n:1\r\n", eval(3, "return {map={a=1}}", 0));
        assertEquals("~1\r\n$1\r\nb\r\n", eval(3, "return {set={b=true}}", 0));
        assertEquals(",2.5\r\n", eval(3, "return {double=2.5}", 0));
        assertEquals("#t\r\n", eval(3, "redis.setresp(3) return true", 0));
        assertEquals(":1\r\n", eval(3, "return true", 0), "booleans follow the script's protocol");
        assertEquals("_\r\n", eval(3, "return false", 0));
    }

    @Test
    void shouldPassArgumentsAsRedisDoes() {
        eval(2, "return redis.call('int', 1, 2.5, 1e20, KEYS[1], ARGV[1])", 1, "k", "a");
        assertEquals("[int, 1, 2.5, 1e+20, k, a]", called.getLast());
        assertTrue(eval("return redis.call({})").startsWith(
                "-ERR Lua redis lib command arguments must be strings or integers script: "));
    }

    @Test
    void shouldReportErrorsWithTheScriptAndLine() {
        String sha = ScriptRegistry.sha1hex("\n\nreturn redis.call('error')".getBytes(StandardCharsets.US_ASCII));
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value script: " + sha
                + ", on @user_script:3.\r\n", eval("\n\nreturn redis.call('error')"));
        assertEquals("-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n",
                eval("return 1 +"));
        assertTrue(eval("x = 1").startsWith("-ERR user_script:1: Attempt to modify a readonly table script: "));
        assertTrue(eval("return y").startsWith(
                "-ERR user_script:1: Script attempted to access nonexistent global variable 'y' script: "));
    }

    @Test
    void shouldStopAScriptPastTheTimeLimitAndKeepWhatItWrote() {
        registry.timeLimitMillis(50);
        long start = System.nanoTime();
        String reply = eval("redis.call('int') while true do pcall(function() while true do end end) end");
        assertEquals("-ERR Script stopped after running past lua-time-limit (50 ms)\r\n", reply);
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
        assertEquals(1, called.size(), "the call before the stop happened");
        assertFalse(registry.busy());
        assertEquals(-1, registry.busyMillis());
    }

    @Test
    void shouldStopAScriptKilledFromAnotherThread() throws Exception {
        registry.timeLimitMillis(0);
        AtomicReference<String> reply = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread runner = new Thread(() -> {
            reply.set(eval("while true do end"));
            done.countDown();
        });
        runner.start();
        while (!registry.busy()) {
            Thread.onSpinWait();
        }
        assertFalse(registry.kill(true), "FUNCTION KILL does not stop an eval script");
        Thread.sleep(20);
        assertTrue(registry.busyMillis() >= 0);
        assertTrue(registry.kill(false));
        done.await();
        assertEquals("-ERR Script killed by user with SCRIPT KILL...\r\n", reply.get());
        assertFalse(registry.kill(false));
    }

    @Test
    void shouldRunFunctionsFromTheRegistry() {
        BufferReplyWriter out = new BufferReplyWriter();
        engine.loadLibrary(("#!lua name=lib\nredis.register_function('echo', function(keys, args) "
                + "return {keys[1], args[1]} end)").getBytes(StandardCharsets.US_ASCII), false, out);
        assertEquals("$3\r\nlib\r\n", out.toString());
        ScriptEngine other = new ScriptEngine(registry);
        out.reset();
        other.fcall(registry.function("echo"), CommandArgs.of("FCALL", "echo", "1", "k", "a"), 3, 1, fake, out);
        assertEquals("*2\r\n$1\r\nk\r\n$1\r\na\r\n", out.toString(), "another engine compiles it from the registry");
    }

    @Test
    void shouldEncodeAndDecodeJsonAsRedisCjson() {
        assertEquals("$20\r\n{\"a\":[1,2.5,\"x\\/y\"]}\r\n", eval("return cjson.encode({a={1, 2.5, 'x/y'}})"));
        assertEquals("$4\r\ntrue\r\n", eval("return tostring(cjson.decode('[null]')[1] == cjson.null)"));
        assertTrue(eval("return cjson.encode({[1]=1, [100]=2})").contains("excessively sparse array"));
        assertEquals("$8\r\nffffffff\r\n", eval("return bit.tohex(-1)"));
    }
}
