package io.shardloop.runtime.loop;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread, one turn at a time: the event loop of one shard.
 * <p>
 * <b>Ownership.</b> Everything registered with a loop (channels, timers, local tasks, work sources)
 * is touched by the loop's thread alone. Methods marked "loop thread only" assert {@link #inLoop()}.
 * The only ways in from another thread are {@link #execute(Runnable)} and the work sources'
 * own queues, followed by {@link #wakeup()}.
 * <p>
 * <b>The turn</b> (the scheduling policy, explicit):
 * <ol>
 *   <li>poll I/O: at once if work is pending, otherwise sleep until the nearest timer or a wake-up;</li>
 *   <li>run the handlers of ready channels (each bounded by its own per-turn budget);</li>
 *   <li>run the work sources (the cross-shard inbox), each bounded per turn;</li>
 *   <li>fire due timers;</li>
 *   <li>run tasks posted from other threads, then local tasks (continuations);</li>
 *   <li>run end-of-turn actions (one flush per connection per turn);</li>
 *   <li>record the turn's busy time.</li>
 * </ol>
 *
 * <b>Wake-ups</b> ({@link #nextWakeupNanos}, written by the loop, swapped by producers):
 * <pre>
 *   AWAKE (-1)          running a turn: a producer need not wake it, the loop re-checks before sleeping
 *   NO_DEADLINE (MAX)   asleep, or about to be, with no timer
 *   any other value     asleep, or about to be, until that deadline
 *
 *   producer: enqueue; if (nextWakeupNanos.getAndSet(AWAKE) != AWAKE) poller.wakeup();
 *   loop:     nextWakeupNanos.set(deadline); if (hasPendingWork()) poll now, else sleep;
 *             nextWakeupNanos.set(AWAKE)
 * </pre>
 * The loop publishes its deadline (a full fence) before it re-checks the queues, and a producer
 * publishes its item before it swaps the state, so either the loop sees the item or the producer
 * sees that the loop may sleep and wakes it. A wake-up that lands before the poll makes the poll
 * return at once.
 */
public final class EventLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    private static final long AWAKE = -1L;
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Timer wheel tick: 2^20 ns, about one millisecond, the resolution of the poll timeout. */
    private static final long TICK_NANOS = 1L << 20;
    private static final int TICKS_PER_WHEEL = 1024;

    private final String name;
    private final Poller poller;
    private final int idleSpins;
    private final AtomicLong nextWakeupNanos = new AtomicLong(AWAKE);
    private final ManyToOneConcurrentLinkedQueue<Runnable> remoteTasks = new ManyToOneConcurrentLinkedQueue<>();
    private final ArrayDeque<Runnable> localTasks = new ArrayDeque<>();
    private final List<WorkSource> workSources = new ArrayList<>();
    private final ArrayDeque<TurnEnd> turnEnds = new ArrayDeque<>();

    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<TimerTask> timers = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onTimerExpiry;
    private final DeadlineTimerWheel.TimerConsumer minDeadline = this::minDeadline;
    /** The earliest timer deadline, exact unless {@link #earliestDirty}. */
    private long earliestDeadline = NO_DEADLINE;
    private boolean earliestDirty;

    private final Runnable markTurnStart = this::markTurnStart;
    private final LoopStats stats = new LoopStats();

    private volatile Thread thread;
    private volatile boolean running = true;
    private int emptyTurns;
    private long turnStart;

    public EventLoop(String name, Poller poller, int idleSpins) {
        this.name = name;
        this.poller = poller;
        this.idleSpins = idleSpins;
        this.wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, System.nanoTime(), TICK_NANOS, TICKS_PER_WHEEL);
    }

    public String name() {
        return name;
    }

    public Poller poller() {
        return poller;
    }

    public LoopStats stats() {
        return stats;
    }

    /** True on the loop's own thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs turns on the calling thread until {@link #stop()}; the thread becomes the loop's thread. */
    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (running) {
                turn();
            }
        } finally {
            drainTasksAtExit();
            try {
                poller.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, name + ": closing the poller failed", e);
            }
        }
    }

    /** Asks the loop to finish its current turn and return from {@link #run()}. Any thread. */
    public void stop() {
        running = false;
        wakeup();
    }

    /** Runs one turn; public so tests can drive a loop on their own thread. */
    public void turn() {
        long timeout = pollTimeoutNanos();
        if (timeout != 0) {
            nextWakeupNanos.set(timeout == Long.MAX_VALUE ? NO_DEADLINE : System.nanoTime() + timeout);
            if (hasPendingWork()) {
                timeout = 0;
            }
        }
        turnStart = 0;
        try {
            poller.poll(timeout, markTurnStart);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, name + ": poll failed", e);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, name + ": an I/O handler threw; the loop goes on", e);
        }
        // Release store is enough: a producer that still sees the deadline only wakes us needlessly.
        nextWakeupNanos.lazySet(AWAKE);
        markTurnStart();

        int work = 0;
        for (int i = 0, n = workSources.size(); i < n; i++) {
            work += runSafely(workSources.get(i));
        }
        long now = System.nanoTime();
        work += fireDueTimers(now);
        work += runTasks();
        runTurnEnds();

        long end = System.nanoTime();
        stats.onTurn(end - turnStart);
        stats.turnStartNanos(0);
        emptyTurns = work == 0 ? emptyTurns + 1 : 0;
    }

    private void markTurnStart() {
        if (turnStart == 0) {
            turnStart = System.nanoTime();
            stats.turnStartNanos(turnStart);
        }
    }

    private long pollTimeoutNanos() {
        if (!running || !localTasks.isEmpty() || !turnEnds.isEmpty() || emptyTurns < idleSpins) {
            return 0;
        }
        if (wheel.timerCount() == 0) {
            return Long.MAX_VALUE;
        }
        if (earliestDirty) {
            recomputeEarliestDeadline();
        }
        return Math.max(0, earliestDeadline - System.nanoTime());
    }

    private boolean hasPendingWork() {
        if (!remoteTasks.isEmpty()) {
            return true;
        }
        for (int i = 0, n = workSources.size(); i < n; i++) {
            if (workSources.get(i).hasPendingWork()) {
                return true;
            }
        }
        return false;
    }

    // ---- tasks ---------------------------------------------------------------------------------

    /**
     * Runs the task on the loop thread: in this turn's task phase when called from the loop, or
     * as soon as the loop wakes when called from another thread. Any thread.
     */
    public void execute(Runnable task) {
        if (inLoop()) {
            localTasks.add(task);
        } else {
            remoteTasks.offer(task);
            wakeup();
        }
    }

    /** Wakes the loop if it sleeps or is about to. Any thread; cheap when the loop is awake. */
    public void wakeup() {
        // The item the caller published is visible before this swap (getAndSet is a full fence).
        if (nextWakeupNanos.getAndSet(AWAKE) != AWAKE) {
            poller.wakeup();
        }
    }

    private int runTasks() {
        int ran = 0;
        Runnable task;
        while ((task = remoteTasks.poll()) != null) {
            runSafely(task);
            ran++;
        }
        // Only the tasks present now: a task that posts another yields to I/O first.
        for (int n = localTasks.size(); n > 0 && (task = localTasks.poll()) != null; n--) {
            runSafely(task);
            ran++;
        }
        return ran;
    }

    private void drainTasksAtExit() {
        Runnable task;
        while ((task = remoteTasks.poll()) != null || (task = localTasks.poll()) != null) {
            runSafely(task);
        }
        runTurnEnds();
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, name + ": a task threw; the loop goes on", e);
        }
    }

    private int runSafely(WorkSource source) {
        try {
            return source.doWork();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, name + ": a work source threw; the loop goes on", e);
            return 1;
        }
    }

    // ---- work sources and end-of-turn actions ----------------------------------------------------

    /** Adds a source of work polled every turn (a cross-shard inbox). Loop thread only, or before start. */
    public void addWorkSource(WorkSource source) {
        assert thread == null || inLoop();
        workSources.add(source);
    }

    /** Runs the action once at the end of this turn (a connection's flush). Loop thread only. */
    public void atTurnEnd(TurnEnd action) {
        assert inLoop();
        turnEnds.add(action);
    }

    private void runTurnEnds() {
        TurnEnd action;
        while ((action = turnEnds.poll()) != null) {
            try {
                action.onTurnEnd();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, name + ": an end-of-turn action threw; the loop goes on", e);
            }
        }
    }

    // ---- timers --------------------------------------------------------------------------------

    /**
     * Schedules the task to run on this loop at or after the deadline ({@link System#nanoTime()}
     * clock), with about a millisecond of resolution. Loop thread only.
     *
     * @return an id for {@link #cancelTimer(long)}.
     */
    public long scheduleTimer(long deadlineNanos, TimerTask task) {
        assert inLoop() || thread == null;
        long id = wheel.scheduleTimer(deadlineNanos);
        timers.put(id, task);
        if (deadlineNanos < earliestDeadline) {
            earliestDeadline = deadlineNanos;
        }
        return id;
    }

    /** Cancels a scheduled timer; false if it already fired or was cancelled. Loop thread only. */
    public boolean cancelTimer(long timerId) {
        assert inLoop() || thread == null;
        long deadline = wheel.deadline(timerId);
        if (!wheel.cancelTimer(timerId)) {
            return false;
        }
        timers.remove(timerId);
        if (deadline <= earliestDeadline) {
            earliestDirty = true;
        }
        return true;
    }

    /** Timers scheduled and not yet fired. */
    public long timerCount() {
        return wheel.timerCount();
    }

    private int fireDueTimers(long now) {
        if (wheel.timerCount() == 0) {
            wheel.currentTickTime(now);
            earliestDeadline = NO_DEADLINE;
            earliestDirty = false;
            return 0;
        }
        if (earliestDirty) {
            recomputeEarliestDeadline();
        }
        if (now < earliestDeadline) {
            return 0;
        }
        if (wheel.currentTickTime() < earliestDeadline) {
            wheel.currentTickTime(earliestDeadline); // no timer is due in the ticks skipped
        }
        int fired = 0;
        while (true) {
            long tickBefore = wheel.currentTickTime();
            fired += wheel.poll(now, onExpiry, Integer.MAX_VALUE);
            if (wheel.currentTickTime() == tickBefore) {
                break; // the spoke that holds 'now' has been scanned
            }
        }
        return fired;
    }

    private boolean onTimerExpiry(TimeUnit unit, long now, long timerId) {
        TimerTask task = timers.remove(timerId);
        earliestDirty = true;
        if (task != null) {
            try {
                task.onTimer(now);
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, name + ": a timer task threw; the loop goes on", e);
            }
        }
        return true;
    }

    private void recomputeEarliestDeadline() {
        earliestDeadline = NO_DEADLINE;
        wheel.forEach(minDeadline);
        earliestDirty = false;
    }

    /** A {@link DeadlineTimerWheel.TimerConsumer}: the wheel passes the deadline first, then the id. */
    private void minDeadline(long deadline, long timerId) {
        if (deadline < earliestDeadline) {
            earliestDeadline = deadline;
        }
    }

    /** Work polled once per turn, such as a cross-shard inbox. Loop thread only. */
    public interface WorkSource {
        /** Does a bounded amount of work; returns how much (0 when there was none). */
        int doWork();

        /** Whether work is waiting; called before the loop sleeps, may be called from the loop only. */
        boolean hasPendingWork();
    }

    /** A timer's action, run on the loop thread. */
    @FunctionalInterface
    public interface TimerTask {
        void onTimer(long nowNanos);
    }

    /** An action run once at the end of the turn in which it was queued. */
    @FunctionalInterface
    public interface TurnEnd {
        void onTurnEnd();
    }
}
