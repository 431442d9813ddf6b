package io.shardloop.persist;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.offload.OffloadPool;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One shard's append-only log, as its loop sees it: commands are appended as RESP (Redis's AOF
 * format), a record at a time (one command, or several wrapped in MULTI/EXEC so that they are
 * replayed whole or not at all), into a buffer; at the end of each turn the buffer goes to the
 * offload pool, which writes it and, under {@link Fsync#ALWAYS}, syncs it. While that runs the next
 * turns append to a fresh buffer, handed over when the first completes: group commit, one write
 * and at most one sync in flight per shard, whatever the request rate.
 * <pre>
 *   appended  &gt;=  handed  &gt;=  written  &gt;=  synced      (byte positions in the log)
 *   [ synced | written, not synced | in flight | pending in this turn's buffer ]
 * </pre>
 * Under {@code ALWAYS} a reply waits ({@link #afterDurable}) until {@code synced} passes the
 * position the log had when the reply was made; {@code EVERYSEC} syncs from a timer once a second;
 * {@code NO} leaves it to the operating system.
 * <p>
 * A part of a transaction over several shards is a record of its own with an annotation before it
 * ({@link #beginPart}), so that the loader keeps it only with its partners ({@link TransactionCut}):
 * it cuts a shard's log at a part whose partner is missing, and so drops what follows. Such a part
 * is <em>unsettled</em> until a settlement round over every shard's durable parts finds that no crash
 * can cut it any more ({@link #settle}, kv's {@code Settlement}); then a mark naming it is appended
 * ({@link TransactionCut#settledMark}), so that the loader keeps it even once a partner's part has
 * gone into that shard's base. Under {@code ALWAYS} a reply made after an unsettled part waits,
 * beside the sync, until the part is settled; a compaction's new base replaces the old files only
 * once every part before its rotation is settled and every shard's marks of it are durable
 * ({@link #whenFoldable}).
 * <p>
 * When a write or sync fails the batch is kept and tried again every second, after cutting the file
 * back to its last good size; meanwhile {@link #failure} names the error (the server then refuses
 * writes with -MISCONF) and held replies stay held: an acknowledged write is always on disk.
 * <p>
 * Single-threaded: every method runs on the owning loop's thread; only the jobs it offloads touch
 * the file, one at a time, and their completions come back to the loop.
 */
public final class AppendLog {
    private static final Logger LOG = Logger.getLogger(AppendLog.class.getName());
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final byte[] MULTI = "*1\r\n$5\r\nMULTI\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXEC = "*1\r\n$4\r\nEXEC\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Redis's appendfsync. */
    public enum Fsync {
        ALWAYS, EVERYSEC, NO;

        /** Redis's name: always, everysec, no. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** From Redis's name, or null when it is none of them. */
        public static Fsync parse(String s) {
            for (Fsync f : values()) {
                if (f.label().equalsIgnoreCase(s)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** Turned off ({@link #retire}): once its file is closed its timer stops. */
    private boolean retired;

    /** What a retired log goes on to: nothing is appended to it, so nothing reaches it. */
    private static final LogFile DISCARDED = new LogFile() {
        @Override
        public void write(ByteBuffer... buffers) throws IOException {
            throw new IOException("the append-only log is off");
        }

        @Override
        public void force() {
        }

        @Override
        public long size() {
            return 0;
        }

        @Override
        public void truncate(long size) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * The log is turned off (CONFIG SET appendonly no; its shard appends nothing more to it): what it
     * holds is written and synced to its file, which is then closed, off the loop; replies held for
     * a sync leave now, as no policy waits for one any more.
     */
    public void retire() {
        retired = true;
        fsync(Fsync.NO);
        durableListener = null;
        rotate(new Rotation() {
            @Override
            public LogFile open() {
                return DISCARDED;
            }

            @Override
            public void opened() {
            }
        });
    }

    /** Runs blocking file work off the loop; the completion runs on the loop ({@code Shard::offload}). */
    public interface Offloader {
        <T> int offload(Callable<T> task, OffloadPool.Completion<? super T> completion);
    }

    /** Opens the file the log goes on to after a {@link #rotate}, off the loop; may write a manifest. */
    public interface Rotation {
        LogFile open() throws IOException;

        /** On the loop, once the log appends to the file {@link #open} gave. */
        default void opened() {
        }
    }

    private final EventLoop loop;
    private final Offloader offloader;
    private final String name;
    private Fsync fsync;
    private LogFile file;
    /** Bytes of {@link #file} known good: a failed write is cut back to it before it is tried again. */
    private long fileSize;
    private boolean cutBack;

    private final ExpandableDirectByteBuffer record = new ExpandableDirectByteBuffer(256);
    private int recordLength;
    private int recordCommands;
    private int depth;
    /** The database the log's reader is in after what has been appended (SELECT changes it). */
    private int selectedDb = -1;
    /** The same inside the open record, written to {@link #selectedDb} when the record is kept. */
    private int recordDb;

    private ExpandableDirectByteBuffer pending = new ExpandableDirectByteBuffer(64 * 1024);
    private int pendingLength;
    private ExpandableDirectByteBuffer spare = new ExpandableDirectByteBuffer(64 * 1024);
    private ExpandableDirectByteBuffer inFlightBuffer;
    private int inFlightLength;
    private boolean inFlightSync;
    private Rotation inFlightRotation;

    private long appended;
    private long handed;
    private long written;
    private long synced;
    private boolean inFlight;
    /** True while a job runs on the pool (set by the loop, cleared by the job). */
    private volatile boolean working;
    private boolean flushScheduled;
    private boolean syncWanted;
    private Rotation rotation;
    private boolean retryScheduled;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** Tagged parts logged here and not yet settled, in log order. */
    private final ArrayDeque<Part> unsettled = new ArrayDeque<>();
    /** The open record's part (between {@link #beginPart} and its {@link #end}), or null. */
    private Part openPart;
    /** Settlement rounds whose marks here are not yet durable: (round, position after the marks). */
    private final ArrayDeque<long[]> marksInFlight = new ArrayDeque<>();
    /** The last settlement round this shard took part in. */
    private long lastRound;
    /** The last round whose marks here, and every earlier round's, are durable. */
    private long marksDurableRound;
    /** The last round whose marks are durable on every shard, as the last round said. */
    private long marksDurableEverywhere;
    /** The last round in which a part of this shard settled. */
    private long lastSettlingRound;
    private Foldable foldable;
    /** Told when the durable position moves past an unsettled part ({@link #onDurable}). */
    private Runnable durableListener;
    /** The annotation written before the open record, or null ({@link #beginPart}). */
    private byte[] recordTag;
    private volatile String failure;
    private long failures;
    private long syncs;
    private long records;
    private final EventLoop.TurnEnd flushAtTurnEnd = this::onTurnEnd;
    private final EventLoop.TimerTask everySecond = this::onSecond;
    private final EventLoop.TimerTask retry = now -> {
        retryScheduled = false;
        startNext();
    };

    private record Held(long position, Runnable action) {
    }

    /** A tagged part: its transaction, the transaction's part count, where its record starts and ends in the log. */
    private static final class Part {
        final long transaction;
        final int parts;
        final long start;
        long end;

        Part(long transaction, int parts, long start) {
            this.transaction = transaction;
            this.parts = parts;
            this.start = start;
        }
    }

    /** A compaction waiting until what its rotation folds may replace the old files. */
    private static final class Foldable {
        final long position;
        final Runnable action;
        /** Once no part before {@link #position} is unsettled: the round whose marks must be durable everywhere; -1 before. */
        long round = -1;

        Foldable(long position, Runnable action) {
            this.position = position;
            this.action = action;
        }
    }

    /**
     * @param file     the incremental file to append to, open; its current size is where appends go
     * @param fileSize that size
     */
    public AppendLog(String name, EventLoop loop, Offloader offloader, Fsync fsync, LogFile file, long fileSize) {
        this.name = name;
        this.loop = loop;
        this.offloader = offloader;
        this.fsync = fsync;
        this.file = file;
        this.fileSize = fileSize;
        loop.scheduleTimer(System.nanoTime() + SECOND_NANOS, everySecond);
    }

    public Fsync fsync() {
        return fsync;
    }

    /**
     * CONFIG SET appendfsync: from now on the log syncs by {@code policy}. Under {@code ALWAYS} what
     * was appended is synced at once; leaving it, the replies held for a sync leave now (the new
     * policy does not wait for one), and so does whatever waited for the parts' settlement.
     */
    public void fsync(Fsync policy) {
        this.fsync = policy;
        if (policy == Fsync.ALWAYS) {
            syncWanted = true;
            scheduleFlush();
        } else {
            release();
        }
    }

    // ---- appending ---------------------------------------------------------------------------

    /**
     * Opens a record (nested calls are one record): the commands appended until the matching
     * {@link #end} are replayed together, in MULTI/EXEC when there are several.
     */
    public void begin() {
        if (depth++ == 0) {
            recordLength = 0;
            recordCommands = 0;
            recordDb = selectedDb;
        }
    }

    /**
     * Opens a record that is the part of transaction {@code transaction} on this shard, one of
     * {@code parts}: it is written after its annotation ({@link TransactionCut#annotation}), and
     * written even when its commands changed nothing (as an empty MULTI/EXEC), so that the loader
     * finds every part. Not inside another record.
     */
    public void beginPart(long transaction, int parts) {
        if (depth > 0) {
            throw new IllegalStateException("a transaction's part inside a record");
        }
        begin();
        recordTag = TransactionCut.annotation(transaction, parts);
        openPart = new Part(transaction, parts, appended);
    }

    /** Closes a record; the outermost close keeps it for the next write. */
    public void end() {
        if (--depth > 0) {
            return;
        }
        byte[] tag = recordTag;
        recordTag = null;
        Part part = openPart;
        openPart = null;
        if (recordCommands == 0 && tag == null) {
            return;
        }
        boolean wrap = recordCommands != 1;
        int length = recordLength + (wrap ? MULTI.length + EXEC.length : 0) + (tag == null ? 0 : tag.length);
        pending.checkLimit(pendingLength + length);
        if (tag != null) {
            pending.putBytes(pendingLength, tag);
            pendingLength += tag.length;
        }
        if (wrap) {
            pending.putBytes(pendingLength, MULTI);
            pendingLength += MULTI.length;
        }
        pending.putBytes(pendingLength, record, 0, recordLength);
        pendingLength += recordLength;
        if (wrap) {
            pending.putBytes(pendingLength, EXEC);
            pendingLength += EXEC.length;
        }
        appended += length;
        selectedDb = recordDb;
        records++;
        if (part != null) {
            part.end = appended;
            unsettled.add(part);
        }
        scheduleFlush();
    }

    /** Whether a record is open. */
    public boolean inRecord() {
        return depth > 0;
    }

    /**
     * Starts one command of {@code argc} arguments (its name included) on database {@code db}, in
     * the open record or in a record of its own; its arguments follow through {@link #arg}, and
     * {@link #endCommand} closes it.
     */
    public void command(int db, int argc) {
        begin();
        if (db != recordDb) {
            header(2);
            arg("SELECT");
            arg(db);
            recordDb = db;
        }
        header(argc);
        recordCommands++;
    }

    /** Closes what {@link #command} opened. */
    public void endCommand() {
        end();
    }

    private void header(int argc) {
        recordLength += putAscii('*', argc);
    }

    /** One argument of the command being appended. */
    public void arg(byte[] bytes, int offset, int length) {
        recordLength += putAscii('$', length);
        record.putBytes(recordLength, bytes, offset, length);
        recordLength += length;
        record.putByte(recordLength++, (byte) '\r');
        record.putByte(recordLength++, (byte) '\n');
    }

    public void arg(byte[] bytes) {
        arg(bytes, 0, bytes.length);
    }

    public void arg(String ascii) {
        arg(ascii.getBytes(StandardCharsets.UTF_8));
    }

    public void arg(long value) {
        arg(Long.toString(value));
    }

    /** Writes {@code <prefix><n>\r\n} at the end of the record; returns its length. */
    private int putAscii(char prefix, long n) {
        record.checkLimit(recordLength + 24);
        int at = recordLength;
        record.putByte(at++, (byte) prefix);
        at += record.putLongAscii(at, n);
        record.putByte(at++, (byte) '\r');
        record.putByte(at++, (byte) '\n');
        return at - recordLength;
    }

    // ---- replies that wait for the disk --------------------------------------------------------

    /**
     * Whether a reply made now must wait for the disk: under {@code ALWAYS}, when something
     * appended is not yet synced (a write's own record, or one another client's reply would read),
     * or a part before it is not settled.
     */
    public boolean holdsReplies() {
        return !mayLeave(appended);
    }

    /** Whether what waits for position {@code position} may go: synced, and after no unsettled part. */
    private boolean mayLeave(long position) {
        return fsync != Fsync.ALWAYS || position <= synced && settledBefore(position);
    }

    /** Whether no part that starts before {@code position} is unsettled. */
    private boolean settledBefore(long position) {
        return unsettled.isEmpty() || unsettled.peekFirst().start >= position;
    }

    /**
     * Runs {@code action} once what has been appended so far is synced and every part before it
     * settled (at once when it is, or when the policy does not wait).
     */
    public void afterDurable(Runnable action) {
        if (mayLeave(appended)) {
            action.run();
            return;
        }
        held.add(new Held(appended, action));
        scheduleFlush();
    }

    // ---- settling the parts of transactions over several shards ----------------------------------

    /**
     * Where the log is durable: synced, or under {@code NO} written (all that policy promises). A
     * settlement round counts only the parts that end before it.
     */
    private long durable() {
        return fsync == Fsync.NO ? written : synced;
    }

    /**
     * Calls {@code listener} (on the loop) after each write or settlement while a part is unsettled
     * or when this shard's marks became durable: where the settlement asks for a round.
     */
    public void onDurable(Runnable listener) {
        this.durableListener = listener;
    }

    /** How many parts, from the oldest unsettled, are durable (at most {@code max}). */
    public int durableUnsettled(int max) {
        long d = durable();
        int n = 0;
        for (Part p : unsettled) {
            if (n == max || p.end > d) {
                break;
            }
            n++;
        }
        return n;
    }

    /**
     * Writes the first {@code count} unsettled parts ({@link #durableUnsettled}) at {@code offset}
     * of {@code into}, each its transaction (8 bytes) and part count (4); returns the bytes written.
     */
    public int writeUnsettled(MutableDirectBuffer into, int offset, int count) {
        int at = offset;
        int n = 0;
        for (Part p : unsettled) {
            if (n++ == count) {
                break;
            }
            into.putLong(at, p.transaction);
            into.putInt(at + 8, p.parts);
            at += 12;
        }
        return at - offset;
    }

    /**
     * Settlement round {@code round} settled the first {@code count} unsettled parts (a prefix of
     * those this shard reported for it): they are marked in the log, the replies that waited for
     * them may leave; {@code everywhere} is the last round whose marks every shard has on disk.
     */
    public void settle(long round, int count, long everywhere) {
        lastRound = round;
        marksDurableEverywhere = Math.max(marksDurableEverywhere, everywhere);
        if (count > 0) {
            long[] ids = new long[count];
            for (int i = 0; i < count; i++) {
                ids[i] = unsettled.pollFirst().transaction;
            }
            if (depth > 0) {
                throw new IllegalStateException("a settlement inside a record");
            }
            byte[] mark = TransactionCut.settledMark(ids);
            pending.checkLimit(pendingLength + mark.length);
            pending.putBytes(pendingLength, mark);
            pendingLength += mark.length;
            appended += mark.length;
            marksInFlight.add(new long[] {round, appended});
            lastSettlingRound = round;
            scheduleFlush();
        } else if (marksInFlight.isEmpty()) {
            marksDurableRound = round;
        }
        release();
    }

    /** The last settlement round whose marks here, and every earlier one's, are durable. */
    public long marksDurableRound() {
        return marksDurableRound;
    }

    /** The last settlement round in which parts of this shard settled (0: none yet). */
    public long lastSettlingRound() {
        return lastSettlingRound;
    }

    /**
     * Runs {@code action} (once, on the loop) when what lies before {@code position} may go into a
     * base that replaces the files holding it: every part before it settled, and every shard's
     * marks of those settlements durable, so that a partner's part in another shard's log is kept
     * by the loader whatever this shard's files say. At once where no part was ever tagged here.
     */
    public void whenFoldable(long position, Runnable action) {
        if (foldable != null) {
            throw new IllegalStateException("a compaction already waits to fold");
        }
        foldable = new Foldable(position, action);
        checkFoldable();
    }

    private void checkFoldable() {
        Foldable f = foldable;
        if (f == null) {
            return;
        }
        if (f.round < 0) {
            if (!settledBefore(f.position)) {
                return;
            }
            f.round = lastSettlingRound;
        }
        if (f.round == 0 || marksDurableEverywhere >= f.round) {
            foldable = null;
            f.action.run();
        }
    }

    // ---- writing, off the loop -----------------------------------------------------------------

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.atTurnEnd(flushAtTurnEnd);
        }
    }

    private void onTurnEnd() {
        flushScheduled = false;
        startNext();
    }

    /**
     * Goes on to a new file: what was appended before goes to the current one, what comes after to
     * the file {@code next} opens (off the loop, after the current one is written and synced). Call
     * between records.
     */
    public void rotate(Rotation next) {
        if (depth > 0) {
            throw new IllegalStateException("rotate inside a record");
        }
        if (rotation != null) {
            throw new IllegalStateException("a rotation is already waiting");
        }
        rotation = next;
        rotateAfter = appended;
        scheduleFlush();
    }

    private long rotateAfter = -1;

    private void startNext() {
        if (inFlight || retryScheduled) {
            return;
        }
        boolean wantSync = fsync == Fsync.ALWAYS ? synced < appended : syncWanted && synced < appended;
        if (rotation != null && handed == rotateAfter && written == handed) {
            Rotation r = rotation;
            rotation = null;
            rotateAfter = -1;
            launch(null, 0, true, r);
            return;
        }
        if (pendingLength > 0) {
            // Swap: the loop appends to the spare while the pool writes this one; bytes appended
            // after a rotation's point stay behind for the next file.
            ExpandableDirectByteBuffer b = pending;
            int length = rotation != null ? (int) Math.min(pendingLength, rotateAfter - handed) : pendingLength;
            int rest = pendingLength - length;
            spare.checkLimit(rest);
            spare.putBytes(0, b, length, rest);
            pending = spare;
            pendingLength = rest;
            spare = null;
            launch(b, length, wantSync || rotation != null, null);
        } else if (wantSync && written > synced) {
            launch(null, 0, true, null);
        }
    }

    private void launch(ExpandableDirectByteBuffer buffer, int length, boolean sync, Rotation rotate) {
        inFlight = true;
        inFlightBuffer = buffer;
        inFlightLength = length;
        inFlightSync = sync;
        inFlightRotation = rotate;
        long target = handed + length;
        LogFile f = file;
        long expected = fileSize;
        boolean cut = cutBack;
        working = true;
        int rc = offloader.offload(() -> {
            try {
                return job(f, expected, cut, buffer, length, sync, rotate);
            } finally {
                working = false; // volatile: close() waits on it, with the loop (and so the completion) held
            }
        }, (LogFile opened, Throwable error) -> onWritten(target, opened, error));
        if (rc != OffloadPool.ACCEPTED) {
            working = false;
            inFlight = false;
            putBack();
            scheduleRetry(1); // the pool is full or closing: try again in a moment
        }
    }

    private static LogFile job(LogFile f, long expected, boolean cut, ExpandableDirectByteBuffer buffer, int length,
                               boolean sync, Rotation rotate) throws IOException {
        {
            if (rotate != null) {
                f.force();
                f.close();
                return rotate.open();
            }
            if (cut) {
                f.truncate(expected);
            }
            if (length > 0) {
                f.write(buffer.byteBuffer().duplicate().position(0).limit(length));
            }
            if (sync) {
                f.force();
            }
            return null;
        }
    }

    private void onWritten(long target, LogFile opened, Throwable error) {
        inFlight = false;
        if (error != null) {
            failures++;
            String why = error.getMessage() == null ? error.toString() : error.getMessage();
            if (failure == null) {
                LOG.severe(name + ": writing the append-only file failed (" + why
                        + "); writes are refused until it succeeds again, tried every second");
            }
            failure = why;
            cutBack = true;
            if (inFlightRotation != null) {
                rotation = inFlightRotation;
                rotateAfter = handed;
            } else {
                putBack();
            }
            scheduleRetry(1000);
            return;
        }
        if (failure != null) {
            LOG.info(name + ": the append-only file is written again");
            failure = null;
        }
        cutBack = false;
        if (inFlightRotation != null) {
            file = opened;
            try {
                fileSize = opened.size();
            } catch (IOException e) {
                fileSize = 0;
            }
            synced = written;
            inFlightRotation.opened();
        } else {
            handed = target;
            written = target;
            fileSize += inFlightLength;
            if (inFlightSync) {
                synced = target;
                syncs++;
                syncWanted = false;
            }
            if (inFlightBuffer != null) {
                spare = inFlightBuffer;
            }
        }
        inFlightBuffer = null;
        release();
        startNext();
    }

    /** A batch that did not reach the file goes back before what was appended since. */
    private void putBack() {
        if (inFlightBuffer == null) {
            return;
        }
        ExpandableDirectByteBuffer b = inFlightBuffer;
        b.checkLimit(inFlightLength + pendingLength);
        b.putBytes(inFlightLength, pending, 0, pendingLength);
        spare = pending;
        pending = b;
        pendingLength += inFlightLength;
        inFlightBuffer = null;
    }

    private void scheduleRetry(long millis) {
        if (!retryScheduled) {
            retryScheduled = true;
            loop.scheduleTimer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis), retry);
        }
    }

    private void release() {
        long marksBefore = marksDurableRound;
        long d = durable();
        while (!marksInFlight.isEmpty() && marksInFlight.peekFirst()[1] <= d) {
            marksDurableRound = marksInFlight.pollFirst()[0];
        }
        if (marksInFlight.isEmpty()) {
            marksDurableRound = lastRound;
        }
        while (!held.isEmpty() && mayLeave(held.peekFirst().position)) {
            held.pollFirst().action.run();
        }
        checkFoldable();
        if (durableListener != null && (!unsettled.isEmpty() || marksDurableRound != marksBefore)) {
            durableListener.run();
        }
    }

    private void onSecond(long now) {
        if (retired && rotation == null && !inFlight && !retryScheduled && pendingLength == 0) {
            return; // what it held is on its file, closed: nothing is left to sync
        }
        loop.scheduleTimer(System.nanoTime() + SECOND_NANOS, everySecond);
        if (fsync == Fsync.EVERYSEC && written > synced || pendingLength > 0 && fsync == Fsync.EVERYSEC) {
            syncWanted = true;
            startNext();
        }
    }

    // ---- what it tells -------------------------------------------------------------------------

    /** The error of the last write or sync when it failed and has not succeeded since; null when fine. */
    public String failure() {
        return failure;
    }

    /** Bytes appended since it was opened. */
    public long appended() {
        return appended;
    }

    /** Bytes appended but not yet written (INFO's aof_buffer_length). */
    public long buffered() {
        return appended - written;
    }

    /** Whether a sync is in flight or wanted (INFO's aof_pending_bio_fsync). */
    public boolean syncPending() {
        return inFlight && inFlightSync || syncWanted;
    }

    /** Bytes in the current file, as far as is known written. */
    public long fileSize() {
        return fileSize;
    }

    public long syncs() {
        return syncs;
    }

    public long failures() {
        return failures;
    }

    public long records() {
        return records;
    }

    /** Replies waiting for the disk. */
    public int heldReplies() {
        return held.size();
    }

    /**
     * At shutdown, on the loop: writes and syncs what is left, waiting for it (a loop that stops
     * may block), and closes the file.
     */
    public void close() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (working && System.nanoTime() < deadline) { // its completion cannot run while the loop waits here
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight && inFlightRotation != null) {
            return; // the old file is closed and the new one not known here: nothing more to write
        }
        if (inFlight && inFlightBuffer != null && failure != null) {
            putBack();
        }
        if (pendingLength > 0) {
            ByteBuffer b = pending.byteBuffer().duplicate().position(0).limit(pendingLength);
            file.write(b);
            pendingLength = 0;
        }
        file.force();
        file.close();
    }
}
