package io.shardloop.resp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The server's parameters as CONFIG GET shows them and CONFIG SET changes them, with Redis 7.0's
 * names, defaults, checks and error texts (config.c). One per server, shared by every shard.
 * <p>
 * What a SET changes:
 * <ul>
 * <li>maxmemory: the limit past which writes are refused -OOM (where the server model has one);
 * notify-keyspace-events: the classes of keyspace events sent (Redis's letters);
 * slowlog-log-slower-than and slowlog-max-len: every shard's {@link SlowLog};
 * latency-monitor-threshold: the latency monitor; busy-reply-threshold (lua-time-limit): the
 * scripts' time limit; client-output-buffer-limit: its pubsub class, the limit on subscribers
 * ({@link ClientOutputLimits}; the normal and slave classes are kept and shown only). These take
 * effect at once.</li>
 * <li>The encoding thresholds (hash-max-listpack-entries and -value, set-max-intset-entries,
 * zset-max-listpack-entries and -value, with their ziplist aliases): the store's
 * {@link io.shardloop.kv.EncodingThresholds}, which OBJECT ENCODING and the value scans follow,
 * where {@link #encodings} wired them (else only shown). list-max-listpack-size and
 * list-compress-depth are accepted and shown: Redis 7.0's lists are quicklists whatever they say,
 * and the server's lists have no nodes to size or compress.</li>
 * <li>save: the save points, checked and shown as Redis's config.c does ({@link
 * io.shardloop.persist.SavePoints}); where data is kept on disk they are the server's, which take a
 * snapshot when due and decide SHUTDOWN's save ({@link #persistence}); elsewhere they are accepted
 * and shown only. appendonly and the other persistence parameters are as the server started.</li>
 * <li>maxclients, timeout and protected-mode (and maxmemory and busy-reply-threshold where the
 * model cannot change them): fixed when the server starts; a SET to the value they have is OK
 * (nothing changes), to another "can't set immutable config". databases is immutable, as in
 * Redis.</li>
 * </ul>
 * A CONFIG SET of several pairs is atomic: every value is checked before any is applied, so a
 * failure leaves all as they were.
 * <p>
 * Thread-safe: values are volatile reads; SET is serialised on this object.
 */
public final class ServerSettings {
    private static final String IMMUTABLE = "can't set immutable config";
    private static final List<String> POLICIES = List.of("volatile-lru", "volatile-lfu", "volatile-random",
            "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction");

    /**
     * How a parameter's text is read, and what it may be. FIXED: fixed at start here (a SET to the
     * value it has is answered OK, and changes nothing); IMMUTABLE: immutable in Redis too.
     */
    private enum Kind { MEMORY, INTEGER, ENUM, FSYNC, YES_NO, SAVE_POINTS, CLASSES, OUTPUT_LIMITS, FIXED, IMMUTABLE }

    /** One parameter; aliases share the {@link Value}. */
    private static final class Value {
        final Kind kind;
        final long min;
        final long max;
        final LongConsumer apply;
        final LongSupplier fixed;
        /** A text the server keeps itself (notify-keyspace-events): shown from it, set into it. */
        Supplier<String> shown;
        Function<String, String> setInto;
        /** Why the server refuses a value of the right form (a YES_NO it cannot apply), or null when it takes it. */
        Function<String, String> refused;
        volatile String text;
        volatile long number;

        Value(Kind kind, long min, long max, String initial, LongConsumer apply, LongSupplier fixed) {
            this.kind = kind;
            this.min = min;
            this.max = max;
            this.apply = apply;
            this.fixed = fixed;
            this.text = initial;
            if (kind == Kind.MEMORY || kind == Kind.INTEGER) {
                this.number = Long.parseLong(initial);
            }
        }

        String show() {
            return shown != null ? shown.get() : fixed != null ? Long.toString(fixed.getAsLong()) : text;
        }
    }

    private final Map<String, Value> byName = new LinkedHashMap<>();
    private final Value slowlogSlowerThan;
    private final Value slowlogMaxLen;
    private final Value latencyThreshold;
    /** client-output-buffer-limit; replaced only while the settings are built ({@link #pubsubLimit}). */
    private ClientOutputLimits outputLimits = new ClientOutputLimits(PubSubLimit.REDIS_DEFAULT);

