package io.shardloop.resp;

import io.shardloop.kv.Command;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * INFO commandstats and errorstats as counted by one writer: per command (by {@link Command#index},
 * no lookup by name) its calls, microseconds, rejections (refused before it ran: arity, NOAUTH)
 * and failures (it ran and answered an error); per error code (the error's first word, "ERR",
 * "WRONGTYPE") its count; and every error reply.
 * <p>
 * One per shard, written by that shard's loop thread alone ({@link #singleWriter}: a plain add and
 * an opaque store), or one per thread-per-connection server, written by every connection thread
 * ({@link #concurrent}: atomic adds). Read from any thread; INFO sums the shards'.
 */
public final class CommandStats {
    public static final int CALLS = 0;
    public static final int MICROS = 1;
    public static final int REJECTED = 2;
    public static final int FAILED = 3;
    private static final int FIELDS = 4;

    private final boolean concurrent;
    private final AtomicLongArray counts = new AtomicLongArray(FIELDS * Command.count() + 1);
    private final int errorReplies = FIELDS * Command.count();
    /** Error replies by code: written on the error path only. */
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();

    private CommandStats(boolean concurrent) {
        this.concurrent = concurrent;
    }

    /** Written by one thread only. */
    public static CommandStats singleWriter() {
        return new CommandStats(false);
    }

    /** Written by any thread. */
    public static CommandStats concurrent() {
        return new CommandStats(true);
    }

    private void add(int slot, long delta) {
        if (concurrent) {
            counts.addAndGet(slot, delta);
        } else {
            counts.setOpaque(slot, counts.getPlain(slot) + delta);
        }
    }

    /** The command ran for that long; {@code error}: the code of the error it answered, or null. */
    public void onCall(Command c, long nanos, String error) {
        int base = FIELDS * c.index();
        add(base + CALLS, 1);
        add(base + MICROS, nanos / 1000);
        if (error != null) {
            add(base + FAILED, 1);
            onError(error);
        }
    }

    /** The command, counted when it ran, answered an error later (its reply came from another shard). */
    public void onFailed(Command c, String error) {
        if (c != null) {
            add(FIELDS * c.index() + FAILED, 1);
        }
        onError(error);
    }

    /** The command was refused before it ran, with that error (null c: a command the table does not know). */
    public void onRejected(Command c, String error) {
        if (c != null) {
            add(FIELDS * c.index() + REJECTED, 1);
        }
        onError(error);
    }

    /** An error reply not tied to one command's run (a protocol error, an error of a command another shard ran). */
    public void onError(String code) {
        add(errorReplies, 1);
        errors.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    /** Any thread. */
    public long get(int field, Command c) {
        return counts.getOpaque(FIELDS * c.index() + field);
    }

    public long errorReplies() {
        return counts.getOpaque(errorReplies);
    }

    /** Error counts by code, sorted by code; any thread. */
    public Map<String, Long> errors() {
        Map<String, Long> copy = new TreeMap<>();
        errors.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /** The field summed over every writer's stats, counted from the last CONFIG RESETSTAT. */
    static long sum(java.util.List<CommandStats> all, StatsZero zero, int field, Command c) {
        long total = 0;
        for (CommandStats s : all) {
            total += s.get(field, c);
        }
        return zero.since("cmd." + field + "." + c.index(), total);
    }

    static long errorReplies(java.util.List<CommandStats> all, StatsZero zero) {
        long total = 0;
        for (CommandStats s : all) {
            total += s.errorReplies();
        }
        return zero.since("error_replies", total);
    }

    /** Error counts by code summed over every writer's, counted from the last CONFIG RESETSTAT; codes at 0 left out. */
    static Map<String, Long> errors(java.util.List<CommandStats> all, StatsZero zero) {
        Map<String, Long> total = new TreeMap<>();
        for (CommandStats s : all) {
            s.errors().forEach((k, v) -> total.merge(k, v, Long::sum));
        }
        Map<String, Long> since = new TreeMap<>();
        total.forEach((k, v) -> {
            long n = zero.since("err." + k, v);
            if (n > 0) {
                since.put(k, n);
            }
        });
        return since;
    }

    /** CONFIG RESETSTAT: every figure's zero is its value now. */
    public static void reset(java.util.List<CommandStats> all, StatsZero zero) {
        for (Command c : io.shardloop.kv.CommandTable.all()) {
            for (int f = 0; f < FIELDS; f++) {
                zero.reset("cmd." + f + "." + c.index(), sum(all, new StatsZero(), f, c));
            }
        }
        zero.reset("error_replies", errorReplies(all, new StatsZero()));
        errors(all, new StatsZero()).forEach((k, v) -> zero.reset("err." + k, v));
    }

    /** The code of an encoded error reply ("-WRONGTYPE ...\r\n") at {@code offset}. */
    public static String code(org.agrona.DirectBuffer reply, int offset, int length) {
        int end = Math.min(length, 33);
        for (int i = 1; i < end; i++) {
            byte b = reply.getByte(offset + i);
            if (b == ' ') {
                return i > 1 ? reply.getStringWithoutLengthAscii(offset + 1, i - 1) : "ERR";
            }
            if (b == '\r') {
                break;
            }
        }
        return "ERR";
    }
}
