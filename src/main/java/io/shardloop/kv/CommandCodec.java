package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.shardloop.kv.CommandDescriptor.COUNT_OFFSET;
import static io.shardloop.kv.CommandDescriptor.DB_OFFSET;
import static io.shardloop.kv.CommandDescriptor.FIRST_ARGUMENT_OFFSET;
import static io.shardloop.kv.CommandDescriptor.LENGTH_PREFIX;

/**
 * Encodes a command's arguments and its database as compact bytes ({@link CommandDescriptor}) and back: how a
 * request crosses to its owner shard. Stateless, no allocation.
 */
public final class CommandCodec {
    private CommandCodec() {
    }

    /** Bytes {@link #encode} needs for these arguments. */
    public static int encodedLength(CommandArgs args) {
        int n = FIRST_ARGUMENT_OFFSET;
        for (int i = 0; i < args.count(); i++) {
            n += LENGTH_PREFIX + args.length(i);
        }
        return n;
    }

    /** Writes every argument at {@code offset}; returns the bytes written. */
    public static int encode(CommandArgs args, MutableDirectBuffer dst, int offset) {
        int at = offset + FIRST_ARGUMENT_OFFSET;
        for (int i = 0; i < args.count(); i++) {
            at = putArgument(dst, at, args.array(), args.offset(i), args.length(i));
        }
        dst.putInt(offset + COUNT_OFFSET, args.count());
        dst.putInt(offset + DB_OFFSET, args.db());
        return at - offset;
    }

    /**
     * Writes argument 0 (the command name) and then the arguments at {@code positions[from..from+n)}, each
     * followed by {@code stride - 1} more (stride 2 carries MSET's key and value): a sub-command
     * of a split multi-key command.
     */
    public static int encodeSubset(CommandArgs args, int[] positions, int from, int n, int stride,
                                   MutableDirectBuffer dst, int offset) {
        int at = offset + FIRST_ARGUMENT_OFFSET;
        at = putArgument(dst, at, args.array(), args.offset(0), args.length(0));
        for (int k = 0; k < n; k++) {
            for (int s = 0; s < stride; s++) {
                int i = positions[from + k] + s;
                at = putArgument(dst, at, args.array(), args.offset(i), args.length(i));
            }
        }
        dst.putInt(offset + COUNT_OFFSET, 1 + n * stride);
        dst.putInt(offset + DB_OFFSET, args.db());
        return at - offset;
    }

    /** Replaces the contents of {@code args} with the command encoded at {@code offset}. */
    public static void decode(DirectBuffer src, int offset, CommandArgs args) {
        args.clear();
        args.db(src.getInt(offset + DB_OFFSET));
        int count = src.getInt(offset + COUNT_OFFSET);
        int at = offset + FIRST_ARGUMENT_OFFSET;
        for (int i = 0; i < count; i++) {
            int len = src.getInt(at);
            at += LENGTH_PREFIX;
            int dstAt = args.beginArgument(len);
            src.getBytes(at, args.array(), dstAt, len);
            at += len;
        }
    }

    private static int putArgument(MutableDirectBuffer dst, int at, byte[] src, int off, int len) {
        dst.putInt(at, len);
        dst.putBytes(at + LENGTH_PREFIX, src, off, len);
        return at + LENGTH_PREFIX + len;
    }
}