    /**
     * @param maxMemory    the limit now; {@code setMaxMemory} changes it, or is null where it is fixed
     * @param maxClients   connections allowed at once (fixed)
     * @param idleTimeout  seconds before an idle client is closed (fixed)
     * @param databases    how many numbered databases there are (immutable, as in Redis)
     * @param protectedMode whether protected mode is on (fixed)
     * @param scriptLimitMillis the scripts' time limit now; {@code scriptLimit} changes it, or is
     *                    null where it is fixed
     */
    public ServerSettings(LongSupplier maxMemory, LongConsumer setMaxMemory, LongSupplier maxClients,
                          LongSupplier idleTimeout, int databases, boolean protectedMode, long scriptLimitMillis,
                          LongConsumer scriptLimit) {
        if (setMaxMemory == null) {
            fixed("maxmemory", maxMemory);
        } else {
            add(new Value(Kind.MEMORY, 0, Long.MAX_VALUE, Long.toString(maxMemory.getAsLong()), setMaxMemory, null),
                    "maxmemory");
        }
        add(new Value(Kind.ENUM, 0, 0, "noeviction", null, null), "maxmemory-policy");
        fixed("maxclients", maxClients);
        fixed("timeout", idleTimeout);
        add(new Value(Kind.IMMUTABLE, 0, 0, Integer.toString(databases), null, null), "databases");
        add(new Value(Kind.FIXED, 0, 0, protectedMode ? "yes" : "no", null, null), "protected-mode");
        add(new Value(Kind.SAVE_POINTS, 0, 0, "", null, null), "save"); // shown only, until a server's are wired
        add(new Value(Kind.FIXED, 0, 0, "no", null, null), "appendonly"); // what the server started with: persistence()
        add(new Value(Kind.FSYNC, 0, 0, "everysec", null, null), "appendfsync"); // shown and kept, until a server's are wired
        slowlogSlowerThan = integer(10_000, -1, Long.MAX_VALUE, "slowlog-log-slower-than");
        slowlogMaxLen = integer(128, 0, Long.MAX_VALUE, "slowlog-max-len");
        latencyThreshold = integer(0, 0, Long.MAX_VALUE, "latency-monitor-threshold");
        add(new Value(scriptLimit == null ? Kind.FIXED : Kind.INTEGER, 0, Long.MAX_VALUE, Long.toString(scriptLimitMillis),
                scriptLimit, null), "busy-reply-threshold", "lua-time-limit");
        encodings(new io.shardloop.kv.EncodingThresholds()); // shown only, until a store's are wired
        integer(-2, Integer.MIN_VALUE, Integer.MAX_VALUE, "list-max-listpack-size", "list-max-ziplist-size");
        integer(0, 0, Integer.MAX_VALUE, "list-compress-depth");
        add(new Value(Kind.MEMORY, 0, Long.MAX_VALUE, "3000", null, null), "hll-sparse-max-bytes");
        add(new Value(Kind.MEMORY, 0, Long.MAX_VALUE, "4096", null, null), "stream-node-max-bytes");
        integer(100, 0, Long.MAX_VALUE, "stream-node-max-entries");
        Value limits = new Value(Kind.OUTPUT_LIMITS, 0, 0, "", null, null);
        limits.shown = () -> outputLimits.show();
        limits.setInto = value -> {
            outputLimits.set(value); // checked before: it takes it
            return null;
        };
        add(limits, "client-output-buffer-limit");
    }

    /** Settings over a view's limits, none of them changeable but the logs' (a server of its own for tests). */
    public static ServerSettings of(ServerView view, RespConfig config) {
        return new ServerSettings(view::maxMemory, null, view::maxClients, view::idleTimeoutSeconds,
                view.databases(), config.protectedMode(), io.shardloop.script.ScriptRegistry.DEFAULT_TIME_LIMIT_MILLIS, null)
                .keyspaceEvents(view).pubsubLimit(config.pubsubLimit());
    }

    /** The subscribers' limit the server starts with (serve's --client-output-buffer-limit-pubsub-*). */
    public ServerSettings pubsubLimit(PubSubLimit initial) {
        outputLimits = new ClientOutputLimits(initial);
        return this;
    }

