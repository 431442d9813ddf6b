package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One connection's side of client-side caching: its CLIENT TRACKING mode (Redis's
 * {@code CLIENT_TRACKING*} flags, redirect and prefixes), the CLIENT TRACKING, CACHING, GETREDIR and
 * TRACKINGINFO subcommands with Redis 7.0's replies (networking.c), the keys of its reads that its
 * {@link TrackingShard} remembers, and the invalidations it writes (tracking.c's
 * sendTrackingMessage): a push {@code >2 invalidate [keys]} in RESP3; for a client others redirect
 * to, a {@code message} on {@code __redis__:invalidate} while it is subscribed in RESP2; nothing to a
 * RESP2 client without a redirect.
 * <p>
 * Guarded by its {@link TrackingTable}'s monitor: the methods its connection calls take it, and the
 * table holds it when it calls the others. On a loop that is the loop's thread alone; on a thread per
 * connection, the connection's thread and any thread that writes a key the client tracks.
 */
public final class TrackingClient {
    /** Where the frames go: the connection, behind the replies it has in line. */
    public interface Output {
        /** A frame written as it is, whole. */
        void write(byte[] frame);

        /** The protocol the connection speaks now (2 or 3). */
        int protocol();

        /** Whether the client is subscribed to a channel or pattern (Redis's CLIENT_PUBSUB). */
        boolean subscribed();
    }

    private static final byte[] INVALIDATE_PUSH = "$10\r\ninvalidate\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INVALIDATE_MESSAGE = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final long id;
    private final TrackingTable shard;
    private final Output output;
    private boolean on;
    private boolean bcast;
    private boolean optin;
    private boolean optout;
    private boolean caching;
    private boolean noloop;
    private boolean brokenRedirect;
    /** {@link TrackingTable#flushes} when tracking was last turned on: a flush told later, but made before, is not its. */
    private long onSinceFlushes;
    /** The client its invalidations go to, or {@link TrackingShard#NO_CLIENT}. */
    private long redirect = TrackingShard.NO_CLIENT;
    private final TreeSet<Key> prefixes = new TreeSet<>();

    TrackingClient(long id, TrackingTable shard, Output output) {
        this.id = id;
        this.shard = shard;
        this.output = output;
    }

    long id() {
        return id;
    }

    /** Whether tracking is on: the one check a command of a client that does not track pays. */
    public boolean on() {
        return on;
    }

    /** Whether its writes must be named to their owners (NOLOOP). */
    public boolean noloop() {
        return noloop;
    }

    List<Key> prefixes() {
        return new ArrayList<>(prefixes);
    }

    // ---- the subcommands ----------------------------------------------------------------------

    /** CLIENT TRACKING, CACHING, GETREDIR or TRACKINGINFO ({@code sub} lower case), arity checked. */
    public void command(String sub, CommandArgs a, ReplySink out) {
        synchronized (shard) {
            switch (sub) {
                case "tracking" -> tracking(a, out);
                case "caching" -> caching(a, out);
                case "getredir" -> out.integer(redirectShown());
                default -> trackingInfo(out);
            }
        }
    }

    /** GETREDIR's and TRACKINGINFO's figure: -1 while tracking is off, 0 without a redirect. */
    private long redirectShown() {
        return !on ? -1 : redirect == TrackingShard.NO_CLIENT ? 0 : redirect;
    }

    private void tracking(CommandArgs a, ReplySink out) {
        long redir = TrackingShard.NO_CLIENT;
        boolean wantBcast = false;
        boolean wantOptin = false;
        boolean wantOptout = false;
        boolean wantNoloop = false;
        List<Key> wanted = new ArrayList<>();
        for (int j = 3; j < a.count(); j++) {
            boolean more = j < a.count() - 1;
            if (a.is(j, "redirect") && more) {
                j++;
                if (redir != TrackingShard.NO_CLIENT) {
                    out.error("ERR A client can only redirect to a single other client");
                    return;
                }
                if (!a.isLong(j)) {
                    out.error("ERR value is not an integer or out of range");
                    return;
                }
                redir = a.parseLong(j, 0);
                if (!shard.exists(redir)) {
                    out.error("ERR The client ID you want redirect to does not exist");
                    return;
                }
            } else if (a.is(j, "bcast")) {
                wantBcast = true;
            } else if (a.is(j, "optin")) {
                wantOptin = true;
            } else if (a.is(j, "optout")) {
                wantOptout = true;
            } else if (a.is(j, "noloop")) {
                wantNoloop = true;
            } else if (a.is(j, "prefix") && more) {
                j++;
                wanted.add(Key.copyOf(a.array(), a.offset(j), a.length(j)));
            } else {
                out.error("ERR syntax error");
                return;
            }
        }
        if (a.is(2, "on")) {
            if (!wantBcast && !wanted.isEmpty()) {
                out.error("ERR PREFIX option requires BCAST mode to be enabled");
                return;
            }
            if (on && bcast != wantBcast) {
                out.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
                return;
            }
            if (wantBcast && (wantOptin || wantOptout)) {
                out.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
                return;
            }
            if (wantOptin && wantOptout) {
                out.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
                return;
            }
            if ((wantOptin && optout) || (wantOptout && optin)) {
                out.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
                return;
            }
            if (wantBcast && !checkPrefixes(wanted, out)) {
                return;
            }
            enable(redir, wantBcast, wantOptin, wantOptout, wantNoloop, wanted);
        } else if (a.is(2, "off")) {
            off();
        } else {
            out.error("ERR syntax error");
            return;
        }
        out.simple("OK");
    }

