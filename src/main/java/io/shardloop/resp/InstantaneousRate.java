package io.shardloop.resp;

/**
 * Redis's instantaneous metrics ({@code trackInstantaneousMetric} in server.c): a running total
 * is sampled by the server's timer every {@link #PERIOD_MILLIS}; each sample's rate per second
 * goes into a ring of {@link #SAMPLES}, and the rate reported is the ring's mean: the last 1.6 s.
 * <p>
 * Thread-safe: the timer's thread samples and INFO reads from any thread, both under the meter's
 * monitor (ten times a second, and once per INFO).
 */
public final class InstantaneousRate {
    /** Redis's STATS_METRIC_SAMPLES. */
    static final int SAMPLES = 16;
    /** How often the server's timer samples: Redis's serverCron period at its default hz of 10. */
    public static final long PERIOD_MILLIS = 100;

    private final long[] perSecond = new long[SAMPLES];
    private int next;
    private long lastMillis = -1;
    private long lastTotal;

    /** Records the total at this time; the first sample only sets the start. */
    public synchronized void sample(long nowMillis, long total) {
        if (lastMillis >= 0) {
            long elapsed = nowMillis - lastMillis;
            perSecond[next] = elapsed > 0 ? (total - lastTotal) * 1000 / elapsed : 0;
            next = (next + 1) % SAMPLES;
        }
        lastMillis = nowMillis;
        lastTotal = total;
    }

    /** The mean of the ring, per second (samples not yet taken count as 0, as in Redis). */
    public synchronized long perSecond() {
        long sum = 0;
        for (long s : perSecond) {
            sum += s;
        }
        return sum / SAMPLES;
    }
}
