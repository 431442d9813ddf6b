package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;

/**
 * OBJECT: ENCODING, REFCOUNT, IDLETIME and FREQ key (routed by their key, argument 2) and HELP,
 * as Redis 7.0's object.c answers them. Each looks its key up without touching it (Redis's
 * objectCommandLookup, LOOKUP_NOTOUCH). ENCODING is {@link ObjectEncoding}'s model; REFCOUNT is
 * 2147483647 for the integers Redis shares, else 1; IDLETIME reads the key's access clock
 * ({@link ObjectHeader}). FREQ answers Redis's error for a policy that is not LFU: maxmemory-policy
 * can only be noeviction here. Stateless.
 */
final class ObjectCommands {
    private static final String[] HELP = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    };
    private static final byte[] FREQ_NOT_TRACKED = Errors.encoded("-ERR An LFU maxmemory policy is not selected, "
            + "access frequency not tracked. Please note that when switching between policies at runtime LRU and "
            + "LFU data will take some time to adjust.");

    private ObjectCommands() {
    }

    /** OBJECT with a subcommand that names no key: HELP, or Redis's unknown-subcommand error. */
    static void object(Db db, CommandArgs a, ReplySink out) {
        Errors.helpOrUnknown(a, out, "OBJECT", HELP);
    }

    static void encoding(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 2);
        Object v = db.peek(key);
        if (v == null) {
            out.nullBulk();
        } else {
            out.bulk(ObjectEncoding.of(db, key, v).getBytes(StandardCharsets.US_ASCII));
        }
    }

    static void refcount(Db db, CommandArgs a, ReplySink out) {
        Object v = db.peek(db.probe(0, a, 2));
        if (v == null) {
            out.nullBulk();
        } else {
            out.integer(ObjectEncoding.refcount(v));
        }
    }

    /** Redis's estimateObjectIdleTime, in whole seconds. */
    static void idletime(Db db, CommandArgs a, ReplySink out) {
        Key key = db.probe(0, a, 2);
        if (db.peek(key) == null) {
            out.nullBulk();
        } else {
            out.integer(ObjectHeader.idleMillis(db.header(key), db.lruClock()) / 1000);
        }
    }

    /** Redis looks the key up first: a missing key is a null before the policy's error. */
    static void freq(Db db, CommandArgs a, ReplySink out) {
        if (db.peek(db.probe(0, a, 2)) == null) {
            out.nullBulk();
        } else {
            out.raw(FREQ_NOT_TRACKED);
        }
    }
}
