package io.shardloop.runtime.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyOrderTest {
    private LoopFixture fixture;
    private Connection connection;

    @BeforeEach
    void start() throws Exception {
        fixture = new LoopFixture("order-test", 64); // small chunks: replies span several
        connection = fixture.connection;
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void shouldWriteStraightOutWhileNothingIsDeferred() throws Exception {
        fixture.onLoop(() -> {
            ReplyOrder order = new ReplyOrder(connection, 8);
            assertEquals(connection.outbound(), order.immediate());
            assertTrue(order.isEmpty());
        });
    }

    @Test
    void shouldHoldLaterRepliesBehindADeferredOneAndReleaseThemInOrder() throws Exception {
        String sent = fixture.onLoop(() -> {
            ReplyOrder order = new ReplyOrder(connection, 8);
            order.immediate().writeAscii("+one\r\n");
            long second = order.defer();
            order.immediate().writeAscii("+three-is-a-longer-reply-that-spans-more-than-one-64-byte-chunk...\r\n");
            long fourth = order.defer();
            order.immediate().writeAscii("+five\r\n");
            assertEquals(4, order.outstanding());
            // The fourth answer arrives first: nothing may move past the second.
            order.out(fourth).writeAscii("+four\r\n");
            order.complete(fourth);
            assertEquals("+one\r\n", LoopFixture.drain(connection.outbound()), "sent so far (and drained by the test)");
            order.out(second).writeAscii("+two\r\n");
            order.complete(second);
            assertTrue(order.isEmpty());
            order.immediate().writeAscii("+six\r\n");
            return LoopFixture.drain(connection.outbound());
        });
        assertEquals("+two\r\n+three-is-a-longer-reply-that-spans-more-than-one-64-byte-chunk...\r\n"
                + "+four\r\n+five\r\n+six\r\n", sent);
    }

    @Test
    void shouldCountHeldRepliesInWhatTheConnectionHoldsUntilTheyMove() throws Exception {
        fixture.onLoop(() -> {
            ReplyOrder order = new ReplyOrder(connection, 8);
            long first = order.defer();
            order.immediate().writeAscii("+held-behind-the-first\r\n");
            long third = order.defer();
            order.out(third).writeAscii("+third\r\n");
            order.complete(third);
            assertEquals(24 + 8, connection.heldReplyBytes());
            assertEquals(24 + 8, connection.memory(), "held replies count as the connection's memory");
            order.out(first).writeAscii("+1\r\n");
            order.complete(first);
            assertEquals(0, connection.heldReplyBytes(), "moved to the outbound buffer");
            assertEquals(4 + 24 + 8, connection.memory());
            LoopFixture.drain(connection.outbound());
        });
    }

    @Test
    void shouldCloseAConnectionWhoseHeldRepliesPassTheHardLimit() throws Exception {
        ConnectionLimits small = new ConnectionLimits(1024, 1024, 512, 4096, 1024, 0, 0);
        try (LoopFixture tight = new LoopFixture("order-limit", 64, small)) {
            boolean closed = tight.onLoop(() -> {
                ReplyOrder order = new ReplyOrder(tight.connection, 8);
                order.defer(); // away on another shard, say
                long big = order.defer();
                order.out(big).writeBytes(new byte[5000]);
                order.complete(big);
                return tight.connection.isClosed();
            });
            assertTrue(closed, "5,000 bytes held behind a reply still away, hard limit 4,096");
        }
    }

    @Test
    void shouldTellWhenTheLineIsFull() throws Exception {
        String sent = fixture.onLoop(() -> {
            ReplyOrder order = new ReplyOrder(connection, 4);
            long first = order.defer();
            for (int i = 0; i < 3; i++) {
                order.immediate().writeAscii("+x\r\n");
            }
            assertTrue(order.isFull());
            assertThrows(IllegalStateException.class, order::defer);
            order.complete(first);
            assertFalse(order.isFull());
            return LoopFixture.drain(connection.outbound()); // the fixture's connection is not connected: nothing is left to flush
        });
        assertEquals("+x\r\n+x\r\n+x\r\n", sent);
    }

    @Test
    void shouldKeepRequestOrderWhenRepliesCompleteInReverseAcrossGrowth() throws Exception {
        String sent = fixture.onLoop(() -> {
            ReplyOrder order = new ReplyOrder(connection, 64);
            int n = 40; // more than the places an idle connection starts with: they must grow
            long[] tickets = new long[n];
            for (int i = 0; i < n; i++) {
                tickets[i] = order.defer();
            }
            for (int i = n - 1; i >= 0; i--) {
                order.out(tickets[i]).writeAscii("r" + i + ";");
                order.complete(tickets[i]);
            }
            return LoopFixture.drain(connection.outbound());
        });
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            expected.append('r').append(i).append(';');
        }
        assertEquals(expected.toString(), sent);
    }

    @Test
    void shouldTellAWaitingReplyWhenItReachesTheHead() throws Exception {
        String trace = fixture.onLoop(() -> {
            StringBuilder t = new StringBuilder();
            ReplyOrder order = new ReplyOrder(connection, 64, () -> t.append("advanced;"));
            long first = order.defer();
            long second = order.defer();
            order.whenHead(second, new ReplyOrder.HeadListener() {
                public void onHead() { t.append("second at head;"); }
                public void onDiscarded() { t.append("discarded;"); }
            });
            t.append("first done;");
            order.complete(first);
            return t.toString();
        });
        assertEquals("first done;second at head;advanced;", trace);
    }

    @Test
    void shouldTellWaitingRepliesWhenTheConnectionDiscardsTheLine() throws Exception {
        String trace = fixture.onLoop(() -> {
            StringBuilder t = new StringBuilder();
            ReplyOrder order = new ReplyOrder(connection, 64);
            order.defer();
            long second = order.defer();
            order.whenHead(second, new ReplyOrder.HeadListener() {
                public void onHead() { t.append("head;"); }
                public void onDiscarded() { t.append("discarded;"); }
            });
            order.discard();
            assertTrue(order.isEmpty());
            return t.toString();
        });
        assertEquals("discarded;", trace);
    }
}
