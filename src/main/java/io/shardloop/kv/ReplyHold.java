package io.shardloop.kv;

import io.shardloop.persist.AppendLog;

import java.util.ArrayDeque;

/**
 * Where the replies a shard makes wait before they leave (to its connections' lines, or to other
 * shards): for its log's sync under appendfsync always ({@link AppendLog#afterDurable}), and, from
 * the moment its part of a save round over several shards begins until every shard's part has
 * begun, for the cut ({@link #beginCut}, {@link #endCut}).
 * <p>
 * The cut makes the round one instant of every shard: a write that is not in the snapshot (it
 * ran after its shard began) is acknowledged, and a read that saw it answered, only once every
 * shard has begun, so nothing a client does after learning of it can be in the snapshot either. A
 * hold lasts one round trip of messages between the shards (the begin, then the word that all have
 * begun), and nothing waits on a loop: a reply held is a continuation, its place kept in its
 * connection's line.
 * <p>
 * Single-threaded: owned by its shard's loop, as the log is.
 */
final class ReplyHold {
    private static final ThreadLocal<ReplyHold> ON_THIS_THREAD = new ThreadLocal<>();

    /** The shard's log, or null when nothing is logged. */
    private final AppendLog log;
    private boolean cut;
    private final ArrayDeque<Runnable> heldForCut = new ArrayDeque<>();

    ReplyHold(AppendLog log) {
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
     * its connection: appendfsync always, or a cut under way.
     */
    boolean aside() {
        return cut || log != null && log.fsync() == AppendLog.Fsync.ALWAYS;
    }

    /** Whether a reply made now must wait: a cut under way, or the log holds bytes not yet synced. */
    boolean holds() {
        return cut || log != null && log.holdsReplies();
    }

    /**
     * Whether a read's reply made now must wait: as {@link #holds}, but a read leaves at once while
     * the log cannot be written (reads go on then), unless a cut holds it.
     */
    boolean holdsRead() {
        return cut || log != null && log.holdsReplies() && log.failure() == null;
    }

    /** Runs {@code action} once what the log holds now is durable (synced, after no unsettled part) and no cut holds it. */
    void afterDurable(Runnable action) {
        if (log != null && log.holdsReplies()) {
            log.afterDurable(cut ? () -> afterCut(action) : action);
        } else {
            afterCut(action);
        }
    }

    private void afterCut(Runnable action) {
        if (cut) {
            heldForCut.add(action);
        } else {
            action.run();
        }
    }

    /** This shard's part of a round over several shards began: replies wait from now on. */
    void beginCut() {
        cut = true;
    }

    /** Every shard's part has begun: the replies held leave, in the order they were made. */
    void endCut() {
        cut = false;
        for (Runnable r; (r = heldForCut.poll()) != null; ) {
            r.run();
        }
    }
}
