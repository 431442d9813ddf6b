package io.shardloop.kv;

import io.shardloop.kv.PubSubRegistry.Kind;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One client's subscriptions and the commands that change them, for every front end: SUBSCRIBE,
 * PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBEs, and MONITOR, as Redis 7.0's pubsub.c answers them
 * (a confirmation per name with the client's count after it; an UNSUBSCRIBE of everything while
 * subscribed to nothing still answers one, with a null name). Confirmations are push frames in
 * RESP3, arrays in RESP2. The client's names are kept here; the {@link PubSubRegistry} holds who
 * is subscribed to each.
 * <p>
 * Owned by its connection: called on its thread (a loop's, or its own in the thread-per-connection
 * models, holding the registry's monitor there).
 */
public final class PubSubClient {
    private static final byte[] SUBSCRIBE = bytes("subscribe");
    private static final byte[] UNSUBSCRIBE = bytes("unsubscribe");
    private static final byte[] PSUBSCRIBE = bytes("psubscribe");
    private static final byte[] PUNSUBSCRIBE = bytes("punsubscribe");
    private static final byte[] SSUBSCRIBE = bytes("ssubscribe");
    private static final byte[] SUNSUBSCRIBE = bytes("sunsubscribe");
    private static final byte[] OK = bytes("+OK\r\n");
    private static final byte[] PONG = bytes("pong");
    private static final String[] HELP = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
    };

    private final Subscriber self;
    private final PubSubRegistry registry;
    private final LinkedHashSet<Key> channels = new LinkedHashSet<>();
    private final LinkedHashSet<Key> patterns = new LinkedHashSet<>();
    private final LinkedHashSet<Key> shardChannels = new LinkedHashSet<>();
    private final Key probe = Key.probe();
    private boolean monitor;

    public PubSubClient(Subscriber self, PubSubRegistry registry) {
        this.self = self;
        this.registry = registry;
    }

    /** Whether the name is one of the commands answered here. */
    public static boolean handles(Command c) {
        return switch (c.name()) {
            case "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "monitor" -> true;
            default -> false;
        };
    }

    /**
     * Redis's CLIENT_PUBSUB: subscribed to a channel, pattern or shard channel. In RESP2 such a
     * client may only run the commands {@link #allowedInContext} names.
     */
    public boolean subscribed() {
        return !channels.isEmpty() || !patterns.isEmpty() || !shardChannels.isEmpty();
    }

    public int channelCount() {
        return channels.size();
    }

    public int patternCount() {
        return patterns.size();
    }

    public int shardChannelCount() {
        return shardChannels.size();
    }

    /** Whether this client has run MONITOR. */
    public boolean monitoring() {
        return monitor;
    }

    /**
     * Redis's refusal of this command for this client now, or null: a MONITOR client (a replica to
     * Redis) may not touch the keyspace, and a subscribed RESP2 client may run only the commands
     * {@link #allowedInContext} names (server.c's processCommand, in its order).
     */
    public String refusal(Command c, CommandArgs a, int protocol) {
        if (monitor && (c.hasFlag("write") || c.hasFlag("readonly") || c.hasFlag("may_replicate"))) {
            return "ERR Replica can't interact with the keyspace";
        }
        if (protocol == 2 && subscribed() && !allowedInContext(c)) {
            return contextError(c, a);
        }
        return null;
    }

    /** What a subscribed RESP2 client may run (server.c's processCommand). */
    public static boolean allowedInContext(Command c) {
        return switch (c.name()) {
            case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit",
                 "reset" -> true;
            default -> false;
        };
    }

    /** Redis's error for any other command in that context, naming it as COMMAND does ({@code pubsub|numsub}). */
    public static String contextError(Command c, CommandArgs a) {
        String name = c.name();
        if (name.equals("pubsub") && a.count() > 1) {
            name = "pubsub|" + a.string(1).toLowerCase(java.util.Locale.ROOT);
        }
        return "ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                + "allowed in this context";
    }

    /** PING while subscribed in RESP2: ["pong", argument or ""]. */
    public static void pingInContext(CommandArgs a, ReplySink out) {
        out.arrayHeader(2);
        out.bulk(PONG);
        if (a.count() > 1) {
            out.bulk(a.array(), a.offset(1), a.length(1));
        } else {
            out.bulk(PONG, 0, 0);
        }
    }

    /** Runs one of the commands {@link #handles} names. */
    public void execute(Command c, CommandArgs a, ReplySink out) {
        switch (c.name()) {
            case "subscribe" -> subscribe(Kind.CHANNEL, channels, SUBSCRIBE, a, out);
            case "psubscribe" -> subscribe(Kind.PATTERN, patterns, PSUBSCRIBE, a, out);
            case "ssubscribe" -> subscribe(Kind.SHARD_CHANNEL, shardChannels, SSUBSCRIBE, a, out);
            case "unsubscribe" -> unsubscribe(Kind.CHANNEL, channels, UNSUBSCRIBE, a, out);
            case "punsubscribe" -> unsubscribe(Kind.PATTERN, patterns, PUNSUBSCRIBE, a, out);
            case "sunsubscribe" -> unsubscribe(Kind.SHARD_CHANNEL, shardChannels, SUNSUBSCRIBE, a, out);
            case "monitor" -> {
                if (!monitor) { // a second MONITOR is ignored, and answered nothing, as in Redis
                    monitor = true;
                    registry.addMonitor(self);
                    out.raw(OK);
                }
            }
            default -> throw new IllegalArgumentException("not a subscription command: " + c.name());
        }
    }

    private void subscribe(Kind kind, LinkedHashSet<Key> mine, byte[] verb, CommandArgs a, ReplySink out) {
        for (int i = 1; i < a.count(); i++) {
            Key name = Key.copyOf(a.array(), a.offset(i), a.length(i));
            if (mine.add(name)) {
                registry.add(kind, name, self);
            }
            confirm(out, verb, a.array(), a.offset(i), a.length(i), count(kind));
        }
    }

    private void unsubscribe(Kind kind, LinkedHashSet<Key> mine, byte[] verb, CommandArgs a, ReplySink out) {
        if (a.count() == 1) {
            if (mine.isEmpty()) {
                confirm(out, verb, null, 0, 0, count(kind));
                return;
            }
            List<Key> all = new ArrayList<>(mine);
            for (Key name : all) {
                mine.remove(name);
                registry.remove(kind, name, self);
                confirm(out, verb, name.array(), name.offset(), name.length(), count(kind));
            }
            return;
        }
        for (int i = 1; i < a.count(); i++) {
            if (mine.remove(probe.view(a.array(), a.offset(i), a.length(i)))) {
                registry.remove(kind, probe, self);
            }
            confirm(out, verb, a.array(), a.offset(i), a.length(i), count(kind));
        }
    }

    /** The count a confirmation carries: channels and patterns together, shard channels on their own. */
    private int count(Kind kind) {
        return kind == Kind.SHARD_CHANNEL ? shardChannels.size() : channels.size() + patterns.size();
    }

    private static void confirm(ReplySink out, byte[] verb, byte[] name, int offset, int length, int count) {
        out.pushHeader(3);
        out.bulk(verb);
        if (name == null) {
            out.nullBulk();
        } else {
            out.bulk(name, offset, length);
        }
        out.integer(count);
    }

    /** Leaves every subscription and MONITOR without a word: the client closed, or sent RESET. */
    public void leaveAll() {
        for (Key k : channels) {
            registry.remove(Kind.CHANNEL, k, self);
        }
        for (Key k : patterns) {
            registry.remove(Kind.PATTERN, k, self);
        }
        for (Key k : shardChannels) {
            registry.remove(Kind.SHARD_CHANNEL, k, self);
        }
        channels.clear();
        patterns.clear();
        shardChannels.clear();
        if (monitor) {
            monitor = false;
            registry.removeMonitor(self);
        }
    }

    /** A PUBSUB subcommand's arity, as Redis's command table gives it (negative: at least); 0 for none. */
    private static int subcommandArity(String sub) {
        return switch (sub) {
            case "help", "numpat" -> 2;
            case "channels", "numsub", "shardchannels", "shardnumsub" -> -2;
            default -> 0;
        };
    }

    /**
     * Redis's refusal of a PUBSUB from a script, where a subcommand is looked up as a command of its
     * own: an unknown one or a wrong arity answers the script errors; null when it may run.
     */
    static String refusedInScript(CommandArgs a) {
        int arity = subcommandArity(a.string(1).toLowerCase(java.util.Locale.ROOT));
        if (arity == 0) {
            return "ERR Unknown Redis command called from script";
        }
        return (arity > 0 ? a.count() != arity : a.count() < -arity)
                ? "ERR Wrong number of args calling Redis command from script" : null;
    }

    /** Checks a PUBSUB subcommand and answers HELP and the errors; true when it is to be answered from the shards. */
    public static boolean checkPubsub(CommandArgs a, ReplySink out) {
        String sub = a.string(1).toLowerCase(java.util.Locale.ROOT);
        int arity = subcommandArity(sub);
        if (arity == 0) {
            out.error(Errors.unknownSubcommand(a, "PUBSUB"));
            return false;
        }
        if (arity > 0 ? a.count() != arity : a.count() < -arity) {
            out.error(Errors.wrongArity("pubsub|" + sub));
            return false;
        }
        if ((sub.equals("channels") || sub.equals("shardchannels")) && a.count() > 3) {
            out.error("ERR unknown subcommand or wrong number of arguments for '" + Sanitize.of(a.string(1))
                    + "'. Try PUBSUB HELP.");
            return false;
        }
        if (sub.equals("help")) {
            Errors.help(out, "PUBSUB", HELP);
            return false;
        }
        return true;
    }

    /** PUBSUB answered from one registry (the whole server's, or one shard's inside an EXEC); checked already. */
    public static void pubsubHere(PubSubRegistry r, CommandArgs a, ReplySink out) {
        String sub = a.string(1).toLowerCase(java.util.Locale.ROOT);
        if (sub.endsWith("numsub")) {
            Kind kind = sub.equals("numsub") ? Kind.CHANNEL : Kind.SHARD_CHANNEL;
            out.arrayHeader((a.count() - 2) * 2);
            for (int i = 2; i < a.count(); i++) {
                out.bulk(a.array(), a.offset(i), a.length(i));
                out.integer(r.subscribers(kind, a.array(), a.offset(i), a.length(i)));
            }
            return;
        }
        if (sub.equals("numpat")) {
            out.integer(r.size(Kind.PATTERN));
            return;
        }
        List<Key> names = new ArrayList<>();
        r.names(sub.equals("channels") ? Kind.CHANNEL : Kind.SHARD_CHANNEL, a.count() > 2 ? a.copy(2) : null, names);
        out.arrayHeader(names.size());
        for (Key k : names) {
            out.bulk(k.array(), k.offset(), k.length());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
