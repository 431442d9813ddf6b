package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shardloop.kv.Db.NO_EXPIRY;

/**
 * DUMP and RESTORE: a value as Redis 7.0's serialized form ({@link DumpPayload}) and back. RESTORE's
 * IDLETIME sets the key's access clock ({@link ObjectHeader#idleFor}); its FREQ is checked as Redis
 * does and then ignored, as Redis ignores it under a policy that is not LFU (the only kind here).
 * Stateless: every method works on the {@link Db} it is given.
 */
final class DumpCommands {
    private static final byte[] BUSY_KEY = Errors.encoded("-BUSYKEY Target key name already exists.");
    private static final byte[] BAD_PAYLOAD = Errors.encoded("-ERR DUMP payload version or checksum are wrong");
    private static final byte[] BAD_FORMAT = Errors.encoded("-ERR Bad data format");
    private static final byte[] NEGATIVE_TTL = Errors.encoded("-ERR Invalid TTL value, must be >= 0");
    private static final byte[] NEGATIVE_IDLETIME = Errors.encoded("-ERR Invalid IDLETIME value, must be >= 0");
    private static final byte[] FREQ_RANGE = Errors.encoded("-ERR Invalid FREQ value, must be >= 0 and <= 255");

    private DumpCommands() {
    }

    /** DUMP key: the serialized value, or null. */
    static void dump(Db db, CommandArgs a, ReplySink out) {
        Object v = db.get(db.probe(0, a, 1));
        if (v == null) {
            out.nullBulk();
            return;
        }
        out.bulk(DumpPayload.of(v));
    }

    /** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], in Redis's order of checks. */
    static void restore(Db db, CommandArgs a, ReplySink out) {
        boolean replace = false, absttl = false, idletime = false, freq = false;
        long idleSeconds = -1;
        for (int j = 4; j < a.count(); j++) {
            boolean hasValue = j + 1 < a.count();
            if (a.is(j, "REPLACE")) {
                replace = true;
            } else if (a.is(j, "ABSTTL")) {
                absttl = true;
            } else if (a.is(j, "IDLETIME") && hasValue && !freq) {
                if (!a.isLong(++j)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
                idleSeconds = a.parseLong(j, 0);
                if (idleSeconds < 0) {
                    out.raw(NEGATIVE_IDLETIME);
                    return;
                }
                idletime = true;
            } else if (a.is(j, "FREQ") && hasValue && !idletime) {
                if (!a.isLong(++j)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
                long f = a.parseLong(j, 0);
                if (f < 0 || f > 255) {
                    out.raw(FREQ_RANGE);
                    return;
                }
                freq = true;
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        Key key = db.probe(0, a, 1);
        if (!replace && db.get(key) != null) {
            out.raw(BUSY_KEY);
            return;
        }
        if (!a.isLong(2)) {
            out.raw(Errors.NOT_INTEGER);
            return;
        }
        long ttl = a.parseLong(2, 0);
        if (ttl < 0) {
            out.raw(NEGATIVE_TTL);
            return;
        }
        UnsafeBuffer payload = new UnsafeBuffer(a.array(), a.offset(3), a.length(3));
        if (!DumpPayload.verify(payload, 0, payload.capacity())) {
            out.raw(BAD_PAYLOAD);
            return;
        }
        Object value;
        try {
            value = DumpPayload.value(payload, 0, payload.capacity());
        } catch (ValueCodec.MalformedValueException e) {
            out.raw(BAD_FORMAT);
            return;
        }
        boolean deleted = replace && db.remove(key);
        long now = db.now();
        // Wraps past Long.MAX_VALUE as Redis's does, into the past: the key is then not created.
        long deadline = ttl == 0 ? NO_EXPIRY : absttl ? ttl : ttl + now;
        if (deadline != NO_EXPIRY && deadline <= now) {
            if (deleted) {
                db.notify(KeyspaceEvents.GENERIC, "del", key);
            }
            out.raw(Errors.OK);
            return;
        }
        db.put(key, value, deadline);
        if (idletime) {
            db.setHeader(key, ObjectHeader.idleFor(db.header(key), db.lruClock(), idleSeconds));
        }
        db.notify(KeyspaceEvents.GENERIC, "restore", key);
        out.raw(Errors.OK);
    }
}
