package io.shardloop.runtime.mailbox;

/**
 * Layout of one cross-shard message inside a ring buffer record. The ring's own record header
 * (Agrona: length, then type) carries the <b>message type id</b>; the bytes below follow it.
 * <pre>
 *   0                   4                   8                                  16
 *   +-------------------+-------------------+-----------------------------------+----------
 *   | source shard      | kind (| LARGE)    | correlation id                    | payload...
 *   +-------------------+-------------------+-----------------------------------+----------
 * </pre>
 * All fields are little-endian (the buffers' native order on the platforms the runtime targets).
 */
public final class MessageDescriptor {
    /** The shard that wrote the message (int). */
    public static final int SOURCE_SHARD_OFFSET = 0;
    /** {@link #ONE_WAY}, {@link #REQUEST} or {@link #RESPONSE}, or'ed with {@link #LARGE} (int). */
    public static final int KIND_OFFSET = 4;
    /** Matches a response to its request on the requesting shard; 0 for a one-way message (long). */
    public static final int CORRELATION_ID_OFFSET = 8;
    /** Where the caller's payload starts. */
    public static final int PAYLOAD_OFFSET = 16;
    /** Bytes of header before the payload. */
    public static final int HEADER_LENGTH = PAYLOAD_OFFSET;

    /** A message that expects no answer. */
    public static final int ONE_WAY = 0;
    /** A message whose handler should answer with {@link Mailbox#reply}. */
    public static final int REQUEST = 1;
    /** The answer to a request; resumes the continuation registered under its correlation id. */
    public static final int RESPONSE = 2;
    /** The low bits of the kind field that hold the kind itself. */
    static final int KIND_MASK = 0xF;
    /**
     * Flag: the payload is too long for a ring record and waits in the pair's {@link LargeLanes}
     * lane; the record's own payload is the payload's length (int).
     */
    static final int LARGE = 0x10;
    /** Payload bytes of a large message's handle record. */
    static final int LARGE_HANDLE_LENGTH = 4;

    /**
     * In the sender's local overflow (a full ring's backlog) and in a receiver's parked requests,
     * an entry keeps what the ring record needs: {@code [type int][kind int][correlation id long][payload]}.
     */
    static final int ENTRY_TYPE_OFFSET = 0;
    /** The entry's kind (int). */
    static final int ENTRY_KIND_OFFSET = 4;
    /** The entry's correlation id (long). */
    static final int ENTRY_CORRELATION_ID_OFFSET = 8;
    /** Where the entry's payload starts. */
    static final int ENTRY_PAYLOAD_OFFSET = 16;

    private MessageDescriptor() {
    }

    /** Bytes a message with this payload takes in a ring (without the ring's own record header). */
    public static int recordLength(int payloadLength) {
        return HEADER_LENGTH + payloadLength;
    }
}
