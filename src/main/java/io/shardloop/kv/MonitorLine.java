package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The line a MONITOR client reads for each command, as Redis 7.0's replicationFeedMonitors writes
 * it: {@code +1339518083.107412 [0 127.0.0.1:60866] "keys" "*"} (0 the client's database), each argument quoted as
 * sdscatrepr quotes it, AUTH's arguments and HELLO's AUTH credentials shown as "(redacted)".
 * Commands flagged admin or skip_monitor (CONFIG, DEBUG, MONITOR, the scripts) are not shown.
 * Stateless; used only while a monitor exists.
 */
public final class MonitorLine {
    private static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private MonitorLine() {
    }

    /** The wall clock to the microsecond, as gettimeofday. */
    public static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    /** Whether Redis shows this command to monitors. */
    public static boolean fed(Command c) {
        return !c.hasFlag("admin") && !c.hasFlag("skip_monitor") && !c.name().equals("config")
                && !c.name().equals("debug");
    }

    /**
     * The whole line, CRLF included, for a command run at {@code micros} since the epoch by the peer,
     * whose database is {@code db} once the command has run (a SELECT shows the one it chose).
     */
    public static byte[] format(long micros, int db, SocketAddress peer, Command c, CommandArgs a) {
        return format(micros, db, peerId(peer), c, a);
    }

    /** The line of a command a script ran: its peer is {@code lua}, as in Redis. */
    static byte[] formatScripted(long micros, int db, Command c, CommandArgs a) {
        return format(micros, db, "lua", c, a);
    }

    /** Whether a command is a script's start (EVAL, EVALSHA, FCALL...), which Redis shows to monitors before the script runs. */
    public static boolean startsScript(Command c) {
        return switch (c.name()) {
            case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro" -> true;
            default -> false;
        };
    }

    private static byte[] format(long micros, int db, String peer, Command c, CommandArgs a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        String head = "+" + micros / 1_000_000 + "." + String.format("%06d", micros % 1_000_000) + " [" + db + " "
                + peer + "] ";
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        int redactFrom = Integer.MAX_VALUE;
        int redactTo = -1;
        if (c.name().equals("auth")) {
            redactFrom = 1;
            redactTo = a.count() - 1;
        }
        for (int i = 0; i < a.count(); i++) {
            if (i > 0) {
                out.write(' ');
            }
            if (c.name().equals("hello") && i >= 2 && a.is(i - 1, "AUTH") && i + 1 < a.count()) {
                redactFrom = i;
                redactTo = i + 1;
            }
            if (i >= redactFrom && i <= redactTo) {
                quote(out, REDACTED, 0, REDACTED.length);
            } else {
                quote(out, a.array(), a.offset(i), a.length(i));
            }
        }
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    /** Redis's getClientPeerId: ip:port, an IPv6 address in brackets. */
    static String peerId(SocketAddress peer) {
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String ip = inet.getAddress().getHostAddress();
            return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + inet.getPort();
        }
        return String.valueOf(peer);
    }

    /** sdscatrepr: in double quotes, with \\ \" \n \r \t \a \b escaped and other unprintable bytes as \xhh. */
    static void quote(ByteArrayOutputStream out, byte[] b, int offset, int length) {
        out.write('"');
        for (int i = offset; i < offset + length; i++) {
            int ch = b[i] & 0xff;
            switch (ch) {
                case '\\', '"' -> {
                    out.write('\\');
                    out.write(ch);
                }
                case '\n' -> escape(out, 'n');
                case '\r' -> escape(out, 'r');
                case '\t' -> escape(out, 't');
                case 7 -> escape(out, 'a');
                case '\b' -> escape(out, 'b');
                default -> {
                    if (ch >= 0x20 && ch <= 0x7e) {
                        out.write(ch);
                    } else {
                        out.write('\\');
                        out.write('x');
                        out.write(HEX[ch >> 4]);
                        out.write(HEX[ch & 15]);
                    }
                }
            }
        }
        out.write('"');
    }

    private static void escape(ByteArrayOutputStream out, int letter) {
        out.write('\\');
        out.write(letter);
    }
}
