package io.shardloop.resp;

import io.shardloop.resp.codec.CommandArgs;

import java.util.Locale;

/**
 * Which clients a CLIENT LIST or CLIENT KILL is about, read from its arguments as Redis 7.0's
 * clientCommand reads them, with its error texts; and the reply it makes of what the clients
 * matched. Parsed where the command arrives; every shard asked parses the same arguments again.
 * <p>
 * CLIENT LIST [TYPE type] | [ID id ...]; CLIENT KILL ip:port (may kill the asker itself; answers
 * +OK or "No such client"); CLIENT KILL [ID id] [TYPE type] [ADDR ip:port] [LADDR ip:port]
 * [USER name] [SKIPME yes|no] [MAXAGE seconds] (answers how many; MAXAGE is Redis 7.4's, for
 * clients connected longer than that). Immutable.
 */
public final class ClientFilter {
    /** Redis's client types (getClientTypeByName); only normal and pubsub clients exist here. */
    private static final int ANY = -1;
    private static final int NORMAL = 0;
    private static final int PUBSUB = 1;
    private static final int NONE_HERE = 2;

    private final boolean kill;
    private final boolean oldForm;
    private final long asker;
    private final long[] ids;
    private final long id;
    private final int type;
    private final String addr;
    private final String laddr;
    private final boolean skipMe;
    private final long maxAgeSeconds;
    private final String error;

    private ClientFilter(boolean kill, boolean oldForm, long asker, long[] ids, long id, int type, String addr,
                         String laddr, boolean skipMe, long maxAgeSeconds, String error) {
        this.kill = kill;
        this.oldForm = oldForm;
        this.asker = asker;
        this.ids = ids;
        this.id = id;
        this.type = type;
        this.addr = addr;
        this.laddr = laddr;
        this.skipMe = skipMe;
        this.maxAgeSeconds = maxAgeSeconds;
        this.error = error;
    }

    private static ClientFilter failed(String error) {
        return new ClientFilter(false, false, 0, null, 0, ANY, null, null, true, 0, error);
    }

    /** CLIENT LIST's or CLIENT KILL's arguments (argument 1 says which), from the client {@code asker}. */
    public static ClientFilter parse(CommandArgs a, long asker) {
        return a.is(1, "KILL") ? parseKill(a, asker) : parseList(a, asker);
    }

    private static ClientFilter parseList(CommandArgs a, long asker) {
        if (a.count() == 4 && a.is(2, "TYPE")) {
            int type = typeByName(a.string(3));
            return type == Integer.MIN_VALUE ? failed("ERR Unknown client type '" + a.string(3) + "'")
                    : new ClientFilter(false, false, asker, null, 0, type, null, null, false, 0, null);
        }
        if (a.count() > 3 && a.is(2, "ID")) {
            long[] ids = new long[a.count() - 3];
            for (int i = 3; i < a.count(); i++) {
                if (!a.isLong(i)) {
                    return failed("ERR Invalid client ID");
                }
                ids[i - 3] = a.parseLong(i, 0);
            }
            return new ClientFilter(false, false, asker, ids, 0, ANY, null, null, false, 0, null);
        }
        if (a.count() != 2) {
            return failed("ERR syntax error");
        }
        return new ClientFilter(false, false, asker, null, 0, ANY, null, null, false, 0, null);
    }

