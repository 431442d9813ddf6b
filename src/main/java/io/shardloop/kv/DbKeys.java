package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

/**
 * A key named with its database, in one {@link Key}: the database index as 4 bytes (big-endian),
 * then the key's bytes. How a key travels where its database must go with it: watches (a
 * client's, a transaction's, a shard's part of one, and the messages that carry them between
 * shards) and the keys a transaction over several shards gathers ({@link GatheredKeys}). Each
 * database's own keyspace and {@link WatchTable} know the key alone ({@link #name}). Stateless.
 */
public final class DbKeys {
    private static final int PREFIX = 4;

    private DbKeys() {
    }

    /** The key at {@code src[off, off+len)} in database {@code db}: an owned copy. */
    public static Key of(int db, byte[] src, int off, int len) {
        byte[] b = new byte[PREFIX + len];
        b[0] = (byte) (db >>> 24);
        b[1] = (byte) (db >>> 16);
        b[2] = (byte) (db >>> 8);
        b[3] = (byte) db;
        System.arraycopy(src, off, b, PREFIX, len);
        return Key.wrap(b);
    }

    /** Argument {@code i} in the database the command runs on. */
    public static Key of(CommandArgs args, int i) {
        return of(args.db(), args.array(), args.offset(i), args.length(i));
    }

    /** The database of a key so named. */
    static int db(Key key) {
        byte[] b = key.array();
        int o = key.offset();
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }

    /** The key alone, as its database's keyspace and {@link WatchTable} know it (a copy). */
    static Key name(Key key) {
        return Key.copyOf(key.array(), key.offset() + PREFIX, key.length() - PREFIX);
    }

    /** The shard that owns the key (a key's shard does not depend on its database). */
    static int owner(Key key, int shardCount) {
        return Slots.ownerOf(key.array(), key.offset() + PREFIX, key.length() - PREFIX, shardCount);
    }
}
