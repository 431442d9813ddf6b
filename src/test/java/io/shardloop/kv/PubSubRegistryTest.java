package io.shardloop.kv;

import io.shardloop.kv.PubSubRegistry.Kind;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The registry and a client's subscriptions, without sockets: who receives what, and the counts. */
class PubSubRegistryTest {
    /** A subscriber that keeps every frame it is handed, as text. */
    private static final class Recorder implements Subscriber {
        final List<String> frames = new ArrayList<>();

        @Override
        public void deliver(byte[] frame, int offset, int length, boolean push) {
            frames.add((push ? "push " : "raw ") + new String(frame, offset, length, StandardCharsets.US_ASCII));
        }
    }

    private static int publish(PubSubRegistry r, String channel, String message, boolean shard) {
        byte[] c = channel.getBytes(StandardCharsets.US_ASCII);
        byte[] m = message.getBytes(StandardCharsets.US_ASCII);
        return r.publish(c, 0, c.length, m, 0, m.length, shard);
    }

    private static String run(PubSubClient client, String... words) {
        BufferReplyWriter out = new BufferReplyWriter();
        client.execute(CommandTable.find(CommandArgs.of(words)), CommandArgs.of(words), out);
        return new String(out.toByteArray(), StandardCharsets.US_ASCII);
    }

    @Test
    void shouldDeliverToChannelAndPatternSubscribersAndCountEachDelivery() {
        PubSubRegistry r = new PubSubRegistry(new AtomicInteger());
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        PubSubClient ca = new PubSubClient(a, r);
        PubSubClient cb = new PubSubClient(b, r);
        assertEquals("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", run(ca, "SUBSCRIBE", "news"));
        assertEquals("*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n", run(ca, "PSUBSCRIBE", "n*"));
        run(cb, "SSUBSCRIBE", "news");
        assertEquals(3, r.activeCount(), "news, n* and the shard channel news");
        assertEquals(2, publish(r, "news", "hi", false), "a's channel and a's pattern; b's shard channel is apart");
        assertEquals(List.of("push *3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n",
                "push *4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n"), a.frames);
        assertEquals(1, publish(r, "news", "s", true));
        assertEquals(List.of("push *3\r\n$8\r\nsmessage\r\n$4\r\nnews\r\n$1\r\ns\r\n"), b.frames);
        assertEquals(0, publish(r, "other", "x", false));
    }

    @Test
    void shouldForgetANameWithItsLastSubscriberAndAClientThatLeaves() {
        PubSubRegistry r = new PubSubRegistry(new AtomicInteger());
        Recorder a = new Recorder();
        PubSubClient ca = new PubSubClient(a, r);
        PubSubClient cb = new PubSubClient(new Recorder(), r);
        run(ca, "SUBSCRIBE", "x", "y");
        run(cb, "SUBSCRIBE", "x");
        assertEquals(2, r.size(Kind.CHANNEL));
        byte[] x = {'x'};
        assertEquals(2, r.subscribers(Kind.CHANNEL, x, 0, 1));
        assertEquals("*3\r\n$11\r\nunsubscribe\r\n$1\r\ny\r\n:1\r\n", run(ca, "UNSUBSCRIBE", "y"));
        assertEquals(1, r.size(Kind.CHANNEL));
        cb.leaveAll();
        assertEquals(1, r.subscribers(Kind.CHANNEL, x, 0, 1));
        assertEquals("*3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:0\r\n", run(ca, "UNSUBSCRIBE"));
        assertEquals("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", run(ca, "UNSUBSCRIBE"), "nothing left: a null name");
        assertEquals(0, r.activeCount());
    }

    @Test
    void shouldCountMonitorsServerWideAndFeedThemRawLines() {
        AtomicInteger all = new AtomicInteger();
        PubSubRegistry one = new PubSubRegistry(all);
        PubSubRegistry other = new PubSubRegistry(all);
        Recorder m = new Recorder();
        PubSubClient monitor = new PubSubClient(m, one);
        assertEquals(false, other.anyMonitor());
        assertEquals("+OK\r\n", run(monitor, "MONITOR"));
        assertEquals("", run(monitor, "MONITOR"), "a second MONITOR is answered nothing");
        assertEquals(true, other.anyMonitor(), "every registry of the server sees it");
        byte[] line = "+1 [0 x] \"ping\"\r\n".getBytes(StandardCharsets.US_ASCII);
        one.feedMonitors(line, 0, line.length);
        assertEquals(List.of("raw +1 [0 x] \"ping\"\r\n"), m.frames);
        monitor.leaveAll();
        assertEquals(false, other.anyMonitor());
    }
}
