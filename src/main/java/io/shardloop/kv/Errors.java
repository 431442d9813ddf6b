package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;

/** Redis's reply texts, pre-encoded where they are common so that replying allocates nothing. */
public final class Errors {
    static final byte[] WRONGTYPE = encoded("-WRONGTYPE Operation against a key holding the wrong kind of value");
    static final byte[] NOT_INTEGER = encoded("-ERR value is not an integer or out of range");
    static final byte[] SYNTAX = encoded("-ERR syntax error");
    static final byte[] OVERFLOW = encoded("-ERR increment or decrement would overflow");
    static final byte[] HASH_NOT_INTEGER = encoded("-ERR hash value is not an integer");
    static final byte[] NOT_POSITIVE = encoded("-ERR value is out of range, must be positive");
    static final byte[] INVALID_CURSOR = encoded("-ERR invalid cursor");
    static final byte[] NO_SUCH_KEY = encoded("-ERR no such key");
    static final byte[] DB_OUT_OF_RANGE = encoded("-ERR DB index is out of range");
    /** Redis's reply while a script holds the server; here, while one holds the loop of a shard a command needs. */
    static final byte[] BUSY = encoded("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
    static final byte[] OOM = encoded("-OOM command not allowed when used memory > 'maxmemory'.");
    static final byte[] PONG = encoded("+PONG");
    static final byte[] OK = encoded("+OK");

    private Errors() {
    }

    public static String wrongArity(String command) {
        return "ERR wrong number of arguments for '" + command + "' command";
    }

    /** Redis 7's error for a subcommand it does not know (argument 1), naming the command's HELP. */
    public static String unknownSubcommand(CommandArgs a, String command) {
        String sub = a.string(1);
        return "ERR unknown subcommand '" + Sanitize.of(sub.substring(0, Math.min(128, sub.length())))
                + "'. Try " + command + " HELP.";
    }

    /**
     * A subcommand that names no key: HELP (with nothing after it, else the wrong arity of
     * {@code command|help}) answers these lines, any other Redis's unknown-subcommand error.
     */
    public static void helpOrUnknown(CommandArgs a, ReplySink out, String command, String[] lines) {
        if (!a.is(1, "HELP")) {
            out.error(unknownSubcommand(a, command));
        } else if (a.count() != 2) {
            out.error(wrongArity(command.toLowerCase(java.util.Locale.ROOT) + "|help"));
        } else {
            help(out, command, lines);
        }
    }

    /**
     * Redis's {@code addReplyHelp}: an array of simple strings, a header naming the command, the
     * lines, then HELP's own two lines.
     */
    public static void help(ReplySink out, String command, String[] lines) {
        out.arrayHeader(lines.length + 3);
        out.simple(command + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String line : lines) {
            out.simple(line);
        }
        out.simple("HELP");
        out.simple("    Prints this help.");
    }

    static String invalidExpire(String command) {
        return "ERR invalid expire time in '" + command + "' command";
    }

    /** A reply line as it goes on the wire: the text and CRLF. */
    static byte[] encoded(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
