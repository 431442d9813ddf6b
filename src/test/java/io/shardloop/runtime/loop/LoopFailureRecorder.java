package io.shardloop.runtime.loop;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@link LoopFailureHandler} of the test run: it halts nothing, it records each failure for the
 * test it belongs to (a fatal one stops its loop, as {@link EventLoop} does after every Error).
 * <p>
 * <b>Which test a failure belongs to.</b> A thread inherits, when it is created, the scope (test or
 * test class) its creator was running in, so a loop's thread knows which test started it:
 * <ul>
 *   <li>a loop started by a test reports to that test;</li>
 *   <li>a loop started by a test class ({@code @BeforeAll}) reports to the test of that class running
 *       now, or to the class between its tests;</li>
 *   <li>a loop whose thread began outside any test reports to the test running now;</li>
 *   <li>a loop whose test has ended (left running) reports as <em>late</em>: it is printed at once,
 *       and given to the test running now, or, when none runs, to the next test or class that ends,
 *       marked with the name of the test that left it; it is never expected, so it fails that test
 *       with a message that says whose it was.</li>
 * </ul>
 */
final class LoopFailureRecorder implements LoopFailureHandler {
    static final LoopFailureRecorder INSTANCE = new LoopFailureRecorder();

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final int MAX_UNCLAIMED = 50;

    /** The scope a thread was created in. */
    private final InheritableThreadLocal<TestScope> origin = new InheritableThreadLocal<>();
    /** The innermost scope running now; written by the test thread only. */
    private volatile TestScope current;
    /** Late failures that came while no scope ran; guarded by itself. */
    private final List<RecordedLoopFailure> unclaimed = new ArrayList<>();

    private LoopFailureRecorder() {
    }

    /** The innermost scope running now, or null. */
    TestScope current() {
        return current;
    }

    /** On the test thread: the scope starts; threads created from now on belong to it. */
    void enter(TestScope scope) {
        current = scope;
        origin.set(scope);
    }

    /** On the test thread: the scope is over; its parent runs again. */
    void leave(TestScope scope) {
        current = scope.parent;
        origin.set(scope.parent);
    }

    /** Late failures that no scope took, taken by the scope ending now. */
    List<RecordedLoopFailure> takeUnclaimed() {
        synchronized (unclaimed) {
            List<RecordedLoopFailure> taken = List.copyOf(unclaimed);
            unclaimed.clear();
            return taken;
        }
    }

    @Override
    public void onFailure(String loopName, String activity, Throwable failure) {
        TestScope from = origin.get();
        TestScope now = current;
        String thread = Thread.currentThread().getName();
        String outcome = LoopFailures.isFatal(failure) ? "the loop stops" : "the loop goes on";
        TestScope owner = owner(from, now);
        if (owner != null && owner.add(new RecordedLoopFailure(loopName, activity, failure, thread, null))) {
            LOG.log(System.Logger.Level.ERROR, loopName + ": " + activity + " threw; " + outcome
                    + " (recorded for " + owner + ")", failure);
            return;
        }
        String whose = from != null ? "from a loop left running by " + from.name + ", which had ended"
                : "from a loop whose thread began outside any test, while no test ran";
        RecordedLoopFailure late = new RecordedLoopFailure(loopName, activity, failure, thread, whose);
        TestScope target = now;
        while (target != null && !target.add(late)) {
            target = target.parent; // it ended just now
        }
        if (target == null) {
            synchronized (unclaimed) {
                if (unclaimed.size() < MAX_UNCLAIMED) {
                    unclaimed.add(late);
                }
            }
        }
        String to = target == null ? "no test is running; the next one to end reports it" : "reported with " + target;
        System.err.println("LATE LOOP FAILURE: " + late.describe() + " (" + to + ")");
        LOG.log(System.Logger.Level.ERROR, loopName + ": " + activity + " threw " + whose + "; " + outcome, failure);
    }

    private static TestScope owner(TestScope from, TestScope now) {
        if (from == null) {
            return now;
        }
        if (from.isClass && now != null && now.within(from)) {
            return now;
        }
        return from;
    }
}
