package io.shardloop.kv;

import java.io.IOException;

/**
 * An RDB file that {@link RdbFileReader} cannot read: what was wrong ({@link #kind}) and the file
 * offset where it was found ({@link #offset}), both in the message too, e.g.
 * {@code dump.rdb: truncated at offset 1234 (5 bytes needed, 2 left)}.
 */
public final class RdbFileException extends IOException {
    /** What was wrong. */
    public enum Kind {
        /** The file ends early; the offset is where it ends. */
        TRUNCATED("truncated"),
        /** The CRC-64 at the end does not match the bytes before it; the offset is the checksum's. */
        CHECKSUM_MISMATCH("checksum mismatch"),
        /** A byte where an opcode or a value type belongs that is neither; the offset is that byte's. */
        BAD_OPCODE("bad opcode"),
        /** Not an RDB file, or a value that does not decode; the offset is where the item starts. */
        MALFORMED("malformed"),
        /** Something Redis writes that this reader does not load (modules, streams, old encodings, newer versions). */
        UNSUPPORTED("not supported");

        private final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    private final Kind kind;
    private final long offset;

    RdbFileException(String source, Kind kind, long offset, String detail) {
        super(source + ": " + kind.text + " at offset " + offset + (detail.isEmpty() ? "" : " (" + detail + ")"));
        this.kind = kind;
        this.offset = offset;
    }

    public Kind kind() {
        return kind;
    }

    /** The offset in the file that the message names. */
    public long offset() {
        return offset;
    }
}
