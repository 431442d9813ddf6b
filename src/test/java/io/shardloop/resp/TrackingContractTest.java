package io.shardloop.resp;

import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLIENT TRACKING against redis-server on every front end: the event loops in every state mode and
 * shard count, and the thread-per-connection models over the shared stores. The subcommands'
 * replies and errors, and the invalidations a tracking client, or the client it redirects to, reads
 * as others (or it) write. Each step names the client that sends it and how many frames it reads; a
 * PING after a write that must send nothing shows that nothing came. {@code {ID1}} and
 * {@code {ID2}} in a command are those clients' ids, and shown as such in replies.
 */
class TrackingContractTest {
    private static FrontEnds fronts;

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.close();
    }

    private record Step(int who, int frames, String... command) {
    }

    /** Frames to read that mean: read until the server closes the connection. */
    private static final int CLOSED = -1;

    private static Step s(int who, int frames, String... command) {
        return new Step(who, frames, command);
    }

    @Test
    void shouldAnswerTheTrackingSubcommandsAndTheirErrorsLikeRedis() throws Exception {
        assertAgree(List.of(
                s(0, 1, "CLIENT", "TRACKING"),
                s(0, 1, "CLIENT", "TRACKING", "maybe"),
                s(0, 1, "CLIENT", "TRACKING", "on", "nosuch"),
                s(0, 1, "CLIENT", "TRACKING", "on", "PREFIX", "a"),
                s(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
                s(0, 1, "CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
                s(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "123456789"),
                s(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "abc"),
                s(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "{ID1}", "REDIRECT", "{ID1}"),
                s(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"),
                s(0, 1, "CLIENT", "CACHING", "yes"),
                s(0, 1, "CLIENT", "GETREDIR"),
                s(0, 1, "CLIENT", "TRACKINGINFO"),
                s(0, 1, "CLIENT", "TRACKING", "on", "OPTIN"),
                s(0, 1, "CLIENT", "TRACKING", "on", "OPTOUT"),
                s(0, 1, "CLIENT", "CACHING", "no"),
                s(0, 1, "CLIENT", "CACHING", "maybe"),
                s(0, 1, "CLIENT", "CACHING", "yes"),
                s(0, 1, "CLIENT", "TRACKINGINFO"),
                s(0, 1, "GET", "tc:x"),
                s(0, 1, "CLIENT", "TRACKINGINFO"),
                s(0, 1, "CLIENT", "TRACKING", "on", "BCAST"),
                s(0, 1, "CLIENT", "TRACKING", "off"),
                s(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:"),
                s(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:x"),
                s(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c:", "NOLOOP"),
                s(0, 1, "CLIENT", "TRACKINGINFO"),
                s(0, 1, "CLIENT", "TRACKING", "off"),
                s(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "{ID1}"),
                s(0, 1, "CLIENT", "GETREDIR"),
                s(0, 1, "CLIENT", "TRACKINGINFO"),
                s(0, 1, "CLIENT", "CACHING", "yes", "yes"),
                s(0, 1, "CLIENT", "GETREDIR", "x"),
                s(0, 1, "CLIENT", "TRACKINGINFO", "x"),
                s(0, 1, "RESET"),
                s(0, 1, "CLIENT", "TRACKINGINFO"),
                s(0, 1, "CLIENT", "GETREDIR")));
    }

    @Test
    void shouldPushInvalidationsToAResp3TrackingClient() throws Exception {
        assertAgree(List.of(
                s(0, 1, "HELLO", "3"),
                s(0, 1, "CLIENT", "TRACKING", "on"),
                s(1, 1, "SET", "tc:k1", "v"),
                s(0, 1, "GET", "tc:k1"),
                s(1, 1, "SET", "tc:k1", "w"),
                s(0, 1),
                s(1, 1, "SET", "tc:k1", "again"),
                s(0, 1, "PING"),
                s(0, 1, "GET", "tc:missing"),
                s(1, 1, "SET", "tc:missing", "now"),
                s(0, 1),
                s(0, 1, "GET", "tc:k1"),
                s(0, 2, "SET", "tc:k1", "mine"),
                s(0, 1, "MGET", "{tc}a", "{tc}b"),
                s(1, 1, "MSET", "{tc}a", "1", "{tc}b", "2"),
                s(0, 2),
                s(0, 1, "GET", "tc:db"),
                s(1, 1, "SELECT", "1"),
                s(1, 1, "SET", "tc:db", "in db 1"),
                s(0, 1),
                s(1, 1, "SELECT", "0"),
                s(0, 1, "GET", "tc:k1"),
                s(1, 1, "DEL", "tc:k1"),
                s(0, 1),
                s(0, 1, "GET", "tc:k2"),
                s(1, 1, "FLUSHALL"),
                s(0, 1),
                s(1, 1, "SET", "tc:k2", "after the flush"),
                s(0, 1, "PING"),
                s(0, 1, "CLIENT", "TRACKING", "on", "NOLOOP"),
                s(0, 1, "GET", "tc:loop"),
                s(0, 1, "SET", "tc:loop", "mine"),
                s(0, 1, "GET", "tc:loop"),
                s(1, 1, "SET", "tc:loop", "theirs"),
                s(0, 1),
                s(0, 1, "CLIENT", "TRACKING", "off"),
                s(0, 1, "GET", "tc:off"),
                s(1, 1, "SET", "tc:off", "x"),
                s(0, 1, "PING"),
                s(2, 1, "CLIENT", "TRACKING", "on"),
                s(2, 1, "GET", "tc:resp2"),
                s(1, 1, "SET", "tc:resp2", "x"),
                s(2, 1, "PING")));
    }

    /** The invalidations of an EXEC's own writes follow its whole reply, never inside it (Redis's tracking_pending_keys). */
    @Test
    void shouldSendTheInvalidationsOfAnExecsOwnWritesAfterItsReply() throws Exception {
        assertAgree(List.of(
                s(0, 1, "HELLO", "3"),
                s(0, 1, "CLIENT", "TRACKING", "on"),
                s(0, 1, "MSET", "{tx}a", "1", "{tx}b", "2"),
                s(0, 1, "GET", "{tx}a"),
                s(0, 1, "GET", "{tx}b"),
                s(0, 1, "MULTI"),
                s(0, 1, "INCR", "{tx}a"),
                s(0, 1, "GET", "{tx}b"),
                s(0, 1, "SET", "{tx}b", "3"),
                s(0, 3, "EXEC"),
                s(0, 1, "PING")));
    }

    /** A flush empties the table even while nobody tracks: reads remembered before TRACKING OFF are gone. */
    @Test
    void shouldForgetEveryReadOnAFlushWhileNobodyTracks() throws Exception {
        assertAgree(List.of(
                s(0, 1, "HELLO", "3"),
                s(0, 1, "CLIENT", "TRACKING", "on"),
                s(0, 1, "GET", "tc:f1"),
                s(0, 1, "CLIENT", "TRACKING", "off"),
                s(1, 1, "FLUSHALL"),
                s(0, 1, "CLIENT", "TRACKING", "on"),
                s(1, 1, "SET", "tc:f1", "x"),
                s(0, 1, "PING"),
                s(0, 1, "GET", "tc:f2"),
                s(0, 1, "CLIENT", "TRACKING", "off"),
                s(1, 1, "MULTI"),
                s(1, 1, "FLUSHDB"),
                s(1, 1, "EXEC"),
                s(0, 1, "CLIENT", "TRACKING", "on"),
                s(1, 1, "SET", "tc:f2", "x"),
                s(0, 1, "PING")));
    }

    @Test
    void shouldRememberOnlyWhatOptinAndOptoutSay() throws Exception {
        assertAgree(List.of(
                s(0, 1, "HELLO", "3"),
                s(0, 1, "CLIENT", "TRACKING", "on", "OPTIN"),
                s(0, 1, "GET", "tc:in"),
                s(1, 1, "SET", "tc:in", "1"),
                s(0, 1, "PING"),
                s(0, 1, "CLIENT", "CACHING", "yes"),
                s(0, 1, "GET", "tc:in"),
                s(1, 1, "SET", "tc:in", "2"),
                s(0, 1),
                s(0, 1, "CLIENT", "CACHING", "yes"),
                s(0, 1, "MULTI"),
                s(0, 1, "GET", "tc:multi"),
                s(0, 1, "EXEC"),
                s(1, 1, "SET", "tc:multi", "1"),
                s(0, 1),
                s(0, 1, "CLIENT", "TRACKING", "off"),
                s(0, 1, "CLIENT", "TRACKING", "on", "OPTOUT"),
                s(0, 1, "GET", "tc:out"),
                s(1, 1, "SET", "tc:out", "1"),
                s(0, 1),
                s(0, 1, "CLIENT", "CACHING", "no"),
                s(0, 1, "GET", "tc:out"),
                s(1, 1, "SET", "tc:out", "2"),
                s(0, 1, "PING")));
    }

    @Test
    void shouldSendToTheClientItRedirectsTo() throws Exception {
        assertAgree(List.of(
                s(1, 1, "SUBSCRIBE", "__redis__:invalidate"),
                s(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "{ID1}"),
                s(0, 1, "GET", "tc:r"),
                s(2, 1, "SET", "tc:r", "1"),
                s(1, 1),
                s(0, 1, "GET", "tc:r"),
                s(2, 1, "FLUSHDB"),
                s(1, 1),
                s(2, 1, "HELLO", "3"),
                s(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "{ID2}"),
                s(0, 1, "GET", "tc:r3"),
                s(0, 1, "SET", "tc:r3", "1"),
                s(2, 1),
                s(0, 1, "CLIENT", "TRACKING", "off"),
                s(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "{tb}x", "REDIRECT", "{ID1}"),
                s(2, 1, "MSET", "{tb}x2", "1", "{tb}x1", "2", "{tb}y", "3"),
                s(1, 1),
                s(0, 1, "CLIENT", "TRACKINGINFO")));
    }

    @Test
    void shouldTellAResp3ClientWhoseRedirectWentAway() throws Exception {
        assertAgree(List.of(
                s(0, 1, "HELLO", "3"),
                s(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "{ID2}"),
                s(0, 1, "GET", "tc:gone"),
                s(2, 1, "QUIT"),
                s(2, CLOSED),
                s(1, 1, "SET", "tc:gone", "1"),
                s(0, 1),
                s(0, 1, "CLIENT", "TRACKINGINFO")));
    }

    @Test
    void shouldBroadcastKeysUnderPrefixes() throws Exception {
        assertAgree(List.of(
                s(0, 1, "HELLO", "3"),
                s(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "tb:a", "PREFIX", "tb:b"),
                s(1, 1, "SET", "tb:a1", "1"),
                s(0, 1),
                s(1, 1, "SET", "tb:c1", "1"),
                s(0, 1, "PING"),
                s(1, 1, "SET", "tb:b1", "1"),
                s(0, 1),
                s(0, 2, "SET", "tb:a2", "mine"),
                s(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"),
                s(0, 1, "SET", "tb:a3", "mine"),
                s(0, 1, "PING"),
                s(1, 1, "SET", "tb:a3", "theirs"),
                s(0, 2)));
    }

    /**
     * A key some client tracks expires, in every state mode and server model (found by the expiry
     * cycle or by a later lookup): the client hears of it, as of a write, as in Redis. The write and
     * the read race the deadline; a read after it has nothing to be told of.
     */
    @Test
    void aTrackedKeyThatExpiresIsInvalidatedOnEveryFrontEnd() throws Exception {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            try (RawResp tracker = new RawResp(front.getValue(), 30_000);
                 RawResp writer = new RawResp(front.getValue(), 30_000);
                 RawResp bcast = new RawResp(front.getValue(), 30_000)) {
                tracker.call("HELLO", "3");
                bcast.call("HELLO", "3");
                assertEquals("+OK", tracker.call("CLIENT", "TRACKING", "on"), front.getKey());
                assertEquals("+OK", bcast.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "te:", "NOLOOP"),
                        front.getKey());
                assertEquals("+OK", writer.call("SET", "te:k", "v", "PX", "300"), front.getKey());
                String pushed = ">2 [$10 invalidate, *1 [$4 te:k]]";
                if (!bcast.read().equals(pushed)) { // the write itself
                    failures.add(front.getKey() + ": no broadcast of the write");
                }
                String read = tracker.call("GET", "te:k");
                if (read.equals("$1 v")) { // read before its deadline: the expiry must be told
                    String got = tracker.read();
                    if (!got.equals(pushed)) {
                        failures.add(front.getKey() + ": tracker read " + got);
                    }
                } else if (!read.equals("_")) {
                    failures.add(front.getKey() + ": GET answered " + read);
                }
                String got = bcast.read(); // the expiry, by nobody: NOLOOP does not hold it back
                if (!got.equals(pushed)) {
                    failures.add(front.getKey() + ": broadcast read " + got);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void assertAgree(List<Step> steps) throws IOException {
        List<String> expected = run(fronts.redisPort(), steps);
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            List<String> got = run(front.getValue(), steps);
            for (int i = 0; i < expected.size(); i++) {
                if (!got.get(i).equals(expected.get(i))) {
                    mismatches.add(front.getKey() + ": step " + i + "\n    redis:     " + expected.get(i)
                            + "\n    shardloop: " + got.get(i));
                    break;
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " front ends differ from redis-server:\n"
                + String.join("\n", mismatches));
    }

    private static List<String> run(int port, List<Step> steps) throws IOException {
        List<RawResp> c = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<RawResp> spare = new ArrayList<>();
        List<String> out = new ArrayList<>();
        try {
            while (ids.size() < 3) {
                RawResp r = new RawResp(port, 5_000);
                String id = r.call("CLIENT", "ID").substring(1);
                if (id.equals("0")) { // a reply's 0 (no redirect) must not read as a client's id
                    spare.add(r);
                    continue;
                }
                c.add(r);
                ids.add(id);
            }
            try (RawResp admin = new RawResp(port)) {
                admin.call("FLUSHALL");
            }
            for (Step step : steps) {
                RawResp client = c.get(step.who());
                String[] command = step.command().clone();
                for (int i = 0; i < command.length; i++) {
                    command[i] = command[i].replace("{ID1}", ids.get(1)).replace("{ID2}", ids.get(2));
                }
                if (command.length > 0) {
                    client.send(command);
                }
                List<String> frames = new ArrayList<>();
                if (step.frames() == CLOSED) {
                    try {
                        frames.add("not closed: " + client.read());
                    } catch (IOException | RuntimeException e) {
                        frames.add("closed");
                    }
                }
                for (int f = 0; f < step.frames(); f++) {
                    String read;
                    try {
                        read = client.read();
                    } catch (java.net.SocketTimeoutException e) {
                        read = "(nothing came)";
                    }
                    String frame = read.replaceAll("\\$7 version(=|, )\\$\\d+ [0-9.]+", "version")
                            .replaceAll("\\$2 id(=|, ):\\d+", "id");
                    if (frame.contains("redir") || step.command().length > 1 && step.command()[1].equals("GETREDIR")) {
                        frame = frame.replaceAll(":" + ids.get(1) + "(?![0-9])", ":ID1")
                                .replaceAll(":" + ids.get(2) + "(?![0-9])", ":ID2");
                    }
                    frames.add(frame);
                }
                out.add(String.join(" | ", step.command()) + " -> " + String.join(" || ", frames));
            }
        } finally {
            for (RawResp r : c) {
                r.close();
            }
            for (RawResp r : spare) {
                r.close();
            }
        }
        return out;
    }
}
