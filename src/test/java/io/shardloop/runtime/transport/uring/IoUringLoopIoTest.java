package io.shardloop.runtime.transport.uring;

import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.SocketEvents;
import io.shardloop.runtime.transport.StreamSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the io_uring transport does that the readiness transports need not: input held while
 * reading is off and delivered in order after, the read budget kept per poll although a multishot
 * receive delivers whatever arrives, and a closed socket's late completions giving back their
 * provided buffers and owner slots. The test thread is the loop: it makes every call and polls.
 */
class IoUringLoopIoTest {
    private IoUringLoopIo io;
    private ListenSocket listener;
    private final ArrayDeque<AcceptedSocket> accepted = new ArrayDeque<>();

    @BeforeEach
    void open() throws IOException {
        String missing = IoUringTransport.unavailableReason();
        Assumptions.assumeTrue(missing == null, () -> "io_uring cannot run here: " + missing);
        io = (IoUringLoopIo) IoUringTransport.INSTANCE.openLoop("test", 4096);
        listener = IoUringTransport.INSTANCE.listen(new InetSocketAddress("127.0.0.1", 0), 64, false);
        io.watch(listener, () -> {
            try {
                AcceptedSocket next;
                while ((next = listener.accept()) != null) {
                    accepted.add(next);
                }
            } catch (IOException e) {
                throw new AssertionError("accept failed", e);
            }
        });
    }

    @AfterEach
    void close() throws IOException {
        if (io != null) {
            listener.close();
            io.close();
        }
    }

    /** Records what a socket hands over, and how much in each poll. */
    private final class Recorder implements SocketEvents {
        final ByteArrayOutputStream input = new ByteArrayOutputStream();
        int ends;
        IOException failure;
        long turn = -1;
        int inTurn;
        int mostInOneTurn;
        /** Closes this socket on its first input: its other completions of the same poll come after. */
        StreamSocket closeOnInput;

        @Override
        public void onInput(ByteBuffer bytes) {
            if (closeOnInput != null) {
                closeOnInput.close();
                closeOnInput = null;
                bytes.position(bytes.limit());
                return;
            }
            if (io.turn() != turn) {
                turn = io.turn();
                inTurn = 0;
            }
            inTurn += bytes.remaining();
            mostInOneTurn = Math.max(mostInOneTurn, inTurn);
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            input.writeBytes(copy);
        }

        @Override
        public void onInputEnd() {
            ends++;
        }

        @Override
        public void onWritable() {
        }

        @Override
        public void onIoFailure(IOException e) {
            failure = e;
        }
    }

    private void pollUntil(BooleanSupplier done, String what) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            io.poll(10_000_000L, () -> { });
        }
    }

    private void pollFor(long millis) throws IOException {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until) {
            io.poll(5_000_000L, () -> { });
        }
    }

    private StreamSocket acceptOne(Recorder events, int budget) throws IOException {
        pollUntil(() -> !accepted.isEmpty(), "a connection");
        StreamSocket socket = io.open(accepted.poll());
        socket.start(events, budget);
        return socket;
    }

    @Test
    void shouldHoldInputWhileReadingIsOffAndDeliverItInOrderThenTheEnd() throws Exception {
        try (Socket client = new Socket("127.0.0.1", listener.localAddress().getPort())) {
            Recorder events = new Recorder();
            StreamSocket socket = acceptOne(events, 1 << 20);
            OutputStream out = client.getOutputStream();
            out.write("abc".getBytes());
            pollUntil(() -> events.input.size() == 3, "abc");
            socket.reading(false);
            out.write("def".getBytes());
            client.shutdownOutput();
            pollFor(100);
            assertEquals("abc", events.input.toString(), "nothing delivered while reading is off");
            assertEquals(0, events.ends);
            socket.reading(true);
            pollUntil(() -> events.ends > 0, "the end of input");
            assertEquals("abcdef", events.input.toString());
            pollFor(50);
            assertEquals(1, events.ends, "the end is said once");
            assertNull(events.failure);
            socket.close();
        }
    }

    @Test
    void shouldKeepTheReadBudgetPerPollAndLoseNothing() throws Exception {
        byte[] payload = new byte[512 * 1024];
        new Random(7).nextBytes(payload);
        int budget = 4096;
        try (Socket client = new Socket("127.0.0.1", listener.localAddress().getPort())) {
            Recorder events = new Recorder();
            StreamSocket socket = acceptOne(events, budget);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.getOutputStream().write(payload);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            pollUntil(() -> events.input.size() == payload.length, "the whole payload");
            writer.join(10_000);
            assertArrayEquals(payload, events.input.toByteArray(), "every byte, in order");
            // A budget may be overdrawn by the one buffer that crosses it (16 KiB).
            assertTrue(events.mostInOneTurn <= budget + 16 * 1024, "one poll delivered " + events.mostInOneTurn);
            socket.close();
        }
    }

    @Test
    void shouldGiveBackBuffersAndSlotsOfSocketsClosedWithInputInFlight() throws Exception {
        byte[] burst = new byte[64 * 1024]; // several provided buffers' worth per socket
        int baseline = io.registeredCount(); // the listener's watch
        for (int i = 0; i < 400; i++) { // 400 x a few buffers: far more than the ring's 256 if any leaked
            try (Socket client = new Socket("127.0.0.1", listener.localAddress().getPort())) {
                Recorder events = new Recorder();
                StreamSocket socket = acceptOne(events, 1 << 20);
                client.getOutputStream().write(burst);
                pollFor(2); // all of it arrives, in completions one buffer each
                events.closeOnInput = socket;
                client.getOutputStream().write(burst);
                pollFor(2); // closed on the first: the rest of the poll's completions are a closed socket's
                socket.close();
            }
        }
        pollFor(100);
        assertEquals(0, io.buffersTaken(), "every buffer filled for a closed socket went back to the kernel");
        assertEquals(baseline, io.registeredCount(), "every closed socket's slot is free again");
        byte[] payload = new byte[1 << 20];
        new Random(3).nextBytes(payload);
        try (Socket client = new Socket("127.0.0.1", listener.localAddress().getPort())) {
            Recorder events = new Recorder();
            StreamSocket socket = acceptOne(events, 1 << 20);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.getOutputStream().write(payload);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            pollUntil(() -> events.input.size() == payload.length, "a megabyte after the churn");
            writer.join(10_000);
            assertArrayEquals(payload, events.input.toByteArray());
            assertFalse(events.failure != null, "no failure: " + events.failure);
            socket.close();
        }
    }
}
