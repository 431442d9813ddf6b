package io.shardloop.resp;

import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ServerModel;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;
import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code client-output-buffer-limit pubsub}: a subscriber that never reads while a publisher floods
 * its channel is closed at the limit, and nobody else notices: another subscriber, which keeps up
 * (the publisher stays a few messages ahead of it), receives every message, other clients are
 * answered, and the publisher's counts drop by one. On the loops (two
 * shards, the publisher wherever it lands) and on a thread per connection; by the hard limit, and
 * on the loops by the soft limit held past its time.
 */
class PubSubOutputLimitTest {
    private static final byte[] PAYLOAD = "x".repeat(8 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @Test
    void aSubscriberThatDoesNotReadIsClosedAtTheHardLimitOnTheLoops() throws Exception {
        RespConfig config = RespConfig.defaults().withPubSubLimit(new PubSubLimit(256 * 1024, 0, 0));
        try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(StateMode.SHARDED, 2), config))))) {
            floodUntilCut(g.port(0));
        }
    }

    @Test
    void aSubscriberOverTheSoftLimitForItsTimeIsClosed() throws Exception {
        RespConfig config = RespConfig.defaults().withPubSubLimit(new PubSubLimit(0, 128 * 1024, 1));
        try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(StateMode.SHARDED, 2), config))))) {
            floodUntilCut(g.port(0));
        }
    }

    @Test
    void aSubscriberThatDoesNotReadIsClosedOnAThreadPerConnection() throws Exception {
        for (ServerModel model : new ServerModel[] {ServerModel.THREADS, ServerModel.VIRTUAL}) {
            ThreadedConfig threaded = ThreadedConfig.defaults(model, "127.0.0.1", 0);
            RespConfig config = RespConfig.defaults().withPubSubLimit(new PubSubLimit(256 * 1024, 0, 0));
            try (BlockingRespProtocol protocol = new BlockingRespProtocol(threaded, StateMode.LOCKED, config);
                 ThreadedServer s = ThreadedServer.start(threaded, protocol)) {
                floodUntilCut(s.port());
            }
        }
    }

    @Test
    void aLimitSetByConfigSetClosesTheSubscriberOnEveryFrontEnd() throws Exception {
        RespConfig off = RespConfig.defaults().withPubSubLimit(new PubSubLimit(0, 0, 0));
        try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(StateMode.SHARDED, 2), off))))) {
            setPubSubLimit(g.port(0), "pubsub 256kb 0 0");
            floodUntilCut(g.port(0));
        }
        ThreadedConfig threaded = ThreadedConfig.defaults(ServerModel.THREADS, "127.0.0.1", 0);
        try (BlockingRespProtocol protocol = new BlockingRespProtocol(threaded, StateMode.LOCKED, off);
             ThreadedServer s = ThreadedServer.start(threaded, protocol)) {
            setPubSubLimit(s.port(), "pubsub 256kb 0 0");
            floodUntilCut(s.port());
        }
    }

    private static void setPubSubLimit(int port, String value) throws Exception {
        try (RawResp admin = new RawResp(port, 60_000)) {
            assertEquals("*2 [$26 client-output-buffer-limit, $53 normal 0 0 0 slave 268435456 67108864 60 pubsub 0 0 0]",
                    admin.call("CONFIG", "GET", "client-output-buffer-limit"));
            assertEquals("+OK", admin.call("CONFIG", "SET", "client-output-buffer-limit", value));
        }
    }

    private static void floodUntilCut(int port) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Socket slow = new Socket();
             RawResp good = new RawResp(port, 60_000);
             RawResp publisher = new RawResp(port, 60_000);
             RawResp other = new RawResp(port, 60_000)) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", port));
            slow.setSoTimeout(60_000);
            slow.getOutputStream().write(RawResp.encode("SUBSCRIBE", "flood"));
            readConfirmation(slow.getInputStream());
            good.send("SUBSCRIBE", "flood");
            assertEquals("[subscribe, flood, 1]", good.value());

            AtomicInteger received = new AtomicInteger();
            Future<?> reader = pool.submit(() -> {
                while (true) {
                    good.value();
                    received.incrementAndGet();
                }
            });
            String message = new String(PAYLOAD, java.nio.charset.StandardCharsets.US_ASCII);
            int published = 0;
            String count = ":2";
            for (; published < 100_000 && count.equals(":2"); published++) {
                awaitReceived(received, published - 8); // the reading subscriber stays within 64 KiB of the publisher
                count = publisher.call("PUBLISH", "flood", message);
            }
            assertEquals(":1", count, "the slow subscriber was cut after " + published + " messages");
            assertEquals("+PONG", other.call("PING"), "other clients are answered");
            publisher.send("PUBSUB", "NUMSUB", "flood");
            assertEquals("[flood, 1]", publisher.value());
            int total = published;
            awaitReceived(received, total);
            assertEquals(total, received.get(), "the subscriber that reads gets every message");
            InputStream in = slow.getInputStream();
            byte[] sink = new byte[64 * 1024];
            long drained = 0;
            try {
                int r;
                while ((r = in.read(sink)) >= 0) { // what was in flight, then the end
                    drained += r;
                }
            } catch (java.net.SocketException reset) {
                // closed with bytes unsent: the end, as a reset
            }
            assertTrue(drained < (long) total * PAYLOAD.length, "the slow subscriber did not get everything");
            reader.cancel(true);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits (at most a minute) until the reading subscriber has received that many messages. */
    private static void awaitReceived(AtomicInteger received, int atLeast) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.get() < atLeast && System.nanoTime() < deadline) {
            Thread.yield();
        }
    }

    private static void readConfirmation(InputStream in) throws Exception {
        RawResp reader = RawResp.reading(in);
        assertEquals("*3 [$9 subscribe, $5 flood, :1]", reader.read());
    }
}
