package io.shardloop.kv;

/**
 * The aux fields that open an RDB file, as Redis 7.0's {@code rdbSaveInfoAuxFields} writes them:
 * redis-ver, redis-bits, ctime, used-mem, aof-base. The replication fields (repl-stream-db,
 * repl-id, repl-offset) a caller that has them adds with {@link RdbFileWriter#aux}.
 *
 * @param ctimeSeconds when the snapshot was taken, Unix time in seconds
 * @param usedMemory   the server's memory in use then, in bytes (Redis logs it when loading)
 * @param aofBase      whether the file is the base of an append-only log
 */
public record RdbHeader(long ctimeSeconds, long usedMemory, boolean aofBase) {
    /** The version of Redis whose files these are. */
    public static final String REDIS_VERSION = "7.0.15";
    /** The pointer width Redis records: this server runs on 64-bit JVMs. */
    public static final int REDIS_BITS = 64;

    /** A header taken now. */
    public static RdbHeader now(long usedMemory, boolean aofBase) {
        return new RdbHeader(System.currentTimeMillis() / 1000, usedMemory, aofBase);
    }
}
