package io.shardloop.runtime.mailbox;

import io.shardloop.metrics.SingleWriterCounters;

/** The mailbox counters of one shard: indexes into its {@link SingleWriterCounters}. */
public final class MailboxStats {
    /** Messages written into a target's ring (straight away or from the overflow). */
    public static final int SENT = 0;
    /** Messages that went to the local overflow because the ring was full or a backlog was ahead. */
    public static final int QUEUED = 1;
    /** One-way messages refused because the overflow towards the target was at its bound. */
    public static final int BACKLOG_FULL = 2;
    /** Messages held in the overflows now (all targets). */
    public static final int BACKLOG = 3;
    /** The most messages the overflows have held at once. */
    public static final int PEAK_BACKLOG = 4;
    /** Messages read from this shard's rings (one-way, requests and responses). */
    public static final int RECEIVED = 5;
    /** Responses that resumed a continuation. */
    public static final int RESPONSES = 6;
    /** Responses that matched a cancelled request. */
    public static final int STALE_RESPONSES = 7;
    /** Wake-up calls made on other shards' loops. */
    public static final int WAKEUPS = 8;
    /** Messages whose handler threw. */
    public static final int HANDLER_ERRORS = 9;
    /** Requests refused for want of credit (the caller held them back and retried). */
    public static final int CREDIT_WAITS = 10;
    /** Requests in flight now (all targets). */
    public static final int IN_FLIGHT = 11;
    /** Requests received and parked because responses to their asker were backed up. */
    public static final int PARKED = 12;
    /** Requests parked now (all askers). */
    public static final int PARKED_NOW = 13;
    /** Messages whose payload was too long for a ring record and travelled beside it. */
    public static final int LARGE = 14;

    public static final int COUNT = 15;

    private static final String[] NAMES = {
        "sent", "queued", "backlog_full", "backlog", "peak_backlog", "received", "responses",
        "stale_responses", "wakeups", "handler_errors", "credit_waits", "in_flight", "parked", "parked_now",
        "large"
    };

    private MailboxStats() {
    }

    public static SingleWriterCounters newCounters() {
        return new SingleWriterCounters(COUNT);
    }

    public static String name(int counter) {
        return NAMES[counter];
    }
}
