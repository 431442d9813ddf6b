package io.shardloop.resp;

import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pub/sub and MONITOR against redis-server through every front end: the confirmations with their
 * counts, UNSUBSCRIBE with nothing subscribed, the RESP2 subscribed context and its errors, PING in
 * it, PUBSUB's answers while others subscribe, the message frames a publish delivers (RESP2 arrays
 * and RESP3 pushes), PUBLISH and PUBSUB inside an EXEC and from scripts, CONFIG GET and SET of
 * client-output-buffer-limit, and the lines a monitor reads. Each step names the client that sends it and
 * how many frames it reads back, so several clients take part and no reply is left unread.
 */
class PubSubContractTest {
    private static FrontEnds fronts;

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.close();
    }

    /** One step: client {@code who} sends {@code command} (none: only reads) and reads {@code frames} frames. */
    private record Step(int who, int frames, String... command) {
    }

    private static Step s(int who, int frames, String... command) {
        return new Step(who, frames, command);
    }

    @Test
    void shouldConfirmSubscriptionsAndRefuseOtherCommandsLikeRedis() throws Exception {
        assertAgree(2, List.of(
                s(0, 1, "UNSUBSCRIBE"),
                s(0, 1, "PUNSUBSCRIBE"),
                s(0, 1, "SUNSUBSCRIBE"),
                s(0, 1, "PUBSUB", "NUMPAT"),
                s(0, 1, "PUBSUB", "NUMSUB", "ct:a", "ct:b"),
                s(0, 1, "PUBSUB", "NUMSUB"),
                s(0, 1, "PUBSUB", "CHANNELS", "ct:*"),
                s(0, 1, "PUBSUB", "SHARDCHANNELS", "ct:*"),
                s(0, 1, "PUBSUB", "HELP"),
                s(0, 1, "PUBSUB", "NOSUCH"),
                s(0, 1, "PUBSUB", "NUMPAT", "x"),
                s(0, 1, "PUBSUB", "CHANNELS", "a", "b"),
                s(0, 1, "PUBLISH", "ct:a", "nobody"),
                s(0, 1, "SPUBLISH", "ct:s", "nobody"),
                s(0, 1, "PUBLISH", "ct:a"),
                s(0, 1, "SUBSCRIBE"),
                s(0, 2, "SUBSCRIBE", "ct:a", "ct:b"),
                s(0, 1, "SUBSCRIBE", "ct:a"),
                s(0, 1, "PSUBSCRIBE", "ct:p*"),
                s(0, 1, "SSUBSCRIBE", "ct:s"),
                s(0, 1, "GET", "ct:key"),
                s(0, 1, "PUBSUB", "NUMSUB", "ct:a"),
                s(0, 1, "PUBLISH", "ct:a", "x"),
                s(0, 1, "MULTI"),
                s(0, 1, "PING"),
                s(0, 1, "PING", "hello"),
                s(1, 1, "PUBSUB", "NUMSUB", "ct:a", "ct:b", "ct:none"),
                s(1, 1, "PUBSUB", "CHANNELS", "ct:a*"),
                s(1, 1, "PUBSUB", "NUMPAT"),
                s(1, 1, "PUBSUB", "SHARDCHANNELS"),
                s(1, 1, "PUBSUB", "SHARDNUMSUB", "ct:s", "ct:a"),
                s(1, 1, "PUBLISH", "ct:a", "one"),
                s(0, 1),
                s(1, 1, "PUBLISH", "ct:pq", "two"),
                s(0, 1),
                s(1, 1, "SPUBLISH", "ct:s", "three"),
                s(0, 1),
                s(1, 1, "PUBLISH", "ct:s", "not a shard message"),
                s(0, 2, "UNSUBSCRIBE", "ct:b", "ct:none"),
                s(0, 1, "PUNSUBSCRIBE"),
                s(0, 1, "UNSUBSCRIBE"),
                s(0, 1, "SUNSUBSCRIBE", "ct:s"),
                s(0, 1, "GET", "ct:key"),
                s(0, 1, "PING"),
                s(1, 1, "PUBSUB", "NUMSUB", "ct:a"),
                s(1, 1, "PUBSUB", "NUMPAT")));
    }

    @Test
    void shouldPushMessagesAndConfirmationsInResp3() throws Exception {
        assertAgree(2, List.of(
                s(0, 1, "HELLO", "3"),
                s(0, 1, "UNSUBSCRIBE"),
                s(0, 2, "SUBSCRIBE", "r3:a", "r3:b"),
                s(0, 1, "PSUBSCRIBE", "r3:*"),
                s(0, 1, "GET", "r3:key"),
                s(0, 1, "PING"),
                s(1, 1, "PUBLISH", "r3:a", "hi"),
                s(0, 2),
                s(0, 1, "PUBSUB", "NUMSUB", "r3:a"),
                s(0, 1, "UNSUBSCRIBE", "r3:b"),
                s(0, 1, "UNSUBSCRIBE"),
                s(0, 2, "PUNSUBSCRIBE", "r3:*", "r3:none"),
                s(0, 1, "RESET"),
                s(1, 1, "PUBSUB", "NUMSUB", "r3:a", "r3:b"),
                s(1, 1, "PUBSUB", "NUMPAT")));
    }

    @Test
    void shouldSubscribeInsideMultiExec() throws Exception {
        assertAgree(2, List.of(
                s(0, 1, "MULTI"),
                s(0, 1, "SUBSCRIBE", "mx:a"),
                s(0, 1, "EXEC"),
                s(1, 1, "PUBLISH", "mx:a", "after"),
                s(0, 1),
                s(1, 1, "MULTI"),
                s(1, 1, "PUBLISH", "mx:a", "inside"),
                s(1, 1, "PUBSUB", "NUMSUB", "mx:a", "mx:none"),
                s(1, 1, "PUBSUB", "CHANNELS", "mx:*"),
                s(1, 1, "PUBLISH", "mx:none", "nobody"),
                s(1, 1, "EXEC"),
                s(0, 1),
                s(0, 1, "UNSUBSCRIBE")));
    }

    @Test
    void shouldPublishAndAnswerPubsubFromScripts() throws Exception {
        assertAgree(2, List.of(
                s(0, 1, "EVAL", "return redis.call('publish', 'sc:none', 'm')", "0"),
                s(0, 1, "EVAL", "return redis.call('spublish', KEYS[1], 'm')", "1", "sc:shard"),
                s(0, 1, "EVAL", "return redis.call('spublish', 'sc:undeclared', 'm')", "0"),
                s(0, 1, "EVAL", "return redis.call('pubsub', 'numsub', 'sc:none')", "0"),
                s(0, 1, "EVAL", "return redis.call('pubsub', 'shardnumsub', 'sc:none')", "0"),
                s(0, 1, "EVAL", "return redis.call('pubsub', 'channels', 'sc:none*')", "0"),
                s(0, 1, "EVAL", "return redis.call('pubsub', 'nosuch')", "0"),
                s(0, 1, "EVAL", "return redis.call('pubsub', 'numpat', 'x')", "0"),
                s(0, 1, "EVAL", "return redis.call('publish', 'sc:none')", "0"),
                s(0, 1, "EVAL_RO", "return redis.call('publish', 'sc:none', 'm')", "0"),
                s(0, 1, "EVAL", "#!lua flags=no-writes\nreturn redis.call('publish', 'sc:none', 'm')", "0"),
                s(0, 1, "EVAL", "return redis.pcall('subscribe', 'sc:none')", "0"),
                s(1, 1, "HELLO", "3"),
                s(1, 1, "SUBSCRIBE", "sc:self"),
                s(1, 2, "EVAL", "return redis.call('publish', 'sc:self', 'to myself')", "0"),
                s(1, 1, "EVAL", "return redis.call('pubsub', 'numsub', 'sc:self')", "0"),
                s(1, 1, "UNSUBSCRIBE")));
    }

    @Test
    void shouldShowAndSetClientOutputBufferLimitsAsRedisDoes() throws Exception {
        String defaults = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"CONFIG", "GET", "client-output-buffer-limit"},
            {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 64mb 16mb 90"},
            {"CONFIG", "GET", "client-output-buffer-limit"},
            {"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 512kb 10 replica 1gb 2g 1"},
            {"CONFIG", "GET", "client-output-buffer-limit"},
            {"CONFIG", "SET", "CLIENT-OUTPUT-BUFFER-LIMIT", "PubSub 1k 1KB 0"},
            {"CONFIG", "GET", "client-output-buffer-*"},
            {"CONFIG", "SET", "client-output-buffer-limit", "normal 0 0"},
            {"CONFIG", "SET", "client-output-buffer-limit", "master 0 0 0"},
            {"CONFIG", "SET", "client-output-buffer-limit", "bogus 0 0 0"},
            {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1x 0 0"},
            {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 -1 0"},
            {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 -1"},
            {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 1s"},
            {"CONFIG", "SET", "client-output-buffer-limit", "normal 5 5 5 pubsub 0 0 x"},
            {"CONFIG", "GET", "client-output-buffer-limit"},
            {"CONFIG", "SET", "client-output-buffer-limit", ""},
            {"CONFIG", "SET", "client-output-buffer-limit", defaults},
            {"CONFIG", "GET", "client-output-buffer-limit"},
        }, false);
    }

    @Test
    void shouldLeaveEverySubscriptionOnReset() throws Exception {
        assertAgree(2, List.of(
                s(0, 1, "SUBSCRIBE", "rs:a"),
                s(0, 1, "PSUBSCRIBE", "rs:*"),
                s(0, 1, "RESET"),
                s(0, 1, "GET", "rs:key"),
                s(1, 1, "PUBLISH", "rs:a", "nobody"),
                s(1, 1, "PUBSUB", "NUMSUB", "rs:a")));
    }

    @Test
    void shouldSendConfirmationsAndMessagesPastClientReplyOffInBothProtocols() throws Exception {
        for (String protocol : new String[] {"2", "3"}) {
            assertAgree(2, List.of(
                    s(0, 1, "HELLO", protocol),
                    s(0, 0, "CLIENT", "REPLY", "OFF"),
                    s(0, 1, "SUBSCRIBE", "off:channel"),
                    s(0, 1, "PSUBSCRIBE", "off:ch*"),
                    s(1, 1, "PUBLISH", "off:channel", "hello"),
                    s(0, 2),
                    s(0, 1, "UNSUBSCRIBE", "off:channel"),
                    s(0, 1, "PUNSUBSCRIBE", "off:ch*"),
                    s(0, 0, "PING"),
                    s(0, 1, "CLIENT", "REPLY", "ON"),
                    s(0, 1, "PING")));
        }
    }

    @Test
    void shouldStreamCommandsToMonitorsWithCredentialsRedacted() throws Exception {
        assertAgree(2, List.of(
                s(0, 1, "MONITOR"),
                s(1, 1, "SET", "mon:k", "a \"quoted\"\nvalue\u0001"),
                s(0, 1),
                s(1, 1, "AUTH", "secret"),
                s(0, 1),
                s(1, 1, "HELLO", "2", "AUTH", "default", "secret"),
                s(0, 1),
                s(1, 1, "CONFIG", "GET", "maxmemory-policy"),
                s(1, 1, "GET", "mon:k"),
                s(0, 1),
                s(0, 1, "GET", "mon:k"),
                s(0, 1, "PUBLISH", "mon:c", "x"),
                s(0, 2, "PING"),
                s(1, 1, "MULTI"),
                s(1, 1, "SET", "mon:k", "b"),
                s(1, 1, "EXEC"),
                s(0, 3),
                s(1, 1, "DEL", "mon:k"),
                s(0, 1),
                s(1, 1, "EVAL", "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", "1", "mon:k", "s"),
                s(0, 3),
                s(1, 1, "DEL", "mon:k"),
                s(0, 1),
                s(1, 1, "SELECT", "9"),
                s(0, 1),
                s(1, 1, "GET", "mon:k"),
                s(0, 1),
                s(1, 1, "SELECT", "0"),
                s(0, 1)));
    }

    private static void assertAgree(int clients, List<Step> steps) throws IOException {
        List<String> expected = run(fronts.redisPort(), clients, steps);
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Integer> front : fronts.ports().entrySet()) {
            List<String> got = run(front.getValue(), clients, steps);
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

    /** Runs the steps; each entry is what one step read, a MONITOR line's time and port taken out. */
    private static List<String> run(int port, int clients, List<Step> steps) throws IOException {
        List<RawResp> c = new ArrayList<>();
        List<String> out = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                c.add(new RawResp(port));
            }
            for (Step step : steps) {
                RawResp client = c.get(step.who());
                if (step.command().length > 0) {
                    client.send(step.command());
                }
                List<String> frames = new ArrayList<>();
                for (int f = 0; f < step.frames(); f++) {
                    frames.add(client.read().replaceAll("^\\+\\d+\\.\\d{6} \\[(\\d+) 127\\.0\\.0\\.1:\\d+\\]", "+TIME [$1 PEER]")
                            .replaceAll("^\\+\\d+\\.\\d{6} \\[(\\d+) lua\\]", "+TIME [$1 lua]")
                            .replaceAll("\\$7 version(=|, )\\$\\d+ [0-9.]+", "version").replaceAll("\\$2 id(=|, ):\\d+", "id"));
                }
                out.add(String.join(" | ", step.command()) + " -> " + String.join(" || ", frames));
            }
        } finally {
            for (RawResp r : c) {
                r.close();
            }
        }
        return out;
    }
}
