package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.Errors;
import io.shardloop.kv.Glob;
import io.shardloop.kv.MultiState;
import io.shardloop.kv.Sanitize;
import io.shardloop.kv.Store;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.runtime.net.ProtectedMode;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The commands about the connection and the server rather than the data (those the command table
 * routes {@link Command.Route#CONNECTION}), answered alike by every server model: AUTH, HELLO,
 * CLIENT, QUIT, RESET, SELECT, INFO, CONFIG and DEBUG; and the rules that decide who may send anything
 * else: protected mode at accept time and authentication before each command.
 * <p>
 * Authentication follows Redis 7 (acl.c, networking.c, server.c's processCommand): with a password
 * set, only the commands flagged {@link Command#NO_AUTH} (AUTH, HELLO, QUIT, RESET) run before a
 * successful AUTH; the others answer {@link #NOAUTH}. The one user is {@code default}; without a
 * password it takes any password, as Redis's {@code nopass} default user does, but the one-argument
 * AUTH is an error then. HELLO [protover [AUTH user pass] [SETNAME name]] authenticates and names
 * the client, and with protover 2 or 3 sets the protocol the connection's replies are written in
 * from its own reply on (RESET sets RESP2 again).
 * <p>
 * Thread-safe: one instance serves many connections (a shard's, or every connection thread's);
 * it holds only the configuration and a view that is safe to read from any thread. The state of
 * each client is its {@link Session}.
 */
public final class ConnectionCommands {
    /** The reply is written; go on reading. */
    public static final int CONTINUE = 0;
    /** The reply is written; close the connection once it is flushed (QUIT). */
    public static final int CLOSE = 1;

    public static final byte[] NOAUTH = "-NOAUTH Authentication required.\r\n".getBytes(StandardCharsets.US_ASCII);
    /** What a client refused by protected mode reads before the connection closes. */
    public static final byte[] DENIED = ("-DENIED " + ProtectedMode.EXPLANATION + "\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SYNTAX = "-ERR syntax error\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEFAULT_USER = "default".getBytes(StandardCharsets.US_ASCII);
    private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    private static final String NO_PASSWORD = "ERR AUTH <password> called without any password configured for the "
            + "default user. Are you sure your configuration is correct?";
    private static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, "
            + "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
            + "select the RESP protocol version at the same time";
    private static final String BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";
    private static final String[] CLIENT_HELP = {
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
    };
    private static final String[] CONFIG_HELP = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
    };

    private final RespConfig config;
    private final ServerView view;
    private final byte[] password;

    public ConnectionCommands(RespConfig config, ServerView view) {
        this.config = config;
        this.view = view;
        this.password = config.requirePass() == null ? null : config.requirePass().getBytes(StandardCharsets.UTF_8);
    }

    public RespConfig config() {
        return config;
    }

    /** The state of a new client: authenticated at once when no password is set. */
    public Session newSession(long id) {
        return new Session(id, password == null);
    }

    /** Whether protected mode turns away a client from this address (write {@link #DENIED}, then close). */
    public boolean refuses(SocketAddress peer) {
        return ProtectedMode.refuses(config.protectedMode(), password != null, peer);
    }

    /**
     * Whether the client may run this (resolved) command now; if not, its reply is {@link #NOAUTH}.
     * Redis checks the command's existence and arity first, then this.
     */
    public boolean admits(Command c, Session s) {
        return s.authenticated() || c.hasFlag(Command.NO_AUTH);
    }

    /** Runs a resolved {@link Command.Route#CONNECTION} command; {@link #CONTINUE} or {@link #CLOSE}. */
    public int execute(Command c, CommandArgs a, Session s, ReplySink out) {
        switch (c.name()) {
            case "auth" -> auth(a, s, out);
            case "hello" -> hello(a, s, out);
            case "client" -> client(a, s, out);
            case "quit" -> {
                out.raw(OK);
                return CLOSE;
            }
            case "select" -> select(a, s, out);
            case "reset" -> {
                s.name("");
                s.db(0);
                s.authenticated(password == null); // Redis: back to the default user, as a new client
                if (s.tracking() != null) {
                    s.tracking().off();
                }
                out.protocol(2);
                out.simple("RESET");
            }
            case "info" -> out.verbatim(InfoReport.render(view, a).getBytes(StandardCharsets.UTF_8));
            case "config" -> config(a, out);
            case "debug" -> debug(a, out);
            default -> Store.rejectConnectionCommand(c, out);
        }
        return CONTINUE;
    }

    // ---- authentication --------------------------------------------------------------------------

    private void auth(CommandArgs a, Session s, ReplySink out) {
        if (a.count() > 3) {
            out.raw(SYNTAX);
            return;
        }
        if (a.count() == 2 && password == null) {
            out.error(NO_PASSWORD);
            return;
        }
        if (credentialsValid(a, a.count() == 3 ? 1 : -1, a.count() - 1)) {
            s.authenticated(true);
            out.raw(OK);
        } else {
            out.error(WRONGPASS); // a failed AUTH leaves an authenticated client authenticated, as in Redis
        }
    }

    /** The default user (case-sensitive) with the password; any password when none is set (nopass). */
    private boolean credentialsValid(CommandArgs a, int user, int pass) {
        if (user >= 0 && !Arrays.equals(a.array(), a.offset(user), a.offset(user) + a.length(user),
                DEFAULT_USER, 0, DEFAULT_USER.length)) {
            return false;
        }
        return password == null || MessageDigest.isEqual(password, a.copy(pass)); // time independent of where they differ
    }

    private void hello(CommandArgs a, Session s, ReplySink out) {
        int next = 1;
        int protocol = out.protocol(); // HELLO without a version keeps the connection's
        if (a.count() >= 2) {
            if (!a.isLong(1)) {
                out.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            long version = a.parseLong(1, 0);
            if (version < 2 || version > 3) {
                out.error("NOPROTO unsupported protocol version");
                return;
            }
            protocol = (int) version;
            next = 2;
        }
        int user = -1;
        int name = -1;
        for (int j = next; j < a.count(); j++) {
            int more = a.count() - 1 - j;
            if (a.is(j, "AUTH") && more >= 2) {
                user = j + 1;
                j += 2;
            } else if (a.is(j, "SETNAME") && more >= 1) {
                name = ++j;
                if (!validName(a.string(name))) {
                    out.error(BAD_NAME);
                    return;
                }
            } else {
                out.error("ERR Syntax error in HELLO option '" + Sanitize.of(a.string(j)) + "'");
                return;
            }
        }
        if (user >= 0) {
            if (!credentialsValid(a, user, user + 1)) {
                out.error(WRONGPASS);
                return;
            }
            s.authenticated(true);
        }
        if (!s.authenticated()) {
            out.error(HELLO_NOAUTH);
            return;
        }
        if (name >= 0) {
            s.name(a.string(name));
        }
        out.protocol(protocol); // the reply below is already in the version chosen, as in Redis
        out.mapHeader(7);
        bulk(out, "server");
        bulk(out, "redis");
        bulk(out, "version");
        bulk(out, InfoReport.REDIS_VERSION);
        bulk(out, "proto");
        out.integer(protocol);
        bulk(out, "id");
        out.integer(s.id());
        bulk(out, "mode");
        bulk(out, "standalone");
        bulk(out, "role");
        bulk(out, "master");
        bulk(out, "modules");
        out.arrayHeader(0);
    }

    // ---- CLIENT ------------------------------------------------------------------------------------

    private void client(CommandArgs a, Session s, ReplySink out) {
        String sub = a.string(1).toLowerCase(Locale.ROOT);
        int arity = switch (sub) {
            case "help", "id", "getname" -> 2;
            case "setname" -> 3;
            case "setinfo" -> 4;
            case "unblock" -> Math.max(a.count(), 3); // id [TIMEOUT|ERROR]: more is refused below
            case "tracking" -> Math.max(a.count(), 3); // ON|OFF [options]
            case "caching" -> 3;
            case "getredir", "trackinginfo" -> 2;
            default -> -1;
        };
        if (arity < 0) {
            out.error(Errors.unknownSubcommand(a, "CLIENT"));
            return;
        }
        if (a.count() != arity) {
            out.error(Errors.wrongArity("client|" + sub));
            return;
        }
        switch (sub) {
            case "help" -> Errors.help(out, "CLIENT", CLIENT_HELP);
            case "id" -> out.integer(s.id());
            case "getname" -> {
                if (s.name().isEmpty()) {
                    out.nullBulk();
                } else {
                    bulk(out, s.name());
                }
            }
            case "setname" -> {
                String n = a.string(2);
                if (!validName(n)) {
                    out.error(BAD_NAME);
                    return;
                }
                s.name(n);
                out.raw(OK);
            }
            case "unblock" -> unblock(a, out);
            case "tracking", "caching", "getredir", "trackinginfo" -> tracking(sub, a, s, out);
            default -> out.raw(OK); // SETINFO: the library's name and version are accepted and not kept
        }
    }

    /** CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: the client's {@link io.shardloop.kv.TrackingClient}. */
    private static void tracking(String sub, CommandArgs a, Session s, ReplySink out) {
        if (s.tracking() == null) {
            out.error("ERR CLIENT " + sub.toUpperCase(Locale.ROOT) + " is not supported by this server model");
            return;
        }
        s.tracking().command(sub, a, out);
    }

    /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when that client was blocked (it reads its answer), else 0. */
    private void unblock(CommandArgs a, ReplySink out) {
        if (a.count() > 4) {
            out.error("ERR unknown subcommand or wrong number of arguments for '" + a.string(1) + "'. Try CLIENT HELP.");
            return;
        }
        boolean error = false;
        if (a.count() == 4) {
            if (a.is(3, "error")) {
                error = true;
            } else if (!a.is(3, "timeout")) {
                out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        if (!a.isLong(2)) {
            out.error("ERR value is not an integer or out of range");
            return;
        }
        out.integer(view.blockedClients().unblock(a.parseLong(2, 0), error));
    }

    /** Redis's validateClientName: printable ASCII without spaces; empty clears the name. */
    private static boolean validName(String n) {
        for (int i = 0; i < n.length(); i++) {
            if (n.charAt(i) <= ' ' || n.charAt(i) > '~') {
                return false;
            }
        }
        return true;
    }

    /** SELECT index: Redis's errors for an index that is not an int, or not below {@code databases}. */
    private void select(CommandArgs a, Session s, ReplySink out) {
        long index = MultiState.selectedDb(a, 1, view.databases());
        if (index < 0) {
            out.error(MultiState.selectError(index));
        } else {
            s.db((int) index);
            out.raw(OK);
        }
    }

    // ---- CONFIG ------------------------------------------------------------------------------------

    /** CONFIG GET pattern... over the parameters with a real value here; CONFIG HELP. */
    private void config(CommandArgs a, ReplySink out) {
        if (a.is(1, "HELP")) {
            if (a.count() != 2) {
                out.error(Errors.wrongArity("config|help"));
            } else {
                Errors.help(out, "CONFIG", CONFIG_HELP);
            }
            return;
        }
        if (!a.is(1, "GET")) {
            out.error(Errors.unknownSubcommand(a, "CONFIG"));
            return;
        }
        if (a.count() < 3) {
            out.error(Errors.wrongArity("config|get"));
            return;
        }
        String[][] parameters = {
            {"maxmemory", Long.toString(view.maxMemory())},
            {"maxmemory-policy", "noeviction"},
            {"maxclients", Long.toString(view.maxClients())},
            {"timeout", Long.toString(view.idleTimeoutSeconds())},
            {"databases", Integer.toString(view.databases())},
            {"save", ""},
            {"appendonly", "no"},
            {"protected-mode", config.protectedMode() ? "yes" : "no"},
        };
        List<String[]> hits = new ArrayList<>();
        for (String[] p : parameters) {
            byte[] name = p[0].getBytes(StandardCharsets.US_ASCII);
            for (int i = 2; i < a.count(); i++) {
                byte[] pattern = a.string(i).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1);
                if (Glob.matches(pattern, 0, pattern.length, name, 0, name.length)) { // Redis 7 matches ignoring case
                    hits.add(p);
                    break;
                }
            }
        }
        out.mapHeader(hits.size());
        for (String[] p : hits) {
            bulk(out, p[0]);
            bulk(out, p[1]);
        }
    }

    // ---- DEBUG -------------------------------------------------------------------------------------

    /**
     * DEBUG SLEEP blocks the calling thread on purpose, as in Redis: in the event-loop model that is
     * the client's shard, which the stall detector must see.
     */
    private static void debug(CommandArgs a, ReplySink out) {
        if (a.is(1, "SLEEP") && a.count() == 3) {
            double seconds;
            try {
                seconds = Double.parseDouble(a.string(2));
            } catch (NumberFormatException e) {
                out.error("ERR value is not a valid float");
                return;
            }
            try {
                Thread.sleep((long) (seconds * 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.raw(OK);
        } else {
            out.error("ERR DEBUG subcommand not supported here; only DEBUG SLEEP <seconds>");
        }
    }

    private static void bulk(ReplySink out, String text) {
        out.bulk(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