    /** Redis's checkPrefixCollisionsOrReply: no two prefixes of a client may cover the same key. */
    private boolean checkPrefixes(List<Key> wanted, ReplySink out) {
        for (int i = 0; i < wanted.size(); i++) {
            Key p = wanted.get(i);
            for (Key existing : prefixes) {
                if (overlap(existing, p)) {
                    out.error("ERR Prefix '" + text(p) + "' overlaps with an existing prefix '" + text(existing)
                            + "'. Prefixes for a single client must not overlap.");
                    return false;
                }
            }
            for (int j = i + 1; j < wanted.size(); j++) {
                if (overlap(p, wanted.get(j))) {
                    out.error("ERR Prefix '" + text(p) + "' overlaps with another provided prefix '"
                            + text(wanted.get(j)) + "'. Prefixes for a single client must not overlap.");
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean overlap(Key a, Key b) {
        return a.length() <= b.length() ? TrackingShard.startsWith(b, a) : TrackingShard.startsWith(a, b);
    }

    private static String text(Key k) {
        return new String(k.array(), k.offset(), k.length(), StandardCharsets.ISO_8859_1);
    }

    private void enable(long redir, boolean wantBcast, boolean wantOptin, boolean wantOptout, boolean wantNoloop,
                        List<Key> wanted) {
        if (!on) {
            shard.trackingOn();
            onSinceFlushes = shard.flushes();
        }
        on = true;
        brokenRedirect = false;
        redirect = redir;
        optin = wantOptin;
        optout = wantOptout;
        noloop = wantNoloop;
        if (wantBcast) {
            if (!bcast) {
                shard.broadcastOn(this);
            }
            bcast = true;
            if (wanted.isEmpty()) {
                prefixes.add(Key.wrap(new byte[0]));
            }
            prefixes.addAll(wanted);
            shard.publishPrefixes();
        }
    }

    /** CLIENT TRACKING OFF, RESET, or the connection closing: Redis's disableTracking. */
    public void off() {
        synchronized (shard) {
            turnOff();
        }
    }

    private void turnOff() {
        if (bcast) {
            shard.broadcastOff(this);
        }
        prefixes.clear();
        if (on) {
            shard.trackingOff();
        }
        on = false;
        bcast = false;
        optin = false;
        optout = false;
        caching = false;
        noloop = false;
        brokenRedirect = false;
    }

    /** The connection closed: tracking off, and no redirect may name it any more. */
    public void close() {
        synchronized (shard) {
            turnOff();
            shard.disconnect(this);
        }
    }

    private void caching(CommandArgs a, ReplySink out) {
        if (!on) {
            out.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                    + "OPTOUT mode enabled");
            return;
        }
        if (a.is(2, "yes")) {
            if (!optin) {
                out.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
                return;
            }
        } else if (a.is(2, "no")) {
            if (!optout) {
                out.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
                return;
            }
        } else {
            out.error("ERR syntax error");
            return;
        }
        caching = true;
        out.simple("OK");
    }

    private void trackingInfo(ReplySink out) {
        out.mapHeader(3);
        out.bulk(bytes("flags"));
        List<String> flags = new ArrayList<>();
        flags.add(on ? "on" : "off");
        if (bcast) {
            flags.add("bcast");
        }
        if (optin) {
            flags.add("optin");
            if (caching) {
                flags.add("caching-yes");
            }
        }
        if (optout) {
            flags.add("optout");
            if (caching) {
                flags.add("caching-no");
            }
        }
        if (noloop) {
            flags.add("noloop");
        }
        if (brokenRedirect) {
            flags.add("broken_redirect");
        }
        out.setHeader(flags.size());
        for (String f : flags) {
            out.bulk(bytes(f));
        }
        out.bulk(bytes("redirect"));
        out.integer(redirectShown());
        out.bulk(bytes("prefixes"));
        out.arrayHeader(prefixes.size());
        for (Key p : prefixes) {
            out.bulk(p.array(), p.offset(), p.length());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---- commands -----------------------------------------------------------------------------

    /**
     * Before a command of this tracking client runs (or, for an EXEC, each command it holds): the
     * keys of a read are remembered by their owners, unless OPTIN without CACHING YES, or OPTOUT
     * with CACHING NO, says otherwise (Redis's trackingRememberKeys). BCAST remembers nothing.
     */
    public void beforeRead(Command c, CommandArgs args) {
        if (bcast || (optin && !caching) || (optout && caching) || !c.hasFlag("readonly")
                || c.route() == Command.Route.CONNECTION || c.name().startsWith("eval") || c.name().startsWith("fcall")) {
            return;
        }
        int keys = c.keyCount(args);
        synchronized (shard) {
            for (int n = 0; n < keys; n++) {
                int i = c.keyIndex(args, n);
                shard.remember(args.array(), args.offset(i), args.length(i), id);
            }
        }
    }

    /** After a command: CACHING lasts for the next command only, or the next transaction (as Redis). */
    public void afterCommand(Command c, boolean inMulti) {
        if (!inMulti && !c.name().equals("client")) {
            synchronized (shard) {
                caching = false;
            }
        }
    }

    // ---- invalidations ------------------------------------------------------------------------

    /** Whether it tracked before the flush numbered {@code flush} was made (its null invalidation is its). */
    boolean trackedBefore(long flush) {
        return onSinceFlushes < flush;
    }

    /** An invalidation of this client's tracking (key, every key, or an encoded array of keys). */
    void invalidated(byte kind, byte[] b, int offset, int length, long writer) {
        if (kind == TrackingShard.REDIRECT_GONE) {
            if (on && redirect != TrackingShard.NO_CLIENT) {
                redirectBroken();
            }
            return;
        }
        if (!on || (kind == TrackingShard.KEY && bcast) || (kind == TrackingShard.KEY && noloop && writer == id)) {
            return;
        }
        if (redirect == TrackingShard.NO_CLIENT) {
            deliver(kind, b, offset, length, false);
            return;
        }
        if (!shard.exists(redirect)) {
            redirectBroken();
            return;
        }
        shard.notify(redirect, writer, id, kind, b, offset, length);
    }

    /** Redis tells a RESP3 client that the client it redirects to is gone, at each invalidation it could not pass on. */
    private void redirectBroken() {
        brokenRedirect = true;
        if (output.protocol() == 3) {
            output.write((">2\r\n$21\r\ntracking-redir-broken\r\n:" + redirect + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Writes an invalidation frame, for this client's own tracking or for one redirecting to it. */
    void deliver(byte kind, byte[] b, int offset, int length, boolean redirected) {
        int protocol = output.protocol();
        byte[] head;
        if (protocol == 3) {
            head = concat(bytes(">2\r\n"), INVALIDATE_PUSH);
        } else if (redirected && output.subscribed()) {
            head = INVALIDATE_MESSAGE;
        } else {
            return;
        }
        byte[] value = switch (kind) {
            case TrackingShard.ALL -> bytes(protocol == 3 ? "_\r\n" : "$-1\r\n");
            case TrackingShard.KEY -> {
                byte[] prefix = bytes("*1\r\n$" + length + "\r\n");
                byte[] v = new byte[prefix.length + length + 2];
                System.arraycopy(prefix, 0, v, 0, prefix.length);
                System.arraycopy(b, offset, v, prefix.length, length);
                v[v.length - 2] = '\r';
                v[v.length - 1] = '\n';
                yield v;
            }
            default -> java.util.Arrays.copyOfRange(b, offset, offset + length);
        };
        output.write(concat(head, value));
    }

    /** At the end of a turn, a BCAST client is sent the keys written under each of its prefixes. */
    void broadcast(Map<Key, Long> written) {
        for (Key p : prefixes) {
            byte[] keys = TrackingShard.keysUnder(written, p, noloop ? id : TrackingShard.NO_CLIENT);
            if (keys != null) {
                invalidated(TrackingShard.KEYS, keys, 0, keys.length, TrackingShard.NO_CLIENT);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
