package io.shardloop.runtime.loop;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LoopFailureExtension} on test classes run inside these tests (the nested classes below,
 * which the build does not run on their own): what fails on a loop fails its test, and only its test.
 */
class LoopFailureExtensionTest {
    @Test
    void shouldFailATestWhoseLoopTaskThrewWithTheFailureAsCause() {
        Throwable error = onlyFailure(run(ThrowsInATask.class), "throwsOnItsLoop");
        assertInstanceOf(AssertionError.class, error);
        assertTrue(error.getMessage().contains("inner-loop, in a task: java.lang.IllegalStateException: thrown on the loop"),
                error.getMessage());
        assertEquals("thrown on the loop", error.getCause().getMessage());
    }

    @Test
    void shouldAttachTheFirstFailureAsCauseAndTheOthersSuppressed() {
        Throwable error = onlyFailure(run(ThrowsTwice.class), "throwsTwice");
        assertEquals("first", error.getCause().getMessage());
        assertEquals(1, error.getSuppressed().length);
        assertEquals("second", error.getSuppressed()[0].getMessage());
    }

    @Test
    void shouldStopTheLoopOnAnErrorAndFailTheTest() {
        // The nested test itself checks that the loop ended and ran nothing more; its own assertion
        // failing would show as the test's error, with the loop's failure suppressed under it.
        Throwable error = onlyFailure(run(ErrorInATask.class), "errorStopsTheLoop");
        assertTrue(error.getMessage().startsWith("1 failure(s) caught on event-loop threads"), error.getMessage());
        assertEquals("broken invariant", error.getCause().getMessage());
        assertInstanceOf(AssertionError.class, error.getCause());
    }

    @Test
    void shouldMakeTheLoopsFailureTheErrorOfATestThatFailedBecauseOfIt() {
        Throwable error = onlyFailure(run(FailsBecauseItsLoopStopped.class), "waitsInVain");
        assertEquals("broken on the loop", error.getCause().getMessage());
        assertEquals(1, error.getSuppressed().length, "the test's own failure");
        assertTrue(error.getSuppressed()[0].getMessage().startsWith("never counted down"), error.getSuppressed()[0].getMessage());
    }

