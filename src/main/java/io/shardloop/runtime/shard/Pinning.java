package io.shardloop.runtime.shard;

import net.openhft.affinity.Affinity;
import net.openhft.affinity.AffinityLock;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which CPU each shard runs on. The CPUs come from the process's own affinity mask (so taskset and
 * container limits are honoured) and are passed to OpenHFT affinity explicitly, CPU 0 included.
 * A pin is checked after it is taken; when it cannot be, the shard runs unpinned and says so once.
 */
public final class Pinning {
    private static final System.Logger LOG = System.getLogger(Pinning.class.getName());

    /** Shard runs on whatever CPU the scheduler picks. */
    public static final int UNPINNED = -1;

    private Pinning() {
    }

    /** The CPUs this process may run on, in ascending order. */
    public static List<Integer> usableCpus() {
        BitSet mask = null;
        try {
            mask = Affinity.getAffinity();
        } catch (Throwable e) { // a missing native library must not stop the server
            LOG.log(System.Logger.Level.DEBUG, "cannot read the affinity mask", e);
        }
        List<Integer> cpus = new ArrayList<>();
        if (mask != null && !mask.isEmpty()) {
            mask.stream().forEach(cpus::add);
        } else {
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                cpus.add(i);
            }
        }
        return cpus;
    }

    /**
     * The CPU for each shard, or {@link #UNPINNED} for all when pinning is off or there are fewer
     * CPUs than shards.
     */
    public static int[] plan(int shards, boolean pin, List<Integer> requested) {
        int[] plan = new int[shards];
        java.util.Arrays.fill(plan, UNPINNED);
        if (!pin) {
            LOG.log(System.Logger.Level.INFO, "pinning is off: " + shards + " shard(s) run unpinned");
            return plan;
        }
        List<Integer> cpus = requested.isEmpty() ? usableCpus() : requested;
        if (cpus.size() < shards) {
            LOG.log(System.Logger.Level.WARNING, shards + " shards but only " + cpus.size() + " usable CPU(s) "
                    + cpus + ": all shards run unpinned");
            return plan;
        }
        for (int i = 0; i < shards; i++) {
            plan[i] = cpus.get(i);
        }
        return plan;
    }

    /**
     * Pins the calling thread to the CPU and checks that it took.
     *
     * @return the lock to release when the thread ends, or null when the thread stays unpinned.
     */
    public static AffinityLock pinCurrentThread(int cpu, String who) {
        if (cpu == UNPINNED) {
            return null;
        }
        AffinityLock lock;
        try {
            // The int[] overload: the int overload never grants CPU 0, which a 2-CPU machine needs.
            lock = AffinityLock.acquireLock(new int[] {cpu});
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, who + ": cannot pin to CPU " + cpu + " (" + e + "), running unpinned");
            return null;
        }
        BitSet now = currentMask();
        boolean taken = lock.isBound() && lock.cpuId() == cpu && now != null && now.cardinality() == 1 && now.get(cpu);
        if (!taken) {
            LOG.log(System.Logger.Level.WARNING, who + ": CPU " + cpu + " could not be locked (held by another "
                    + "thread or process, or affinity unsupported here), running unpinned");
            lock.release();
            return null;
        }
        return lock;
    }

    private static BitSet currentMask() {
        try {
            return Affinity.getAffinity();
        } catch (Throwable e) {
            return null;
        }
    }
}
