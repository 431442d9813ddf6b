package io.shardloop.kv;

import io.shardloop.persist.AppendLog;

/**
 * Where the replies a shard makes wait before they leave (to its connections' lines, or to other
 * shards): for its log's sync under appendfsync always ({@link AppendLog#afterDurable}). Nothing
 * waits on a loop: a reply held is a continuation, its place kept in its connection's line.
 * <p>
 * Single-threaded: owned by its shard's loop, as the log is.
 */
final class ReplyHold {
    private static final ThreadLocal<ReplyHold> ON_THIS_THREAD = new ThreadLocal<>();

    /** The shard's log, or null when nothing is logged (until CONFIG SET appendonly yes). */
    private AppendLog log;

    ReplyHold(AppendLog log) {
        this.log = log;
    }

    /** The shard's log turned on at run time: replies wait for it from now on. */
    void log(AppendLog log) {
        this.log = log;
    }

    /** Makes this the hold of the calling thread (its shard's loop), for {@link #whenDurable}. */
    void bindThisThread() {
        ON_THIS_THREAD.set(this);
    }

    /**
     * Runs {@code action} once the calling loop's shard lets its replies leave, or at once where
     * nothing holds them (no hold on this thread): an answer to another shard, after what it tells of.
     */
    static void whenDurable(Runnable action) {
        ReplyHold hold = ON_THIS_THREAD.get();
        if (hold == null) {
            action.run();
        } else {
            hold.afterDurable(action);
        }
    }

    /** Whether the calling loop's shard holds its replies now ({@link #holds}). */
    static boolean holdsOnThisThread() {
        ReplyHold hold = ON_THIS_THREAD.get();
        return hold != null && hold.holds();
    }

    /**
     * Whether a reply made now may have to wait, so that it is made aside rather than straight into
     * its connection: appendfsync always.
     */
    boolean aside() {
        return log != null && log.fsync() == AppendLog.Fsync.ALWAYS;
    }

    /** Whether a reply made now must wait: the log holds bytes not yet synced. */
    boolean holds() {
        return log != null && log.holdsReplies();
    }

    /**
     * Whether a read's reply made now must wait: as {@link #holds}, but a read leaves at once while
     * the log cannot be written (reads go on then).
     */
    boolean holdsRead() {
        return log != null && log.holdsReplies() && log.failure() == null;
    }

    /** Runs {@code action} once what the log holds now is durable (synced, after no unsettled part). */
    void afterDurable(Runnable action) {
        if (log != null && log.holdsReplies()) {
            log.afterDurable(action);
        } else {
            action.run();
        }
    }
}
