package io.shardloop.kv;

import io.shardloop.persist.DiskControl;
import io.shardloop.persist.PersistenceConfig;
import io.shardloop.persist.SavePoints;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.offload.OffloadPool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * BGSAVE, SAVE, LASTSAVE and BGREWRITEAOF over every shard, and INFO's persistence section.
 * <p>
 * A save is a round: each shard writes its part, an RDB body of its keys as they were when its loop
 * took the request ({@link ShardDisk#savePart}); the shard that finishes last joins the bodies into
 * one file ({@link RdbJoin}) under a temporary name, off its loop, and renames it to dbfilename, so
 * the file is whole or the one before.
 * <p>
 * The round is one instant of every shard, a consistent cut, taken as a transaction over every key
 * of every shard: phase 1, the round draws an id of the transactions' global order and each shard
 * takes all its keys under it ({@link ShardDisk#holdForRound}, {@link KeyLocks}), after the
 * transactions with smaller ids that hold some and before those with larger ones, as the parts of
 * any transaction over several shards are (one that finds a larger id ahead makes the round let go
 * everywhere and try again with a new id); phase 2, once every shard holds them, each begins its
 * part and lets go. Between the phases a shard runs no command, so a transaction over several
 * shards is in the file whole or not at all, and a write that is not in the file ran after its
 * shard's phase 2 began, after every shard's phase 1 ended: whatever a client did before it
 * learned of that write (on any shard) is in the file, and nothing it does after is. The hold
 * lasts one round trip between the loops, and no loop waits for it: the commands held wait in the
 * locks' line. SHUTDOWN's round keeps the keys held once it succeeded, so that nothing is
 * acknowledged that the file lacks (Redis serves nothing while its final save runs). A round waits,
 * scheduled, while a shard compacts, and no compaction starts on a shard whose part is on its way,
 * so that no part waits for one.
 * <p>
 * Save points (Redis's {@code save}): ten times a second shard 0's loop adds up the shards' changes
 * since the last successful save ({@link ShardDisk#changesSinceSave}, Redis's {@code server.dirty})
 * and starts a round when a point is due, as Redis's serverCron does: not while a round or a
 * compaction runs, and, after a failed save, not until {@link #RETRY_DELAY_SECONDS} have passed since
 * it began. A successful round takes from each shard's count the changes made before its part
 * began; those made since are kept (Redis's {@code dirty_before_bgsave}).
 * <p>
 * Thread-safe: any connection's thread starts a round or a compaction by posting to every shard's
 * loop; the state shared between them is atomic or volatile.
 */
public final class DiskCommands implements DiskControl {
    private static final Logger LOG = Logger.getLogger(DiskCommands.class.getName());
    /** How often the save points are looked at (Redis's serverCron, at hz 10). */
    private static final long CRON_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** After a failed save, the save points start no round until this many seconds after it began (Redis's CONFIG_BGSAVE_RETRY_DELAY). */
    static final long RETRY_DELAY_SECONDS = 5;
    private final Durability durability;
    private final PersistenceConfig config;
    private final int shards;
    private final AtomicReferenceArray<ShardDisk> disks;
    private final AtomicReference<Round> round = new AtomicReference<>();
    private final AtomicInteger rewritesUnderWay = new AtomicInteger();
    /** Those waiting for a round that begins after the one under way ({@link #finalSave}). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Consumer<Reply>> afterRound =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final String IN_PROGRESS = "ERR Background save already in progress";
    private volatile long lastSave = System.currentTimeMillis() / 1000;
    private volatile boolean lastSaveFailed;
    private volatile long lastSaveSeconds = -1;
    private volatile long saves;
    /** When the last round began, Unix seconds (Redis's lastbgsave_try); 0 before any. */
    private volatile long lastTry;
    private volatile SavePoints savePoints;
    /** appendonly now: as the server started, until CONFIG SET appendonly yes turns the log on. */
    private volatile boolean appendOnly;
    /** CONFIG SET appendonly is being carried out. */
    private final java.util.concurrent.atomic.AtomicBoolean switching = new java.util.concurrent.atomic.AtomicBoolean();
    /** The round that turns the log on or off waits for the round under way. */
    private volatile boolean logWanted;
    /** What that round does: turn the log on (true) or off. */
    private volatile boolean logWantedOn;
    /** How many times the log was turned on while serving: each time's settlements number their rounds apart. */
    private long logEpoch;
    /** appendfsync now: as the server started, until CONFIG SET changes it. */
    private volatile io.shardloop.persist.AppendLog.Fsync fsync;
    private final EventLoop.TimerTask cron = this::cron;

    /** One save over every shard. */
    private final class Round {
        final long startedNanos = System.nanoTime();
        final List<Consumer<Reply>> waiters = new ArrayList<>();
        final AtomicInteger remaining = new AtomicInteger(shards);
        /** Set while its parts are being sent, and from then on once sent ({@link #post}). */
        final java.util.concurrent.atomic.AtomicBoolean posting = new java.util.concurrent.atomic.AtomicBoolean();
        /** Its parts are sent: it runs (before, it is scheduled behind a compaction). */
        volatile boolean posted;
        final Path[] bodies = new Path[shards];
        /** Each shard's change count when its part began, written by its loop before its part ends. */
        final long[] changesAtStart = new long[shards];
        volatile IOException failure;
        final Kind kind;

        Round(Kind kind) {
            this.kind = kind;
        }
    }

    /** What a round does once every shard holds its keys. */
    private enum Kind {
        /** BGSAVE, SAVE, the save points: each shard writes its part and lets go. */
        SAVE,
        /** SHUTDOWN's save: once it succeeded the shards go on holding their keys until the server stops. */
        FINAL_SAVE,
        /** CONFIG SET appendonly yes: each shard's log starts, with its first base. */
        LOG_ON,
        /** CONFIG SET appendonly no: each shard's log stops. */
        LOG_OFF;

        boolean saves() {
            return this == SAVE || this == FINAL_SAVE;
        }
    }

    /** One try at phase one of a round: every shard answers once. */
    private static final class Attempt {
        final AtomicInteger answers = new AtomicInteger();
        volatile boolean refused;
    }

    DiskCommands(Durability durability, int shards) {
        this.durability = durability;
        this.config = durability.config();
        this.shards = shards;
        this.disks = new AtomicReferenceArray<>(shards);
        this.savePoints = config.savePoints();
        this.fsync = config.fsync();
        this.appendOnly = config.appendOnly();
    }

    /** On the shard's loop, before it serves; shard 0's loop looks at the save points. */
    void register(int shard, ShardDisk disk) {
        disks.set(shard, disk);
        disk.fsync(fsync); // a CONFIG SET before this shard served
        if (shard == 0) {
            disk.loop().scheduleTimer(System.nanoTime() + CRON_NANOS, cron);
        }
    }

    // ---- save points ---------------------------------------------------------------------------

    @Override
    public SavePoints savePoints() {
        return savePoints;
    }

    @Override
    public void savePoints(SavePoints points) {
        savePoints = points;
    }

    @Override
    public io.shardloop.persist.AppendLog.Fsync appendfsync() {
        return fsync;
    }

    @Override
    public void appendfsync(io.shardloop.persist.AppendLog.Fsync policy) {
        fsync = policy;
        for (int k = 0; k < shards; k++) {
            ShardDisk disk = disks.get(k);
            if (disk != null) { // a shard not serving yet takes it from here when it registers
                disk.loop().execute(() -> disk.fsync(fsync));
            }
        }
    }

    /** On shard 0's loop, ten times a second: a round when a save point is due (serverCron). */
    private void cron(long now) {
        disks.get(0).loop().scheduleTimer(System.nanoTime() + CRON_NANOS, cron);
        Round scheduled = round.get();
        if (scheduled != null && !scheduled.posted) {
            post(scheduled); // once no shard compacts
            return;
        }
        SavePoints points = savePoints;
        if (points.isEmpty() || round.get() != null || rewritesUnderWay.get() > 0) {
            return;
        }
        long unix = System.currentTimeMillis() / 1000;
        SavePoints.Point due = points.due(changesSinceSave(), unix - lastSave);
        if (due == null || lastSaveFailed && unix - lastTry <= RETRY_DELAY_SECONDS) {
            return;
        }
        LOG.info(due.changes() + " changes in " + due.seconds() + " seconds. Saving...");
        begin(List.of(), Kind.SAVE);
    }

    /** The changes over every shard since the last successful save (rdb_changes_since_last_save), a moment old. */
    private long changesSinceSave() {
        long changes = 0;
        for (int k = 0; k < shards; k++) {
            ShardDisk d = disks.get(k);
            if (d != null) {
                changes += d.changesSinceSave();
            }
        }
        return changes;
    }

    AtomicInteger rewritesUnderWay() {
        return rewritesUnderWay;
    }

    // ---- saves ---------------------------------------------------------------------------------

    @Override
    public Reply bgsave(boolean schedule) {
        if (round.get() != null) {
            return Reply.error(IN_PROGRESS);
        }
        if (rewritesUnderWay.get() > 0 && !schedule) {
            return Reply.error("ERR An AOF log rewriting in progress: can't BGSAVE right now. "
                    + "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
        boolean afterRewrite = rewritesUnderWay.get() > 0;
        Reply started = begin(List.of(), Kind.SAVE);
        if (started != null) {
            return started;
        }
        return Reply.status(afterRewrite ? "Background saving scheduled" : "Background saving started");
    }

    @Override
    public void save(Consumer<Reply> done) {
        Reply refused = begin(List.of(done), Kind.SAVE);
        if (refused != null) {
            done.accept(refused);
        }
    }

    @Override
    public void finalSave(Consumer<Reply> done) {
        while (true) {
            Reply refused = begin(List.of(done), Kind.FINAL_SAVE);
            if (refused == null) {
                return;
            }
            if (!refused.text().equals(IN_PROGRESS)) {
                done.accept(refused);
                return;
            }
            afterRound.add(done); // the round that ends takes it into the next
            if (round.get() != null || !afterRound.remove(done)) {
                return; // the round under way will, or already did
            }
            // it ended before it could take this one: start one again
        }
    }

    /** Starts a save ({@link Kind#SAVE} or {@link Kind#FINAL_SAVE}) with those waiting for it; the error when one runs already, else null. */
    private Reply begin(List<Consumer<Reply>> waiters, Kind kind) {
        Round r = new Round(kind);
        r.waiters.addAll(waiters);
        // Whole before it is published: the save points' timer may post a round it finds.
        for (int k = 0; k < shards; k++) {
            if (disks.get(k) == null) { // a shard not serving yet: the round cannot be whole
                return Reply.error("ERR the server is still starting: no snapshot yet");
            }
            r.bodies[k] = config.dir().resolve("temp-" + config.dbFilename() + ".s" + k + "of" + shards + ".body");
        }
        if (!round.compareAndSet(null, r)) {
            return Reply.error(IN_PROGRESS);
        }
        post(r);
        return null;
    }

    /**
     * Sends the round's parts to every shard, unless one compacts: then the round waits, scheduled,
     * and the save points' timer tries again (as Redis starts a scheduled BGSAVE once no child runs).
     * Each shard is told a part is coming before the compactions are looked at, and a compaction
     * claims its shard before it looks for a part coming ({@link ShardDisk#rewrite}): no part ever
     * waits here for a compaction, which would hold the other shards' replies for its length.
     */
    private void post(Round r) {
        if (!r.posting.compareAndSet(false, true)) {
            return;
        }
        for (int k = 0; k < shards; k++) {
            disks.get(k).partComing(true);
        }
        for (int k = 0; k < shards; k++) {
            if (disks.get(k).rewriting()) {
                for (int j = 0; j < shards; j++) {
                    disks.get(j).partComing(false);
                }
                r.posting.set(false);
                return;
            }
        }
        r.posted = true;
        if (r.kind == Kind.LOG_ON) {
            prepare(r);
            return;
        }
        if (r.kind == Kind.LOG_OFF) {
            hold(r); // nothing to open
            return;
        }
        saves++; // Redis counts a save when it starts (stat_rdb_saves)
        lastTry = System.currentTimeMillis() / 1000;
        hold(r);
    }

    /**
     * Phase one: every shard's keys, taken in the global order of transactions under a new id
     * ({@link ShardDisk#holdForRound}); once every shard has answered, phase two, or, where one
     * refused, every shard lets go and the round tries again.
     */
    private void hold(Round r) {
        Attempt a = new Attempt();
        long id = durability.nextTransactionId();
        for (int k = 0; k < shards; k++) {
            ShardDisk disk = disks.get(k);
            disk.loop().execute(() -> disk.holdForRound(id, held -> answered(r, a, held)));
        }
    }

    /** On the loop of a shard that answered phase one. */
    private void answered(Round r, Attempt a, boolean held) {
        if (!held) {
            a.refused = true;
        }
        if (a.answers.incrementAndGet() < shards) {
            return;
        }
        if (a.refused) { // each loop lets go before it takes the next attempt's hold
            for (int k = 0; k < shards; k++) {
                ShardDisk disk = disks.get(k);
                disk.loop().execute(disk::releaseRoundHold);
            }
            hold(r);
            return;
        }
        if (!r.kind.saves()) { // phase two: each shard's log starts (with the snapshot of its first base) or stops
            boolean on = r.kind == Kind.LOG_ON;
            appendOnly = on;
            if (on) {
                rewritesUnderWay.addAndGet(shards);
            }
            long epoch = on ? ++logEpoch : 0; // one round of the log at a time
            for (int k = 0; k < shards; k++) {
                ShardDisk disk = disks.get(k);
                disk.loop().execute(() -> {
                    if (on) {
                        disk.startLog(epoch);
                    } else {
                        disk.stopLog();
                    }
                    disk.releaseRoundHold();
                    if (r.remaining.decrementAndGet() == 0) {
                        logRoundEnded(on);
                    }
                });
            }
            return;
        }
        for (int k = 0; k < shards; k++) { // phase two: each part begins, and its shard serves again
            ShardDisk disk = disks.get(k);
            int shard = k;
            disk.loop().execute(() -> disk.savePart(r.bodies[shard], r.kind == Kind.FINAL_SAVE,
                    changes -> r.changesAtStart[shard] = changes, failure -> partDone(r, disk, failure)));
        }
    }

    /** On the loop of the shard whose part ended; the last one joins the parts. */
    private void partDone(Round r, ShardDisk disk, IOException failure) {
        if (failure != null) {
            r.failure = failure;
        }
        if (r.remaining.decrementAndGet() > 0) {
            return;
        }
        if (r.failure != null) {
            roundEnded(r, r.failure);
            return;
        }
        Path file = config.dir().resolve(config.dbFilename());
        Path temp = config.dir().resolve("temp-" + config.dbFilename());
        int rc = disk.offload(() -> {
            RdbJoin.join(ShardDisk.header(false), List.of(r.bodies), temp);
            config.files().rename(temp, file);
            return null;
        }, (Object ignored, Throwable error) -> roundEnded(r, error));
        if (rc != OffloadPool.ACCEPTED) {
            roundEnded(r, new IOException("the offload pool refused to join the snapshot's parts"));
        }
    }

    private void roundEnded(Round r, Throwable failure) {
        for (Path body : r.bodies) {
            try {
                config.files().delete(body);
            } catch (IOException e) {
                LOG.warning("cannot remove " + body + ": " + e.getMessage());
            }
        }
        lastSaveSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - r.startedNanos);
        Reply reply;
        if (failure == null) {
            for (int k = 0; k < shards; k++) {
                disks.get(k).saved(r.changesAtStart[k]);
            }
            lastSave = System.currentTimeMillis() / 1000;
            lastSaveFailed = false;
            LOG.info("DB saved on disk: " + config.dir().resolve(config.dbFilename()));
            reply = Reply.status("OK");
        } else {
            lastSaveFailed = true;
            LOG.warning("saving the snapshot failed: " + failure.getMessage());
            if (r.kind == Kind.FINAL_SAVE) { // the server goes on serving (or stops anyway, with FORCE)
                for (int k = 0; k < shards; k++) {
                    ShardDisk disk = disks.get(k);
                    disk.loop().execute(disk::releaseRoundHold);
                }
            }
            reply = Reply.error("ERR saving the snapshot failed: " + failure.getMessage());
        }
        round.set(null);
        for (Consumer<Reply> w : r.waiters) { // filled before the round was published
            w.accept(reply);
        }
        startWaitingRounds();
    }

    /** After a round: SHUTDOWN's saves that waited for it, else the switch of the log that did. */
    private void startWaitingRounds() {
        List<Consumer<Reply>> next = new ArrayList<>();
        for (Consumer<Reply> w; (w = afterRound.poll()) != null; ) {
            next.add(w);
        }
        if (!next.isEmpty()) {
            Reply refused = begin(next, Kind.FINAL_SAVE); // SHUTDOWN's, in a round that begins after they asked
            if (refused != null) {
                next.forEach(w -> w.accept(refused));
            }
        } else if (logWanted) {
            startLogRound();
        }
    }

    // ---- turning the log on and off (CONFIG SET appendonly) -------------------------------------

    /** As CONFIG SET last asked, from the moment it asks (Redis's aof_state changes at once), unless turning the log on fails. */
    @Override
    public boolean appendOnly() {
        return switching.get() ? logWantedOn : appendOnly;
    }

    @Override
    public String appendOnlyRefused(boolean on) {
        return switching.get() && on != appendOnly() ? "the append-only log is being turned "
                + (appendOnly() ? "on" : "off") + ": try again once INFO says aof_rewrite_in_progress:0" : null;
    }

    /**
     * Turns the log on or off as a round over every shard, so that no transaction over several
     * shards is logged on one shard and not on another. On: phase 0, each shard reads its files and
     * opens a temporary incremental file off its loop; phase 1, the round's hold on every key of
     * every shard ({@link #hold}); phase 2, each shard's log starts on that file and, in the same
     * turn, the snapshot of its first base ({@link ShardDisk#startLog}), then it serves again. Once
     * its base is written, each shard's manifest names the base and the file, as Redis 7 names the
     * temporary incremental file of its first rewrite once that ends. Off: phases 1 and 2, each
     * shard's log stopping in the hold ({@link ShardDisk#stopLog}).
     */
    @Override
    public void appendOnly(boolean on) {
        if (on != appendOnly && switching.compareAndSet(false, true)) {
            logWantedOn = on;
            logWanted = true;
            startLogRound();
        }
    }

    /** Starts the round that turns the log on or off, unless one runs: then that one starts it as it ends. */
    private void startLogRound() {
        for (int k = 0; k < shards; k++) {
            if (disks.get(k) == null) {
                LOG.warning("the server is still starting: the append-only log stays as it is");
                logWanted = false;
                switching.set(false);
                return;
            }
        }
        Round r = new Round(logWantedOn ? Kind.LOG_ON : Kind.LOG_OFF);
        if (!round.compareAndSet(null, r)) {
            if (round.get() == null && logWanted) {
                startLogRound(); // it ended before it could see the wish
            }
            return;
        }
        logWanted = false;
        post(r);
    }

    /** Phase 0: every shard opens its files, off its loop; then phase 1. */
    private void prepare(Round r) {
        for (int k = 0; k < shards; k++) {
            ShardDisk disk = disks.get(k);
            disk.loop().execute(() -> disk.prepareLog(failure -> prepared(r, failure)));
        }
    }

    /** On the loop of a shard whose files are open (or failed to open). */
    private void prepared(Round r, IOException failure) {
        if (failure != null) {
            r.failure = failure;
        }
        if (r.remaining.decrementAndGet() > 0) {
            return;
        }
        if (r.failure != null) {
            for (int k = 0; k < shards; k++) {
                ShardDisk disk = disks.get(k);
                disk.loop().execute(() -> {
                    disk.dropPreparedLog();
                    disk.partComing(false);
                });
            }
            LOG.warning("turning the append-only log on failed: " + r.failure.getMessage() + "; it stays off");
            switching.set(false);
            round.set(null);
            startWaitingRounds();
            return;
        }
        r.remaining.set(shards);
        hold(r);
    }

    /** Every shard's log is on and writing its first base, or off. */
    private void logRoundEnded(boolean on) {
        LOG.info(on ? "the append-only log is on: each shard writes its first base"
                : "the append-only log is off: its files stay as they are");
        switching.set(false);
        round.set(null);
        startWaitingRounds();
    }

    @Override
    public long lastSave() {
        return lastSave;
    }

    // ---- compaction ----------------------------------------------------------------------------

    @Override
    public Reply bgrewriteaof() {
        if (!appendOnly) {
            if (switching.get()) { // its first rewrite comes with it
                return Reply.error("ERR Background append only file rewriting already in progress");
            }
            return Reply.error("ERR the append-only log is off (appendonly no): there is no log to rewrite");
        }
        if (!rewritesUnderWay.compareAndSet(0, shards)) {
            return Reply.error("ERR Background append only file rewriting already in progress");
        }
        boolean scheduled = round.get() != null;
        for (int k = 0; k < shards; k++) {
            ShardDisk disk = disks.get(k);
            if (disk == null) {
                rewritesUnderWay.decrementAndGet();
                continue;
            }
            disk.loop().execute(() -> {
                if (!disk.rewrite()) {
                    rewritesUnderWay.decrementAndGet(); // one runs here already, counted by itself
                }
            });
        }
        return Reply.status(scheduled ? "Background append only file rewriting scheduled"
                : "Background append only file rewriting started");
    }

    // ---- INFO ----------------------------------------------------------------------------------

    @Override
    public Map<String, Object> info() {
        long changes = 0;
        long processed = 0;
        long total = 0;
        boolean rewriting = false;
        boolean scheduled = false;
        long rewriteStarted = Long.MAX_VALUE;
        long lastRewrite = -1;
        long rewrites = 0;
        int failures = 0;
        boolean rewriteFailed = false;
        String writeFailure = null;
        long size = 0;
        long base = 0;
        long buffered = 0;
        boolean syncPending = false;
        for (int k = 0; k < shards; k++) {
            ShardDisk d = disks.get(k);
            if (d == null) {
                continue;
            }
            changes += d.changesSinceSave();
            processed += d.keysProcessed();
            total += d.keysTotal();
            rewriting |= d.rewriting();
            scheduled |= d.rewriteScheduled();
            if (d.rewriting()) {
                rewriteStarted = Math.min(rewriteStarted, d.rewriteStartedMillis());
            }
            lastRewrite = Math.max(lastRewrite, d.lastRewriteSeconds());
            rewrites += d.rewrites();
            failures = Math.max(failures, d.consecutiveFailures());
            rewriteFailed |= d.lastRewriteFailed();
            if (writeFailure == null) {
                writeFailure = d.writeFailure();
            }
            size += d.currentSize();
            base += d.baseSize();
            buffered += d.buffered();
            syncPending |= d.syncPending();
        }
        Round r = round.get();
        long[] load = durability.lastLoad();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("loading", 0); // the server serves only once everything is read back
        f.put("async_loading", 0);
        f.put("current_cow_peak", 0); // no fork: nothing is copied on write
        f.put("current_cow_size", 0);
        f.put("current_cow_size_age", 0);
        f.put("current_fork_perc", "0.00");
        f.put("current_save_keys_processed", processed);
        f.put("current_save_keys_total", total);
        f.put("rdb_changes_since_last_save", changes);
        boolean saving = r != null && r.kind.saves();
        f.put("rdb_bgsave_in_progress", saving && r.posted ? 1 : 0);
        f.put("rdb_last_save_time", lastSave);
        f.put("rdb_last_bgsave_status", lastSaveFailed ? "err" : "ok");
        f.put("rdb_last_bgsave_time_sec", lastSaveSeconds);
        f.put("rdb_current_bgsave_time_sec", !saving ? -1 : TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - r.startedNanos));
        f.put("rdb_saves", saves);
        f.put("rdb_last_cow_size", 0);
        f.put("rdb_last_load_keys_expired", load[1]);
        f.put("rdb_last_load_keys_loaded", load[0]);
        f.put("aof_enabled", appendOnly() ? 1 : 0);
        f.put("aof_rewrite_in_progress", rewriting || switching.get() ? 1 : 0); // the log turned on writes its first bases
        f.put("aof_rewrite_scheduled", scheduled ? 1 : 0);
        f.put("aof_last_rewrite_time_sec", lastRewrite);
        f.put("aof_current_rewrite_time_sec", rewriting ? (System.currentTimeMillis() - rewriteStarted) / 1000 : -1);
        f.put("aof_last_bgrewrite_status", rewriteFailed ? "err" : "ok");
        f.put("aof_rewrites", rewrites);
        f.put("aof_rewrites_consecutive_failures", failures);
        f.put("aof_last_write_status", writeFailure == null ? "ok" : "err");
        f.put("aof_last_cow_size", 0);
        f.put("module_fork_in_progress", 0);
        f.put("module_fork_last_cow_size", 0);
        if (appendOnly) {
            f.put("aof_current_size", size);
            f.put("aof_base_size", base);
            f.put("aof_pending_rewrite", scheduled ? 1 : 0);
            f.put("aof_buffer_length", buffered);
            f.put("aof_pending_bio_fsync", syncPending ? 1 : 0);
            f.put("aof_delayed_fsync", 0); // a sync is never put off: the log's job waits for the one before
        }
        return f;
    }
}
