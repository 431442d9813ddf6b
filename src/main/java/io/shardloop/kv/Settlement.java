package io.shardloop.kv;

import io.shardloop.persist.AppendLog;
import io.shardloop.persist.TransactionCut;
import io.shardloop.runtime.mailbox.Mailbox;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Settles the parts of transactions over several shards: finds, over every shard's log, the parts
 * that no crash can cut any more ({@link TransactionCut#settledPrefixes}), so that the replies
 * waiting for them may leave (appendfsync always) and a compaction may fold them into a base
 * ({@link AppendLog#whenFoldable}).
 * <p>
 * A round, run by shard {@value #COORDINATOR} for every shard, one at a time:
 * <pre>
 *   a shard whose durable parts it has not reported    MSG_WANTED  to the coordinator
 *   the coordinator                                    MSG_GATHER  to every shard
 *   each shard: its oldest unsettled durable parts     MSG_REPORT  (a bounded number, see below)
 *   the coordinator, the cut over the reports          MSG_SETTLED to every shard: how many settle
 * </pre>
 * A report lists parts on disk, so the cut computed over the reports is the cut of a crash now
 * with only those parts on disk; a real crash has at least those, and more parts only move a cut
 * later: what the round keeps, every later crash keeps. A part whose partner is not on disk yet
 * waits for a later round, which the partner's shard asks for once that part is durable. Each
 * shard marks what settled in its log, and says in its next report when those marks are
 * durable; a round tells every shard the last round whose marks are durable everywhere.
 * <p>
 * A report lists at most {@value #FIRST_REPORT} parts; when a full report settles none of them
 * (a part beyond it may be what they wait for), the next lists twice as many, and so on.
 * <p>
 * Rounds wait only for syncs and messages, never for a reply, so nothing that waits for a
 * settlement can hold one up. An idle server runs no rounds.
 * <p>
 * Single-threaded: owned by its shard's loop; messages from shard 0 to a shard arrive in order,
 * so a shard's {@code MSG_SETTLED} of a round comes before the next round's {@code MSG_GATHER}.
 */
final class Settlement {
    /** One-way, to the coordinator: a round is wanted. */
    static final int MSG_WANTED = 14;
    /** One-way, from the coordinator: report for round (long). */
    static final int MSG_GATHER = 15;
    /** One-way, to the coordinator: round (long), marks durable through round (long), count (int), then (transaction long, parts int) each. */
    static final int MSG_REPORT = 16;
    /** One-way, from the coordinator: round (long), how many of the reported parts settle (int), marks durable everywhere through round (long). */
    static final int MSG_SETTLED = 17;
    /** The most parts a shard reports in a round while its reports settle some (12 bytes each). */
    static final int FIRST_REPORT = 256;
    private static final int COORDINATOR = 0;
    /** A round's number carries its settlement's epoch above these bits ({@link #Settlement}). */
    private static final int EPOCH_SHIFT = 40;

    private final int here;
    private final int shards;
    private final Mailbox mailbox;
    private final AppendLog log;
    /** How many times the log was turned on before this settlement's (0 for a log the server started with). */
    private final long epoch;
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(32 + 12 * FIRST_REPORT);

    // This shard's side.
    /** A MSG_WANTED is on its way and no MSG_GATHER has come since. */
    private boolean asked;
    /** The reported parts the last round did not settle: the next round lists them again. */
    private int reportedUnsettled;
    /** The marks-durable round the last report gave. */
    private long reportedMarks;
    /** The most parts the next report lists. */
    private int reportCap = FIRST_REPORT;

    // The coordinator's side (shard 0).
    private long round;
    private boolean running;
    private boolean wanted;
    private int awaiting;
    private final long[][] transactions;
    private final int[][] parts;
    private final long[] marks;

    /**
     * @param epoch how many times the log was turned on while serving before this one: the rounds
     *              of this settlement are numbered from {@code epoch << 40}, and a message of an
     *              earlier one (a log turned off, then on again) is told apart and dropped
     */
    Settlement(int here, int shards, Mailbox mailbox, AppendLog log, long epoch) {
        this.here = here;
        this.epoch = epoch;
        this.round = epoch << EPOCH_SHIFT;
        this.shards = shards;
        this.mailbox = mailbox;
        this.log = log;
        boolean coordinates = here == COORDINATOR;
        this.transactions = coordinates ? new long[shards][] : null;
        this.parts = coordinates ? new int[shards][] : null;
        this.marks = coordinates ? new long[shards] : null;
        log.onDurable(this::maybeAsk);
    }

    /** The settlement's messages; false for a type that is not one. */
    boolean onMessage(int type, int source, DirectBuffer buffer, int offset) {
        switch (type) {
            case MSG_WANTED -> onWanted();
            case MSG_GATHER -> {
                if (ours(buffer.getLong(offset))) {
                    onGather(buffer.getLong(offset));
                }
            }
            case MSG_REPORT -> onReport(source, buffer, offset);
            case MSG_SETTLED -> {
                if (ours(buffer.getLong(offset))) {
                    onSettled(buffer.getLong(offset), buffer.getInt(offset + 8), buffer.getLong(offset + 12));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Whether round {@code r} is one of this settlement's, not of one before it. */
    private boolean ours(long r) {
        return r >>> EPOCH_SHIFT == epoch;
    }

    // ---- this shard ----------------------------------------------------------------------------

    /**
     * After each write of the log while a part is unsettled, and when marks became durable: asks
     * for a round when this shard has durable parts the coordinator has not seen, or marks of a
     * settlement it has not heard are durable.
     */
    private void maybeAsk() {
        if (asked) {
            return;
        }
        boolean newParts = log.durableUnsettled(reportCap) > reportedUnsettled;
        long lastSettled = log.lastSettlingRound();
        boolean newMarks = lastSettled > reportedMarks && log.marksDurableRound() >= lastSettled;
        if (!newParts && !newMarks) {
            return;
        }
        asked = true;
        if (here == COORDINATOR) {
            onWanted();
        } else {
            send(COORDINATOR, MSG_WANTED, 0);
        }
    }

    private void onGather(long r) {
        asked = false;
        int count = log.durableUnsettled(reportCap);
        reportedUnsettled = count;
        reportedMarks = log.marksDurableRound();
        message.putLong(0, r);
        message.putLong(8, reportedMarks);
        message.putInt(16, count);
        int length = 20 + log.writeUnsettled(message, 20, count);
        if (here == COORDINATOR) {
            onReport(here, message, 0);
        } else {
            send(COORDINATOR, MSG_REPORT, length);
        }
    }

    private void onSettled(long r, int count, long everywhere) {
        if (count > 0) {
            reportCap = FIRST_REPORT;
        } else if (reportedUnsettled == reportCap) {
            reportCap *= 2; // a full report settled nothing: what its parts wait for may lie beyond it
        }
        reportedUnsettled -= count;
        log.settle(r, count, everywhere); // asks again from the log's listener when there is more
    }

    // ---- the coordinator -----------------------------------------------------------------------

    private void onWanted() {
        wanted = true;
        if (!running) {
            start();
        }
    }

    private void start() {
        wanted = false;
        running = true;
        round++;
        awaiting = shards;
        message.putLong(0, round);
        for (int s = 0; s < shards; s++) {
            if (s != here) {
                send(s, MSG_GATHER, 8);
            }
        }
        onGather(round);
    }

    private void onReport(int s, DirectBuffer buffer, int offset) {
        if (!running || buffer.getLong(offset) != round) {
            return; // a report to a settlement before this one
        }
        long marksRound = buffer.getLong(offset + 8);
        int count = buffer.getInt(offset + 16);
        long[] ids = new long[count];
        int[] counts = new int[count];
        for (int i = 0, at = offset + 20; i < count; i++, at += 12) {
            ids[i] = buffer.getLong(at);
            counts[i] = buffer.getInt(at + 8);
        }
        transactions[s] = ids;
        parts[s] = counts;
        marks[s] = marksRound;
        if (--awaiting > 0) {
            return;
        }
        int[] settled = TransactionCut.settledPrefixes(transactions, parts);
        long everywhere = Long.MAX_VALUE;
        for (long m : marks) {
            everywhere = Math.min(everywhere, m);
        }
        running = false;
        long r = round;
        for (int t = 0; t < shards; t++) {
            if (t != here) {
                message.putLong(0, r);
                message.putInt(8, settled[t]);
                message.putLong(12, everywhere);
                send(t, MSG_SETTLED, 20);
            }
        }
        onSettled(r, settled[here], everywhere);
        if (wanted && !running) {
            start();
        }
    }

    private void send(int target, int type, int length) {
        if (mailbox.sendAlways(target, type, message, 0, length) < 0) {
            throw new IllegalStateException("a settlement message to shard " + target + " was refused");
        }
    }
}