    @Test
    void shouldPassATestThatDeclaresTheFailureItProvokes() {
        run(ExpectsWhatItProvokes.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    @Test
    void shouldFailATestWhoseDeclaredFailureNeverCame() {
        Throwable error = onlyFailure(run(ExpectsButNothingComes.class), "expectsInVain");
        assertTrue(error.getMessage().contains("@ExpectLoopFailures(IllegalStateException) but no IllegalStateException"
                + " was caught on a loop"), error.getMessage());
    }

    @Test
    void shouldFailATestWhoseLoopThrewSomethingElseThanDeclared() {
        Throwable error = onlyFailure(run(ExpectsAnotherType.class), "throwsTheWrongType");
        assertTrue(error.getMessage().contains("that @ExpectLoopFailures does not declare"), error.getMessage());
        assertTrue(error.getMessage().contains("but no IllegalStateException"), error.getMessage());
        assertInstanceOf(IllegalArgumentException.class, error.getCause());
    }

    @Test
    void shouldNameTheEarlierTestWhoseLeftoverLoopFailedLater() {
        EngineExecutionResults results = run(LeavesALoopRunning.class);
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        Throwable error = onlyFailure(results, "failsOnTheLeftoverLoop");
        assertTrue(error.getMessage().contains("from a loop left running by LeavesALoopRunning.leavesItsLoopRunning(),"
                + " which had ended"), error.getMessage());
        assertEquals("left behind", error.getCause().getMessage());
    }

    @Test
    void shouldGiveAFailureOnAClassLoopToTheTestRunningThen() {
        Throwable error = onlyFailure(run(SharesAClassLoop.class), "provokesOnTheSharedLoop");
        assertFalse(error.getMessage().contains("left running"), error.getMessage());
        assertEquals("on the shared loop", error.getCause().getMessage());
    }

    private static EngineExecutionResults run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(DiscoverySelectors.selectClass(testClass))
                .execute();
    }

    /** The error of the one test that failed, which must be the named one; the class itself must not fail. */
    private static Throwable onlyFailure(EngineExecutionResults results, String method) {
        results.containerEvents().assertStatistics(s -> s.failed(0));
        List<Event> failed = results.testEvents().failed().list();
        assertEquals(1, failed.size(), "failed tests: " + failed);
        assertTrue(failed.getFirst().getTestDescriptor().getDisplayName().startsWith(method + "("),
                failed.getFirst().getTestDescriptor().getDisplayName());
        return failed.getFirst().getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
    }

    // ---- the test classes run by the tests above ---------------------------------------------------

    static class ThrowsInATask {
        @Test
        void throwsOnItsLoop() throws Exception {
            try (RunningLoop loop = RunningLoop.start("inner-loop")) {
                loop.runAndSync(() -> {
                    throw new IllegalStateException("thrown on the loop");
                });
            }
        }
    }

    static class ThrowsTwice {
        @Test
        void throwsTwice() throws Exception {
            try (RunningLoop loop = RunningLoop.start("inner-loop")) {
                loop.runAndSync(() -> {
                    throw new IllegalStateException("first");
                });
                loop.runAndSync(() -> {
                    throw new IllegalArgumentException("second");
                });
            }
        }
    }

    static class ErrorInATask {
        @Test
        void errorStopsTheLoop() throws Exception {
            RunningLoop loop = RunningLoop.start("inner-loop");
            AtomicBoolean ranAfter = new AtomicBoolean();
            loop.loop.execute(() -> {
                loop.loop.execute(() -> ranAfter.set(true)); // a local task, due later in this turn
                throw new AssertionError("broken invariant");
            });
            assertTrue(loop.awaitEnd(Duration.ofSeconds(5)), "the loop's thread ends after an Error");
            assertFalse(ranAfter.get(), "nothing runs on a loop after an Error");
        }
    }

    static class FailsBecauseItsLoopStopped {
        @Test
        void waitsInVain() throws Exception {
            RunningLoop loop = RunningLoop.start("inner-loop");
            CountDownLatch latch = new CountDownLatch(1);
            loop.loop.execute(() -> {
                throw new AssertionError("broken on the loop");
            });
            loop.loop.execute(latch::countDown);
            assertTrue(loop.awaitEnd(Duration.ofSeconds(5)));
            assertTrue(latch.await(10, TimeUnit.MILLISECONDS), "never counted down");
        }
    }

    static class ExpectsWhatItProvokes {
        @Test
        @ExpectLoopFailures(IllegalStateException.class)
        void provokes() throws Exception {
            try (RunningLoop loop = RunningLoop.start("inner-loop")) {
                loop.loop.execute(() -> {
                    throw new IllegalStateException("on purpose");
                });
            } // the extension waits for it: no sync needed
        }
    }

    static class ExpectsButNothingComes {
        @Test
        @ExpectLoopFailures(value = IllegalStateException.class, waitMillis = 100)
        void expectsInVain() throws Exception {
            try (RunningLoop loop = RunningLoop.start("inner-loop")) {
                loop.sync();
            }
        }
    }

    static class ExpectsAnotherType {
        @Test
        @ExpectLoopFailures(value = IllegalStateException.class, waitMillis = 100)
        void throwsTheWrongType() throws Exception {
            try (RunningLoop loop = RunningLoop.start("inner-loop")) {
                loop.runAndSync(() -> {
                    throw new IllegalArgumentException("not the declared one");
                });
            }
        }
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class LeavesALoopRunning {
        static RunningLoop leftover;

        @Test
        @Order(1)
        void leavesItsLoopRunning() throws Exception {
            leftover = RunningLoop.start("leftover-loop");
        }

        @Test
        @Order(2)
        void failsOnTheLeftoverLoop() throws Exception {
            leftover.runAndSync(() -> {
                throw new IllegalStateException("left behind");
            });
        }

        @AfterAll
        static void stopIt() throws Exception {
            leftover.close();
        }
    }

    static class SharesAClassLoop {
        static RunningLoop shared;

        @BeforeAll
        static void startIt() throws Exception {
            shared = RunningLoop.start("shared-loop");
        }

        @Test
        void provokesOnTheSharedLoop() throws Exception {
            shared.runAndSync(() -> {
                throw new IllegalStateException("on the shared loop");
            });
        }

        @AfterAll
        static void stopIt() throws Exception {
            shared.close();
        }
    }
}
