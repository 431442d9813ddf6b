package io.shardloop.kv;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The keys of a transaction whose commands need values of several shards at once (a RENAME, an
 * SINTERSTORE, a script over keys of two shards), gathered in one place: each owner sends the
 * values of its keys as bytes ({@link ValueCodec}) while it holds their locks; the commands run
 * on scratch keyspaces (one per database) holding copies of them; what changed goes back to the
 * owners as bytes. Each key is named with its database ({@link DbKeys}): a transaction's commands
 * may run on several databases, and COPY ... DB writes into another.
 * <p>
 * The wire form of a key's value, both ways: the key with its database, whether it exists, its
 * deadline and its encoded value ({@link #write}, {@link #apply}).
 * <p>
 * Not thread-safe: owned by the coordinating shard's loop (or the one thread of the reference store).
 */
final class GatheredKeys {
    /**
     * The shard index of the scratch keyspaces: no shard's, so a command that looks for keys it did
     * not name (SORT's BY and GET patterns) knows they are not here ({@link SortCommand}).
     */
    static final int SCRATCH_SHARD = -1;
    private final Keyspace[] scratch;
    /** Each key (with its database) as fetched: its encoded value (null when absent) and deadline. */
    private final Map<Key, Original> originals = new LinkedHashMap<>();
    private final ExpandableArrayBuffer encoded = new ExpandableArrayBuffer(256);

    private record Original(byte[] value, long expireAt) {
    }

    /**
     * @param events    where the events of the commands run on the copies go: the shard's own
     * @param encodings the shard's thresholds of the compact encodings
     */
    GatheredKeys(LongSupplier clock, int databases, KeyspaceEvents events, EncodingThresholds encodings) {
        this.scratch = Keyspace.databases(databases, clock, SCRATCH_SHARD, 1);
        Keyspace.markGathered(scratch);
        for (Keyspace k : scratch) {
            k.keyspaceEvents(events);
            k.encodings(encodings);
        }
    }

    /** The keyspace the commands of database {@code db} run on. */
    Keyspace scratch(int db) {
        return scratch[db];
    }

    /** A key (with its database) as its owner holds it: {@code value} encoded, or null when it does not exist. */
    void add(Key key, byte[] value, long expireAt) {
        if (originals.putIfAbsent(key, new Original(value, expireAt)) != null || value == null) {
            return;
        }
        scratch[DbKeys.db(key)].load(DbKeys.name(key),
                ValueCodec.decode(new org.agrona.concurrent.UnsafeBuffer(value), 0, value.length), expireAt);
    }

    /** Reads the keys {@link #write} wrote (as many as there are) and adds each. */
    void addAll(DirectBuffer src, int offset, int end) {
        int at = offset;
        while (at < end) {
            int keyLength = src.getInt(at);
            byte[] key = new byte[keyLength];
            src.getBytes(at + 4, key);
            at += 4 + keyLength;
            boolean present = src.getByte(at) == 1;
            long expireAt = src.getLong(at + 1);
            int valueLength = src.getInt(at + 9);
            at += 13;
            byte[] value = null;
            if (present) {
                value = new byte[valueLength];
                src.getBytes(at, value);
                at += valueLength;
            }
            add(Key.wrap(key), value, expireAt);
        }
    }

    /**
     * Writes a key ({@link DbKeys}: with its database) as its shard holds it now (absent when it
     * does not exist); {@code shard} is any database of that shard. Returns the end.
     */
    static int write(Db shard, Key key, MutableDirectBuffer dst, int at) {
        Db db = shard.database(DbKeys.db(key));
        Key name = DbKeys.name(key);
        Object value = db.get(name);
        dst.putInt(at, key.length());
        dst.putBytes(at + 4, key.array(), key.offset(), key.length());
        at += 4 + key.length();
        dst.putByte(at, (byte) (value == null ? 0 : 1));
        dst.putLong(at + 1, value == null ? Db.NO_EXPIRY : db.expireAt(name));
        if (value == null) {
            dst.putInt(at + 9, 0);
            return at + 13;
        }
        int length = ValueCodec.encode(value, dst, at + 13);
        dst.putInt(at + 9, length);
        return at + 13 + length;
    }

    /** What the commands changed, key by key. */
    @FunctionalInterface
    interface ChangeVisitor {
        /** {@code value} and {@code length} as {@link #write} wrote them for the key, absent or not. */
        void changed(Key key, DirectBuffer written, int offset, int length);
    }

    /** Visits every gathered key whose value or deadline the commands changed, written as {@link #write} does. */
    void forEachChange(ChangeVisitor visitor) {
        for (Map.Entry<Key, Original> e : originals.entrySet()) {
            Key key = e.getKey();
            Original before = e.getValue();
            int length = write(scratch[0], key, encoded, 0);
            boolean present = encoded.getByte(4 + key.length()) == 1;
            if (before.value() == null && !present) {
                continue;
            }
            if (before.value() != null && present
                    && before.expireAt() == scratch[DbKeys.db(key)].expireAt(DbKeys.name(key))
                    && sameValue(before.value(), 4 + key.length() + 13, length)) {
                continue;
            }
            visitor.changed(key, encoded, 0, length);
        }
    }

    private boolean sameValue(byte[] before, int from, int to) {
        if (to - from != before.length) {
            return false;
        }
        byte[] now = new byte[before.length];
        encoded.getBytes(from, now);
        return Arrays.equals(now, before);
    }

    /**
     * Applies one key written by {@link #write} to its owner, in its database ({@code shard} is any
     * database of that shard): puts the value with its deadline, or removes the key; a watch on it
     * sees the change. Returns the end.
     */
    static int apply(Db shard, DirectBuffer src, int at) {
        int keyLength = src.getInt(at);
        byte[] bytes = new byte[keyLength];
        src.getBytes(at + 4, bytes);
        Key named = Key.wrap(bytes);
        Db owner = shard.database(DbKeys.db(named));
        Key key = DbKeys.name(named);
        at += 4 + keyLength;
        boolean present = src.getByte(at) == 1;
        long expireAt = src.getLong(at + 1);
        int valueLength = src.getInt(at + 9);
        at += 13;
        owner.watches().touched(key);
        if (!present) {
            owner.remove(key);
        } else {
            owner.load(key, ValueCodec.decode(src, at, valueLength), expireAt); // its events were the commands'
        }
        if (owner instanceof Keyspace k) {
            k.changed(); // its events were on the copies: a change here, for the save points
            k.applied(key);
            if (k.appendLog() != null) {
                Propagation.appendState(k.appendLog(), k, DbKeys.db(named), key);
            }
        }
        return present ? at + valueLength : at;
    }
}
