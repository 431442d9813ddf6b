package io.shardloop.runtime.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A test, or a test class, while it runs: the loop failures recorded for it. Loop threads add to it,
 * the test thread ends it; once ended it takes nothing more (the failure goes elsewhere, as late).
 */
final class TestScope {
    /** Kept per scope: a handler that throws every turn must not fill the heap of the test run. */
    private static final int MAX_KEPT = 50;

    final String name;
    final TestScope parent;
    final boolean isClass;
    private final List<RecordedLoopFailure> failures = new ArrayList<>();
    private int dropped;
    private boolean ended;

    TestScope(String name, TestScope parent, boolean isClass) {
        this.name = name;
        this.parent = parent;
        this.isClass = isClass;
    }

    /** Records the failure; false when the scope has ended. Any thread. */
    synchronized boolean add(RecordedLoopFailure failure) {
        if (ended) {
            return false;
        }
        if (failures.size() < MAX_KEPT) {
            failures.add(failure);
        } else {
            dropped++;
        }
        notifyAll();
        return true;
    }

    /** Waits until a recorded failure matches, or the deadline passes; true if one did. */
    boolean awaitMatch(Predicate<RecordedLoopFailure> match, long timeoutNanos) throws InterruptedException {
        return awaitUntil(recorded -> recorded.stream().anyMatch(match), timeoutNanos);
    }

    /** Waits until the failures recorded so far meet the condition, or the deadline passes; true if they did. */
    synchronized boolean awaitUntil(Predicate<List<RecordedLoopFailure>> condition, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            if (condition.test(failures)) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** The failures so far. */
    synchronized List<RecordedLoopFailure> snapshot() {
        return List.copyOf(failures);
    }

    /** Ends the scope and returns what it recorded. */
    synchronized List<RecordedLoopFailure> end() {
        ended = true;
        return List.copyOf(failures);
    }

    /** Failures recorded past {@link #MAX_KEPT}, counted only. */
    synchronized int dropped() {
        return dropped;
    }

    synchronized boolean ended() {
        return ended;
    }

    /** True if this scope is {@code ancestor} or runs inside it. */
    boolean within(TestScope ancestor) {
        for (TestScope s = this; s != null; s = s.parent) {
            if (s == ancestor) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return name;
    }
}