    /**
     * What the server keeps on disk, as it started: dir, appenddirname, dbfilename,
     * auto-aof-rewrite-percentage, auto-aof-rewrite-min-size and aof-load-truncated are shown, and
     * fixed (a SET to the value they have is OK, to another "can't set immutable config"); save,
     * appendfsync and appendonly are {@code disk}'s, shown from it and set into it (appendonly only
     * on: it cannot be turned off while serving); where {@code disk} is null nothing is kept on disk:
     * save is only shown, appendfsync only kept, appendonly fixed.
     */
    public ServerSettings persistence(io.shardloop.persist.PersistenceConfig p, io.shardloop.persist.DiskControl disk) {
        if (p == null) {
            return this;
        }
        if (disk != null) {
            Value save = new Value(Kind.SAVE_POINTS, 0, 0, "", null, null);
            save.shown = () -> disk.savePoints().toString();
            save.setInto = value -> {
                disk.savePoints(io.shardloop.persist.SavePoints.parse(value)); // checked before: it parses
                return null;
            };
            add(save, "save");
            Value fsync = new Value(Kind.FSYNC, 0, 0, "", null, null);
            fsync.shown = () -> disk.appendfsync().label();
            fsync.setInto = value -> {
                disk.appendfsync(io.shardloop.persist.AppendLog.Fsync.parse(value)); // checked before: it parses
                return null;
            };
            add(fsync, "appendfsync");
            Value appendOnly = new Value(Kind.YES_NO, 0, 0, "", null, null);
            appendOnly.shown = () -> disk.appendOnly() ? "yes" : "no";
            appendOnly.refused = value -> disk.appendOnlyRefused(value.equalsIgnoreCase("yes"));
            appendOnly.setInto = value -> {
                disk.appendOnly(value.equalsIgnoreCase("yes"));
                return null;
            };
            add(appendOnly, "appendonly");
        } else {
            add(new Value(Kind.FSYNC, 0, 0, p.fsync().label(), null, null), "appendfsync"); // nothing is synced here
        }
        if (disk == null) {
            add(new Value(Kind.FIXED, 0, 0, p.appendOnly() ? "yes" : "no", null, null), "appendonly");
        }
        String[][] shown = {
                {"dir", p.dir().toString()}, {"appenddirname", p.appendDirName()}, {"dbfilename", p.dbFilename()},
                {"auto-aof-rewrite-percentage", Integer.toString(p.autoRewritePercentage())},
                {"auto-aof-rewrite-min-size", Long.toString(p.autoRewriteMinSize())},
                {"aof-load-truncated", p.loadTruncated() ? "yes" : "no"}};
        for (String[] s : shown) {
            add(new Value(Kind.FIXED, 0, 0, s[1], null, null), s[0]);
        }
        return this;
    }

    /** client-output-buffer-limit: each subscriber's connection watches its pubsub class. */
    public ClientOutputLimits outputLimits() {
        return outputLimits;
    }

    private Value integer(long initial, long min, long max, String... names) {
        return add(new Value(Kind.INTEGER, min, max, Long.toString(initial), null, null), names);
    }

    private void fixed(String name, LongSupplier value) {
        add(new Value(Kind.FIXED, 0, 0, null, null, value), name);
    }

    /**
     * notify-keyspace-events, kept by the server ({@link ServerView#notifyKeyspaceEvents()}): GET
     * shows its classes as Redis renders them, SET takes Redis's letters.
     */
    public ServerSettings keyspaceEvents(ServerView view) {
        Value v = new Value(Kind.CLASSES, 0, 0, "", null, null);
        v.shown = view::notifyKeyspaceEvents;
        v.setInto = view::notifyKeyspaceEvents;
        add(v, "notify-keyspace-events");
        return this;
    }

