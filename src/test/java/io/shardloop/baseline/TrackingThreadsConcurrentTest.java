package io.shardloop.baseline;

import io.shardloop.kv.StateMode;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A RESP3 tracking client on a thread per connection reads while other threads write the keys it
 * reads: their invalidations go into its outbox, which the first of them starts while the client's
 * own thread may be writing replies to the socket itself (a pipeline's, or replies larger than the
 * socket takes before the client reads). Every frame arrives whole, in either model and shared
 * state, and every reply arrives once.
 */
class TrackingThreadsConcurrentTest {
    private static final int KEYS = 16;
    private static final int BATCHES = 20;
    private static final int BATCH = 250;

    @Test
    void invalidationsFromOtherThreadsNeverCutTheRepliesOfAPipeliningClient() throws Exception {
        for (ServerModel model : new ServerModel[] {ServerModel.THREADS, ServerModel.VIRTUAL}) {
            for (StateMode state : new StateMode[] {StateMode.LOCKED, StateMode.CONCURRENT}) {
                ThreadedConfig config = ThreadedConfig.defaults(model, "127.0.0.1", 0);
                try (BlockingRespProtocol protocol = new BlockingRespProtocol(config, state, RespLimits.REDIS_DEFAULTS, null);
                     ThreadedServer server = ThreadedServer.start(config, protocol)) {
                    run(server.port(), model.label() + " " + state);
                }
            }
        }
    }

    /**
     * The client asks for more than the socket holds and reads nothing yet, so its thread is held in
     * the write of the replies when another client's write sends it an invalidation: the outbox
     * that invalidation starts must not write before that write is done.
     */
    @Test
    void anInvalidationWaitsForTheReplyBeingWrittenWhenItStartsTheOutbox() throws Exception {
        String big = "x".repeat(1 << 20);
        for (ServerModel model : new ServerModel[] {ServerModel.THREADS, ServerModel.VIRTUAL}) {
            for (StateMode state : new StateMode[] {StateMode.LOCKED, StateMode.CONCURRENT}) {
                ThreadedConfig config = ThreadedConfig.defaults(model, "127.0.0.1", 0);
                try (BlockingRespProtocol protocol = new BlockingRespProtocol(config, state, RespLimits.REDIS_DEFAULTS, null);
                     ThreadedServer server = ThreadedServer.start(config, protocol);
                     RawResp writer = new RawResp(server.port(), 30_000)) {
                    String name = model.label() + " " + state;
                    assertEquals("+OK", writer.call("SET", "tt:big", big), name);
                    for (int round = 0; round < 3; round++) {
                        try (RawResp reader = new RawResp(server.port(), 30_000)) {
                            reader.call("HELLO", "3");
                            assertEquals("+OK", reader.call("CLIENT", "TRACKING", "on"), name);
                            reader.call("GET", "tt:small"); // tracked from here on
                            for (int i = 0; i < 8; i++) {
                                reader.send("GET", "tt:big");
                            }
                            assertEquals("+OK", writer.call("SET", "tt:small", "now"), name);
                            int bigReplies = 0;
                            boolean pushed = false;
                            while (bigReplies < 8 || !pushed) {
                                String frame = reader.read();
                                if (frame.startsWith(">")) {
                                    assertEquals(">2 [$10 invalidate, *1 [$8 tt:small]]", frame, name);
                                    pushed = true;
                                } else {
                                    assertEquals("$" + big.length() + " " + big, frame, name);
                                    bigReplies++;
                                }
                            }
                            assertEquals("+PONG", reader.call("PING"), name);
                        }
                    }
                }
            }
        }
    }

    private static void run(int port, String name) throws Exception {
        try (RawResp reader = new RawResp(port, 30_000); RawResp writer = new RawResp(port, 30_000)) {
            for (int k = 0; k < KEYS; k++) {
                assertEquals("+OK", writer.call("SET", "tt:" + k, "v"), name);
            }
            reader.call("HELLO", "3");
            assertEquals("+OK", reader.call("CLIENT", "TRACKING", "on"), name);
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writes = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; !done.get(); i++) {
                        writer.call("SET", "tt:" + (i % KEYS), "v");
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            int replies = 0;
            int pushes = 0;
            try {
                for (int b = 0; b < BATCHES; b++) {
                    for (int i = 0; i < BATCH; i++) {
                        reader.send("GET", "tt:" + (i % KEYS));
                    }
                    int answered = 0;
                    while (answered < BATCH) {
                        String frame = reader.read();
                        if (frame.startsWith(">2 [$10 invalidate, *1 [$")) {
                            assertTrue(frame.matches(">2 \\[\\$10 invalidate, \\*1 \\[\\$\\d+ tt:\\d+]]"), name + ": " + frame);
                            pushes++;
                        } else {
                            assertEquals("$1 v", frame, name);
                            answered++;
                        }
                    }
                    replies += answered;
                }
            } finally {
                done.set(true);
                writes.join();
            }
            assertNull(failed.get(), name);
            assertEquals(BATCHES * BATCH, replies, name);
            assertTrue(pushes > 0, name + ": no invalidation came");
        }
    }
}
