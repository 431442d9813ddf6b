package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.script.ScriptEngine;
import io.shardloop.script.ScriptRegistry;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * FUNCTION LOAD | LIST | DELETE | FLUSH | KILL | STATS | DUMP | RESTORE | HELP, on the server's
 * libraries ({@link ScriptRegistry}, the one bound to this thread). LIST, KILL, STATS, DUMP and
 * HELP are routed {@link Command.Route#LOCAL}, run where they arrive; LOAD, DELETE, FLUSH and
 * RESTORE, subcommands of their own, {@link Command.Route#FIRST_SHARD}: on shard
 * {@link Router#FIRST}, where each that changed the libraries is logged ({@link
 * Db#changedBesideKeys}), as Redis counts it in server.dirty. DUMP writes Redis's payload (one RDB
 * function record per library, the RDB version, a CRC64) with the code uncompressed; RESTORE reads
 * Redis's, LZF-compressed code included. LIST shows libraries and their functions by name (Redis
 * shows them in its hash tables' order). Stateless.
 */
public final class FunctionCommands {
    /** RDB_OPCODE_FUNCTION2: a library record in RDB 10. */
    private static final int FUNCTION_RECORD = 245;
    /** Redis 7.0's RDB_VERSION. */
    private static final int RDB_VERSION = 10;

    private FunctionCommands() {
    }

    public static void function(Db db, CommandArgs args, ReplySink out) {
        ScriptEngine engine = ScriptEngine.forThisThread();
        ScriptRegistry registry = engine.registry();
        int n = args.count();
        if (args.is(1, "load")) {
            boolean replace = n == 4 && args.is(2, "replace");
            if (n != 3 && !replace) {
                out.error(n < 3 ? Errors.wrongArity("function|load") : "ERR Unknown option given: " + args.string(2));
                return;
            }
            if (engine.loadLibrary(args.copy(n - 1), replace, out)) {
                changed(db);
            }
        } else if (args.is(1, "list")) {
            list(registry, args, out);
        } else if (args.is(1, "delete")) {
            if (n != 3) {
                out.error(Errors.wrongArity("function|delete"));
            } else if (registry.delete(args.string(2))) {
                changed(db);
                out.simple("OK");
            } else {
                out.error("ERR Library not found");
            }
        } else if (args.is(1, "flush")) {
            if (n > 3 || n == 3 && !args.is(2, "sync") && !args.is(2, "async")) {
                out.error(n > 3 ? Errors.wrongArity("function|flush") : "ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
                return;
            }
            registry.replaceAll(List.of());
            changed(db);
            out.simple("OK");
        } else if (args.is(1, "kill")) {
            if (n != 2) {
                out.error(Errors.wrongArity("function|kill"));
            } else if (registry.kill(true)) {
                out.simple("OK");
            } else {
                out.error("NOTBUSY No scripts in execution right now.");
            }
        } else if (args.is(1, "stats")) {
            if (n != 2) {
                out.error(Errors.wrongArity("function|stats"));
                return;
            }
            stats(registry, out);
        } else if (args.is(1, "dump")) {
            if (n != 2) {
                out.error(Errors.wrongArity("function|dump"));
                return;
            }
            out.bulk(dump(registry));
        } else if (args.is(1, "restore")) {
            if (restore(engine, args, out)) {
                changed(db);
            }
        } else if (args.is(1, "help") && n == 2) {
            Errors.help(out, "FUNCTION", new String[] {
                "LOAD [REPLACE] <FUNCTION CODE>",
                "    Create a new library with the given library name and code.",
                "DELETE <LIBRARY NAME>",
                "    Delete the given library.",
                "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                "    Return general information on all the libraries:",
                "    * Library name",
                "    * The engine used to run the Library",
                "    * Library description",
                "    * Functions list",
                "    * Library code (if WITHCODE is given)",
                "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
                "STATS",
                "    Return information about the current function running:",
                "    * Function name",
                "    * Command used to run the function",
                "    * Duration in MS that the function is running",
                "    If no function is running, return nil",
                "    In addition, returns a list of available engines.",
                "KILL",
                "    Kill the current running function.",
                "FLUSH [ASYNC|SYNC]",
                "    Delete all the libraries.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the libraries.",
                "    * SYNC: Synchronously flush the libraries.",
                "DUMP",
                "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
                "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
                "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
                "    control how to handle existing libraries (default APPEND):",
                "    * FLUSH: delete all existing libraries.",
                "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
                "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
                "      libraries with the new libraries (notice that even on this option there is a chance of failure",
                "      in case of functions name collision with another library)."});
        } else {
            out.error(Errors.unknownSubcommand(args, "FUNCTION"));
        }
    }

    /** The libraries changed: the command is logged (db is null where a LOCAL command runs: never for these). */
    private static void changed(Db db) {
        if (db != null) {
            db.changedBesideKeys();
        }
    }

    private static void list(ScriptRegistry registry, CommandArgs args, ReplySink out) {
        boolean withCode = false;
        byte[] pattern = null;
        for (int i = 2; i < args.count(); i++) {
            if (args.is(i, "withcode") && !withCode) {
                withCode = true;
            } else if (args.is(i, "libraryname") && pattern == null) {
                if (i + 1 >= args.count()) {
                    out.error("ERR library name argument was not given");
                    return;
                }
                pattern = args.copy(++i);
            } else {
                out.error("ERR Unknown argument " + args.string(i));
                return;
            }
        }
        List<ScriptRegistry.Library> shown = new ArrayList<>();
        for (ScriptRegistry.Library l : new java.util.TreeMap<>(registry.libraries().byName()).values()) {
            byte[] name = l.name().getBytes(StandardCharsets.ISO_8859_1);
            if (pattern == null || Glob.matches(pattern, 0, pattern.length, name, 0, name.length)) {
                shown.add(l);
            }
        }
        out.arrayHeader(shown.size());
        for (ScriptRegistry.Library l : shown) {
            out.mapHeader(withCode ? 4 : 3);
            bulk(out, "library_name");
            bulk(out, l.name());
            bulk(out, "engine");
            bulk(out, "LUA");
            bulk(out, "functions");
            out.arrayHeader(l.functions().size());
            for (ScriptRegistry.FunctionInfo f : new java.util.TreeMap<>(l.functions()).values()) {
                out.mapHeader(3);
                bulk(out, "name");
                bulk(out, f.name());
                bulk(out, "description");
                if (f.description() == null) {
                    out.nullBulk();
                } else {
                    bulk(out, f.description());
                }
                bulk(out, "flags");
                out.setHeader(f.flags().size());
                for (String flag : f.flags()) {
                    out.simple(flag);
                }
            }
            if (withCode) {
                bulk(out, "library_code");
                bulk(out, l.code());
            }
        }
    }

    private static void stats(ScriptRegistry registry, ReplySink out) {
        out.mapHeader(2);
        bulk(out, "running_script");
        ScriptEngine.Running r = registry.runningScript();
        if (r == null || !r.function()) {
            out.nullBulk();
        } else {
            out.mapHeader(3);
            bulk(out, "name");
            bulk(out, r.name());
            bulk(out, "command");
            out.arrayHeader(2);
            bulk(out, r.command());
            bulk(out, r.name());
            bulk(out, "duration_ms");
            out.integer(r.durationMillis());
        }
        bulk(out, "engines");
        out.mapHeader(1);
        bulk(out, "LUA");
        out.mapHeader(2);
        bulk(out, "libraries_count");
        out.integer(registry.libraries().byName().size());
        bulk(out, "functions_count");
        out.integer(registry.libraries().functions().size());
    }

    /**
     * A library read from a file (an RDB function record): added as FUNCTION LOAD adds one, a library
     * of that name already there refused, as Redis's loader refuses it.
     *
     * @return null, or Redis's error text
     */
    static String loadFromFile(ScriptEngine engine, String code) {
        Object parsed = engine.parseLibrary(code);
        if (parsed instanceof String error) {
            return error;
        }
        return engine.registry().add((ScriptRegistry.Library) parsed, false);
    }

    /** The code of every library, in load order: what a snapshot writes as its function records. */
    static List<String> codes(ScriptRegistry registry) {
        List<String> codes = new ArrayList<>();
        for (ScriptRegistry.Library l : registry.libraries().byName().values()) {
            codes.add(l.code());
        }
        return codes;
    }

    static byte[] dump(ScriptRegistry registry) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (ScriptRegistry.Library l : registry.libraries().byName().values()) {
            b.write(FUNCTION_RECORD);
            byte[] code = l.code().getBytes(StandardCharsets.ISO_8859_1);
            writeLength(b, code.length);
            b.write(code, 0, code.length);
        }
        b.write(RDB_VERSION & 0xff);
        b.write(RDB_VERSION >> 8);
        long crc = crc64(b.toByteArray(), 0, b.size());
        for (int i = 0; i < 8; i++) {
            b.write((int) (crc >>> (8 * i)));
        }
        return b.toByteArray();
    }

    /** FUNCTION RESTORE: whether it changed the libraries. */
    private static boolean restore(ScriptEngine engine, CommandArgs args, ReplySink out) {
        int n = args.count();
        if (n < 3 || n > 4) {
            out.error(Errors.wrongArity("function|restore"));
            return false;
        }
        String policy = n == 4 ? args.string(3).toLowerCase(java.util.Locale.ROOT) : "append";
        if (!policy.equals("append") && !policy.equals("replace") && !policy.equals("flush")) {
            out.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
            return false;
        }
        byte[] p = args.copy(2);
        if (p.length < 10 || (p[p.length - 10] & 0xff | (p[p.length - 9] & 0xff) << 8) > RDB_VERSION
                || crc64(p, 0, p.length - 8) != littleEndianLong(p, p.length - 8)) {
            out.error("ERR DUMP payload version or checksum are wrong");
            return false;
        }
        List<ScriptRegistry.Library> restored = new ArrayList<>();
        int[] at = {0};
        int end = p.length - 10;
        while (at[0] < end) {
            if ((p[at[0]++] & 0xff) != FUNCTION_RECORD) {
                out.error("ERR given type is not a function");
                return false;
            }
            String code = readString(p, at, end);
            if (code == null) {
                out.error("ERR Failed loading library");
                return false;
            }
            Object parsed = engine.parseLibrary(code);
            if (parsed instanceof String error) {
                out.error(error);
                return false;
            }
            restored.add((ScriptRegistry.Library) parsed);
        }
        ScriptRegistry registry = engine.registry();
        if (policy.equals("flush")) {
            registry.replaceAll(restored);
            out.simple("OK");
            return true;
        }
        if (policy.equals("append")) {
            for (ScriptRegistry.Library l : restored) {
                if (registry.libraries().byName().containsKey(l.name())) {
                    out.error("ERR Library " + l.name() + " already exists");
                    return false;
                }
            }
        }
        boolean changed = false;
        for (ScriptRegistry.Library l : restored) {
            String error = registry.add(l, true);
            if (error != null) {
                out.error(error);
                return changed; // the libraries added before it stay: logged, they replay the same
            }
            changed = true;
        }
        out.simple("OK");
        return true;
    }

    /** Redis's rdbSaveLen. */
    private static void writeLength(ByteArrayOutputStream b, int len) {
        if (len < 64) {
            b.write(len);
        } else if (len < 16384) {
            b.write(0x40 | len >> 8);
            b.write(len & 0xff);
        } else {
            b.write(0x80);
            for (int i = 3; i >= 0; i--) {
                b.write(len >>> (8 * i));
            }
        }
    }

    /** Redis's rdbLoadLen: the length, or (with {@code encoded[0]}) an encoding type; -1 when cut short. */
    private static long readLength(byte[] p, int[] at, int end, boolean[] encoded) {
        if (at[0] >= end) {
            return -1;
        }
        int b = p[at[0]++] & 0xff;
        switch (b >> 6) {
            case 0 -> {
                return b & 0x3f;
            }
            case 1 -> {
                return at[0] < end ? (long) (b & 0x3f) << 8 | p[at[0]++] & 0xff : -1;
            }
            case 2 -> {
                int bytes = b == 0x80 ? 4 : b == 0x81 ? 8 : -1;
                if (bytes < 0 || at[0] + bytes > end) {
                    return -1;
                }
                long v = 0;
                for (int i = 0; i < bytes; i++) {
                    v = v << 8 | p[at[0]++] & 0xff;
                }
                return v;
            }
            default -> {
                encoded[0] = true;
                return b & 0x3f;
            }
        }
    }

    /** An RDB string: raw or LZF-compressed; null when malformed. */
    private static String readString(byte[] p, int[] at, int end) {
        boolean[] encoded = {false};
        long len = readLength(p, at, end, encoded);
        if (len < 0) {
            return null;
        }
        if (!encoded[0]) {
            if (at[0] + len > end) {
                return null;
            }
            String s = new String(p, at[0], (int) len, StandardCharsets.ISO_8859_1);
            at[0] += (int) len;
            return s;
        }
        if (len != 3) {
            return null; // integer encodings: never a library's code
        }
        boolean[] plain = {false};
        long compressed = readLength(p, at, end, plain);
        long original = readLength(p, at, end, plain);
        if (compressed < 0 || original < 0 || at[0] + compressed > end) {
            return null;
        }
        byte[] text = lzfDecompress(p, at[0], (int) compressed, (int) original);
        at[0] += (int) compressed;
        return text == null ? null : new String(text, StandardCharsets.ISO_8859_1);
    }

    /** LZF (liblzf's lzf_decompress, which Redis uses); null when the data does not fit. */
    static byte[] lzfDecompress(byte[] in, int from, int length, int originalLength) {
        byte[] out = new byte[originalLength];
        int ip = from;
        int end = from + length;
        int op = 0;
        while (ip < end) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < 32) {
                int run = ctrl + 1;
                if (op + run > out.length || ip + run > end) {
                    return null;
                }
                System.arraycopy(in, ip, out, op, run);
                ip += run;
                op += run;
            } else {
                int len = ctrl >> 5;
                if (len == 7) {
                    if (ip >= end) {
                        return null;
                    }
                    len += in[ip++] & 0xff;
                }
                if (ip >= end) {
                    return null;
                }
                int ref = op - ((ctrl & 0x1f) << 8) - 1 - (in[ip++] & 0xff);
                len += 2;
                if (ref < 0 || op + len > out.length) {
                    return null;
                }
                for (int i = 0; i < len; i++) {
                    out[op++] = out[ref++];
                }
            }
        }
        return op == out.length ? out : null;
    }

    /** Redis's crc64 (Jones polynomial, reflected): the checksum DUMP payloads end with. */
    static long crc64(byte[] b, int from, int to) {
        long crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= b[i] & 0xff;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x95AC9329AC4BC9B5L : crc >>> 1;
            }
        }
        return crc;
    }

    private static long littleEndianLong(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | b[at + i] & 0xff;
        }
        return v;
    }

    private static void bulk(ReplySink out, String s) {
        out.bulk(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
