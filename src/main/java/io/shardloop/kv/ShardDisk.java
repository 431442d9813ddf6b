package io.shardloop.kv;

import io.shardloop.persist.AppendLog;
import io.shardloop.persist.LogFile;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.persist.ShardFiles;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.offload.OffloadPool;
import io.shardloop.script.ScriptRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One shard's part of what is kept on disk: its append-only log, that log's compaction
 * (BGREWRITEAOF, and the automatic trigger of auto-aof-rewrite-percentage and -min-size), and its
 * part of a snapshot of every shard (BGSAVE, SAVE).
 * <p>
 * A compaction, as Redis 7's rewrite without its fork: in one turn the log goes on to a new
 * incremental file and a {@link Snapshot} of the shard's databases begins, so the snapshot plus
 * that file replay to the data; once both are done the snapshot becomes the base and the manifest
 * is switched to name only it and the new file ({@link ShardFiles#replaceBase}); the old files are
 * deleted. A crash before the switch leaves the old set, whole, plus the new file named after it.
 * <p>
 * The snapshots of shard {@link Router#FIRST} carry the server's function libraries before the
 * keys, as Redis's do: that shard runs and logs every change of them, so the libraries taken in
 * the snapshot's first turn go with its log's rotation, and come first in a joined dump.
 * <p>
 * A shard runs one snapshot at a time: a compaction asked for while its part of a BGSAVE is written,
 * or on its way, waits for it ("scheduled"); a round waits until no shard compacts ({@link DiskCommands}).
 * A round holds every key of every shard, in the transactions' global order, until each shard's
 * part has begun ({@link #holdForRound}), so that the round is one instant of every shard.
 * <p>
 * Threading: the shard's loop, except the file work on the offload pool; {@link ShardFiles} is
 * touched only by those jobs, one at a time (the log's, then a compaction's end). The figures INFO
 * reads from other threads are volatile.
 */
final class ShardDisk {
    private static final Logger LOG = Logger.getLogger(ShardDisk.class.getName());
    /** How often the automatic trigger looks at the log's size (Redis's serverCron, at hz 10). */
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** After a failed compaction the automatic trigger waits this long before trying again. */
    private static final long RETRY_AFTER_FAILURE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String name;
    private final EventLoop loop;
    private final AppendLog.Offloader offloader;
    private final PersistenceConfig config;
    private final Keyspace[] databases;
    /** The server's function libraries, which this shard's snapshots carry; null on the other shards. */
    private final ScriptRegistry libraries;
    /** The shard's log, or null (appendonly no); set once more when CONFIG SET turns it on ({@link #startLog}); read by INFO. */
    private volatile AppendLog log;
    /** Where this shard's replies wait for the log (appendfsync always). */
    private final ReplyHold replies;
    private ShardFiles files;
    private final int shard;
    private final int shards;
    /** appendfsync now, for a log started at run time. */
    private AppendLog.Fsync policy;
    /**
     * The log was turned on at run time and no manifest names its file yet: its first base is being
     * written, or failed; a compaction then ends by {@link ShardFiles#adopt}. It changes only
     * between compactions.
     */
    private boolean adopting;
    /** Told of the log turned on or off while serving (null), with its epoch, on this loop: the shard's executor and transactions take it. */
    private java.util.function.ObjLongConsumer<AppendLog> logChanged = (l, epoch) -> {
    };
    // Phase 0 of turning the log on: its files, read and opened off the loop.
    private ShardFiles preparedFiles;
    private LogFile preparedFile;
    private final Path rewriteTemp;

    private Snapshot running;
    private volatile boolean rewriteWanted;
    /** A round's part is on its way here: no compaction starts until it has begun (set from any thread). */
    private volatile boolean partComing;
    private Runnable partWanted;
    /** This shard's keys, held (or waited for) by a round's phase one; null when no round holds them. */
    private KeyLocks.Entry roundHold;
    /** The shard's intent locks, which a round takes in the transactions' order. */
    private final KeyLocks locks;
    // The compaction under way.
    private long rotatedAt;
    private boolean rotated;
    private IOException snapshotFailure;
    private boolean snapshotEnded;
    /** The incremental file the log went on to, named by the job that made it. */
    private volatile String newIncremental;
    /** currentSize = sizeOffset + log.appended() */
    private long sizeOffset;
    private long rewriteBaseSize;
    private long retryNotBefore;

    private volatile boolean rewriting;
    private volatile long rewriteStartedMillis;
    private volatile long lastRewriteSeconds = -1;
    private volatile long rewrites;
    private volatile int consecutiveFailures;
    private volatile boolean lastRewriteFailed;
    private volatile long baseSize;
    private volatile long currentSize;
    private volatile long changes;
    private volatile long changesAtSave;
    private volatile long keysProcessed;
    private volatile long keysTotal;
    private volatile long buffered;
    private volatile boolean syncPending;
    /** Compactions running or waiting over every shard: one more for each started, one less as each ends. */
    private final AtomicInteger rewritesUnderWay;

    /**
     * @param libraries the server's function libraries when this shard keeps them (shard
     *              {@link Router#FIRST}, which runs and logs their changes), else null
     * @param log   the shard's log, or null (appendonly no)
     * @param files its files, touched from here on only by jobs; null with no log
     * @param size  the bytes of those files now (its base and incrementals)
     * @param base  the bytes of its base file now
     */
    ShardDisk(String name, int shard, int shards, EventLoop loop, AppendLog.Offloader offloader, PersistenceConfig config,
              Keyspace[] databases, ScriptRegistry libraries, AppendLog log, ShardFiles files, long size, long base,
              AtomicInteger rewritesUnderWay, KeyLocks locks) {
        this.locks = locks;
        this.name = name;
        this.loop = loop;
        this.offloader = offloader;
        this.config = config;
        this.databases = databases;
        this.libraries = libraries;
        this.log = log;
        this.shard = shard;
        this.shards = shards;
        this.policy = config.fsync();
        this.replies = new ReplyHold(log);
        replies.bindThisThread(); // constructed on the shard's loop, before it serves
        this.files = files;
        this.rewriteTemp = config.appendDir().resolve("temp-rewriteaof-s" + shard + "of" + shards + ".rdb");
        this.sizeOffset = size;
        this.rewriteBaseSize = size;
        this.currentSize = size;
        this.baseSize = base;
        this.rewritesUnderWay = rewritesUnderWay;
        loop.scheduleTimer(System.nanoTime() + CHECK_NANOS, this::check);
    }

    /** The shard's log now, or null; on this loop. */
    AppendLog log() {
        return log;
    }

    /** Where this shard's replies wait before they leave ({@link ReplyHold}). */
    ReplyHold replies() {
        return replies;
    }

    // ---- compaction --------------------------------------------------------------------------

    /**
     * BGREWRITEAOF on this shard: started, or scheduled after the snapshot under way; false when one
     * runs already. The caller counted it in the compactions under way.
     */
    boolean rewrite() {
        if (log == null || rewriting || rewriteWanted) {
            return false;
        }
        if (running != null || !claimForRewrite()) {
            rewriteWanted = true; // after the part of a round: it holds every shard's keys until it begins
        } else {
            startRewrite();
        }
        return true;
    }

    /**
     * Whether a compaction may start now: no part of a round is on its way here. The claim
     * ({@link #rewriting}) is made before the look at {@link #partComing}, and a round sets that
     * before it looks at the claims ({@link DiskCommands}): one of the two always sees the other.
     */
    private boolean claimForRewrite() {
        rewriting = true;
        if (partComing) {
            rewriting = false;
            return false;
        }
        return true;
    }

    private void startRewrite() {
        compact(true);
    }

    /**
     * Starts a compaction: in this turn the log goes on to a new file ({@code rotate}; a temporary
     * one while the log waits for its first base) and a snapshot begins; without {@code rotate} the
     * log has just started on its file (a log turned on at run time).
     */
    private void compact(boolean rotate) {
        rewriting = true;
        rewriteStartedMillis = System.currentTimeMillis();
        rotated = !rotate;
        snapshotEnded = false;
        snapshotFailure = null;
        newIncremental = null;
        rotatedAt = log.appended();
        Snapshot.Done ended = (s, failure) -> {
            snapshotEnded = true;
            snapshotFailure = failure;
            finishRewrite();
        };
        running = new Snapshot(loop, offloader, config.files(), rewriteTemp, databases, header(true), functions(), ended);
        running.start();
        if (!rotate) {
            return;
        }
        boolean adopts = adopting;
        log.rotate(new AppendLog.Rotation() {
            @Override
            public LogFile open() throws IOException {
                if (adopts) {
                    return files.openTemporaryIncremental();
                }
                LogFile f = files.addIncremental();
                newIncremental = files.lastIncrementalName();
                return f;
            }

            @Override
            public void opened() {
                rotated = true;
                finishRewrite();
            }
        });
    }

    /**
     * Once both the snapshot and the log's new file are there, and what the snapshot folds may
     * replace the old files ({@link AppendLog#whenFoldable}: no part of a transaction over several
     * shards before the rotation can still be cut, and the loader knows it whatever this shard's
     * files say): the manifest is switched (off the loop).
     */
    private void finishRewrite() {
        if (!snapshotEnded || !rotated) { // a failed snapshot waits for the rotation too: one at a time
            return;
        }
        Snapshot s = running;
        if (snapshotFailure != null) {
            rewriteEnded(s, null, snapshotFailure);
            return;
        }
        log.whenFoldable(rotatedAt, () -> switchBase(s));
    }

    private void switchBase(Snapshot s) {
        String kept = newIncremental;
        boolean adopts = adopting;
        int rc = offloader.offload(() -> {
            String base = files.nextBaseName();
            config.files().rename(rewriteTemp, config.appendDir().resolve(base));
            if (adopts) {
                files.adopt(base);
            } else {
                files.replaceBase(base, kept);
            }
            return files.sizes();
        }, (long[] sizes, Throwable error) -> rewriteEnded(s, sizes, error));
        if (rc != OffloadPool.ACCEPTED) {
            rewriteEnded(s, null, new IOException("the offload pool refused the compaction's last step"));
        }
    }

    private void rewriteEnded(Snapshot s, long[] sizes, Throwable failure) {
        running = null;
        rewriting = false;
        rewritesUnderWay.decrementAndGet();
        lastRewriteSeconds = TimeUnit.NANOSECONDS.toSeconds(s.elapsedNanos());
        if (failure == null) {
            if (adopting) {
                adopting = false;
                LOG.info(name + ": the append-only log turned on at run time is whole: its manifest names it");
            }
            rewrites++;
            consecutiveFailures = 0;
            lastRewriteFailed = false;
            baseSize = sizes[1];
            sizeOffset = sizes[1] - rotatedAt; // the base, then what the log appended since the rotation
            rewriteBaseSize = sizeOffset + log.appended();
            currentSize = rewriteBaseSize;
            LOG.info(name + ": append-only log compacted: " + s.keysSaved() + " keys, base " + sizes[1] + " bytes, in "
                    + TimeUnit.NANOSECONDS.toMillis(s.elapsedNanos()) + " ms");
        } else {
            consecutiveFailures++;
            lastRewriteFailed = true;
            retryNotBefore = System.nanoTime() + RETRY_AFTER_FAILURE_NANOS;
            LOG.warning(name + ": compacting the append-only log failed: " + failure.getMessage()
                    + (adopting ? "; the log turned on at run time is named by no manifest until a base is "
                    + "written: tried again in a minute, or by BGREWRITEAOF" : "; the log goes on in its files as they are"));
        }
        runWaiting();
    }

    /**
     * Ten times a second: publishes the figures INFO reads; and the automatic trigger, when the log
     * grew by auto-aof-rewrite-percentage past its size after the last compaction.
     */
    private void check(long now) {
        loop.scheduleTimer(System.nanoTime() + CHECK_NANOS, this::check);
        changes = databases[0].changes();
        Snapshot s = running;
        keysProcessed = s == null ? 0 : s.keysSaved();
        keysTotal = s == null ? 0 : s.keysAtStart();
        if (log == null) {
            return;
        }
        buffered = log.buffered();
        syncPending = log.syncPending();
        currentSize = sizeOffset + log.appended();
        if (adopting && !rewriting && !rewriteWanted && running == null && System.nanoTime() >= retryNotBefore
                && claimForRewrite()) { // a log turned on at run time whose first base failed
            rewritesUnderWay.incrementAndGet();
            startRewrite();
            return;
        }
        int percentage = config.autoRewritePercentage();
        if (percentage == 0 || rewriting || rewriteWanted || running != null || currentSize <= config.autoRewriteMinSize()
                || System.nanoTime() < retryNotBefore || log.failure() != null) {
            return;
        }
        long base = Math.max(1, rewriteBaseSize);
        long growth = currentSize * 100 / base - 100;
        if (growth >= percentage && claimForRewrite()) { // else after the round's part, at the next look
            LOG.info(name + ": starting automatic rewriting of the append-only log: " + growth + "% growth");
            rewritesUnderWay.incrementAndGet();
            startRewrite();
        }
    }

    // ---- a snapshot of every shard -------------------------------------------------------------

    /**
     * Phase one of a round ({@link DiskCommands}): takes every key of this shard, in the global
     * order of transactions ({@link KeyLocks}, with the round's {@code id}), so that no command
     * runs here until the part begins; {@code answer} gets true once they are held (now, or when
     * the transactions ahead have let go), or false at once when a transaction with a larger id
     * holds some of them (the round lets go everywhere and tries again with a new id).
     */
    void holdForRound(long id, Consumer<Boolean> answer) {
        KeyLocks.Entry e = new KeyLocks.Entry(id, new Key[0], new boolean[0], true, () -> answer.accept(true));
        switch (locks.acquire(e)) {
            case KeyLocks.GRANTED -> {
                roundHold = e;
                answer.accept(true);
            }
            case KeyLocks.WAITING -> roundHold = e; // answered on its grant
            default -> answer.accept(false);
        }
    }

    /** Lets go of this shard's keys, held or waited for by a round: the commands waiting run. */
    void releaseRoundHold() {
        if (roundHold != null) {
            KeyLocks.Entry e = roundHold;
            roundHold = null;
            locks.release(e);
        }
    }

    /**
     * Phase two of a round: writes this shard's part of a snapshot (an RDB body) to {@code body},
     * now or after the compaction under way, and lets go of the keys ({@link #holdForRound}) once it
     * has begun, unless {@code keep} (SHUTDOWN's round: nothing is served until the server stops,
     * or until the round fails). {@code begun} gets the shard's change count at the moment the part
     * began, {@code done} null or the failure, both on this loop.
     */
    void savePart(Path body, boolean keep, java.util.function.LongConsumer begun, Consumer<IOException> done) {
        Runnable start = () -> {
            partComing = false;
            running = new Snapshot(loop, offloader, config.files(), body, databases, null, functions(), (s, failure) -> {
                running = null;
                changes = databases[0].changes();
                done.accept(failure);
                runWaiting();
            });
            running.start();
            begun.accept(databases[0].changes());
            if (!keep) {
                releaseRoundHold();
            }
        };
        if (running != null) {
            partWanted = start;
        } else {
            start.run();
        }
    }

    /** CONFIG SET appendfsync, on this loop: the log syncs by {@code policy} from now on. */
    void fsync(AppendLog.Fsync policy) {
        this.policy = policy;
        if (log != null && log.fsync() != policy) {
            log.fsync(policy);
        }
    }

    // ---- turning the log on and off while serving (CONFIG SET appendonly) -------------------------

    /**
     * CONFIG SET appendonly no, while a round holds every key of every shard and no compaction runs
     * here: nothing is logged from now on, the replies held for a sync leave, and the log writes
     * and syncs what it holds and closes its file ({@link AppendLog#retire}). Its files stay, as
     * Redis's do: a start with appendonly yes reads them back as they are.
     */
    void stopLog() {
        partComing = false;
        AppendLog old = log;
        log = null;
        files = null;
        adopting = false;
        if (rewriteWanted) { // a BGREWRITEAOF scheduled behind a save's part: no log to rewrite now
            rewriteWanted = false;
            rewritesUnderWay.decrementAndGet();
        }
        replies.log(null);
        logChanged.accept(null, 0);
        old.retire();
    }

    /** Who takes the log turned on or off while serving (the shard's executor and transactions), on this loop. */
    void onLog(java.util.function.ObjLongConsumer<AppendLog> listener) {
        this.logChanged = listener;
    }

    /**
     * Phase 0 of turning the log on ({@link DiskCommands}): this shard's files read and a temporary
     * incremental file opened, off the loop; {@code ready} gets null or the failure, on this loop.
     */
    void prepareLog(Consumer<IOException> ready) {
        int rc = offloader.offload(() -> {
            ShardFiles f = ShardFiles.read(config.files(), config.appendDir(), shard, shards);
            return new Object[] {f, f.openTemporaryIncremental()};
        }, (Object[] opened, Throwable error) -> {
            if (error != null) {
                ready.accept(error instanceof IOException io ? io : new IOException(error.toString(), error));
                return;
            }
            preparedFiles = (ShardFiles) opened[0];
            preparedFile = (LogFile) opened[1];
            ready.accept(null);
        });
        if (rc != OffloadPool.ACCEPTED) {
            ready.accept(new IOException("the offload pool refused to open the append-only files"));
        }
    }

    /** Phase 0 failed on some shard: the file opened here is closed, off the loop. */
    void dropPreparedLog() {
        LogFile f = preparedFile;
        preparedFile = null;
        preparedFiles = null;
        if (f != null && offloader.offload(() -> {
            f.close();
            return null;
        }, (Object ignored, Throwable error) -> { }) != OffloadPool.ACCEPTED) {
            LOG.warning(name + ": the offload pool refused to close a temporary append-only file");
        }
    }

    /**
     * Phase 2 of turning the log on, while the round holds every key of every shard: the log starts
     * on the prepared file, and in the same turn the snapshot of its first base begins (a compaction
     * with nothing to rotate); once the base is written the manifest names it and the log's file
     * ({@link ShardFiles#adopt}). Until then a crash loses the log, as one during Redis's first
     * rewrite does; a base that fails is tried again a minute later (or by BGREWRITEAOF).
     */
    void startLog(long epoch) {
        partComing = false;
        log = new AppendLog(name, loop, offloader, policy, preparedFile, 0);
        files = preparedFiles;
        preparedFile = null;
        preparedFiles = null;
        replies.log(log);
        logChanged.accept(log, epoch);
        adopting = true;
        sizeOffset = 0;
        rewriteBaseSize = 0;
        currentSize = 0;
        baseSize = 0;
        compact(false);
    }

    /** A round's part is on its way to this shard (true, from any thread), or is not after all. */
    void partComing(boolean coming) {
        partComing = coming;
    }

    /**
     * A round of every shard succeeded; this shard's part began at change {@code changesAtStart}:
     * what came after it is what has changed since (any thread, one round at a time).
     */
    void saved(long changesAtStart) {
        changesAtSave = changesAtStart;
    }

    private void runWaiting() {
        if (partWanted != null) {
            Runnable p = partWanted;
            partWanted = null;
            p.run();
        } else if (rewriteWanted) {
            rewriteWanted = false;
            startRewrite();
        }
    }

    /**
     * The libraries' code as they are now, for a snapshot beginning in this turn: on this shard's
     * loop, which runs every change of them, so they are the libraries at the snapshot's moment.
     */
    private java.util.List<String> functions() {
        return libraries == null ? java.util.List.of() : FunctionCommands.codes(libraries);
    }

    static RdbHeader header(boolean aofBase) {
        Runtime r = Runtime.getRuntime();
        return RdbHeader.now(r.totalMemory() - r.freeMemory(), aofBase);
    }

    // ---- what INFO reads, from any thread ------------------------------------------------------

    boolean rewriting() {
        return rewriting;
    }

    boolean rewriteScheduled() {
        return rewriteWanted;
    }

    long rewriteStartedMillis() {
        return rewriteStartedMillis;
    }

    long lastRewriteSeconds() {
        return lastRewriteSeconds;
    }

    long rewrites() {
        return rewrites;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }

    boolean lastRewriteFailed() {
        return lastRewriteFailed;
    }

    long baseSize() {
        return baseSize;
    }

    long currentSize() {
        return currentSize;
    }

    /** Changes since this shard's part of the last successful save began (rdb_changes_since_last_save). */
    long changesSinceSave() {
        return Math.max(0, changes - changesAtSave); // the two are published at different moments
    }

    long keysProcessed() {
        return keysProcessed;
    }

    long keysTotal() {
        return keysTotal;
    }

    long buffered() {
        return buffered;
    }

    boolean syncPending() {
        return syncPending;
    }

    /** The log's write error now, or null (volatile in the log). */
    String writeFailure() {
        return log == null ? null : log.failure();
    }

    EventLoop loop() {
        return loop;
    }

    /** Runs file work on this shard's offload pool; the completion comes back to its loop. */
    <T> int offload(java.util.concurrent.Callable<T> task, OffloadPool.Completion<? super T> completion) {
        return offloader.offload(task, completion);
    }
}
