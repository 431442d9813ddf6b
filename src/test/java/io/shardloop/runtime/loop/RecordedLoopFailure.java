package io.shardloop.runtime.loop;

/**
 * One failure caught on an event-loop thread during a test.
 *
 * @param loopName the loop's name
 * @param activity what the loop was running
 * @param failure  what it threw
 * @param thread   the thread that caught it
 * @param late     null when the failure belongs to the test it was recorded for; otherwise whose
 *                 loop it came from, in words ("from a loop left running by X, which had ended")
 */
public record RecordedLoopFailure(String loopName, String activity, Throwable failure, String thread, String late) {
    /** One line: where, what, and whose leftover loop it came from. */
    public String describe() {
        return loopName + ", in " + activity + (thread.equals(loopName) ? "" : " (thread " + thread + ")")
                + (late == null ? "" : ", " + late)
                + ": " + failure;
    }
}
