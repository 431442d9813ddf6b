package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import static io.shardloop.kv.Db.NO_EXPIRY;

/**
 * MEMORY: USAGE key [SAMPLES count] (routed by its key, argument 2) and HELP. Stateless.
 */
final class MemoryCommands {
    private static final String[] HELP = {
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
    };

    private MemoryCommands() {
    }

    /** MEMORY with a subcommand other than USAGE: HELP, or Redis's unknown-subcommand error. */
    static void memory(Db db, CommandArgs a, ReplySink out) {
        Errors.helpOrUnknown(a, out, "MEMORY", HELP);
    }

    /** MEMORY USAGE key [SAMPLES count]: the estimate of {@link MemoryUsage}, or a null bulk. */
    static void usage(Db db, CommandArgs a, ReplySink out) {
        long samples = MemoryUsage.DEFAULT_SAMPLES;
        for (int i = 3; i < a.count(); i++) {
            if (a.is(i, "SAMPLES") && i + 1 < a.count()) {
                if (!a.isLong(++i)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
                samples = a.parseLong(i, 0);
                if (samples < 0) {
                    out.raw(Errors.SYNTAX);
                    return;
                }
                if (samples == 0) {
                    samples = Long.MAX_VALUE;
                }
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        Key key = db.probe(0, a, 2);
        Object value = db.peek(key); // Redis reads its dict: the access time stays
        if (value == null) {
            out.nullBulk();
            return;
        }
        boolean timed = db.expireAt(key) != NO_EXPIRY;
        out.integer(MemoryUsage.ofEntry(a.length(2), value, samples, db.entryBytes(timed)));
    }
}
