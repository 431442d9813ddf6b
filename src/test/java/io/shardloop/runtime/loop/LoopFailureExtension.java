package io.shardloop.runtime.loop;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Makes a failure on an event-loop thread fail the test that caused it. Registered for every test
 * (META-INF/services and {@code junit.jupiter.extensions.autodetection.enabled} in
 * junit-platform.properties): before each test class and test it installs {@link LoopFailureRecorder}
 * as the process-wide {@link LoopFailureHandler} (nothing halts in tests), and after each it fails
 * the test if failures were caught on its loops: the first failure is the cause of the test's
 * error, the others are suppressed by it. When the test has failed too (most often because of
 * what broke on the loop: a latch never counted down), the loops' failure becomes the test's error
 * and the test's own is suppressed by it. A test that provokes failures on purpose says so with
 * {@link ExpectLoopFailures}; failures from loops that an earlier test left running are reported
 * as theirs (see {@link LoopFailureRecorder}).
 */
public final class LoopFailureExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, TestExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LoopFailureExtension.class);
    private static final String SCOPE = "scope";
    /** Failures already thrown as the test's error, not to be thrown again after it. */
    private static final String REPORTED = "reported";
    private static final LoopFailureRecorder RECORDER = LoopFailureRecorder.INSTANCE;

    /**
     * Waits until a failure of the type (or a subclass) has been caught on a loop of the running
     * test, and returns the first such; fails after the timeout. Only on the test's own thread.
     */
    public static RecordedLoopFailure awaitFailure(Class<? extends Throwable> type, Duration timeout) throws InterruptedException {
        TestScope scope = runningTest();
        if (!scope.awaitMatch(f -> type.isInstance(f.failure()), timeout.toNanos())) {
            throw new AssertionError("no " + type.getSimpleName() + " was caught on a loop within " + timeout.toMillis()
                    + " ms; caught: " + scope.snapshot());
        }
        return scope.snapshot().stream().filter(f -> type.isInstance(f.failure())).findFirst().orElseThrow();
    }

    /**
     * Waits until at least {@code count} failures have been caught on the loops of the running test,
     * and returns them; fails after the timeout. Only on the test's own thread.
     */
    public static List<RecordedLoopFailure> awaitFailures(int count, Duration timeout) throws InterruptedException {
        TestScope scope = runningTest();
        if (!scope.awaitUntil(recorded -> recorded.size() >= count, timeout.toNanos())) {
            throw new AssertionError(count + " failure(s) were not caught on loops within " + timeout.toMillis()
                    + " ms; caught: " + scope.snapshot());
        }
        return scope.snapshot();
    }

    /**
     * Fails now, as the extension would after the test, if a failure has been caught on a loop of the
     * running test: for long waits on loops that a failed check has stopped. For tests that expect none.
     */
    public static void assertNoFailureYet() {
        List<RecordedLoopFailure> failures = runningTest().snapshot();
        if (!failures.isEmpty()) {
            throw error(failures, 0, List.of(), List.of(), 0, false);
        }
    }

    /** The failures caught so far on the loops of the running test. Only on the test's own thread. */
    public static List<RecordedLoopFailure> failuresSoFar() {
        return runningTest().snapshot();
    }

    private static TestScope runningTest() {
        TestScope scope = RECORDER.current();
        if (scope == null || scope.isClass) {
            throw new IllegalStateException("no test is running on this thread");
        }
        return scope;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        enter(context, "class " + context.getRequiredTestClass().getSimpleName(), true);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        String name = context.getRequiredTestClass().getSimpleName() + "." + method.getName() + "()";
        if (!context.getDisplayName().startsWith(method.getName() + "(")) {
            name += " " + context.getDisplayName(); // a parameterized or repeated invocation
        }
        enter(context, name, false);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        TestScope scope = context.getStore(NAMESPACE).get(SCOPE, TestScope.class);
        List<Class<? extends Throwable>> expected = expected(context);
        List<RecordedLoopFailure> unexpected = unexpected(scope.snapshot(), expected);
        if (unexpected.isEmpty()) {
            throw thrown;
        }
        Set<Throwable> reported = Collections.newSetFromMap(new IdentityHashMap<>());
        unexpected.forEach(f -> reported.add(f.failure()));
        context.getStore(NAMESPACE).put(REPORTED, reported);
        if (thrown instanceof LoopFailuresError) {
            throw thrown; // the test asked (assertNoFailureYet): it already says what failed on the loops
        }
        AssertionError error = error(unexpected, 0, expected, List.of(), 0, true);
        error.addSuppressed(thrown);
        throw error;
    }

    private static List<Class<? extends Throwable>> expected(ExtensionContext context) {
        ExpectLoopFailures declared = context.getRequiredTestMethod().getAnnotation(ExpectLoopFailures.class);
        return declared == null ? List.of() : List.of(declared.value());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterEach(ExtensionContext context) throws InterruptedException {
        TestScope scope = context.getStore(NAMESPACE).get(SCOPE, TestScope.class);
        ExpectLoopFailures declared = context.getRequiredTestMethod().getAnnotation(ExpectLoopFailures.class);
        List<Class<? extends Throwable>> expected = expected(context);
        long waitNanos = declared == null ? 0 : TimeUnit.MILLISECONDS.toNanos(declared.waitMillis());
        List<RecordedLoopFailure> failures;
        try {
            long deadline = System.nanoTime() + waitNanos;
            for (Class<? extends Throwable> type : expected) {
                scope.awaitMatch(f -> f.late() == null && type.isInstance(f.failure()), deadline - System.nanoTime());
            }
            failures = new ArrayList<>(scope.end());
        } finally {
            RECORDER.leave(scope);
        }
        failures.addAll(RECORDER.takeUnclaimed());
        Set<Throwable> reported = context.getStore(NAMESPACE).get(REPORTED, Set.class);
        if (reported != null) {
            failures.removeIf(f -> reported.contains(f.failure()));
        }
        check(failures, scope.dropped(), expected, waitNanos);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestScope scope = context.getStore(NAMESPACE).get(SCOPE, TestScope.class);
        List<RecordedLoopFailure> failures;
        try {
            failures = new ArrayList<>(scope.end());
        } finally {
            RECORDER.leave(scope);
        }
        failures.addAll(RECORDER.takeUnclaimed());
        check(failures, scope.dropped(), List.of(), 0);
    }

    private static void enter(ExtensionContext context, String name, boolean isClass) {
        LoopFailures.setHandler(RECORDER);
        TestScope scope = new TestScope(name, RECORDER.current(), isClass);
        context.getStore(NAMESPACE).put(SCOPE, scope);
        RECORDER.enter(scope);
    }

    /** Throws when a failure was not expected, or an expected one did not come. */
    private static void check(List<RecordedLoopFailure> failures, int dropped, List<Class<? extends Throwable>> expected,
                              long waitedNanos) {
        List<RecordedLoopFailure> unexpected = unexpected(failures, expected);
        List<Class<? extends Throwable>> missing = expected.stream()
                .filter(t -> failures.stream().noneMatch(f -> f.late() == null && t.isInstance(f.failure())))
                .toList();
        if (!unexpected.isEmpty() || !missing.isEmpty()) {
            AssertionError error = error(unexpected, dropped, expected, missing, waitedNanos, false);
            failures.stream().filter(f -> !unexpected.contains(f)).forEach(f -> error.addSuppressed(f.failure()));
            throw error;
        }
    }

    /** Failures that a late arrival or a type not declared makes unexpected. */
    private static List<RecordedLoopFailure> unexpected(List<RecordedLoopFailure> failures, List<Class<? extends Throwable>> expected) {
        return failures.stream()
                .filter(f -> f.late() != null || expected.stream().noneMatch(t -> t.isInstance(f.failure())))
                .toList();
    }

    /** The test's error: the first unexpected failure as its cause, the other ones suppressed. */
    private static AssertionError error(List<RecordedLoopFailure> unexpected, int dropped, List<Class<? extends Throwable>> expected,
                                        List<Class<? extends Throwable>> missing, long waitedNanos, boolean testFailedToo) {
        StringBuilder message = new StringBuilder();
        if (!unexpected.isEmpty()) {
            message.append(unexpected.size()).append(" failure(s) caught on event-loop threads")
                    .append(expected.isEmpty() ? "" : " that @ExpectLoopFailures does not declare")
                    .append(dropped > 0 ? " (and " + dropped + " more not kept)" : "")
                    .append(unexpected.size() > 1 ? "; the first is the cause, the others are suppressed" : "")
                    .append(testFailedToo ? "; the test's own failure, suppressed below, may follow from them" : "")
                    .append(':');
            for (RecordedLoopFailure f : unexpected) {
                message.append("\n  ").append(f.describe());
            }
        }
        if (!missing.isEmpty()) {
            message.append(message.isEmpty() ? "" : "\n").append("@ExpectLoopFailures(").append(names(expected))
                    .append(") but no ").append(names(missing)).append(" was caught on a loop within ")
                    .append(TimeUnit.NANOSECONDS.toMillis(waitedNanos)).append(" ms of the test's end");
        }
        AssertionError error = new LoopFailuresError(message.toString(), unexpected.isEmpty() ? null : unexpected.getFirst().failure());
        for (int i = 1; i < unexpected.size(); i++) {
            error.addSuppressed(unexpected.get(i).failure());
        }
        return error;
    }

    /** A test's error made of its loops' failures. */
    private static final class LoopFailuresError extends AssertionError {
        LoopFailuresError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static String names(List<Class<? extends Throwable>> types) {
        return types.stream().map(Class::getSimpleName).collect(Collectors.joining(", "));
    }
}
