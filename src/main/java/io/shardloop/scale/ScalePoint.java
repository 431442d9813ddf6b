package io.shardloop.scale;

import java.util.List;

/**
 * What was measured for one target at one N.
 *
 * @param target        the server
 * @param n             server CPUs (and shards or workers)
 * @param serverCpus    the CPUs the server was pinned to
 * @param loadCpus      the CPUs the load generator ran on
 * @param sharedCpus    whether the two overlapped
 * @param peakRps       closed-loop responses per second
 * @param peakErrors    errors during the closed-loop run
 * @param cpuUsPerReq   server CPU time per response during the closed-loop run, in microseconds
 * @param rates         the open-loop runs
 * @param command       the server's command line
 * @param failure       why the point has no numbers, or null
 */
public record ScalePoint(Target target, int n, List<Integer> serverCpus, List<Integer> loadCpus, boolean sharedCpus,
                         double peakRps, long peakErrors, double cpuUsPerReq, List<RatePoint> rates,
                         List<String> command, String failure) {
    /**
     * One open-loop run.
     *
     * @param fraction    of the peak
     * @param targetRps   requests per second asked for
     * @param achievedRps responses per second received
     * @param errors      errors and timeouts
     */
    public record RatePoint(double fraction, double targetRps, double achievedRps, long p50Us, long p99Us,
                            long p999Us, long maxUs, long errors) {
    }

    public boolean failed() {
        return failure != null;
    }

    /** The open-loop run at the fraction closest to the given one, or null. */
    public RatePoint rateNearest(double fraction) {
        RatePoint best = null;
        for (RatePoint r : rates) {
            if (best == null || Math.abs(r.fraction() - fraction) < Math.abs(best.fraction() - fraction)) {
                best = r;
            }
        }
        return best;
    }
}
