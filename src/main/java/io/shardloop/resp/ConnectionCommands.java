package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.Errors;
import io.shardloop.kv.MultiState;
import io.shardloop.kv.Sanitize;
import io.shardloop.kv.Store;
import io.shardloop.persist.DiskControl;
import io.shardloop.resp.codec.BufferReplyWriter;
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
 * CLIENT, ACL, QUIT, RESET, SELECT, INFO, CONFIG and DEBUG; and the rules that decide who may send
 * anything else: protected mode at accept time and authentication before each command.
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
            + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and "
            + "select the RESP protocol version at the same time";
    private static final String BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";
    private static final String[] CLIENT_HELP = {
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * MAXAGE <maxage>",
        "      Kill connections older than the specified age.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
    };
    private static final String[] CONFIG_HELP = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
    };

    /** The ACL subcommands served: there is one user, {@code default}, and no rules to show or change. */
    private static final String[] ACL_HELP = {
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
    };

    private static final Command CLIENT = CommandTable.find(CommandArgs.of("client"));
    private static final Command RESET = CommandTable.find(CommandArgs.of("reset"));
    /** By command index: the containers whose subcommand CLIENT LIST shows ("client|list"). */
    private static final boolean[] CONTAINERS = containers("client", "config", "command", "memory", "script",
            "function", "object", "slowlog", "latency", "acl");

    private final RespConfig config;
    private final ServerView view;
    private final ClientDirectory clients;
    private final ServerSettings settings;
    private final CommandLogs logs;
    private final byte[] password;

    /** Alone: clients, settings and logs of its own, over the view's limits. */
    public ConnectionCommands(RespConfig config, ServerView view) {
        this(config, view, new ConcurrentClients(), ServerSettings.of(view, config));
    }

    /** A server without shards (thread per connection): one log of commands. */
    public ConnectionCommands(RespConfig config, ServerView view, ClientDirectory clients, ServerSettings settings) {
        this(config, view, clients, settings, CommandLogs.alone(settings));
    }

    /**
     * @param clients  the clients CLIENT LIST and KILL see: this shard's, or the server's (thread per connection)
     * @param settings the server's parameters (CONFIG), shared by every shard
     * @param logs     the slowlog and latency records: this shard's, or the server's
     */
    ConnectionCommands(RespConfig config, ServerView view, ClientDirectory clients, ServerSettings settings,
                       CommandLogs logs) {
        this.config = config;
        this.view = view;
        this.clients = clients;
        this.settings = settings;
        this.logs = logs;
        this.password = config.requirePass() == null ? null : config.requirePass().getBytes(StandardCharsets.UTF_8);
    }

    public RespConfig config() {
        return config;
    }

    public ServerSettings settings() {
        return settings;
    }

    /**
     * A command ran for {@code nanos} on the client's thread: the slowlog and the latency monitor
     * take it if it was slow enough (see {@link CommandLogs} for what is timed).
     */
    public void onCommandRan(Command c, CommandArgs a, long nanos, Session s, ClientHandle client) {
        logs.onCommand(c, a, nanos, s, client);
    }

    /** Where the front end registers the clients it lets in, and removes them when they go. */
    public ClientDirectory clients() {
        return clients;
    }

    /**
     * A command arrived from the client: it becomes its last one (CLIENT LIST's cmd and idle); the
     * answer is whether its reply is to be dropped (CLIENT REPLY OFF or SKIP). {@code c} is null
     * for a command the table does not know (or whose arity is wrong).
     */
    public static boolean onCommand(Command c, CommandArgs a, Session s) {
        if (c == null) {
            return s.onCommand("NULL", false, System.currentTimeMillis()); // as Redis shows an unknown command
        }
        boolean container = a.count() > 1 && CONTAINERS[c.index()];
        String shown = container ? c.name() + "|" + a.string(1).toLowerCase(Locale.ROOT) : c.name();
        // CLIENT REPLY ON and RESET are answered even while replies are off, as in Redis.
        boolean turnsOn = c == RESET || (container && c == CLIENT && a.count() == 3 && a.is(1, "REPLY") && a.is(2, "ON"));
        return s.onCommand(shown, turnsOn, System.currentTimeMillis());
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

    /**
     * Runs a resolved {@link Command.Route#CONNECTION} command inside a transaction: its reply goes
     * into {@code out} at once (a CLIENT LIST or KILL there sees only this shard's clients).
     */
    public int execute(Command c, CommandArgs a, Session s, ReplySink out) {
        return execute(c, a, s, out, null);
    }

    /**
     * Runs a resolved {@link Command.Route#CONNECTION} command; {@link #CONTINUE} or {@link #CLOSE}.
     *
     * @param later where a reply other shards must complete goes (CLIENT LIST, CLIENT KILL), or null
     */
    public int execute(Command c, CommandArgs a, Session s, ReplySink out, LaterReply later) {
        switch (c.name()) {
            case "auth" -> auth(a, s, out);
            case "hello" -> hello(a, s, out);
            case "client" -> {
                return client(a, s, out, later);
            }
            case "quit" -> {
                out.raw(OK);
                return CLOSE;
            }
            case "select" -> select(a, s, out);
            case "reset" -> {
                s.reset(); // name, db, REPLY mode, NO-EVICT; the front end ends its MULTI and WATCHes
                s.authenticated(password == null); // Redis: back to the default user, as a new client
                if (s.tracking() != null) {
                    s.tracking().off();
                }
                out.protocol(2);
                out.simple("RESET");
            }
            case "acl" -> acl(a, out);
            case "info" -> out.verbatim(InfoReport.render(view, a).getBytes(StandardCharsets.UTF_8));
            case "config" -> config(a, out);
            case "slowlog" -> logs.slowlog(a, out, later);
            case "latency" -> logs.latency(a, out, later);
            case "debug" -> debug(a, out);
            case "bgsave", "save", "bgrewriteaof", "lastsave" -> disk(c.name(), a, out, later);
            case "shutdown" -> shutdown(a, out, later);
            default -> Store.rejectConnectionCommand(c, out);
        }
        return CONTINUE;
    }

    /**
     * BGSAVE [SCHEDULE], SAVE, BGREWRITEAOF and LASTSAVE, through the view's {@link DiskControl}.
     * SAVE answers once the file is written, in its place in line; the loop goes on meanwhile (Redis
     * blocks every client for it). Inside EXEC, where nothing can answer later, it is refused.
     */
    private void disk(String name, CommandArgs a, ReplySink out, LaterReply later) {
        DiskControl disk = view.disk();
        switch (name) {
            case "bgsave" -> {
                if (a.count() > 2 || a.count() == 2 && !a.is(1, "SCHEDULE")) {
                    out.raw(SYNTAX);
                    return;
                }
                write(disk.bgsave(a.count() == 2), out);
            }
            case "bgrewriteaof" -> write(disk.bgrewriteaof(), out);
            case "lastsave" -> out.integer(disk.lastSave());
            default -> {
                if (disk == DiskControl.NONE) {
                    out.error(DiskControl.NO_DISK);
                    return;
                }
                if (later == null) {
                    out.error("ERR Command not allowed inside a transaction");
                    return;
                }
                long token = later.defer();
                int protocol = later.protocol();
                disk.save(reply -> {
                    BufferReplyWriter w = new BufferReplyWriter(64);
                    w.protocol(protocol);
                    write(reply, w);
                    later.complete(token, w.toByteArray());
                });
            }
        }
    }

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], as Redis 7.0's shutdownCommand reads it, through
     * the server's {@link io.shardloop.persist.Shutdown}. Its reply waits in line for the outcome:
     * an error when the server goes on serving, nothing when it stops (the connection closes with
     * it). Without a place in line (a thread per connection, where nothing is saved) the outcome
     * comes at once. There is never a shutdown waiting for replicas: ABORT finds none.
     */
    private void shutdown(CommandArgs a, ReplySink out, LaterReply later) {
        int flags = 0;
        boolean abort = false;
        for (int i = 1; i < a.count(); i++) {
            if (a.is(i, "NOSAVE")) {
                flags |= io.shardloop.persist.Shutdown.NOSAVE;
            } else if (a.is(i, "SAVE")) {
                flags |= io.shardloop.persist.Shutdown.SAVE;
            } else if (a.is(i, "NOW")) {
                flags |= io.shardloop.persist.Shutdown.NOW;
            } else if (a.is(i, "FORCE")) {
                flags |= io.shardloop.persist.Shutdown.FORCE;
            } else if (a.is(i, "ABORT")) {
                abort = true;
            } else {
                out.raw(SYNTAX);
                return;
            }
        }
        int both = io.shardloop.persist.Shutdown.NOSAVE | io.shardloop.persist.Shutdown.SAVE;
        if (abort && flags != 0 || (flags & both) == both) {
            out.raw(SYNTAX);
            return;
        }
        if (abort) {
            out.error("ERR No shutdown in progress.");
            return;
        }
        if (later == null) {
            String[] outcome = {null};
            view.shutdown(flags, o -> outcome[0] = o);
            if (outcome[0] != null) {
                out.error(outcome[0]);
            }
            return;
        }
        long token = later.defer();
        int protocol = later.protocol();
        view.shutdown(flags, o -> {
            if (o == null) {
                later.complete(token, new byte[0]); // stopping: nothing to answer, nothing to wait for
                return;
            }
            BufferReplyWriter w = new BufferReplyWriter(64);
            w.protocol(protocol);
            w.error(o);
            later.complete(token, w.toByteArray());
        });
    }

    private static void write(DiskControl.Reply reply, ReplySink out) {
        if (reply.error()) {
            out.error(reply.text());
        } else {
            out.simple(reply.text());
        }
    }

    private static boolean[] containers(String... names) {
        boolean[] byIndex = new boolean[Command.count()];
        for (String n : names) {
            Command c = CommandTable.find(CommandArgs.of(n));
            if (c != null) {
                byIndex[c.index()] = true;
            }
        }
        return byIndex;
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
        s.protocol(protocol);
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

    // ---- ACL ---------------------------------------------------------------------------------------

    /**
     * ACL WHOAMI, USERS and HELP, as Redis answers them with only its default user; the subcommands
     * that read or change users and rules (LIST, GETUSER, SETUSER, CAT...) are unknown here.
     */
    private static void acl(CommandArgs a, ReplySink out) {
        String sub = a.string(1).toLowerCase(Locale.ROOT);
        if (!sub.equals("whoami") && !sub.equals("users") && !sub.equals("help")) {
            out.error(Errors.unknownSubcommand(a, "ACL"));
        } else if (a.count() != 2) {
            out.error(Errors.wrongArity("acl|" + sub));
        } else if (sub.equals("help")) {
            Errors.help(out, "ACL", ACL_HELP);
        } else if (sub.equals("whoami")) {
            out.bulk(DEFAULT_USER, 0, DEFAULT_USER.length); // every authenticated connection is this user
        } else {
            out.arrayHeader(1);
            out.bulk(DEFAULT_USER, 0, DEFAULT_USER.length);
        }
    }

    // ---- CLIENT ------------------------------------------------------------------------------------

    private int client(CommandArgs a, Session s, ReplySink out, LaterReply later) {
        String sub = a.string(1).toLowerCase(Locale.ROOT);
        int arity = switch (sub) {
            case "help", "id", "getname", "info" -> 2;
            case "setname", "reply", "no-evict" -> 3;
            case "setinfo" -> 4;
            case "unblock" -> -3; // id [TIMEOUT|ERROR]: more is refused by unblock
            case "tracking" -> -3; // ON|OFF [options]
            case "caching" -> 3;
            case "getredir", "trackinginfo" -> 2;
            case "list" -> -2;
            case "kill" -> -3;
            default -> 0;
        };
        if (arity == 0) {
            out.error(Errors.unknownSubcommand(a, "CLIENT"));
            return CONTINUE;
        }
        if (arity > 0 ? a.count() != arity : a.count() < -arity) {
            out.error(Errors.wrongArity("client|" + sub));
            return CONTINUE;
        }
        switch (sub) {
            case "list", "kill" -> {
                ClientFilter f = ClientFilter.parse(a, s.id());
                if (f.error() != null) {
                    out.error(f.error());
                } else if (clients.run(f, a, out, later)) {
                    return CLOSE; // the asker killed itself: closed once this reply is written
                }
            }
            case "info" -> {
                ClientHandle self = clients.find(s.id());
                String line = self == null ? "" : ClientLine.of(self, System.currentTimeMillis()) + "\n";
                ClientDirectory.writeList(line, out);
            }
            case "reply" -> {
                String mode = a.string(2).toLowerCase(Locale.ROOT);
                if (!mode.equals("on") && !mode.equals("off") && !mode.equals("skip")) {
                    out.raw(SYNTAX);
                    return CONTINUE;
                }
                s.replyMode(mode);
                if (mode.equals("on")) {
                    out.raw(OK); // OFF and SKIP answer nothing, as in Redis
                }
            }
            case "no-evict" -> {
                if (a.is(2, "ON") || a.is(2, "OFF")) {
                    s.noEvict(a.is(2, "ON"));
                    out.raw(OK);
                } else {
                    out.raw(SYNTAX);
                }
            }
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
                    return CONTINUE;
                }
                s.name(n);
                out.raw(OK);
            }
            case "unblock" -> unblock(a, out);
            case "tracking", "caching", "getredir", "trackinginfo" -> s.tracking().command(sub, a, out); // every front end's
            default -> out.raw(OK); // SETINFO: the library's name and version are accepted and not kept
        }
        return CONTINUE;
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

    /** CONFIG GET, SET, RESETSTAT, REWRITE and HELP over the {@link ServerSettings}. */
    private void config(CommandArgs a, ReplySink out) {
        String sub = a.string(1).toLowerCase(Locale.ROOT);
        int arity = switch (sub) {
            case "help", "resetstat", "rewrite" -> 2;
            case "get" -> -3;
            case "set" -> -4;
            default -> 0;
        };
        if (arity == 0) {
            out.error(Errors.unknownSubcommand(a, "CONFIG"));
            return;
        }
        if (arity > 0 ? a.count() != arity : a.count() < -arity) {
            out.error(Errors.wrongArity("config|" + sub));
            return;
        }
        switch (sub) {
            case "help" -> Errors.help(out, "CONFIG", CONFIG_HELP);
            case "get" -> {
                List<String> patterns = new ArrayList<>();
                for (int i = 2; i < a.count(); i++) {
                    patterns.add(a.string(i));
                }
                List<String[]> hits = settings.get(patterns);
                out.mapHeader(hits.size());
                for (String[] p : hits) {
                    bulk(out, p[0]);
                    bulk(out, p[1]);
                }
            }
            case "set" -> {
                if (a.count() % 2 != 0) {
                    out.raw(SYNTAX);
                    return;
                }
                List<String> pairs = new ArrayList<>();
                for (int i = 2; i < a.count(); i++) {
                    pairs.add(a.string(i));
                }
                String error = settings.set(pairs);
                if (error == null) {
                    out.raw(OK);
                } else {
                    out.error(error);
                }
            }
            case "resetstat" -> {
                view.resetStats();
                out.raw(OK);
            }
            default -> out.error("ERR The server is running without a config file"); // REWRITE
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
