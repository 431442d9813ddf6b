package io.shardloop.resp;

import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keyspace notifications against redis-server through every front end: a subscriber to
 * {@code __key*__:*} on one connection, the commands on another, and the messages the subscriber
 * reads compared with Redis's, frame by frame, with the commands' replies. After the commands the
 * writer publishes a marker; the subscriber reads as many event frames as Redis sent, plus the
 * marker wherever it falls, then a second marker, before which nothing more may come.
 * <p>
 * Events of one key come from its owner shard, in order; on several shards of the sharded mode the
 * events of different keys may interleave otherwise than in Redis (docs/resp.md), so there the
 * frames are compared in order key by key. Commands over several keys use one hash tag, so their
 * keys share a shard.
 */
class KeyspaceNotificationsContractTest {
    private static final Pattern FRAME = Pattern.compile(
            "^\\*4 \\[\\$8 pmessage, \\$\\d+ __key\\*__:\\*, \\$\\d+ (__key(space|event)@\\d+__:)(.*), \\$\\d+ (.*)]$");
    private static final String MARKER_CHANNEL = "nk:marker";
    private static FrontEnds fronts;

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.notifyKeyspaceEvents("");
        fronts.close();
    }

    @Test
    void shouldNotifyStringAndGenericEventsLikeRedis() throws Exception {
        assertAgree("KEA", new String[][] {
                {"SET", "s:a", "1"},
                {"SET", "s:a", "2", "EX", "100"},
                {"SET", "s:a", "3", "NX"},
                {"SET", "s:a", "4", "KEEPTTL", "GET"},
                {"SETRANGE", "s:a", "1", "xy"},
                {"SETRANGE", "s:a", "1", ""},
                {"APPEND", "s:a", "z"},
                {"INCR", "s:a"},
                {"SET", "s:n", "1"},
                {"INCR", "s:n"},
                {"INCRBY", "s:n", "5"},
                {"DECR", "s:n"},
                {"DECRBY", "s:n", "2"},
                {"INCRBYFLOAT", "s:n", "1.5"},
                {"SETNX", "s:n", "9"},
                {"SETNX", "s:m", "9"},
                {"SETEX", "s:m", "100", "v"},
                {"PSETEX", "s:m", "100000", "v"},
                {"GETSET", "s:m", "w"},
                {"GETEX", "s:m", "EX", "50"},
                {"GETEX", "s:m", "PERSIST"},
                {"GETEX", "s:m", "PERSIST"},
                {"GETDEL", "s:m"},
                {"GETDEL", "s:m"},
                {"MSET", "{s}x", "1", "{s}y", "2"},
                {"MSETNX", "{s}x", "1", "{s}z", "2"},
                {"MSETNX", "{s}w", "1", "{s}z", "2"},
                {"EXPIRE", "s:a", "100"},
                {"PEXPIRE", "s:a", "100000"},
                {"EXPIREAT", "s:a", "99999999999"},
                {"EXPIRE", "s:a", "100", "NX"},
                {"PERSIST", "s:a"},
                {"PERSIST", "s:a"},
                {"EXPIRE", "s:n", "0"},
                {"DEL", "s:a", "s:none"},
                {"SET", "{r}a", "1"},
                {"RENAME", "{r}a", "{r}b"},
                {"SET", "{r}c", "x"},
                {"RENAME", "{r}b", "{r}c"},
                {"RENAMENX", "{r}c", "{r}d"},
                {"SET", "{r}e", "y"},
                {"RENAMENX", "{r}d", "{r}e"},
                {"COPY", "{r}d", "{r}f"},
                {"COPY", "{r}d", "{r}e", "REPLACE"},
                {"COPY", "{r}d", "{r}f", "DB", "1"},
                {"MOVE", "{r}f", "2"},
                {"UNLINK", "{r}d", "{r}e"},
                {"SETBIT", "{b}a", "1", "1"},
                {"SETBIT", "{b}a", "1", "1"},
                {"SETBIT", "{b}a", "100", "0"},
                {"BITFIELD", "{b}a", "SET", "u8", "0", "255"},
                {"BITFIELD", "{b}a", "SET", "u8", "0", "255"},
                {"BITFIELD", "{b}a", "GET", "u8", "0"},
                {"BITFIELD", "{b}a", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "10"},
                {"BITOP", "AND", "{b}d", "{b}a", "{b}a"},
                {"BITOP", "AND", "{b}d", "{b}none"},
                {"BITOP", "AND", "{b}d", "{b}none"},
                {"RPUSH", "{o}l", "3", "1", "2"},
                {"SORT", "{o}l", "STORE", "{o}s"},
                {"SORT", "{o}none", "STORE", "{o}s"},
                {"SORT", "{o}none", "STORE", "{o}s"},
                {"FLUSHALL"},
        });
    }

    @Test
    void shouldNotifyListHashSetAndSortedSetEventsLikeRedis() throws Exception {
        assertAgree("KEA", new String[][] {
                {"LPUSH", "{l}a", "x", "y"},
                {"RPUSH", "{l}a", "z"},
                {"LPUSHX", "{l}a", "w"},
                {"RPUSHX", "{l}none", "w"},
                {"LPOP", "{l}a"},
                {"RPOP", "{l}a", "1"},
                {"LPOP", "{l}a", "0"},
                {"LINSERT", "{l}a", "BEFORE", "x", "q"},
                {"LINSERT", "{l}a", "BEFORE", "nope", "q"},
                {"LSET", "{l}a", "0", "r"},
                {"LREM", "{l}a", "0", "nope"},
                {"LREM", "{l}a", "1", "r"},
                {"LTRIM", "{l}a", "0", "-1"},
                {"RPUSH", "{l}b", "1", "2"},
                {"LMOVE", "{l}b", "{l}a", "LEFT", "RIGHT"},
                {"RPOPLPUSH", "{l}a", "{l}b"},
                {"LMOVE", "{l}a", "{l}c", "LEFT", "LEFT"},
                {"LMPOP", "2", "{l}none", "{l}b", "RIGHT", "COUNT", "5"},
                {"BLPOP", "{l}c", "0"},
                {"LTRIM", "{l}c", "1", "0"},
                {"HSET", "h", "f", "1", "g", "2"},
                {"HSET", "h", "f", "1"},
                {"HSETNX", "h", "f", "3"},
                {"HSETNX", "h", "k", "3"},
                {"HMSET", "h", "m", "4"},
                {"HINCRBY", "h", "f", "2"},
                {"HINCRBYFLOAT", "h", "f", "0.5"},
                {"HDEL", "h", "none"},
                {"HDEL", "h", "f", "g"},
                {"HDEL", "h", "k", "m"},
                {"SADD", "{t}a", "x", "y", "z"},
                {"SADD", "{t}a", "x"},
                {"SREM", "{t}a", "none"},
                {"SREM", "{t}a", "x"},
                {"SMOVE", "{t}a", "{t}b", "y"},
                {"SMOVE", "{t}a", "{t}b", "nope"},
                {"SADD", "{t}b", "z"},
                {"SMOVE", "{t}a", "{t}b", "z"},
                {"SINTERSTORE", "{t}c", "{t}b", "{t}b"},
                {"SUNIONSTORE", "{t}c", "{t}b", "{t}none"},
                {"SDIFFSTORE", "{t}c", "{t}b", "{t}b"},
                {"SDIFFSTORE", "{t}c", "{t}b", "{t}b"},
                {"SPOP", "{t}b", "0"},
                {"SREM", "{t}b", "y"},
                {"SPOP", "{t}b", "5"},
                {"ZADD", "{z}a", "1", "x", "2", "y", "3", "z"},
                {"ZADD", "{z}a", "1", "x"},
                {"ZADD", "{z}a", "CH", "5", "x"},
                {"ZADD", "{z}a", "INCR", "1", "x"},
                {"ZINCRBY", "{z}a", "0", "x"},
                {"ZINCRBY", "{z}a", "2", "x"},
                {"ZREM", "{z}a", "none"},
                {"ZREM", "{z}a", "y"},
                {"ZPOPMIN", "{z}a"},
                {"ZADD", "{z}b", "1", "p", "2", "q", "3", "r", "4", "s"},
                {"ZREMRANGEBYSCORE", "{z}b", "0", "0"},
                {"ZREMRANGEBYSCORE", "{z}b", "1", "1"},
                {"ZREMRANGEBYRANK", "{z}b", "0", "0"},
                {"ZUNIONSTORE", "{z}c", "2", "{z}a", "{z}b"},
                {"ZINTERSTORE", "{z}c", "2", "{z}a", "{z}b"},
                {"ZDIFFSTORE", "{z}c", "1", "{z}b"},
                {"ZRANGESTORE", "{z}d", "{z}b", "0", "0"},
                {"ZADD", "{z}e", "0", "a", "0", "b"},
                {"ZREMRANGEBYLEX", "{z}e", "[a", "[a"},
                {"ZMPOP", "1", "{z}e", "MAX"},
                {"BZPOPMAX", "{z}a", "0"},
                {"ZPOPMAX", "{z}b", "5"},
                {"FLUSHALL"},
        });
    }

    @Test
    void shouldSendOnlyTheClassesAndChannelsThatAreOn() throws Exception {
        assertAgree("Kl", new String[][] {
                {"SET", "c:s", "1"},
                {"RPUSH", "c:l", "a"},
                {"DEL", "c:l", "c:s"},
                {"FLUSHALL"},
        });
        assertAgree("E$n", new String[][] {
                {"SET", "c:s", "1"},
                {"SET", "c:s", "2"},
                {"RPUSH", "c:l", "a"},
                {"APPEND", "c:t", "x"},
                {"FLUSHALL"},
        });
        assertAgree("Agn", new String[][] { // classes without a K or E channel: nothing
                {"SET", "c:s", "1"},
                {"DEL", "c:s"},
                {"FLUSHALL"},
        });
        assertAgree("KEA", new String[][] {
                {"SELECT", "5"},
                {"SET", "c:db", "1"},
                {"DEL", "c:db"},
                {"SELECT", "0"},
                {"FLUSHALL"},
        });
    }

    /**
     * A BLPOP served by another client's push: the push's events, then the pop's, as Redis sends them
     * when it serves the blocked client after the pushing command (or at once, were the push first).
     * In the shared-state modes on several loops the pop may run on the blocked client's loop and the
     * push on the pusher's, whose events reach the subscriber in the order their loops send them
     * (docs/resp.md): there the events are compared as a whole, not in order.
     */
    @Test
    void shouldNotifyTheEventsOfAServedBlockedPop() throws Exception {
        fronts.notifyKeyspaceEvents("KEA");
        List<String> expected = servedPop(fronts.redisPort());
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            List<String> got = servedPop(front.getValue());
            boolean twoLoops = front.getKey().matches("loops (locked|concurrent) on [24].*");
            if (twoLoops ? !sorted(got).equals(sorted(expected)) : !got.equals(expected)) {
                mismatches.add(front.getKey() + "\n    redis:     " + expected + "\n    shardloop: " + got);
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " front ends differ from redis-server:\n"
                + String.join("\n", mismatches));
    }

    private static List<String> sorted(List<String> frames) {
        List<String> copy = new ArrayList<>(frames);
        copy.sort(null);
        return copy;
    }

    private static List<String> servedPop(int port) throws IOException {
        List<String> out = new ArrayList<>();
        try (RawResp sub = new RawResp(port, 20_000); RawResp blocked = new RawResp(port, 20_000);
             RawResp pusher = new RawResp(port)) {
            subscribe(sub);
            blocked.send("BLPOP", "bp:list", "0");
            out.add(pusher.call("RPUSH", "bp:list", "x"));
            out.add(blocked.read());
            for (int i = 0; i < 6; i++) { // rpush, lpop, del: each on both channels
                out.add(sub.read());
            }
            out.add(pusher.call("FLUSHALL"));
        }
        return out;
    }

    /** A key given a short time to live: its {@code expired} event comes from the expiry cycle, unasked. */
    @Test
    void shouldNotifyExpiredKeys() throws Exception {
        fronts.notifyKeyspaceEvents("KEA");
        List<String> expected = expiry(fronts.redisPort());
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            List<String> got = expiry(front.getValue());
            if (!got.equals(expected)) {
                mismatches.add(front.getKey() + "\n    redis:     " + expected + "\n    shardloop: " + got);
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " front ends differ from redis-server:\n"
                + String.join("\n", mismatches));
    }

    private static List<String> expiry(int port) throws IOException {
        List<String> out = new ArrayList<>();
        try (RawResp sub = new RawResp(port, 20_000); RawResp writer = new RawResp(port)) {
            subscribe(sub);
            out.add(writer.call("SET", "x:k", "v", "PX", "30"));
            for (int i = 0; i < 6; i++) { // set, expire, then expired: each on both channels
                out.add(sub.read());
            }
            out.add(writer.call("GET", "x:k"));
            out.add(writer.call("FLUSHALL"));
        }
        return out;
    }

    private static void subscribe(RawResp sub) throws IOException {
        sub.call("PSUBSCRIBE", "__key*__:*");
        sub.call("SUBSCRIBE", MARKER_CHANNEL);
    }

    /** The commands on every front end and on redis-server, with {@code classes} on, compared. */
    private static void assertAgree(String classes, String[][] commands) throws IOException {
        fronts.notifyKeyspaceEvents(classes);
        Run expected = run(fronts.redisPort(), commands, -1);
        assertTrue(!expected.events.isEmpty() || !classes.matches(".*[KE].*"), "redis-server sent no events for " + classes);
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            Run got = run(front.getValue(), commands, expected.events.size());
            boolean byKey = front.getKey().matches(".*sharded on [24].*");
            List<String> want = byKey ? byKey(expected.events) : expected.events;
            List<String> have = byKey ? byKey(got.events) : got.events;
            String replies = firstDifference(expected.replies, got.replies);
            String events = firstDifference(want, have);
            if (replies != null) {
                mismatches.add(front.getKey() + ": reply " + replies);
            } else if (events != null) {
                mismatches.add(front.getKey() + ": event " + events);
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " front ends differ from redis-server:\n"
                + String.join("\n", mismatches));
    }

    /** Where two lists first differ, with both sides there; null when they are equal. */
    private static String firstDifference(List<String> expected, List<String> got) {
        for (int i = 0; i < Math.max(expected.size(), got.size()); i++) {
            String e = i < expected.size() ? expected.get(i) : "(none)";
            String g = i < got.size() ? got.get(i) : "(none)";
            if (!e.equals(g)) {
                return i + " of " + expected.size() + "\n    redis:     " + e + "\n    shardloop: " + g;
            }
        }
        return null;
    }

    private record Run(List<String> replies, List<String> events) {
    }

    /**
     * Runs the commands and reads the events: until the marker on redis-server ({@code expect} -1),
     * else {@code expect} events and the marker in any place; then a second marker, which must be
     * the next frame.
     */
    private static Run run(int port, String[][] commands, int expect) throws IOException {
        List<String> replies = new ArrayList<>();
        List<String> events = new ArrayList<>();
        try (RawResp sub = new RawResp(port, 20_000); RawResp writer = new RawResp(port)) {
            writer.call("FLUSHALL");
            subscribe(sub);
            for (String[] c : commands) {
                replies.add(String.join(" ", c) + " -> " + writer.call(c));
            }
            writer.call("PUBLISH", MARKER_CHANNEL, "first");
            boolean marker = false;
            while (expect < 0 ? !marker : events.size() < expect || !marker) {
                String frame = sub.read();
                if (frame.endsWith(MARKER_CHANNEL + ", $5 first]")) {
                    marker = true;
                } else {
                    events.add(frame);
                }
            }
            writer.call("PUBLISH", MARKER_CHANNEL, "again");
            for (String frame = sub.read(); !frame.endsWith(MARKER_CHANNEL + ", $5 again]"); frame = sub.read()) {
                events.add(frame);
            }
        }
        return new Run(replies, events);
    }

    /** The frames in order per key (a keyspace channel's key, a keyevent message's), the keys sorted. */
    private static List<String> byKey(List<String> frames) {
        List<String> sorted = new ArrayList<>(frames);
        sorted.sort(Comparator.comparing(KeyspaceNotificationsContractTest::keyOf)); // stable: each key's order stays
        return sorted;
    }

    private static String keyOf(String frame) {
        Matcher m = FRAME.matcher(frame);
        if (!m.matches()) {
            return frame;
        }
        return m.group(2).equals("space") ? m.group(3) : m.group(4);
    }
}
