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
 * <p>
 * <b>Failures.</b> Whatever an I/O handler, task, timer, work source or end-of-turn action throws,
 * and whatever the poll or the loop's own code throws, is caught on the loop thread and handed to
 * the process-wide {@link LoopFailureHandler} ({@link LoopFailures#handler()}) with the loop's name
 * and what was running. An exception is reported (logged with its stack) and the loop goes on with
 * its next piece of work. An {@link Error} ({@code OutOfMemoryError}, {@code StackOverflowError},
 * {@code AssertionError}, ...) is fatal: by default ({@link HaltOnError}) the process halts with one
 * line on stderr and exit status {@value HaltOnError#EXIT_STATUS}. A loop never goes on after an
 * Error: if the handler returns (a test's records it), the loop runs nothing more (not the rest
 * of the turn, not the tasks left at exit) and {@link #run()} returns.
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

    /** The thread running this loop, or null before it runs. Any thread. */
    public Thread thread() {
        return thread;
    }
    private volatile boolean running = true;
    /** The fatal failure that stopped the loop, or null; loop thread only. */
    private Throwable fatalFailure;
    private int emptyTurns;
    private long turnStart;

    public EventLoop(String name, Poller poller, int idleSpins) {
        // The failure path's classes are loaded before the loop runs: a loop that fails because the
        // process is out of descriptors could not read them from the jar then.
        LoopFailures.handler();
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

    /**
     * True on the loop's own thread, or on any thread while no thread has claimed the loop yet (before
     * {@link #run()} or {@link #claimThread()}): such a loop is driven by hand, by one thread, as
     * tests and benchmarks do, or is being wired before start.
     */
    public boolean inLoopOrUnclaimed() {
        Thread owner = thread;
        return owner == null || owner == Thread.currentThread();
    }

    /**
     * Makes the calling thread this loop's thread ahead of {@link #run()}: a shard's thread that sets
     * up its protocols before its first turn is already "in the loop" (their loop-only assertions
     * hold). Only the thread that will run the loop may call it.
     */
    public void claimThread() {
        Thread current = Thread.currentThread();
        if (thread != null && thread != current) {
            throw new IllegalStateException(name + " already belongs to " + thread.getName());
        }
        thread = current;
    }

    /**
     * Runs turns on the calling thread until {@link #stop()} or a fatal failure; the thread becomes
     * the loop's thread. After a stop the tasks already posted still run; after a fatal failure nothing does.
     */
    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (running) {
                turn();
            }
        } finally {
            if (fatalFailure == null) {
                drainTasksAtExit();
            } else {
                stats.turnStartNanos(0); // the turn cut short is over: not a stall
            }
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

    /**
     * Runs one turn; public so tests can drive a loop on their own thread. It does not throw: what the
     * turn's work throws goes to the {@link LoopFailureHandler}, and after a fatal failure the turn
     * ends there and the loop is stopped; later calls do nothing.
     */
    public void turn() {
        assert inLoopOrUnclaimed();
        if (fatalFailure != null) {
            return;
        }
        try {
            runTurn();
        } catch (Throwable e) {
            escaped(e);
        }
    }

    private void runTurn() {
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
            failed("the poll", e);
        } catch (Throwable e) {
            // The poller marks the turn's start before the first handler: before that, the poll itself threw.
            if (failed(turnStart == 0 ? "the poll" : "an I/O handler", e)) {
                throw e;
            }
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
        try {
            Runnable task;
            while ((task = remoteTasks.poll()) != null || (task = localTasks.poll()) != null) {
                runSafely(task);
            }
            runTurnEnds();
        } catch (Throwable e) {
            escaped(e);
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            if (failed("a task", e)) {
                throw e;
            }
        }
    }

    private int runSafely(WorkSource source) {
        try {
            return source.doWork();
        } catch (Throwable e) {
            if (failed("a work source", e)) {
                throw e;
            }
            return 1;
        }
    }

    // ---- failures --------------------------------------------------------------------------------

    /**
     * Hands a failure caught on this loop to the failure handler. Returns true when it is fatal: the
     * loop is then stopped and the caller rethrows it, which ends the turn ({@link #escaped}).
     */
    private boolean failed(String activity, Throwable failure) {
        boolean fatal = LoopFailures.isFatal(failure);
        try {
            LoopFailures.handler().onFailure(name, activity, failure);
        } catch (Throwable handlerFailure) {
            fatal = true; // nothing is left to report the next failure to
            System.err.println("shardloop: the loop failure handler threw " + handlerFailure + " on " + name
                    + " while taking " + failure + ": the loop stops");
        }
        if (fatal) {
            running = false;
            fatalFailure = failure;
        }
        return fatal;
    }

    /**
     * Hands an exception the caller caught on this loop and dealt with itself (a connection closed, a
     * message dropped) to the failure handler, so it is reported like one the loop caught; the loop
     * goes on. Loop thread only.
     */
    public void reportFailure(String activity, Exception failure) {
        assert inLoopOrUnclaimed();
        failed(activity, failure);
    }

    /** What came out of a turn (or the drain at exit): a fatal failure already handed over, or the loop's own. */
    private void escaped(Throwable e) {
        if (e != fatalFailure) {
            failed("the loop itself", e);
        }
    }

    // ---- work sources and end-of-turn actions ----------------------------------------------------

    /** Adds a source of work polled every turn (a cross-shard inbox). Loop thread only, or before start. */
    public void addWorkSource(WorkSource source) {
        assert inLoopOrUnclaimed();
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
            } catch (Throwable e) {
                if (failed("an end-of-turn action", e)) {
                    throw e;
                }
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
        assert inLoopOrUnclaimed();
        long id = wheel.scheduleTimer(deadlineNanos);
        timers.put(id, task);
        if (deadlineNanos < earliestDeadline) {
            earliestDeadline = deadlineNanos;
        }
        return id;
    }

    /** Cancels a scheduled timer; false if it already fired or was cancelled. Loop thread only. */
    public boolean cancelTimer(long timerId) {
        assert inLoopOrUnclaimed();
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
            } catch (Throwable e) {
                if (failed("a timer", e)) {
                    throw e;
                }
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