    private static ClientFilter parseKill(CommandArgs a, long asker) {
        if (a.count() == 3) {
            return new ClientFilter(true, true, asker, null, 0, ANY, a.string(2), null, false, 0, null);
        }
        if (a.count() < 3) {
            return failed("ERR syntax error");
        }
        long id = 0;
        int type = ANY;
        String addr = null;
        String laddr = null;
        boolean skipMe = true;
        long maxAge = 0;
        for (int i = 2; i < a.count(); i += 2) {
            boolean more = a.count() > i + 1;
            if (!more) {
                return failed("ERR syntax error");
            }
            String value = a.string(i + 1);
            if (a.is(i, "ID")) {
                if (!a.isLong(i + 1) || a.parseLong(i + 1, 0) < 1) {
                    return failed("ERR client-id should be greater than 0");
                }
                id = a.parseLong(i + 1, 0);
            } else if (a.is(i, "TYPE")) {
                type = typeByName(value);
                if (type == Integer.MIN_VALUE) {
                    return failed("ERR Unknown client type '" + value + "'");
                }
            } else if (a.is(i, "ADDR")) {
                addr = value;
            } else if (a.is(i, "LADDR")) {
                laddr = value;
            } else if (a.is(i, "USER")) {
                if (!value.equals("default")) {
                    return failed("ERR No such user '" + value + "'");
                }
            } else if (a.is(i, "SKIPME")) {
                if (value.equalsIgnoreCase("yes")) {
                    skipMe = true;
                } else if (value.equalsIgnoreCase("no")) {
                    skipMe = false;
                } else {
                    return failed("ERR syntax error");
                }
            } else if (a.is(i, "MAXAGE")) {
                if (!a.isLong(i + 1)) {
                    return failed("ERR value is not an integer or out of range");
                }
                maxAge = a.parseLong(i + 1, 0);
            } else {
                return failed("ERR syntax error");
            }
        }
        return new ClientFilter(true, false, asker, null, id, type, addr, laddr, skipMe, maxAge, null);
    }

    /** The type's number, or MIN_VALUE for a name Redis does not know. */
    private static int typeByName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "normal" -> NORMAL;
            case "pubsub" -> PUBSUB;
            case "slave", "replica", "master" -> NONE_HERE;
            default -> Integer.MIN_VALUE;
        };
    }

    /** Redis's error for arguments it refuses, or null when they are good. */
    public String error() {
        return error;
    }

    public boolean kill() {
        return kill;
    }

    /** The client that asked. */
    public long asker() {
        return asker;
    }

    /**
     * The one shard a KILL ID or a LIST ID of ids on one shard is about, by the ids' high bits;
     * -1 when it is about every shard.
     */
    public int onlyShard(int idShardShift) {
        if (kill && id != 0) {
            return (int) (id >>> idShardShift);
        }
        if (ids == null || ids.length == 0) {
            return -1;
        }
        int shard = (int) (ids[0] >>> idShardShift);
        for (long i : ids) {
            if ((int) (i >>> idShardShift) != shard) {
                return -1;
            }
        }
        return shard;
    }

    /** Whether the client is one this command lists or kills (the asker is skipped by a KILL with SKIPME yes). */
    public boolean matches(ClientHandle c, long nowMillis) {
        Session s = c.session();
        if (ids != null && !contains(ids, s.id())) {
            return false;
        }
        if (id != 0 && s.id() != id) {
            return false;
        }
        if (type != ANY && type != (s.subscribed() ? PUBSUB : NORMAL)) {
            return false;
        }
        if (addr != null && !addr.equals(ClientLine.address(c.remoteAddress()))) {
            return false;
        }
        if (laddr != null && !laddr.equals(ClientLine.address(c.localAddress()))) {
            return false;
        }
        if (maxAgeSeconds != 0 && (nowMillis - s.createdMillis()) / 1000 <= maxAgeSeconds) {
            return false;
        }
        return !(kill && skipMe && s.id() == asker);
    }

    private static boolean contains(long[] ids, long id) {
        for (long i : ids) {
            if (i == id) {
                return true;
            }
        }
        return false;
    }

    /**
     * CLIENT LIST's text from the lines every shard matched (each ending in a line feed): as they
     * came, or, for LIST ID, in the order of the ids asked, an id asked twice listed twice.
     */
    public String listText(String lines) {
        if (ids == null) {
            return lines;
        }
        java.util.Map<Long, String> byId = new java.util.HashMap<>();
        for (String line : lines.split("\n")) {
            if (line.startsWith("id=")) {
                byId.put(Long.parseLong(line.substring(3, line.indexOf(' '))), line);
            }
        }
        StringBuilder b = new StringBuilder();
        for (long i : ids) {
            String line = byId.get(i);
            if (line != null) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }

    /** CLIENT KILL's reply for this many clients killed: the old form's +OK or error, else the count. */
    public void writeKillReply(long killed, io.shardloop.resp.codec.ReplySink out) {
        if (!oldForm) {
            out.integer(killed);
        } else if (killed == 0) {
            out.error("ERR No such client");
        } else {
            out.simple("OK");
        }
    }
}
