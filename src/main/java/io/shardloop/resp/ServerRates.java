package io.shardloop.resp;

import io.shardloop.metrics.ProcessMemory;

/**
 * The instantaneous rates INFO reports (commands, bytes in, bytes out per second), and the timer
 * step that samples them and the memory peak. The server's timer calls {@link #sample} every
 * {@link InstantaneousRate#PERIOD_MILLIS}: shard 0's loop in the event-loop model, the server's
 * own thread in the thread-per-connection models.
 * <p>
 * Thread-safe (see {@link InstantaneousRate}).
 */
public final class ServerRates {
    private final InstantaneousRate commands = new InstantaneousRate();
    private final InstantaneousRate input = new InstantaneousRate();
    private final InstantaneousRate output = new InstantaneousRate();

    public void sample(long nowMillis, ServerView view) {
        commands.sample(nowMillis, view.commandsProcessed());
        input.sample(nowMillis, view.netInputBytes());
        output.sample(nowMillis, view.netOutputBytes());
        ProcessMemory.updatePeak();
    }

    public long commandsPerSecond() {
        return commands.perSecond();
    }

    public long inputBytesPerSecond() {
        return input.perSecond();
    }

    public long outputBytesPerSecond() {
        return output.perSecond();
    }
}
