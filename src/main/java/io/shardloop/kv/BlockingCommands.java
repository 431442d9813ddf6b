package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplyReader;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.DirectBuffer;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocking list and sorted-set commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
 * BZPOPMAX, BZMPOP) as a store runs them: the timeout checked as Redis 7.0 checks it, then the
 * non-blocking pass of Redis's blocked.c callers: the element if one is there, otherwise Redis's
 * answer for a client that may not block (a null array; a null for BLMOVE and BRPOPLPUSH), which is
 * also what a MULTI or a script reads.
 * <p>
 * Blocking itself belongs to the front end: when a client outside a MULTI reads that null, it is
 * not answered; it waits on the keys ({@link BlockedKeys}, {@link BlockingWait}) until the owner
 * of one serves it right after a push, running the command's part for that key
 * ({@link #partFor}), or its {@link #timeoutMillis} runs out (then a null array, as Redis's
 * timeout reply).
 */
public final class BlockingCommands {
    private static final byte[] NOT_A_FLOAT = Errors.encoded("-ERR timeout is not a float or out of range");
    private static final byte[] NEGATIVE = Errors.encoded("-ERR timeout is negative");
    private static final byte[] OUT_OF_RANGE = Errors.encoded("-ERR timeout is out of range");
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal LONG_LIMIT = BigDecimal.valueOf(Long.MAX_VALUE);
    /** Redis's answer to a blocked list or sorted-set client whose time ran out. */
    public static final byte[] TIMED_OUT_RESP2 = Errors.encoded("*-1");
    public static final byte[] TIMED_OUT_RESP3 = Errors.encoded("_");

    private BlockingCommands() {
    }

    /** BLPOP key [key ...] timeout. */
    static void blpop(Db db, CommandArgs a, ReplySink out) {
        pop(db, a, true, out);
    }

    /** BRPOP key [key ...] timeout. */
    static void brpop(Db db, CommandArgs a, ReplySink out) {
        pop(db, a, false, out);
    }

    /** [key, element] from the first key holding a list, Redis's blockingPopGenericCommand. */
    private static void pop(Db db, CommandArgs a, boolean head, ReplySink out) {
        if (!timeoutValid(db, a, a.count() - 1, out)) {
            return;
        }
        for (int i = 1; i < a.count() - 1; i++) {
            Key key = Key.copyOf(a, i);
            Object v = db.get(key);
            if (v == null) {
                continue;
            }
            ArrayDeque<byte[]> l = ListCommands.list(v, out);
            if (l == null) {
                return;
            }
            out.arrayHeader(2);
            out.bulk(key.array(), key.offset(), key.length());
            out.bulk(head ? l.pollFirst() : l.pollLast());
            db.notify(KeyspaceEvents.LIST, head ? "lpop" : "rpop", key);
            ListCommands.removeIfEmpty(db, key, l);
            return;
        }
        out.nullArray();
    }

    /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout. */
    static void blmove(Db db, CommandArgs a, ReplySink out) {
        int from = ListMultiKeyCommands.end(a, 3);
        int to = ListMultiKeyCommands.end(a, 4);
        if (from < 0 || to < 0) {
            out.raw(Errors.SYNTAX);
            return;
        }
        if (timeoutValid(db, a, 5, out)) {
            ListMultiKeyCommands.move(db, a, from == ListMultiKeyCommands.HEAD, to == ListMultiKeyCommands.HEAD, out);
        }
    }

    /** BRPOPLPUSH source destination timeout. */
    static void brpoplpush(Db db, CommandArgs a, ReplySink out) {
        if (timeoutValid(db, a, 3, out)) {
            ListMultiKeyCommands.move(db, a, false, true, out);
        }
    }

    /** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
    static void blmpop(Db db, CommandArgs a, ReplySink out) {
        ListMultiKeyCommands.mpop(db, a, 2, () -> timeoutValid(db, a, 1, out), out);
    }

    /** BZPOPMIN key [key ...] timeout. */
    static void bzpopmin(Db db, CommandArgs a, ReplySink out) {
        zpop(db, a, false, out);
    }

    /** BZPOPMAX key [key ...] timeout. */
    static void bzpopmax(Db db, CommandArgs a, ReplySink out) {
        zpop(db, a, true, out);
    }

    /** [key, member, score] from the first key holding a sorted set, Redis's blockingGenericZpopCommand. */
    private static void zpop(Db db, CommandArgs a, boolean max, ReplySink out) {
        if (!timeoutValid(db, a, a.count() - 1, out)) {
            return;
        }
        for (int i = 1; i < a.count() - 1; i++) {
            Key key = Key.copyOf(a, i);
            Object v = db.get(key);
            if (v == null) {
                continue;
            }
            SortedSet z = ZSetCommands.zset(v, out);
            if (z == null) {
                return;
            }
            SortedSet.Node node = max ? z.last() : z.first();
            out.arrayHeader(3);
            ZSetCommands.bulk(out, key);
            ZSetCommands.bulk(out, node.member);
            out.doubleValue(node.score);
            z.remove(node);
            db.notify(KeyspaceEvents.ZSET, max ? "zpopmax" : "zpopmin", key);
            ZSetCommands.removeIfEmpty(db, key, z);
            return;
        }
        out.nullArray();
    }

    /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]. */
    static void bzmpop(Db db, CommandArgs a, ReplySink out) {
        ZSetMultiKeyCommands.mpop(db, a, 2, () -> timeoutValid(db, a, 1, out), out);
    }

    /**
     * The timeout of a blocking command whose arguments its handler accepted: milliseconds, 0 for
     * none (wait for ever).
     */
    public static long timeoutMillis(Command c, CommandArgs a) {
        long ms = millis(a, timeoutIndex(c, a));
        return Math.max(0, ms);
    }

    /** Whether the command is one of these: a client outside a MULTI may wait on its keys. */
    public static boolean blocks(Command c) {
        return c.hasFlag("blocking");
    }

    /**
     * The keys a client in the command waits on, named with their database ({@link DbKeys}), each
     * once: every key it names, but the destination of BLMOVE and BRPOPLPUSH (Redis blocks a move
     * on its source alone).
     */
    public static List<Key> waitedKeys(Command c, CommandArgs a) {
        int n = c.name().equals("blmove") || c.name().equals("brpoplpush") ? 1 : c.keyCount(a);
        List<Key> keys = new ArrayList<>(Math.max(0, n)); // none for arguments its handler refuses
        for (int i = 0; i < n; i++) {
            Key k = DbKeys.of(a, c.keyIndex(a, i));
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** What the owner of a key runs to serve a waiter from that key ({@link BlockedKeys#serveReady}). */
    record Part(Command command, CommandArgs args) {
    }

    /**
     * Whether a waiter in the command may be served from a key holding this value: a list for the
     * list commands, a sorted set for the others (Redis serves a key only the clients blocked for
     * its type; the others stay blocked).
     */
    static boolean takesFrom(Command c, Object value) {
        return switch (c.name()) {
            case "bzpopmin", "bzpopmax", "bzmpop" -> value instanceof SortedSet;
            default -> value instanceof ArrayDeque<?>;
        };
    }

    /**
     * The command's part for one of its keys, as its owner runs it to serve the waiter (Redis's
     * serveClientBlockedOnList and genericZpopCommand on the ready key): BLPOP, BRPOP, BZPOPMIN and
     * BZPOPMAX over that key alone; BLMPOP and BZMPOP with that key alone; BLMOVE and BRPOPLPUSH
     * whole when the destination's data is there too, otherwise only the pop of the source
     * (LPOP or RPOP), whose element the waiter's shard then pushes ({@link #popsOnly}).
     *
     * @param key the key, named with its database ({@link DbKeys})
     */
    static Part partFor(Command c, CommandArgs a, Key key, BlockedKeys.Owner owner) {
        CommandArgs part = new CommandArgs();
        part.db(a.db());
        Key name = DbKeys.name(key);
        switch (c.name()) {
            case "blmove", "brpoplpush" -> {
                if (owner.owns(DbKeys.of(a, 2))) {
                    copy(a, 0, a.count(), part);
                    return new Part(c, part);
                }
                part.add(fromLeft(c, a) ? "LPOP" : "RPOP").add(a.copy(1));
                return new Part(CommandTable.find(part), part);
            }
            case "blmpop", "bzmpop" -> {
                int numKeys = (int) a.parseLong(2, 0);
                part.addFrom(a, 0);
                part.addFrom(a, 1);
                part.add("1").add(name.array(), name.offset(), name.length());
                copy(a, 3 + numKeys, a.count(), part);
            }
            default -> {
                part.addFrom(a, 0);
                part.add(name.array(), name.offset(), name.length());
                part.addFrom(a, a.count() - 1);
            }
        }
        return new Part(c, part);
    }

    /**
     * Whether the owner of this move's source serves it with the pop alone: its destination lives on
     * another shard, where the waiter's shard pushes the element (one message later, so for that
     * moment the element is in neither list).
     */
    static boolean popsOnly(Command c, CommandArgs a, int shardCount, boolean sharded) {
        if (!sharded || (!c.name().equals("blmove") && !c.name().equals("brpoplpush"))) {
            return false;
        }
        return DbKeys.owner(DbKeys.of(a, 1), shardCount) != DbKeys.owner(DbKeys.of(a, 2), shardCount);
    }

    /** The push of a move's popped element into its destination, at the end the move names. */
    static CommandArgs pushToDestination(Command c, CommandArgs a, DirectBuffer element, int at) {
        boolean toLeft = c.name().equals("brpoplpush") || a.is(4, "left");
        CommandArgs push = new CommandArgs();
        push.db(a.db());
        return push.add(toLeft ? "LPUSH" : "RPUSH").add(a.copy(2)).add(bulk(element, at));
    }

    /** The push that puts a move's popped element back onto the end of the source it came from. */
    static CommandArgs pushBackToSource(Command c, CommandArgs a, DirectBuffer element, int at) {
        CommandArgs back = new CommandArgs();
        back.db(a.db());
        return back.add(fromLeft(c, a) ? "LPUSH" : "RPUSH").add(a.copy(1)).add(bulk(element, at));
    }

    private static boolean fromLeft(Command c, CommandArgs a) {
        return c.name().equals("blmove") && a.is(3, "left");
    }

    private static void copy(CommandArgs from, int start, int end, CommandArgs to) {
        for (int i = start; i < end; i++) {
            to.addFrom(from, i);
        }
    }

    /** Whether a reply is the not-served one ({@link BlockingCommands}): the client waits. */
    public static boolean notServed(DirectBuffer reply, int offset, int length) {
        if (length < 3) {
            return false;
        }
        byte first = reply.getByte(offset);
        if (first == '_') {
            return true;
        }
        return (first == '*' || first == '$') && reply.getByte(offset + 1) == '-' && reply.getByte(offset + 2) == '1';
    }

    /** Whether a reply is an error (a move's push met a destination of another type). */
    static boolean isError(DirectBuffer reply, int offset, int length) {
        return length > 0 && reply.getByte(offset) == '-';
    }

    /**
     * The command that puts back what a served answer took, for a wait that ended before the
     * answer reached it (its client hung up while its run was away on another shard; an owner of
     * another shard served it after a timeout, an unblock or another owner's answer): the elements pushed back onto the end they
     * came from, the members added back with their scores; null when nothing was taken (BLMOVE and
     * BRPOPLPUSH moved it into their destination, which keeps it).
     */
    static CommandArgs giveBack(Command c, CommandArgs a, DirectBuffer r, int at) {
        if (ReplyReader.type(r, at) != '*') {
            return null;
        }
        int e = ReplyReader.firstElement(r, at);
        CommandArgs back = new CommandArgs();
        back.db(a.db()); // back into the database it came from
        switch (c.name()) {
            case "blpop", "brpop" -> {
                back.add(c.name().equals("blpop") ? "LPUSH" : "RPUSH").add(bulk(r, e)).add(bulk(r, ReplyReader.skip(r, e)));
            }
            case "blmpop" -> {
                long numKeys = a.parseLong(2, 0);
                back.add(a.is((int) (3 + numKeys), "left") ? "LPUSH" : "RPUSH").add(bulk(r, e));
                int list = ReplyReader.skip(r, e);
                List<byte[]> elements = new ArrayList<>();
                for (int i = 0, x = ReplyReader.firstElement(r, list); i < ReplyReader.number(r, list); i++, x = ReplyReader.skip(r, x)) {
                    elements.add(bulk(r, x));
                }
                for (int i = elements.size() - 1; i >= 0; i--) {
                    back.add(elements.get(i)); // the last taken goes back first, so the first taken ends up at the end again
                }
            }
            case "bzpopmin", "bzpopmax" -> {
                int member = ReplyReader.skip(r, e);
                back.add("ZADD").add(bulk(r, e)).add(scalar(r, ReplyReader.skip(r, member))).add(bulk(r, member));
            }
            case "bzmpop" -> {
                back.add("ZADD").add(bulk(r, e));
                int pairs = ReplyReader.skip(r, e);
                for (int i = 0, x = ReplyReader.firstElement(r, pairs); i < ReplyReader.number(r, pairs); i++, x = ReplyReader.skip(r, x)) {
                    int member = ReplyReader.firstElement(r, x);
                    back.add(scalar(r, ReplyReader.skip(r, member))).add(bulk(r, member));
                }
            }
            default -> {
                return null;
            }
        }
        return back;
    }

    private static byte[] bulk(DirectBuffer r, int at) {
        byte[] out = new byte[(int) ReplyReader.number(r, at)];
        r.getBytes(ReplyReader.firstElement(r, at), out);
        return out;
    }

    /** A score: a bulk in RESP2, a double (",1.5") in RESP3. */
    private static byte[] scalar(DirectBuffer r, int at) {
        if (ReplyReader.type(r, at) == '$') {
            return bulk(r, at);
        }
        int end = at + 1;
        while (r.getByte(end) != '\r') {
            end++;
        }
        byte[] out = new byte[end - at - 1];
        r.getBytes(at + 1, out);
        return out;
    }

    private static int timeoutIndex(Command c, CommandArgs a) {
        return switch (c.name()) {
            case "blmove" -> 5;
            case "brpoplpush" -> 3;
            case "blmpop", "bzmpop" -> 1;
            default -> a.count() - 1;
        };
    }

    /** Redis's getTimeoutFromObjectOrReply in seconds: a long double, times 1000, truncated. */
    private static boolean timeoutValid(Db db, CommandArgs a, int at, ReplySink out) {
        BigDecimal seconds = LongDouble.parse(a.array(), a.offset(at), a.length(at));
        if (seconds == null) {
            out.raw(NOT_A_FLOAT);
            return false;
        }
        long ms = millis(seconds);
        if (ms < 0) {
            out.raw(NEGATIVE);
            return false;
        }
        if (ms > 0 && ms > Long.MAX_VALUE - db.now()) {
            out.raw(OUT_OF_RANGE);
            return false;
        }
        return true;
    }

    private static long millis(CommandArgs a, int at) {
        BigDecimal seconds = LongDouble.parse(a.array(), a.offset(at), a.length(at));
        return seconds == null ? -1 : millis(seconds);
    }

    /**
     * Redis 7.0's {@code (long long) ceill(seconds * 1000.0)} (timeout.c): rounded up, so 0.001 s
     * waits a millisecond rather than for ever; a value out of range (infinity too) becomes
     * LLONG_MIN, as C's conversion does on x86.
     */
    private static long millis(BigDecimal seconds) {
        if (seconds == LongDouble.INFINITE) {
            return Long.MIN_VALUE;
        }
        BigDecimal ms = seconds.multiply(THOUSAND);
        if (ms.abs().compareTo(LONG_LIMIT) > 0) {
            return Long.MIN_VALUE;
        }
        return ms.setScale(0, java.math.RoundingMode.CEILING).longValue();
    }
}
