package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

/**
 * The connection-state commands of one client (those routed {@link Command.Route#CONNECTION}):
 * CLIENT SETNAME/GETNAME/ID/SETINFO, HELLO (protocol 2 only), AUTH when no password is configured
 * (Redis's error) and QUIT. AUTH with a password, INFO and DEBUG need the server's configuration and
 * statistics, so the connection layer answers them ({@link #execute} returns {@link #NOT_HANDLED}
 * for INFO and DEBUG).
 * <p>
 * Owned by one connection, on its shard's loop thread.
 */
public final class Session {
    /** The reply is written; go on reading. */
    public static final int CONTINUE = 0;
    /** The reply is written; close the connection once it is flushed (QUIT). */
    public static final int CLOSE = 1;
    /** Not answered here (INFO, DEBUG): the connection layer must reply. */
    public static final int NOT_HANDLED = 2;

    private final long id;
    private String name = "";

    public Session(long id) {
        this.id = id;
    }

    public long id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** Runs a CONNECTION-routed command (already resolved and arity-checked). */
    public int execute(Command c, CommandArgs a, ReplySink out) {
        switch (c.name()) {
            case "quit" -> {
                out.simple("OK");
                return CLOSE;
            }
            case "auth" -> out.error("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
            case "hello" -> hello(a, out);
            case "client" -> client(a, out);
            default -> {
                return NOT_HANDLED;
            }
        }
        return CONTINUE;
    }

    private void hello(CommandArgs a, ReplySink out) {
        if (a.count() > 1) {
            if (!a.isLong(1)) {
                out.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (a.parseLong(1, 0) != 2) {
                out.error("NOPROTO unsupported protocol version");
                return;
            }
        }
        out.arrayHeader(14);
        bulk(out, "server");
        bulk(out, "redis");
        bulk(out, "version");
        bulk(out, "7.2.0");
        bulk(out, "proto");
        out.integer(2);
        bulk(out, "id");
        out.integer(id);
        bulk(out, "mode");
        bulk(out, "standalone");
        bulk(out, "role");
        bulk(out, "master");
        bulk(out, "modules");
        out.arrayHeader(0);
    }

    private void client(CommandArgs a, ReplySink out) {
        if (a.is(1, "ID") && a.count() == 2) {
            out.integer(id);
        } else if (a.is(1, "GETNAME") && a.count() == 2) {
            if (name.isEmpty()) {
                out.nullBulk();
            } else {
                bulk(out, name);
            }
        } else if (a.is(1, "SETNAME") && a.count() == 3) {
            String n = a.string(2);
            for (int i = 0; i < n.length(); i++) {
                if (n.charAt(i) <= ' ' || n.charAt(i) > '~') {
                    out.error("ERR Client names cannot contain spaces, newlines or special characters.");
                    return;
                }
            }
            name = n;
            out.simple("OK");
        } else if (a.is(1, "SETINFO") && a.count() == 4) {
            out.simple("OK"); // library name and version are accepted and not kept
        } else {
            out.error("ERR unknown subcommand or wrong number of arguments for '"
                    + Sanitize.of(a.string(1)) + "'. Try CLIENT HELP.");
        }
    }

    private static void bulk(ReplySink out, String ascii) {
        out.bulk(ascii.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