    /**
     * The encoding thresholds, as config.c defines them (the entries integers, the values memory
     * sizes), from and into {@code limits}: a store's, which OBJECT ENCODING follows. Any CONFIG SET
     * of one changes it for the next lookup on every shard.
     */
    public ServerSettings encodings(io.shardloop.kv.EncodingThresholds limits) {
        threshold(Kind.INTEGER, limits.hashMaxListpackEntries(), limits::hashMaxListpackEntries,
                "hash-max-listpack-entries", "hash-max-ziplist-entries");
        threshold(Kind.MEMORY, limits.hashMaxListpackValue(), limits::hashMaxListpackValue,
                "hash-max-listpack-value", "hash-max-ziplist-value");
        threshold(Kind.INTEGER, limits.setMaxIntsetEntries(), limits::setMaxIntsetEntries, "set-max-intset-entries");
        threshold(Kind.INTEGER, limits.zsetMaxListpackEntries(), limits::zsetMaxListpackEntries,
                "zset-max-listpack-entries", "zset-max-ziplist-entries");
        threshold(Kind.MEMORY, limits.zsetMaxListpackValue(), limits::zsetMaxListpackValue,
                "zset-max-listpack-value", "zset-max-ziplist-value");
        return this;
    }

    private void threshold(Kind kind, long initial, LongConsumer apply, String... names) {
        add(new Value(kind, 0, Long.MAX_VALUE, Long.toString(initial), apply, null), names);
    }

    private Value add(Value v, String... names) {
        for (String n : names) {
            byName.put(n, v);
        }
        return v;
    }

    /** Microseconds past which a command is logged in the slowlog; negative: none is. */
    public long slowlogSlowerThanMicros() {
        return slowlogSlowerThan.number;
    }

    public long slowlogMaxLen() {
        return slowlogMaxLen.number;
    }

    /** Milliseconds past which an event is recorded by the latency monitor; 0: it is off. */
    public long latencyThresholdMillis() {
        return latencyThreshold.number;
    }

    /**
     * CONFIG GET's pairs: a name without glob characters as it was given (Redis echoes it), and
     * the names the patterns match (ignoring case), in table order.
     */
    public List<String[]> get(List<String> patterns) {
        List<String[]> hits = new ArrayList<>();
        List<String> globs = new ArrayList<>();
        for (String p : patterns) {
            if (p.indexOf('*') >= 0 || p.indexOf('?') >= 0 || p.indexOf('[') >= 0) {
                globs.add(p);
                continue;
            }
            Value v = byName.get(p.toLowerCase(Locale.ROOT));
            if (v != null && hits.stream().noneMatch(h -> h[0].equals(p))) {
                hits.add(new String[] {p, v.show()});
            }
        }
        for (Map.Entry<String, Value> e : byName.entrySet()) {
            if (hits.stream().anyMatch(h -> h[0].equals(e.getKey()))) {
                continue;
            }
            byte[] name = e.getKey().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (String p : globs) {
                byte[] pattern = p.toLowerCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                if (io.shardloop.kv.Glob.matches(pattern, 0, pattern.length, name, 0, name.length)) {
                    hits.add(new String[] {e.getKey(), e.getValue().show()});
                    break;
                }
            }
        }
        return hits;
    }

    /**
     * CONFIG SET name value [name value ...]: all applied, or none and Redis's error.
     *
     * @return null when applied, else the error message
     */
    public synchronized String set(List<String> namesAndValues) {
        int n = namesAndValues.size() / 2;
        Value[] targets = new Value[n];
        String unknown = null;
        String failure = null;
        String failedArg = null;
        for (int i = 0; i < n; i++) {
            String arg = namesAndValues.get(2 * i);
            Value v = byName.get(arg.toLowerCase(Locale.ROOT));
            if (v == null) {
                if (unknown == null && failure == null) {
                    unknown = arg;
                }
                continue;
            }
            if (unknown != null || failure != null) {
                continue;
            }
            if (v.kind == Kind.IMMUTABLE) {
                failure = IMMUTABLE;
                failedArg = arg;
                continue;
            }
            for (int j = 0; j < i; j++) {
                if (targets[j] == v) {
                    failure = "duplicate parameter";
                    failedArg = arg;
                    break;
                }
            }
            targets[i] = v;
        }
        if (unknown != null) {
            return "ERR Unknown option or number of arguments for CONFIG SET - '" + unknown + "'";
        }
        if (failure != null) {
            return failed(failedArg, failure);
        }
        long[] numbers = new long[n];
        for (int i = 0; i < n; i++) {
            String error = check(targets[i], namesAndValues.get(2 * i + 1), numbers, i);
            if (error != null) {
                return failed(namesAndValues.get(2 * i).toLowerCase(Locale.ROOT), error); // the name it was found by
            }
        }
        for (int i = 0; i < n; i++) {
            Value v = targets[i];
            String value = namesAndValues.get(2 * i + 1);
            if (v.kind == Kind.FIXED) {
                continue; // set to the value it has
            }
            if (v.setInto != null) {
                v.setInto.apply(value); // checked above: it takes it
                continue;
            }
            v.number = numbers[i];
            v.text = v.kind == Kind.MEMORY || v.kind == Kind.INTEGER ? Long.toString(numbers[i])
                    : v.kind == Kind.SAVE_POINTS ? io.shardloop.persist.SavePoints.parse(value).toString()
                    : value.toLowerCase(Locale.ROOT);
            if (v.apply != null) {
                v.apply.accept(numbers[i]);
            }
        }
        return null;
    }

