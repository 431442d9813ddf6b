package io.shardloop.http;

import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.LoopFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;

class ResponseSequencerTest {
    private LoopFixture fixture;
    private Connection connection;

    @BeforeEach
    void start() throws Exception {
        fixture = new LoopFixture("sequencer-test", 256);
        connection = fixture.connection;
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void shouldKeepRequestOrderWhenResponsesCompleteInReverseAcrossSlotGrowth() throws Exception {
        String sent = fixture.onLoop(() -> {
            ResponseSequencer sequencer = new ResponseSequencer(connection, fixture.pool, fixture.iov, 64, () -> { });
            int n = 40; // more than the slots an idle connection starts with: they must grow
            long[] seqs = new long[n];
            for (int i = 0; i < n; i++) {
                seqs[i] = sequencer.open();
            }
            for (int i = n - 1; i >= 0; i--) {
                sequencer.out(seqs[i]).writeAscii("r" + i + ";");
                sequencer.complete(seqs[i]);
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
    void shouldTellAWaitingResponseWhenItReachesTheHead() throws Exception {
        String trace = fixture.onLoop(() -> {
            StringBuilder t = new StringBuilder();
            ResponseSequencer sequencer = new ResponseSequencer(connection, fixture.pool, fixture.iov, 64, () -> { });
            long first = sequencer.open();
            long second = sequencer.open();
            sequencer.whenHead(second, new ResponseSequencer.HeadListener() {
                public void onHead() { t.append("second at head;"); }
                public void onDiscarded() { t.append("discarded;"); }
            });
            t.append("first done;");
            sequencer.complete(first);
            return t.toString();
        });
        assertEquals("first done;second at head;", trace);
    }
}
