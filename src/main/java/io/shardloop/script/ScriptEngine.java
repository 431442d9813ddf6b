package io.shardloop.script;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.DebugLib;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs EVAL scripts and FUNCTION libraries in two Lua sandboxes (LuaJ): base (without dofile,
 * loadfile, print, require, collectgarbage, bytecode loading), string, table, math, Redis's
 * {@code redis} API, {@code cjson}, {@code cmsgpack} and {@code bit}; no os, io, debug, package,
 * coroutine or Java access. Each
 * script compiles once per engine, from its server's {@link ScriptRegistry}.
 * <p>
 * Errors are reported in Redis 7.0's words: "ERR user_script:1: boom script: &lt;sha&gt;, on
 * {@code @user_script:1}." for a script, "... script: &lt;function&gt;, on {@code @user_function:N}."
 * for a function. A count hook checks every {@value #HOOK_EVERY} instructions whether the script
 * was killed (SCRIPT KILL, FUNCTION KILL, from any thread) or has run past the registry's time
 * limit, and stops it with an error no {@code pcall} can catch; what it wrote before stays.
 * <p>
 * Not thread-safe: one engine per thread ({@link #forThisThread}), used by that thread only; only
 * {@link #kill}, {@link #runningMillis} and {@link #running} may be called from others. A thread
 * serves one server's registry, bound to it by that server ({@link #bindThisThread}): its loops,
 * its connection threads, its start-up load; a thread no server bound (a test's, an in-process
 * store's) has a registry of its own.
 */
public final class ScriptEngine {
    /** Instructions between two checks of the kill flag and the clock. */
    static final int HOOK_EVERY = 1000;
    static final String KILLED = "ERR Script killed by user with SCRIPT KILL...";
    static final String FUNCTION_KILLED = "ERR Script killed by user with FUNCTION KILL...";
    static final String REDIS_VERSION = "7.0.15";
    static final int REDIS_VERSION_NUM = 0x07000f;

    /** The registry each thread's scripts use, bound by the server the thread works for. */
    private static final ThreadLocal<ScriptRegistry> BOUND = new ThreadLocal<>();
    private static final ThreadLocal<ScriptEngine> PER_THREAD = new ThreadLocal<>();

    private final ScriptRegistry registry;
    private final System.Logger log = System.getLogger("io.shardloop.script");

    private final ScriptGlobals evalGlobals;
    private final LuaTable evalNames = new LuaTable();
    private final Map<String, LuaValue> compiledScripts = new HashMap<>();
    private long scriptsGeneration;

    private final ScriptGlobals functionGlobals;
    private final LuaTable functionNames = new LuaTable();
    private final LuaTable loaderNames = new LuaTable();
    private final Map<String, LuaValue> compiledFunctions = new HashMap<>();
    private long librariesVersion = -1;
    /** Where redis.register_function puts what a library registers, while one loads. */
    private Map<String, ScriptRegistry.FunctionInfo> registering;
    private Map<String, LuaValue> registeringCallbacks;
    private String registeringLibrary;

    private final CommandArgs callArgs = new CommandArgs();
    private final BufferReplyWriter callReply = new BufferReplyWriter();
    private final int[] cursor = new int[1];
    private ScriptCalls calls;
    private int resp = 2;
    /** The script's error position, "user_script:3", recorded by the error handler as errors arise. */
    private String errorPlace;

    // Read by other threads: SCRIPT KILL, FUNCTION STATS, BUSY and the stall detector.
    private volatile long startedNanos;
    private volatile boolean killed;
    private volatile Running running;
    private long limitNanos;

    /** What runs now: an eval script's SHA1 or a function's name, and the command that started it. */
    public record Running(String name, String command, boolean function, long startedNanos) {
        public long durationMillis() {
            return (System.nanoTime() - startedNanos) / 1_000_000;
        }
    }

    /** Raised by the hook: an Error, so that no Lua pcall, which catches Exceptions, can stop it. */
    private static final class ScriptStopped extends Error {
        ScriptStopped(String message) {
            super(message, null, false, false);
        }
    }

    /** The thread that made this engine, the one that runs its scripts. */
    private final Thread owner = Thread.currentThread();

    /** The thread that runs this engine's scripts. */
    public Thread owner() {
        return owner;
    }

    public ScriptEngine(ScriptRegistry registry) {
        this.registry = registry;
        evalGlobals = sandbox(evalNames, redisApi());
        functionGlobals = sandbox(functionNames, redisApi());
        LuaTable loader = new LuaTable();
        addLogApi(loader);
        loader.rawset("register_function", new RegisterFunction());
        ReadOnlyTable loaderApi = ReadOnlyTable.copyOf(loader);
        LuaTable missing = new LuaTable();
        missing.rawset(LuaValue.INDEX, new TwoArgFunction() {
            @Override
            public LuaValue call(LuaValue table, LuaValue key) {
                throw new LuaError("Script attempted to access nonexistent global variable '" + key.tojstring() + "'");
            }
        });
        loaderApi.metatableOnce(missing);
        loaderNames.rawset("redis", loaderApi);
    }

    /**
     * This thread's scripts use {@code registry} from now on: a server binds each thread it runs
     * commands on (its loops, its connection threads, the threads that read its files at start).
     * The engine is made on the thread's first script.
     */
    public static void bindThisThread(ScriptRegistry registry) {
        BOUND.set(registry);
    }

    /** This thread's engine, over the registry bound to it (one of its own when none was). */
    public static ScriptEngine forThisThread() {
        ScriptRegistry registry = BOUND.get();
        if (registry == null) {
            registry = new ScriptRegistry();
            BOUND.set(registry);
        }
        ScriptEngine engine = PER_THREAD.get();
        if (engine == null || engine.registry != registry) {
            engine = new ScriptEngine(registry);
            PER_THREAD.set(engine);
        }
        return engine;
    }

    public ScriptRegistry registry() {
        return registry;
    }

    // ---- entry points -------------------------------------------------------------------------

    /**
     * EVAL: caches the script (as Redis does) and runs it.
     *
     * @param keysAt  index in {@code args} of the first key; keys are {@code numKeys} arguments from
     *                there, ARGV the rest
     */
    public void eval(byte[] body, CommandArgs args, int keysAt, int numKeys, ScriptCalls calls, ReplySink out) {
        String sha = registry.store(body);
        runScript(sha, new String(body, java.nio.charset.StandardCharsets.ISO_8859_1), args, keysAt, numKeys,
                calls, out);
    }

    /** SCRIPT LOAD: compiles the script (replying Redis's error if it does not) and caches it; replies its SHA1. */
    public void loadScript(byte[] body, ReplySink out) {
        String sha = ScriptRegistry.sha1hex(body);
        if (compiledScripts.get(sha) == null || scriptsGeneration != registry.scriptsGeneration()) {
            try {
                compile(evalGlobals, new String(body, java.nio.charset.StandardCharsets.ISO_8859_1), "@user_script");
            } catch (LuaError e) {
                out.error("ERR Error compiling script (new function): " + compileMessage(e));
                return;
            }
        }
        registry.store(body);
        out.bulk(sha.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** EVALSHA: runs a cached script, or replies NOSCRIPT. */
    public void evalSha(String sha, CommandArgs args, int keysAt, int numKeys, ScriptCalls calls, ReplySink out) {
        String lower = sha.toLowerCase(java.util.Locale.ROOT);
        String source = registry.source(lower);
        if (source == null) {
            out.error("NOSCRIPT No matching script. Please use EVAL.");
            return;
        }
        runScript(lower, source, args, keysAt, numKeys, calls, out);
    }

    /**
     * The flags of a script's shebang line ("#!lua flags=no-writes"), or null without one, or an
     * error text starting "ERR" when the line is invalid.
     */
    public static List<String> shebangFlags(byte[] body) {
        if (body.length < 2 || body[0] != '#' || body[1] != '!') {
            return null;
        }
        int end = 0;
        while (end < body.length && body[end] != '\n') {
            end++;
        }
        String[] parts = new String(body, 2, end - 2, java.nio.charset.StandardCharsets.ISO_8859_1).strip().split(" +");
        List<String> flags = new ArrayList<>();
        if (!parts[0].equals("lua")) {
            flags.add("ERR Could not find scripting engine '" + parts[0] + "'");
            return flags;
        }
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].startsWith("flags=")) {
                flags.add("ERR Unknown lua shebang option: " + parts[i]);
                return flags;
            }
            for (String f : parts[i].substring(6).split(",")) {
                if (!f.isEmpty()) {
                    flags.add(f);
                }
            }
        }
        return flags;
    }

    private void runScript(String sha, String source, CommandArgs args, int keysAt, int numKeys, ScriptCalls calls,
                           ReplySink out) {
        if (scriptsGeneration != registry.scriptsGeneration()) {
            compiledScripts.clear();
            scriptsGeneration = registry.scriptsGeneration();
        }
        LuaValue f = compiledScripts.get(sha);
        if (f == null) {
            try {
                f = compile(evalGlobals, source, "@user_script");
            } catch (LuaError e) {
                out.error("ERR Error compiling script (new function): " + compileMessage(e));
                return;
            }
            compiledScripts.put(sha, f);
        }
        evalNames.rawset("KEYS", table(args, keysAt, numKeys));
        evalNames.rawset("ARGV", table(args, keysAt + numKeys, args.count() - keysAt - numKeys));
        run(evalGlobals, f, LuaValue.NONE, new Running(sha, "eval", false, 0), calls, out);
    }

    /** FCALL and FCALL_RO: runs a registered function (the caller checked it exists and its flags). */
    public void fcall(ScriptRegistry.FunctionInfo function, CommandArgs args, int keysAt, int numKeys,
                      ScriptCalls calls, ReplySink out) {
        if (!refreshFunctions(out)) {
            return;
        }
        LuaValue f = compiledFunctions.get(function.name());
        if (f == null) {
            out.error("ERR Function not found");
            return;
        }
        Varargs params = LuaValue.varargsOf(table(args, keysAt, numKeys),
                table(args, keysAt + numKeys, args.count() - keysAt - numKeys));
        run(functionGlobals, f, params, new Running(function.name(), "fcall", true, 0), calls, out);
    }

    /**
     * FUNCTION LOAD: checks the library's metadata, runs its body to learn its functions, and adds
     * it to the registry. Replies the library's name or Redis's error; returns whether it was added.
     */
    public boolean loadLibrary(byte[] code, boolean replace, ReplySink out) {
        String source = new String(code, java.nio.charset.StandardCharsets.ISO_8859_1);
        Object parsed = parseLibrary(source);
        if (parsed instanceof String error) {
            out.error(error);
            return false;
        }
        String error = registry.add((ScriptRegistry.Library) parsed, replace);
        if (error != null) {
            out.error(error);
            return false;
        }
        out.bulk(((ScriptRegistry.Library) parsed).name().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return true;
    }

    /** The library a source defines, or Redis's error text (FUNCTION LOAD and RESTORE check with it). */
    public Object parseLibrary(String source) {
        if (!source.startsWith("#!")) {
            return "ERR Missing library metadata";
        }
        int nl = source.indexOf('\n');
        if (nl < 0) {
            return "ERR Invalid library metadata";
        }
        String[] parts = source.substring(2, nl).strip().split(" +");
        String name = null;
        if (!parts[0].equals("lua")) {
            return "ERR Invalid library metadata";
        }
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].startsWith("name=") || name != null) {
                return "ERR Invalid library metadata";
            }
            name = parts[i].substring(5);
        }
        if (name == null || !validName(name)) {
            return "ERR Invalid library metadata";
        }
        Map<String, ScriptRegistry.FunctionInfo> functions = new LinkedHashMap<>();
        String error = runLibrary(name, source, functions, new HashMap<>());
        if (error != null) {
            return error;
        }
        return new ScriptRegistry.Library(name, source, java.util.Collections.unmodifiableMap(functions));
    }

    /**
     * Runs a library's body with only the loader API visible, collecting what it registers;
     * returns null, or Redis's error text.
     */
    private String runLibrary(String name, String source, Map<String, ScriptRegistry.FunctionInfo> functions,
                              Map<String, LuaValue> callbacks) {
        LuaValue chunk;
        try {
            chunk = compile(functionGlobals, source, "@user_function");
        } catch (LuaError e) {
            return "ERR Error compiling function: " + compileMessage(e);
        }
        registering = functions;
        registeringCallbacks = callbacks;
        registeringLibrary = name;
        functionGlobals.showing(loaderNames);
        long limit = limitNanos;
        try {
            limitNanos = 500_000_000L;
            startedNanos = System.nanoTime();
            killed = false;
            hook(functionGlobals, true);
            chunk.call();
            return functions.isEmpty() ? "ERR No functions registered" : null;
        } catch (LuaError e) {
            return "ERR Error registering functions: " + errorText(e, null);
        } catch (ScriptStopped e) {
            return "ERR Error registering functions: FUNCTION LOAD timeout";
        } finally {
            hook(functionGlobals, false);
            startedNanos = 0;
            limitNanos = limit;
            functionGlobals.showing(functionNames);
            registering = null;
            registeringCallbacks = null;
        }
    }

    /** Recompiles every library when the registry's changed since this engine last did. */
    private boolean refreshFunctions(ReplySink out) {
        ScriptRegistry.Libraries libs = registry.libraries();
        if (libs.version() == librariesVersion) {
            return true;
        }
        compiledFunctions.clear();
        for (ScriptRegistry.Library l : libs.byName().values()) {
            Map<String, LuaValue> callbacks = new HashMap<>();
            String error = runLibrary(l.name(), l.code(), new LinkedHashMap<>(), callbacks);
            if (error != null) {
                out.error(error);
                return false;
            }
            compiledFunctions.putAll(callbacks);
        }
        librariesVersion = libs.version();
        return true;
    }

    // ---- running ------------------------------------------------------------------------------

    private void run(ScriptGlobals g, LuaValue f, Varargs params, Running what, ScriptCalls calls, ReplySink out) {
        this.calls = calls;
        resp = 2;
        errorPlace = null;
        killed = false;
        limitNanos = registry.timeLimitMillis() > 0 ? registry.timeLimitMillis() * 1_000_000 : Long.MAX_VALUE;
        long start = System.nanoTime();
        startedNanos = start;
        running = new Running(what.name(), what.command(), what.function(), start);
        registry.started(this);
        hook(g, true);
        try {
            Varargs r = f.invoke(params);
            LuaReplies.write(r.arg1(), resp, out, 0);
        } catch (LuaError e) {
            out.error(errorText(e, what.name()));
        } catch (ScriptStopped e) {
            out.error(e.getMessage());
        } catch (StackOverflowError e) {
            out.error("ERR " + (what.function() ? "user_function" : "user_script") + ": stack overflow");
        } finally {
            hook(g, false);
            registry.finished(this);
            running = null;
            startedNanos = 0;
            this.calls = null;
        }
    }

    private void hook(ScriptGlobals g, boolean on) {
        g.running.state.hookfunc = on ? hook : null;
        g.running.state.hookcount = on ? HOOK_EVERY : 0;
        g.running.state.bytecodes = 0;
        g.running.errorfunc = on ? errorHandler : null;
    }

    private final LuaValue hook = new TwoArgFunction() {
        @Override
        public LuaValue call(LuaValue event, LuaValue line) {
            if (killed) {
                Running r = running;
                throw new ScriptStopped(r != null && r.function() ? FUNCTION_KILLED : KILLED);
            }
            if (System.nanoTime() - startedNanos > limitNanos) {
                throw new ScriptStopped(running == null ? "ERR FUNCTION LOAD timeout"
                        : "ERR Script stopped after running past lua-time-limit ("
                        + registry.timeLimitMillis() + " ms)");
            }
            return NIL;
        }
    };

    /**
     * Called by LuaJ where an error arises, with "source:line message": records the place (the
     * line Redis reports after "on") and returns the message in Lua's form, "source:line: message".
     */
    private final LuaValue errorHandler = new OneArgFunction() {
        @Override
        public LuaValue call(LuaValue message) {
            String m = message.tojstring();
            int space = m.indexOf(' ');
            String place = space > 0 ? m.substring(0, space) : m;
            if (place.startsWith("@")) {
                place = place.substring(1);
            }
            if (place.matches("[^:]+:\\d+")) {
                errorPlace = place;
                return valueOf(place + ": " + m.substring(space + 1));
            }
            return message;
        }
    };

    /** An error of the redis API, raised as Redis's luaPushError does: a table, with no position in its text. */
    static LuaError apiError(String message) {
        LuaTable t = new LuaTable();
        t.rawset(LuaReplies.ERR, LuaValue.valueOf("ERR " + message));
        return new LuaError(t);
    }

    /** Redis's text for an error that ended a script (luaCallFunction). */
    private String errorText(LuaError e, String name) {
        LuaValue object = e.getMessageObject();
        String err;
        if (object != null && object.istable() && object.rawget(LuaReplies.ERR).isstring()) {
            err = object.rawget(LuaReplies.ERR).tojstring();
        } else {
            String m = e.getMessage();
            err = "ERR " + (m == null ? "" : m.startsWith("@") ? m.substring(1) : m);
        }
        err = err.replace('\r', ' ').replace('\n', ' ');
        if (name != null && errorPlace != null) {
            return err + " script: " + name + ", on @" + errorPlace + ".";
        }
        return err;
    }

    /**
     * Compiles a script or library. Tail calls are compiled as plain calls followed by a return:
     * LuaJ runs a tail call after the caller's frame is gone, and Redis's error reports name the
     * line of the call ("on @user_script:3"), which needs that frame.
     */
    private static LuaValue compile(ScriptGlobals g, String source, String chunkName) {
        LuaValue f = g.load(new ByteArrayInputStream(withoutShebang(source)), chunkName, "t", g);
        if (f instanceof org.luaj.vm2.LuaClosure c) {
            withoutTailCalls(c.p);
        }
        return f;
    }

    private static void withoutTailCalls(org.luaj.vm2.Prototype p) {
        int[] code = p.code;
        for (int i = 0; i < code.length; i++) {
            if ((code[i] & 0x3f) == org.luaj.vm2.Lua.OP_TAILCALL) {
                // TAILCALL A B 0 becomes CALL A B 0 (all results), and the RETURN A 0 after it returns them
                code[i] = (code[i] & ~0x3f & ~org.luaj.vm2.Lua.MASK_C) | org.luaj.vm2.Lua.OP_CALL;
            }
        }
        for (org.luaj.vm2.Prototype inner : p.p) {
            withoutTailCalls(inner);
        }
    }

    /** LuaJ's tokens from 257 on, named as Lua 5.1's error messages name them. */
    private static final String[] TOKENS = {"and", "break", "do", "else", "elseif", "end", "false", "for",
        "function", "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until",
        "while", "..", "...", "==", ">=", "<=", "~=", "::", "<eof>", "<number>", "<name>", "<string>", "<eof>"};
    private static final java.util.regex.Pattern LUAJ_SYMBOL =
            java.util.regex.Pattern.compile("unexpected symbol (\\d+) \\(.*\\)$", java.util.regex.Pattern.DOTALL);

    /** A compiler error as Lua 5.1 words it: "user_script:1: unexpected symbol near '<eof>'". */
    private static String compileMessage(LuaError e) {
        String m = e.getMessage();
        m = m.startsWith("@") ? m.substring(1) : m;
        java.util.regex.Matcher symbol = LUAJ_SYMBOL.matcher(m);
        if (symbol.find()) {
            int token = Integer.parseInt(symbol.group(1));
            String text = token < 257 ? String.valueOf((char) token)
                    : token - 257 < TOKENS.length ? TOKENS[token - 257] : "?";
            m = m.substring(0, symbol.start()) + "unexpected symbol near '" + text + "'";
        }
        return m.replace('\r', ' ').replace('\n', ' ');
    }

    /** The source for Lua: a shebang line is blanked so that line numbers stay those of the text. */
    private static byte[] withoutShebang(String source) {
        if (source.startsWith("#!")) {
            int nl = source.indexOf('\n');
            source = nl < 0 ? "" : source.substring(nl);
        }
        return source.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static LuaTable table(CommandArgs args, int from, int n) {
        LuaTable t = new LuaTable(n, 0);
        for (int i = 0; i < n; i++) {
            t.rawset(i + 1, LuaString.valueOf(args.copy(from + i)));
        }
        return t;
    }

    static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    // ---- cross-thread ---------------------------------------------------------------------------

    /** Asks the running script to stop at its next check; whether one of that kind was running. */
    boolean kill(boolean functions) {
        Running r = running;
        if (r == null || r.function() != functions) {
            return false;
        }
        killed = true; // volatile: the hook on the script's thread reads it within HOOK_EVERY instructions
        return true;
    }

    /** How long the current script has run, ms, or -1 when none runs. */
    public long runningMillis() {
        long s = startedNanos;
        return s == 0 ? -1 : (System.nanoTime() - s) / 1_000_000;
    }

    /** The script running now, or null. */
    public Running running() {
        return running;
    }

    // ---- the sandbox ----------------------------------------------------------------------------

    private ScriptGlobals sandbox(LuaTable names, LuaTable redis) {
        ScriptGlobals g = new ScriptGlobals();
        g.load(new JseBaseLib());
        g.load(new PackageLib());
        g.load(new TableLib());
        g.load(new StringLib());
        g.load(new JseMathLib());
        g.load(new DebugLib()); // for the count hook only: the debug table is not shown
        LuaC.install(g);
        g.undumper = null; // text only: no precompiled bytecode
        LuaTable all = names;
        g.seal(all);
        for (String hidden : new String[] {"dofile", "loadfile", "print", "require", "package", "debug", "module",
                "collectgarbage", "load"}) {
            all.rawset(hidden, LuaValue.NIL);
        }
        LuaValue tableLib = all.rawget("table");
        all.rawset("unpack", tableLib.get("unpack"));
        all.rawset("loadstring", new LoadString(g));
        all.rawset("pcall", new ProtectedCall());
        all.rawset("_G", g);
        all.rawset("redis", ReadOnlyTable.copyOf(redis));
        all.rawset("cjson", ReadOnlyTable.copyOf(Cjson.library()));
        all.rawset("bit", ReadOnlyTable.copyOf(BitOps.library()));
        all.rawset("cmsgpack", ReadOnlyTable.copyOf(Cmsgpack.library()));
        StringFormat.install(all.rawget("string"));
        for (String lib : new String[] {"string", "table", "math"}) {
            all.rawset(lib, ReadOnlyTable.copyOf(all.rawget(lib)));
        }
        ReadOnlyTable stringMeta = new ReadOnlyTable();
        stringMeta.rawset(LuaValue.INDEX, all.rawget("string"));
        LuaString.s_metatable = stringMeta.seal(); // JVM-wide, so sealed: a script cannot change strings elsewhere
        g.showing(all);
        return g;
    }

    private LuaTable redisApi() {
        LuaTable r = new LuaTable();
        addLogApi(r);
        r.rawset("call", new Call(true));
        r.rawset("pcall", new Call(false));
        r.rawset("error_reply", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue msg) {
                String m = msg.checkjstring();
                return LuaReplies.errorTable(m.startsWith("-") ? m : "-" + m);
            }
        });
        r.rawset("status_reply", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue msg) {
                LuaTable t = new LuaTable();
                t.rawset(LuaReplies.OK, msg.checkstring());
                return t;
            }
        });
        r.rawset("sha1hex", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue s) {
                LuaString str = s.checkstring();
                byte[] b = java.util.Arrays.copyOfRange(str.m_bytes, str.m_offset, str.m_offset + str.m_length);
                return valueOf(ScriptRegistry.sha1hex(b));
            }
        });
        r.rawset("setresp", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                int n = v.checkint();
                if (n != 2 && n != 3) {
                    throw apiError("RESP version must be 2 or 3.");
                }
                resp = n;
                return NONE.arg1();
            }
        });
        // Scripts replicate as their effects in Redis 7; this server does not replicate: accepted, no effect.
        r.rawset("set_repl", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                v.checkint();
                return NONE.arg1();
            }
        });
        r.rawset("replicate_commands", new ZeroArgFunction() {
            @Override
            public LuaValue call() {
                return TRUE;
            }
        });
        r.rawset("REPL_NONE", LuaValue.valueOf(0));
        r.rawset("REPL_AOF", LuaValue.valueOf(1));
        r.rawset("REPL_SLAVE", LuaValue.valueOf(2));
        r.rawset("REPL_REPLICA", LuaValue.valueOf(2));
        r.rawset("REPL_ALL", LuaValue.valueOf(3));
        return r;
    }

    private void addLogApi(LuaTable r) {
        r.rawset("LOG_DEBUG", LuaValue.valueOf(0));
        r.rawset("LOG_VERBOSE", LuaValue.valueOf(1));
        r.rawset("LOG_NOTICE", LuaValue.valueOf(2));
        r.rawset("LOG_WARNING", LuaValue.valueOf(3));
        r.rawset("REDIS_VERSION", LuaValue.valueOf(REDIS_VERSION));
        r.rawset("REDIS_VERSION_NUM", LuaValue.valueOf(REDIS_VERSION_NUM));
        r.rawset("log", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                if (args.narg() < 2) {
                    throw apiError("redis.log() requires two arguments or more.");
                }
                if (!args.arg1().isnumber()) {
                    throw apiError("First argument must be a number (log level).");
                }
                int level = args.arg1().toint();
                if (level < 0 || level > 3) {
                    throw apiError("Invalid debug level.");
                }
                StringBuilder sb = new StringBuilder();
                for (int i = 2; i <= args.narg(); i++) {
                    sb.append(i > 2 ? " " : "").append(args.arg(i).tojstring());
                }
                System.Logger.Level l = switch (level) {
                    case 0 -> System.Logger.Level.DEBUG;
                    case 1 -> System.Logger.Level.TRACE;
                    case 2 -> System.Logger.Level.INFO;
                    default -> System.Logger.Level.WARNING;
                };
                log.log(l, sb.toString());
                return NONE;
            }
        });
    }

    /** redis.call (raising errors) and redis.pcall (returning them as {err=...}). */
    private final class Call extends VarArgFunction {
        private final boolean raise;

        Call(boolean raise) {
            this.raise = raise;
        }

        @Override
        public Varargs invoke(Varargs args) {
            ScriptCalls c = calls;
            if (c == null) {
                throw apiError("redis.call can only be called inside a script invocation");
            }
            int n = args.narg();
            if (n == 0) {
                return fail(LuaReplies.errorTable("-ERR Please specify at least one argument for this redis lib call"));
            }
            callArgs.clear();
            for (int i = 1; i <= n; i++) {
                LuaValue a = args.arg(i);
                if (a.type() == TNUMBER) {
                    callArgs.add(LuaReplies.numberText(a.todouble()));
                } else if (a.type() == TSTRING) {
                    LuaString s = (LuaString) a;
                    callArgs.add(s.m_bytes, s.m_offset, s.m_length);
                } else {
                    return fail(LuaReplies.errorTable("-ERR Lua redis lib command arguments must be strings or integers"));
                }
            }
            callReply.reset();
            callReply.protocol(resp);
            c.call(callArgs, callReply);
            cursor[0] = 0;
            LuaValue v = LuaReplies.toLua(callReply.array(), cursor);
            if (v.istable() && v.rawget(LuaReplies.ERR).isstring()) {
                return fail((LuaTable) v);
            }
            return v;
        }

        private LuaValue fail(LuaTable error) {
            if (raise) {
                throw new LuaError(error);
            }
            return error;
        }
    }

    /**
     * Redis 7.0's pcall: Lua's, with an error table raised by redis.call (or error{err=...})
     * returned as its err text. A stop by the hook is an Error, which it does not catch.
     */
    private static final class ProtectedCall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.checkvalue(1);
            try {
                return varargsOf(TRUE, f.invoke(args.subargs(2)));
            } catch (LuaError e) {
                LuaValue m = e.getMessageObject();
                if (m != null && m.istable() && m.rawget(LuaReplies.ERR).isstring()) {
                    m = m.rawget(LuaReplies.ERR);
                }
                return varargsOf(FALSE, m == null ? NIL : m);
            }
        }
    }

    /** Lua 5.1's loadstring, for text only: (chunk) or (nil, message). */
    private static final class LoadString extends VarArgFunction {
        private final ScriptGlobals g;

        LoadString(ScriptGlobals g) {
            this.g = g;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            String name = args.optjstring(2, s.tojstring());
            try {
                return g.load(new ByteArrayInputStream(s.m_bytes, s.m_offset, s.m_length), "=" + name, "t", g);
            } catch (LuaError e) {
                return varargsOf(NIL, valueOf(e.getMessage()));
            }
        }
    }

    /** redis.register_function(name, callback) or redis.register_function{function_name=, callback=, flags=, description=}. */
    private final class RegisterFunction extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            if (registering == null) {
                throw apiError("redis.register_function can only be called on FUNCTION LOAD command");
            }
            String name;
            LuaValue callback;
            String description = null;
            List<String> flags = new ArrayList<>();
            if (args.narg() == 1 && args.arg1().istable()) {
                LuaValue t = args.arg1();
                for (LuaValue k = t.next(NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) {
                    String key = k.tojstring();
                    if (!key.equals("function_name") && !key.equals("callback") && !key.equals("flags")
                            && !key.equals("description")) {
                        throw apiError("unknown argument given to redis.register_function");
                    }
                }
                if (!t.get("function_name").isstring()) {
                    throw apiError("function_name argument given to redis.register_function must be a string");
                }
                name = t.get("function_name").tojstring();
                callback = t.get("callback");
                if (!callback.isfunction()) {
                    throw apiError("callback argument given to redis.register_function must be a function");
                }
                if (t.get("description").isstring()) {
                    description = t.get("description").tojstring();
                }
                LuaValue fl = t.get("flags");
                if (fl.istable()) {
                    for (int i = 1; !fl.get(i).isnil(); i++) {
                        String f = fl.get(i).tojstring();
                        if (!List.of("no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys")
                                .contains(f)) {
                            throw apiError("unknown flag given");
                        }
                        flags.add(f);
                    }
                }
            } else {
                if (args.narg() != 2) {
                    throw apiError("wrong number of arguments to redis.register_function");
                }
                name = args.checkjstring(1);
                callback = args.arg(2);
                if (!callback.isfunction()) {
                    throw apiError("callback argument given to redis.register_function must be a function");
                }
            }
            if (!validName(name)) {
                throw new LuaError(LuaReplies.errorTable("-ERR Library names can only contain letters, numbers, or "
                        + "underscores(_) and must be at least one character long"));
            }
            if (registering.containsKey(name)) {
                throw new LuaError(LuaReplies.errorTable("-ERR Function already exists in the library"));
            }
            registering.put(name, new ScriptRegistry.FunctionInfo(name, registeringLibrary, description,
                    List.copyOf(flags)));
            registeringCallbacks.put(name, callback);
            return NONE;
        }
    }
}
