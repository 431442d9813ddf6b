package io.shardloop.runtime.loop;

import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.TestTransports;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a loop does with what its work throws: an exception is reported and the loop goes on; an Error stops it. */
class EventLoopFailureTest {
    @Test
    @ExpectLoopFailures(IllegalStateException.class)
    void shouldHandEveryExceptionToTheHandlerWithTheLoopsNameAndWhatRanAndGoOn() throws Exception {
        ListenSocket listener = listener();
        try (RunningLoop running = RunningLoop.start("failing-loop")) {
            EventLoop loop = running.loop;
            AtomicBoolean sourceThrew = new AtomicBoolean();
            running.runAndSync(() -> {
                loop.scheduleTimer(System.nanoTime(), now -> {
                    throw new IllegalStateException("timer");
                });
                loop.atTurnEnd(() -> {
                    throw new IllegalStateException("turn end");
                });
                loop.addWorkSource(new EventLoop.WorkSource() {
                    @Override
                    public int doWork() {
                        if (sourceThrew.compareAndSet(false, true)) {
                            throw new IllegalStateException("work source");
                        }
                        return 0;
                    }

                    @Override
                    public boolean hasPendingWork() {
                        return !sourceThrew.get();
                    }
                });
                try {
                    ((LoopIo) loop.poller()).watch(listener, () -> {
                        acceptOne(listener);
                        throw new IllegalStateException("I/O handler");
                    });
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                loop.reportFailure("a caller's own work", new IllegalStateException("reported"));
                throw new IllegalStateException("task");
            });
            connect(listener);
            List<RecordedLoopFailure> failures = LoopFailureExtension.awaitFailures(6, Duration.ofSeconds(5));
            running.sync(); // still turning

            Map<String, String> byActivity = failures.stream()
                    .collect(Collectors.toMap(RecordedLoopFailure::activity, f -> f.failure().getMessage()));
            assertEquals(Map.of("a task", "task", "a timer", "timer", "an end-of-turn action", "turn end",
                    "a work source", "work source", "an I/O handler", "I/O handler", "a caller's own work", "reported"),
                    byActivity);
            assertTrue(failures.stream().allMatch(f -> f.loopName().equals("failing-loop")), failures.toString());
        } finally {
            listener.close();
        }
    }

    @Test
    @ExpectLoopFailures(OutOfMemoryError.class)
    void shouldRunNothingMoreAfterAnErrorAndEndTheLoopsThread() throws Exception {
        RunningLoop running = RunningLoop.start("failing-loop");
        AtomicBoolean ranAfter = new AtomicBoolean();
        AtomicBoolean turnEndRan = new AtomicBoolean();
        running.loop.execute(() -> {
            running.loop.atTurnEnd(() -> turnEndRan.set(true));
            running.loop.execute(() -> ranAfter.set(true));
            throw new OutOfMemoryError("Java heap space (thrown by the test)");
        });
        assertTrue(running.awaitEnd(Duration.ofSeconds(5)), "the loop's thread ends after an Error");
        running.loop.execute(() -> ranAfter.set(true));
        assertFalse(ranAfter.get(), "no task runs after the Error, not even those left at exit");
        assertFalse(turnEndRan.get(), "the turn that threw does not finish");
        RecordedLoopFailure failure = LoopFailureExtension.awaitFailure(OutOfMemoryError.class, Duration.ofSeconds(1));
        assertEquals("a task", failure.activity());
        assertEquals(0, running.loop.stats().turnStartNanos(), "a loop stopped by an Error is not a stall");
    }

    @Test
    @ExpectLoopFailures(StackOverflowError.class)
    void shouldStopTheLoopWhenAnIoHandlerOverflowsItsStack() throws Exception {
        RunningLoop running = RunningLoop.start("failing-loop");
        ListenSocket listener = listener();
        try {
            running.runAndSync(() -> {
                try {
                    ((LoopIo) running.loop.poller()).watch(listener, () -> recurse(1));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            connect(listener);
            assertTrue(running.awaitEnd(Duration.ofSeconds(5)), "the loop's thread ends after an Error");
            assertEquals("an I/O handler",
                    LoopFailureExtension.awaitFailure(StackOverflowError.class, Duration.ofSeconds(1)).activity());
        } finally {
            listener.close();
        }
    }

    @Test
    @ExpectLoopFailures(AssertionError.class)
    void shouldNotTurnAgainWhenDrivenByHandAfterAnError() throws Exception {
        EventLoop loop = new EventLoop("by-hand", TestTransports.openLoop(), 0);
        AtomicBoolean ranAfter = new AtomicBoolean();
        loop.execute(() -> {
            throw new AssertionError("broken invariant");
        });
        loop.turn(); // does not throw: the failure went to the handler
        loop.execute(() -> ranAfter.set(true));
        loop.turn();
        loop.run(); // returns at once and closes the poller
        assertFalse(ranAfter.get());
        assertEquals(List.of("by-hand"), LoopFailureExtension.failuresSoFar().stream().map(RecordedLoopFailure::loopName).toList());
    }

    /** A listener on the test transport: a connection to it makes its watch's handler run. */
    private static ListenSocket listener() throws IOException {
        return TestTransports.current().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4, false);
    }

    private static void connect(ListenSocket listener) throws IOException {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort())) {
            client.getOutputStream().write(1);
        }
    }

    private static void acceptOne(ListenSocket listener) {
        try {
            AcceptedSocket accepted = listener.accept();
            if (accepted != null) {
                accepted.close();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
