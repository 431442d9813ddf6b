package io.shardloop.runtime.mailbox;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.loop.ExpectLoopFailures;
import io.shardloop.runtime.transport.TestTransports;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The mailbox contract, run against both layouts. The loops are never started: the test thread
 * drives every mailbox by hand, which the ownership rule allows for a loop that is not running.
 */
class MailboxTest {
    private static final int TYPE = 7;

    private final List<EventLoop> loops = new ArrayList<>();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);

    @AfterEach
    void closeLoops() {
        for (EventLoop loop : loops) {
            loop.stop();
            loop.run(); // returns at once and closes the poller
        }
    }

    private Mailbox[] mailboxes(MailboxConfig config, int shards) throws IOException {
        EventLoop[] array = new EventLoop[shards];
        for (int i = 0; i < shards; i++) {
            array[i] = new EventLoop("test-" + i, TestTransports.openLoop(), 0);
            loops.add(array[i]);
        }
        return Mailboxes.create(config, array);
    }

    private static MailboxConfig config(MailboxKind kind) {
        return MailboxConfig.defaults().withKind(kind);
    }

    private int sendSequence(Mailbox from, int to, int seq, int payloadLength) {
        scratch.putInt(0, seq);
        for (int i = 4; i < payloadLength; i++) {
            scratch.putByte(i, (byte) (seq + i));
        }
        return from.send(to, TYPE, scratch, 0, payloadLength);
    }

    /** Records (source, sequence) of every message and checks its payload bytes. */
    private static final class Recorder implements MessageHandler {
        final List<long[]> seen = new ArrayList<>();

        @Override
        public void onMessage(int type, int source, long correlationId, DirectBuffer buffer, int offset, int length) {
            assertEquals(TYPE, type);
            int seq = buffer.getInt(offset);
            for (int i = 4; i < length; i++) {
                assertEquals((byte) (seq + i), buffer.getByte(offset + i), "payload byte " + i + " of message " + seq);
            }
            seen.add(new long[] {source, seq});
        }

        void assertInOrderFrom(int source, int count) {
            int expected = 0;
            for (long[] m : seen) {
                if (m[0] == source) {
                    assertEquals(expected++, m[1], "message order from shard " + source);
                }
            }
            assertEquals(count, expected, "messages from shard " + source);
        }
    }

    private static int drain(Mailbox mailbox) {
        int total = 0;
        int n;
        while ((n = mailbox.doWork()) > 0) {
            total += n;
        }
        return total;
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldDeliverEachProducersMessagesInOrder(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind), 3);
        Recorder recorder = new Recorder();
        boxes[0].handler(recorder);
        for (int seq = 0; seq < 1000; seq++) {
            assertEquals(Mailbox.SENT, sendSequence(boxes[1], 0, seq, 4 + seq % 40));
            assertEquals(Mailbox.SENT, sendSequence(boxes[2], 0, seq, 4 + seq % 13));
        }
        assertTrue(boxes[0].hasPendingWork());
        drain(boxes[0]);
        assertFalse(boxes[0].hasPendingWork());
        recorder.assertInOrderFrom(1, 1000);
        recorder.assertInOrderFrom(2, 1000);
        assertEquals(2000, boxes[0].stats().get(MailboxStats.RECEIVED));
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldReadABoundedBatchPerTurn(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind).withBatchLimit(10), 2);
        Recorder recorder = new Recorder();
        boxes[1].handler(recorder);
        for (int seq = 0; seq < 25; seq++) {
            sendSequence(boxes[0], 1, seq, 8);
        }
        assertEquals(10, boxes[1].doWork());
        assertEquals(10, boxes[1].doWork());
        assertEquals(5, boxes[1].doWork());
        assertEquals(0, boxes[1].doWork());
        recorder.assertInOrderFrom(0, 25);
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldKeepOrderAcrossRingWrapAround(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind).withRingCapacity(1024), 2);
        Recorder recorder = new Recorder();
        boxes[1].handler(recorder);
        int seq = 0;
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < 5; i++, seq++) {
                assertEquals(Mailbox.SENT, sendSequence(boxes[0], 1, seq, 4 + (seq * 7) % 100));
            }
            drain(boxes[1]);
        }
        recorder.assertInOrderFrom(0, seq);
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldQueueWhenTheRingIsFullAndDeliverInOrderLater(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind).withRingCapacity(1024), 2);
        Recorder recorder = new Recorder();
        boxes[1].handler(recorder);
        int sent = 0;
        int queued = 0;
        for (int seq = 0; seq < 200; seq++) {
            int rc = sendSequence(boxes[0], 1, seq, 60);
            if (rc == Mailbox.SENT) {
                assertEquals(0, queued, "no message may go straight to the ring once one is queued");
                sent++;
            } else {
                assertEquals(Mailbox.QUEUED, rc);
                queued++;
            }
        }
        assertTrue(sent > 0 && queued > 0, "the 1 KiB ring fills: sent=" + sent + " queued=" + queued);
        assertEquals(queued, boxes[0].backlog(1));
        assertEquals(queued, boxes[0].stats().get(MailboxStats.BACKLOG));
        while (recorder.seen.size() < 200) {
            boxes[0].doWork(); // the sender's turn moves its overflow into the ring as room appears
            boxes[1].doWork();
        }
        recorder.assertInOrderFrom(0, 200);
        assertEquals(0, boxes[0].backlog(1));
        assertEquals(0, boxes[0].stats().get(MailboxStats.BACKLOG));
        assertEquals(queued, boxes[0].stats().get(MailboxStats.PEAK_BACKLOG));
        assertFalse(boxes[0].hasPendingWork());
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldRefuseWithBacklogFullPastTheBoundAndKeepWhatWasQueued(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind).withRingCapacity(1024).withMaxBacklogBytes(1024), 2);
        Recorder recorder = new Recorder();
        boxes[1].handler(recorder);
        int accepted = 0;
        int rc;
        while ((rc = sendSequence(boxes[0], 1, accepted, 40)) > 0) {
            accepted++;
        }
        assertEquals(Mailbox.BACKLOG_FULL, rc);
        assertEquals(Mailbox.BACKLOG_FULL, sendSequence(boxes[0], 1, accepted, 4));
        assertEquals(2, boxes[0].stats().get(MailboxStats.BACKLOG_FULL));
        while (recorder.seen.size() < accepted) {
            boxes[0].doWork();
            boxes[1].doWork();
        }
        recorder.assertInOrderFrom(0, accepted);
        assertEquals(Mailbox.SENT, sendSequence(boxes[0], 1, 0, 4), "room again once the backlog drained");
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldCarryPayloadsLongerThanARingRecordInOrderWithTheOthers(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind).withRingCapacity(1024), 2);
        int max = boxes[0].maxPayloadLength();
        assertEquals(1024 / 8 - MessageDescriptor.HEADER_LENGTH, max);
        Recorder recorder = new Recorder();
        boxes[1].handler(recorder);
        int sent = 0;
        for (int round = 0; round < 50; round++) { // enough to fill the ring: the handles queue in the overflow too
            sendSequence(boxes[0], 1, sent++, 8);
            sendSequence(boxes[0], 1, sent++, max + 1 + round * 97);
            sendSequence(boxes[0], 1, sent++, max);
        }
        assertTrue(boxes[0].backlog(1) > 0, "the ring filled and messages queued behind it");
        while (recorder.seen.size() < sent) {
            boxes[0].doWork();
            boxes[1].doWork();
        }
        recorder.assertInOrderFrom(0, sent);
        assertEquals(50, boxes[0].stats().get(MailboxStats.LARGE));
        assertThrows(IllegalArgumentException.class, () -> boxes[0].send(0, TYPE, scratch, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> boxes[0].send(2, TYPE, scratch, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> boxes[0].send(1, 0, scratch, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldNeverLoseAResponseWhileTheAskersRingIsFull(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind).withRingCapacity(1024).withCredits(4096).withCreditBytes(1 << 20)
                .withReplyBacklogBytes(1 << 30), 2);
        boxes[1].handler((type, source, correlationId, buffer, offset, length) -> {
            scratch.putInt(0, buffer.getInt(offset));
            boxes[1].reply(source, correlationId, TYPE, scratch, 0, 100); // far more than the asker's ring holds
        });
        List<Integer> answers = new ArrayList<>();
        ResponseHandler onResponse = (context, type, buffer, offset, length) -> answers.add(buffer.getInt(offset));
        UnsafeBuffer question = new UnsafeBuffer(new byte[4]);
        int asked = 2000;
        for (int i = 0; i < asked; i++) {
            question.putInt(0, i);
            assertTrue(boxes[0].request(1, TYPE, question, 0, 4, onResponse, i) > 0);
            if (i % 8 == 0) {
                boxes[1].doWork(); // the owner answers batches while the asker does not read
            }
        }
        drain(boxes[1]);
        assertTrue(boxes[1].backlog(0) > 0, "responses wait in the owner's overflow");
        while (answers.size() < asked) {
            boxes[0].doWork();
            boxes[1].doWork();
        }
        for (int i = 0; i < asked; i++) {
            assertEquals(i, answers.get(i), "response " + i);
        }
        assertEquals(0, boxes[0].pendingRequests());
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldParkAnAskersRequestsWhileItsResponsesAreBackedUpAndRunThemInOrderLater(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind).withRingCapacity(1024).withReplyBacklogBytes(1024), 2);
        List<Integer> served = new ArrayList<>();
        boxes[1].handler((type, source, correlationId, buffer, offset, length) -> {
            served.add(buffer.getInt(offset));
            boxes[1].reply(source, correlationId, TYPE, scratch, 0, 100);
        });
        int[] answered = {0};
        ResponseHandler onResponse = (context, type, buffer, offset, length) -> answered[0]++;
        UnsafeBuffer question = new UnsafeBuffer(new byte[4]);
        int asked = 300;
        for (int i = 0; i < asked; i++) {
            question.putInt(0, i);
            assertTrue(boxes[0].request(1, TYPE, question, 0, 4, onResponse, i) > 0);
        }
        long peak = 0;
        while (answered[0] < asked) {
            boxes[1].doWork();
            peak = Math.max(peak, boxes[1].parked(0));
            assertTrue(boxes[1].stats().get(MailboxStats.BACKLOG) * 100 <= 1024 + 100 + 100,
                    "the owner holds little more than the bound of responses");
            boxes[0].doWork();
        }
        assertTrue(peak > 0, "requests were parked");
        for (int i = 0; i < asked; i++) {
            assertEquals(i, served.get(i), "requests run in the order they were sent");
        }
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldRefuseARequestWithoutCreditAndSayWhenCreditReturns(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind).withCredits(2), 2);
        boxes[1].handler((type, source, correlationId, buffer, offset, length) ->
                boxes[1].reply(source, correlationId, TYPE, buffer, offset, length));
        List<Integer> told = new ArrayList<>();
        boxes[0].creditListener(told::add);
        ResponseHandler ignore = (c, t, b, o, l) -> { };
        assertTrue(boxes[0].request(1, TYPE, scratch, 0, 4, ignore, 0) > 0);
        assertTrue(boxes[0].request(1, TYPE, scratch, 0, 4, ignore, 0) > 0);
        assertFalse(boxes[0].hasCredit(1, 4));
        assertEquals(Mailbox.NO_CREDIT, boxes[0].request(1, TYPE, scratch, 0, 4, ignore, 0));
        assertEquals(2, boxes[0].inFlight(1));
        assertEquals(1, boxes[0].stats().get(MailboxStats.CREDIT_WAITS));
        drain(boxes[1]);
        drain(boxes[0]);
        assertEquals(List.of(1), told, "told once, for shard 1");
        assertTrue(boxes[0].hasCredit(1, 4));
        assertEquals(0, boxes[0].inFlight(1));
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldCountRequestBytesAgainstCreditButLetALongRequestGoAlone(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind).withCreditBytes(4096), 2);
        ResponseHandler ignore = (c, t, b, o, l) -> { };
        UnsafeBuffer big = new UnsafeBuffer(new byte[10_000]);
        assertTrue(boxes[0].request(1, TYPE, big, 0, 10_000, ignore, 0) > 0, "alone, a request longer than the credit goes");
        assertEquals(Mailbox.NO_CREDIT, boxes[0].request(1, TYPE, scratch, 0, 4, ignore, 0));
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldResumeTheContinuationWithTheResponse(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind), 2);
        boxes[1].handler((type, source, correlationId, buffer, offset, length) -> {
            assertTrue(correlationId > 0);
            UnsafeBuffer answer = new UnsafeBuffer(new byte[8]);
            answer.putLong(0, buffer.getLong(offset) * 2);
            assertEquals(Mailbox.SENT, boxes[1].reply(source, correlationId, 99, answer, 0, 8));
        });
        long[] got = new long[3];
        ResponseHandler onResponse = (context, type, buffer, offset, length) -> {
            got[0] = context;
            got[1] = type;
            got[2] = buffer.getLong(offset);
        };
        scratch.putLong(0, 21);
        long id = boxes[0].request(1, TYPE, scratch, 0, 8, onResponse, 1234);
        assertTrue(id > 0);
        assertEquals(1, boxes[0].pendingRequests());
        drain(boxes[1]);
        drain(boxes[0]);
        assertArrayEquals(new long[] {1234, 99, 42}, got);
        assertEquals(0, boxes[0].pendingRequests());
        assertEquals(1, boxes[0].stats().get(MailboxStats.RESPONSES));
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    void shouldDropTheResponseToACancelledRequest(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind), 2);
        boxes[1].handler((type, source, correlationId, buffer, offset, length) ->
                boxes[1].reply(source, correlationId, TYPE, buffer, offset, length));
        int[] calls = {0};
        long id = boxes[0].request(1, TYPE, scratch, 0, 8, (c, t, b, o, l) -> calls[0]++, 0);
        assertTrue(boxes[0].cancel(id));
        assertFalse(boxes[0].cancel(id));
        long next = boxes[0].request(1, TYPE, scratch, 0, 8, (c, t, b, o, l) -> calls[0] += 10, 0);
        assertNotEquals(id, next, "a reused slot gets a new correlation id");
        drain(boxes[1]);
        drain(boxes[0]);
        assertEquals(10, calls[0]);
        assertEquals(1, boxes[0].stats().get(MailboxStats.STALE_RESPONSES));
    }

    @ParameterizedTest
    @EnumSource(MailboxKind.class)
    @ExpectLoopFailures(IllegalStateException.class)
    void shouldKeepGoingWhenAHandlerThrows(MailboxKind kind) throws IOException {
        Mailbox[] boxes = mailboxes(config(kind), 2);
        Recorder recorder = new Recorder();
        boxes[1].handler((type, source, id, buffer, offset, length) -> {
            if (buffer.getInt(offset) == 1) {
                throw new IllegalStateException("bad message");
            }
            recorder.onMessage(type, source, id, buffer, offset, length);
        });
        for (int seq = 0; seq < 3; seq++) {
            sendSequence(boxes[0], 1, seq, 4);
        }
        assertEquals(3, drain(boxes[1]));
        assertEquals(2, recorder.seen.size());
        assertEquals(1, boxes[1].stats().get(MailboxStats.HANDLER_ERRORS));
    }

    @org.junit.jupiter.api.Test
    void shouldParseTheKindAndRejectAnUnknownOne() {
        assertEquals(MailboxKind.MPSC, MailboxKind.parse("mpsc"));
        assertEquals(MailboxKind.SPSC, MailboxKind.parse(" SPSC "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MailboxKind.parse("ring"));
        assertTrue(e.getMessage().contains("mpsc or spsc"));
        assertThrows(IllegalArgumentException.class, () -> MailboxConfig.defaults().withRingCapacity(1000));
    }
}