    private static String failed(String arg, String why) {
        return "ERR CONFIG SET failed (possibly related to argument '" + arg + "') - " + why;
    }

    /** Redis's check of a value for its kind; null when good (a number is left in {@code numbers[i]}). */
    private static String check(Value v, String value, long[] numbers, int i) {
        switch (v.kind) {
            case MEMORY -> {
                long bytes = memory(value);
                if (bytes < 0) {
                    return "argument must be a memory value";
                }
                numbers[i] = bytes;
            }
            case INTEGER -> {
                Long parsed = strictLong(value);
                if (parsed == null) {
                    return "argument couldn't be parsed into an integer";
                }
                if (parsed < v.min || parsed > v.max) {
                    return "argument must be between " + v.min + " and " + v.max + " inclusive";
                }
                numbers[i] = parsed;
            }
            case ENUM -> {
                if (!POLICIES.contains(value.toLowerCase(Locale.ROOT))) {
                    return "argument(s) must be one of the following: " + String.join(", ", POLICIES);
                }
                if (!value.equalsIgnoreCase("noeviction")) {
                    return "this server evicts no keys: only noeviction";
                }
            }
            case YES_NO -> {
                if (!value.equalsIgnoreCase("yes") && !value.equalsIgnoreCase("no")) {
                    return "argument must be 'yes' or 'no'";
                }
                String why = v.refused == null ? null : v.refused.apply(value);
                if (why != null) {
                    return why;
                }
            }
            case FSYNC -> {
                if (io.shardloop.persist.AppendLog.Fsync.parse(value) == null) {
                    return "argument(s) must be one of the following: always, everysec, no";
                }
            }
            case SAVE_POINTS -> {
                try {
                    io.shardloop.persist.SavePoints.parse(value);
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            }
            case CLASSES -> {
                if (io.shardloop.kv.KeyspaceEvents.parse(value) < 0) {
                    return io.shardloop.kv.KeyspaceEvents.INVALID;
                }
            }
            case OUTPUT_LIMITS -> {
                return ClientOutputLimits.check(value);
            }
            case FIXED -> {
                boolean yesNo = v.show().equals("yes") || v.show().equals("no");
                if (yesNo && !value.equalsIgnoreCase("yes") && !value.equalsIgnoreCase("no")) {
                    return "argument must be 'yes' or 'no'"; // a bad value first, as Redis checks it
                }
                if (!value.equalsIgnoreCase(v.show())) {
                    return IMMUTABLE;
                }
            }
            case IMMUTABLE -> throw new IllegalStateException("checked above");
        }
        return null;
    }

    /** Redis's memtoull: digits and an optional unit (b, k, kb, m, mb, g, gb, ignoring case); -1 if not one. */
    static long memory(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        long unit = 1;
        String digits = t;
        String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"},
            {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                digits = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            return -1;
        }
    }

    /** Redis's string2ll: an optional minus, no plus, no leading zeros, no spaces; null if not one. */
    static Long strictLong(String s) {
        if (s.isEmpty() || s.length() > 20) {
            return null;
        }
        int start = s.charAt(0) == '-' ? 1 : 0;
        if (start == s.length() || (s.charAt(start) == '0' && s.length() > start + 1)
                || !s.substring(start).chars().allMatch(Character::isDigit)) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
