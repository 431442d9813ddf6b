package io.shardloop.kv;

/**
 * Byte layout of a command's arguments encoded to cross shards ({@link CommandCodec}), all
 * integers little-endian as Agrona writes them:
 * <pre>
 *   0: int32 argument count
 *   4: int32 the numbered database it runs on (SELECT's index)
 *   8: per argument: int32 length, then the bytes
 * </pre>
 */
public final class CommandDescriptor {
    /** Offset of the argument count. */
    public static final int COUNT_OFFSET = 0;
    /** Offset of the database index. */
    public static final int DB_OFFSET = 4;
    /** Offset of the first argument's length. */
    public static final int FIRST_ARGUMENT_OFFSET = 8;
    /** Size of each argument's length prefix. */
    public static final int LENGTH_PREFIX = 4;

    private CommandDescriptor() {
    }
}
