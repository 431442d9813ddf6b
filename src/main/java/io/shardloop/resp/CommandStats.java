package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.resp.codec.CommandArgs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * INFO commandstats and errorstats as counted by one writer: per command (by {@link Command#index},
 * no lookup by name; a container's subcommands, "client|list", each by a slot of its own) its
 * calls, microseconds, rejections (refused before it ran: arity, NOAUTH) and failures (it ran and
 * answered an error); per error code (the error's first word, "ERR", "WRONGTYPE") its count; and
 * every error reply.
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
    /** Where a container command's subcommands count ("client|list"), by the container's index; null for the others. */
    private static final Map<String, Integer>[] SUBCOMMAND_SLOTS;
    /** Slots in all: a command's own (its index), then its subcommands'. */
    private static final int SLOTS;

    static {
        int next = Command.count();
        @SuppressWarnings("unchecked")
        Map<String, Integer>[] slots = new Map[next];
        for (Command c : CommandTable.all()) {
            List<String> subs = CommandTable.redisSubcommands(c);
            if (!subs.isEmpty()) {
                slots[c.index()] = new java.util.HashMap<>();
                for (String sub : subs) {
                    // A subcommand with a table entry of its own (memory|usage) counts at its index.
                    Command own = CommandTable.find(CommandArgs.of(c.name(), sub));
                    slots[c.index()].put(sub, own != null && own != c ? own.index() : next++);
                }
            }
        }
        SUBCOMMAND_SLOTS = slots;
        SLOTS = next;
    }

    private final boolean concurrent;
    private final AtomicLongArray counts = new AtomicLongArray(FIELDS * SLOTS + 1);
    private final int errorReplies = FIELDS * SLOTS;
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

    /**
     * Where the command counts: its own slot, or its subcommand's for a container (a lookup by
     * name, for the container commands only: CLIENT, CONFIG, COMMAND...). An unknown subcommand
     * counts as the container.
     */
    private static int slot(Command c, CommandArgs args) {
        Map<String, Integer> subs = SUBCOMMAND_SLOTS[c.index()];
        if (subs == null || args.count() < 2) {
            return c.index();
        }
        Integer sub = subs.get(args.string(1).toLowerCase(java.util.Locale.ROOT));
        return sub == null ? c.index() : sub;
    }

    /** The command ran for that long; {@code error}: the code of the error it answered, or null. */
    public void onCall(Command c, CommandArgs args, long nanos, String error) {
        int base = FIELDS * slot(c, args);
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
    public void onRejected(Command c, CommandArgs args, String error) {
        if (c != null) {
            add(FIELDS * slot(c, args) + REJECTED, 1);
        }
        onError(error);
    }

    /** An error reply not tied to one command's run (a protocol error, an error of a command another shard ran). */
    public void onError(String code) {
        add(errorReplies, 1);
        errors.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    /** Any thread. */
    private long get(int field, int slot) {
        return counts.getOpaque(FIELDS * slot + field);
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

    /**
     * The name and slot of every line INFO commandstats may show, in table order: a command's own
     * ("client": a bare or unknown subcommand), then its subcommands' ("client|kill").
     */
    static List<Map.Entry<String, Integer>> lines() {
        List<Map.Entry<String, Integer>> lines = new ArrayList<>();
        for (Command c : CommandTable.all()) {
            lines.add(Map.entry(c.name(), c.index()));
            Map<String, Integer> subs = SUBCOMMAND_SLOTS[c.index()];
            if (subs != null) {
                new TreeMap<>(subs).forEach((sub, slot) -> lines.add(Map.entry(c.name() + "|" + sub, slot)));
            }
        }
        return lines;
    }

    /** The field of a slot summed over every writer's stats, counted from the last CONFIG RESETSTAT. */
    static long sum(List<CommandStats> all, StatsZero zero, int field, int slot) {
        long total = 0;
        for (CommandStats s : all) {
            total += s.get(field, slot);
        }
        return zero.since("cmd." + field + "." + slot, total);
    }

    static long errorReplies(List<CommandStats> all, StatsZero zero) {
        long total = 0;
        for (CommandStats s : all) {
            total += s.errorReplies();
        }
        return zero.since("error_replies", total);
    }

    /** Error counts by code summed over every writer's, counted from the last CONFIG RESETSTAT; codes at 0 left out. */
    static Map<String, Long> errors(List<CommandStats> all, StatsZero zero) {
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
    public static void reset(List<CommandStats> all, StatsZero zero) {
        StatsZero none = new StatsZero();
        for (int slot = 0; slot < SLOTS; slot++) {
            for (int f = 0; f < FIELDS; f++) {
                zero.reset("cmd." + f + "." + slot, sum(all, none, f, slot));
            }
        }
        zero.reset("error_replies", errorReplies(all, none));
        errors(all, none).forEach((k, v) -> zero.reset("err." + k, v));
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
