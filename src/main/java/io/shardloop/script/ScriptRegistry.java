package io.shardloop.script;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the shards of one server share about scripts: the script cache (SHA1 to source: SCRIPT LOAD
 * on one shard serves EVALSHA on every other), the function libraries, the time limit, and the
 * scripts running now (for SCRIPT KILL and FUNCTION KILL from any thread, BUSY replies and the
 * stall detector). One per server, never one per process: two servers in one JVM have their own
 * libraries and caches, as two redis-servers do, and the libraries one server reads back from its
 * files are its alone. Each thread's {@link ScriptEngine} compiles from the registry bound to that
 * thread ({@link ScriptEngine#bindThisThread}), lazily.
 * <p>
 * Thread-safe. The libraries are an immutable map replaced whole under a lock (copy on write),
 * with a version that engines compare to know when to recompile.
 */
public final class ScriptRegistry {
    /** Redis's busy-reply-threshold default (the old lua-time-limit): 5 seconds. */
    public static final long DEFAULT_TIME_LIMIT_MILLIS = 5000;

    private final Map<String, String> scripts = new ConcurrentHashMap<>();
    /** Bumped by SCRIPT FLUSH (under this registry's lock): engines drop what they compiled. */
    private volatile long scriptsGeneration;
    private final Object librariesLock = new Object();
    private volatile Libraries libraries = new Libraries(Map.of(), Map.of(), 0);
    private volatile long timeLimitMillis = DEFAULT_TIME_LIMIT_MILLIS;
    private final Set<ScriptEngine> running = ConcurrentHashMap.newKeySet();

    /** One library: its name, its source, and the functions it registered, by name. */
    public record Library(String name, String code, Map<String, FunctionInfo> functions) {
    }

    /** One registered function: its name, library, description (or null) and flags ("no-writes", ...). */
    public record FunctionInfo(String name, String library, String description, List<String> flags) {
        public boolean readOnly() {
            return flags.contains("no-writes");
        }
    }

    /** The libraries by name (in load order) and every function by name, as of one version. */
    public record Libraries(Map<String, Library> byName, Map<String, FunctionInfo> functions, long version) {
    }

    // ---- scripts ------------------------------------------------------------------------------

    /** Lower-case hex SHA1 of the bytes, as Redis names scripts. */
    public static String sha1hex(byte[] body) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(body);
            StringBuilder sb = new StringBuilder(40);
            for (byte b : d) {
                sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** Caches a script's source; returns its SHA1. */
    public String store(byte[] body) {
        String sha = sha1hex(body);
        scripts.putIfAbsent(sha, new String(body, StandardCharsets.ISO_8859_1));
        return sha;
    }

    /** The source of a cached script, by lower-case SHA1, or null. */
    public String source(String sha) {
        return scripts.get(sha);
    }

    public boolean exists(String sha) {
        return scripts.containsKey(sha.toLowerCase(java.util.Locale.ROOT));
    }

    /** SCRIPT FLUSH. */
    public synchronized void flushScripts() {
        scripts.clear();
        scriptsGeneration++;
    }

    long scriptsGeneration() {
        return scriptsGeneration;
    }

    public int scriptCount() {
        return scripts.size();
    }

    // ---- functions ----------------------------------------------------------------------------

    public Libraries libraries() {
        return libraries;
    }

    /** The function named, or null. */
    public FunctionInfo function(String name) {
        return libraries.functions().get(name);
    }

    /**
     * Adds (or with {@code replace}, replaces) a library already checked by an engine.
     *
     * @return null, or Redis's error text
     */
    public String add(Library library, boolean replace) {
        synchronized (librariesLock) {
            Libraries now = libraries;
            Library old = now.byName().get(library.name());
            if (old != null && !replace) {
                return "ERR Library '" + library.name() + "' already exists";
            }
            for (String f : library.functions().keySet()) {
                FunctionInfo other = now.functions().get(f);
                if (other != null && !other.library().equals(library.name())) {
                    return "ERR Function " + f + " already exists";
                }
            }
            Map<String, Library> byName = new LinkedHashMap<>(now.byName());
            byName.put(library.name(), library);
            publish(byName, now.version());
            return null;
        }
    }

    /** FUNCTION DELETE: whether the library was there. */
    public boolean delete(String name) {
        synchronized (librariesLock) {
            Libraries now = libraries;
            if (!now.byName().containsKey(name)) {
                return false;
            }
            Map<String, Library> byName = new LinkedHashMap<>(now.byName());
            byName.remove(name);
            publish(byName, now.version());
            return true;
        }
    }

    /** FUNCTION FLUSH, and FUNCTION RESTORE's FLUSH policy: replaces every library with these. */
    public void replaceAll(List<Library> with) {
        synchronized (librariesLock) {
            Map<String, Library> byName = new LinkedHashMap<>();
            for (Library l : with) {
                byName.put(l.name(), l);
            }
            publish(byName, libraries.version());
        }
    }

    private void publish(Map<String, Library> byName, long version) {
        Map<String, FunctionInfo> functions = new LinkedHashMap<>();
        for (Library l : byName.values()) {
            functions.putAll(l.functions());
        }
        libraries = new Libraries(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(functions),
                version + 1);
    }

    // ---- time limit and running scripts -------------------------------------------------------

    /** Scripts running longer than this are stopped (lua-time-limit, ms; 0 or less: never). */
    public void timeLimitMillis(long millis) {
        timeLimitMillis = millis;
    }

    public long timeLimitMillis() {
        return timeLimitMillis;
    }

    void started(ScriptEngine engine) {
        running.add(engine);
    }

    void finished(ScriptEngine engine) {
        running.remove(engine);
    }

    /**
     * SCRIPT KILL and FUNCTION KILL: stops the running eval scripts or functions at their next
     * instruction check.
     *
     * @param functions true for FUNCTION KILL (functions), false for SCRIPT KILL (eval scripts)
     * @return whether one was running
     */
    public boolean kill(boolean functions) {
        boolean any = false;
        for (ScriptEngine e : running) {
            any |= e.kill(functions);
        }
        return any;
    }

    /**
     * How long the script running on that thread has run, ms, or -1 when none is: for a shard
     * that answers -BUSY for another whose loop a script holds. Any thread.
     */
    public long runningMillisOn(Thread thread) {
        if (running.isEmpty()) {
            return -1;
        }
        for (ScriptEngine e : running) {
            if (e.owner() == thread) {
                return e.runningMillis();
            }
        }
        return -1;
    }

    /** Whether any script or function is running now. */
    public boolean busy() {
        return !running.isEmpty();
    }

    /** How long the longest-running script has run, ms, or -1 when none is running. */
    public long busyMillis() {
        long longest = -1;
        for (ScriptEngine e : running) {
            longest = Math.max(longest, e.runningMillis());
        }
        return longest;
    }

    /** One running script or function (FUNCTION STATS's running_script), or null. */
    public ScriptEngine.Running runningScript() {
        for (ScriptEngine e : running) {
            ScriptEngine.Running r = e.running();
            if (r != null) {
                return r;
            }
        }
        return null;
    }
}
