package io.shardloop.runtime.loop;

/**
 * Takes every {@link Throwable} an {@link EventLoop} catches on its thread: from an I/O handler, a
 * task, a timer, a work source, an end-of-turn action, the poll, or the loop's own code. The
 * process-wide handler is {@link LoopFailures#handler()}; {@link HaltOnError} unless replaced.
 * <p>
 * The loop enforces one rule whatever the handler does: after a fatal failure
 * ({@link LoopFailures#isFatal}, an {@link Error}) it runs nothing more, not even the rest of the
 * turn. A handler that lets the process live on (a test's) sees the loop stop; after any other
 * failure the loop goes on with its next piece of work. A handler that throws stops the loop too.
 * <p>
 * Threading: called on the loop's thread (or the thread that drives an unclaimed loop by hand),
 * while the loop waits; keep it short and do not call back into the loop.
 */
@FunctionalInterface
public interface LoopFailureHandler {
    /**
     * @param loopName the loop's {@link EventLoop#name()}
     * @param activity what was running, in words: "a task", "a timer", "an I/O handler",
     *                 "a work source", "an end-of-turn action", "the poll", "the loop itself"
     * @param failure  what it threw
     */
    void onFailure(String loopName, String activity, Throwable failure);
}
