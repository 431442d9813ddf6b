package io.shardloop.resp.codec;

import org.agrona.DirectBuffer;

/**
 * The grammar of RESP2 and RESP3 replies, written once: finds where each reply ends, says what it
 * is, and replays it into a {@link ReplySink} when asked. Sans-I/O and incremental: it is given
 * the bytes at hand, says how far it got, and keeps its place (the open aggregates, the rest of a
 * bulk payload) until it is given the bytes after them.
 * <pre>{@code
 * int r = decoder.decode(buffer, at, limit);  // REPLY, NEED_MORE or INVALID
 * at = decoder.position();                    // consumed up to here, in every case but INVALID
 * if (r == REPLY) ... decoder.replyType() ... decoder.replyIsNull() ...
 * }</pre>
 * <ul>
 *   <li>A line (type byte to CR LF) is consumed whole: when only part of one has arrived,
 *       {@code position()} stays at its type byte, and the next call must start there with the same
 *       bytes and more. A bulk payload is consumed as it arrives and skipped by its length, never
 *       scanned or held: only the current line needs to stay in the caller's buffer.</li>
 *   <li>{@link #replay} emits each element into a sink as it is decoded; a bulk string is emitted
 *       only when it is whole, so until then its header is left unconsumed like a partial line.
 *       Replays are RESP2 only, which is all a sink can express.</li>
 *   <li>Bounded ({@link ReplyLimits}): a line longer than the limit is refused before its CR LF
 *       arrives; a declared bulk or aggregate size past its limit is refused as soon as its header
 *       is read; nesting is bounded. Numbers are parsed as strictly as Redis's string2ll.</li>
 *   <li>An attribute ({@code |}) annotates the element after it and is not counted as an element
 *       itself; a map's count is of pairs.</li>
 * </ul>
 * After {@link #INVALID} the decoder must be {@link #reset} before it is used again.
 * <p>
 * Allocates nothing (but an error's message, and a bulk's copy in a replay from a buffer that has
 * no byte array). Not thread-safe: one per connection, on its loop's thread.
 */
public final class RespReplyDecoder {
    /** The bytes given end inside a reply; {@link #position()} is where to go on from. */
    public static final int NEED_MORE = 0;
    /** One whole reply was consumed; {@link #position()} is the byte after it. */
    public static final int REPLY = 1;
    /** The bytes are not a reply within the limits: see {@link #error()}. */
    public static final int INVALID = 2;
    /** {@link #readHeader} read a whole, valid header line. */
    public static final int HEADER = 3;

    /** Next: the header line of an element. */
    private static final int LINE = 0;
    /** Inside a bulk payload, {@link #payloadLeft} bytes to go. */
    private static final int PAYLOAD = 1;
    /** The CR LF after a bulk payload. */
    private static final int PAYLOAD_END = 2;

    /** Longest text that can be a 64-bit decimal ("-9223372036854775808"). */
    private static final int MAX_DIGITS = 20;

    private final ReplyLimits limits;
    /** Elements still to come in each open aggregate, outermost first. */
    private final long[] left;
    private final byte[] digits = new byte[MAX_DIGITS];
    /** Bit d set: the aggregate open at depth d is an attribute. */
    private long attributeLevels;
    private int depth;
    private int phase = LINE;
    private long payloadLeft;
    private int position;
    private byte replyType;
    private boolean replyNull;
    private String error;

    private byte headerType;
    private long headerNumber;
    private int textStart;
    private int textEnd;
    private int headerEnd;

    public RespReplyDecoder(ReplyLimits limits) {
        this.limits = limits;
        this.left = new long[limits.maxDepth()];
    }

    /** Decodes from {@code at} up to {@code limit} until one reply is whole, skipping its payloads. */
    public int decode(DirectBuffer b, int at, int limit) {
        return run(b, at, limit, null);
    }

    /** Like {@link #decode}, and emits each element of the reply into the sink as it goes. */
    public int replay(DirectBuffer b, int at, int limit, ReplySink sink) {
        return run(b, at, limit, sink);
    }

    /** Where decoding stopped: after the reply, or where to go on from with more bytes. */
    public int position() {
        return position;
    }

    /**
     * The type byte of the last reply whole (or being decoded): '+', '-', ':', '$', '*', or a RESP3
     * one; an attribute before a reply is skipped, so this is the type of the reply it annotates.
     */
    public byte replyType() {
        return replyType;
    }

    /** Whether that reply is a null: {@code $-1}, {@code *-1} or {@code _}. */
    public boolean replyIsNull() {
        return replyNull;
    }

    /** Why the last {@link #INVALID} was returned. */
    public String error() {
        return error;
    }

    /** Forgets a partial reply: the next byte given starts a new one. */
    public void reset() {
        depth = 0;
        attributeLevels = 0;
        phase = LINE;
        payloadLeft = 0;
    }

    // ---- one header line: the grammar of a line ------------------------------------------------

    /**
     * Reads the header line of the element at {@code at}, consuming nothing: its type, its number
     * (an integer's value, a bulk's length, an aggregate's count; 0 for other types) and where it
     * ends. Returns {@link #HEADER}, {@link #NEED_MORE} or {@link #INVALID}.
     */
    public int readHeader(DirectBuffer b, int at, int limit) {
        if (at >= limit) {
            return NEED_MORE;
        }
        byte type = b.getByte(at);
        if (!isType(type)) {
            return invalid("unknown reply type byte 0x" + Integer.toHexString(type & 0xff));
        }
        int from = at + 1;
        int max = limits.maxLineBytes();
        int scanEnd = (int) Math.min(limit, (long) from + max + 1);
        int cr = -1;
        for (int i = from; i < scanEnd; i++) {
            byte c = b.getByte(i);
            if (c == '\r') {
                cr = i;
                break;
            }
            if (c == '\n') {
                return invalid("an LF without a CR before it");
            }
        }
        if (cr < 0) {
            return limit - from > max ? invalid("a line longer than " + max + " bytes") : NEED_MORE;
        }
        if (cr + 1 >= limit) {
            return NEED_MORE;
        }
        if (b.getByte(cr + 1) != '\n') {
            return invalid("a CR not followed by LF");
        }
        headerType = type;
        headerNumber = 0;
        textStart = from;
        textEnd = cr;
        headerEnd = cr + 2;
        return checkText(b, type);
    }

    /** The type byte of the header {@link #readHeader} read. */
    public byte headerType() {
        return headerType;
    }

    /** Its number: an integer's value, a bulk's length, an aggregate's count (-1 for the nulls). */
    public long headerNumber() {
        return headerNumber;
    }

    /** The offset just past its CR LF: where a bulk's payload or an aggregate's first element starts. */
    public int headerEnd() {
        return headerEnd;
    }

    private static boolean isType(byte type) {
        return switch (type) {
            case '+', '-', ':', '$', '*', '_', '#', ',', '(', '=', '!', '~', '>', '%', '|' -> true;
            default -> false;
        };
    }

    private int checkText(DirectBuffer b, byte type) {
        int length = textEnd - textStart;
        switch (type) {
            case ':' -> {
                if (!parseNumber(b)) {
                    return invalid("an integer reply that is not a 64-bit decimal");
                }
            }
            case '$', '=', '!' -> {
                if (!parseNumber(b)) {
                    return invalid("a bulk length that is not a number");
                }
                long n = headerNumber;
                if (n < 0 && !(n == -1 && type == '$')) {
                    return invalid("a negative bulk length: " + n);
                }
                if (n > limits.maxBulkBytes()) {
                    return invalid("a bulk length of " + n + " bytes, over the limit of " + limits.maxBulkBytes());
                }
            }
            case '*', '~', '>', '%', '|' -> {
                if (!parseNumber(b)) {
                    return invalid("an aggregate length that is not a number");
                }
                long n = headerNumber;
                if (n < 0 && !(n == -1 && type == '*')) {
                    return invalid("a negative aggregate length: " + n);
                }
                if (n > limits.maxAggregateLength()) {
                    return invalid("an aggregate of " + n + " elements, over the limit of " + limits.maxAggregateLength());
                }
            }
            case '_' -> {
                if (length != 0) {
                    return invalid("a null ('_') with text after it");
                }
            }
            case '#' -> {
                byte v = length == 1 ? b.getByte(textStart) : 0;
                if (v != 't' && v != 'f') {
                    return invalid("a boolean other than #t or #f");
                }
            }
            case ',', '(' -> {
                if (length == 0) {
                    return invalid("an empty number");
                }
            }
            default -> {
                // '+' and '-': any text without CR or LF.
            }
        }
        return HEADER;
    }

    /** The line's text as a decimal, by {@link Numbers}' rules (Redis's string2ll); sets {@link #headerNumber}. */
    private boolean parseNumber(DirectBuffer b) {
        int length = textEnd - textStart;
        if (length == 0 || length > MAX_DIGITS) {
            return false;
        }
        b.getBytes(textStart, digits, 0, length);
        long n = Numbers.parseLong(digits, 0, length, Long.MIN_VALUE);
        if (n == Long.MIN_VALUE && !Numbers.isLong(digits, 0, length)) {
            return false; // the fallback, unless the text really is the smallest long
        }
        headerNumber = n;
        return true;
    }

    // ---- elements: the grammar of a reply ------------------------------------------------------

    private int run(DirectBuffer b, int at, int limit, ReplySink sink) {
        position = at;
        while (true) {
            if (phase == PAYLOAD) {
                long n = Math.min(payloadLeft, limit - position);
                position += (int) n;
                payloadLeft -= n;
                if (payloadLeft > 0) {
                    return NEED_MORE;
                }
                phase = PAYLOAD_END;
            }
            if (phase == PAYLOAD_END) {
                if (limit - position < 2) {
                    return NEED_MORE;
                }
                if (!crlfAt(b, position)) {
                    return invalid("a bulk string not ended by CR LF");
                }
                position += 2;
                phase = LINE;
                if (elementDone()) {
                    return REPLY;
                }
                continue;
            }
            int r = readHeader(b, position, limit);
            if (r != HEADER) {
                return r;
            }
            byte type = headerType;
            long n = headerNumber;
            boolean isNull = n == -1 && (type == '$' || type == '*') || type == '_';
            if (depth == 0 && type != '|') {
                replyType = type;
                replyNull = isNull;
            }
            if (sink != null && !isResp2(type)) {
                return invalid("a RESP3 reply ('" + (char) type + "') where RESP2 was expected");
            }
            switch (type) {
                case '$', '=', '!' -> {
                    if (isNull) {
                        if (sink != null) {
                            sink.nullBulk();
                        }
                        position = headerEnd;
                        break;
                    }
                    if (limit - headerEnd < n + 2) {
                        if (sink != null) {
                            return NEED_MORE; // a replayed bulk is emitted whole: its header waits with it
                        }
                        position = headerEnd;
                        payloadLeft = n;
                        phase = PAYLOAD;
                        continue;
                    }
                    int payloadEnd = headerEnd + (int) n;
                    if (!crlfAt(b, payloadEnd)) {
                        return invalid("a bulk string not ended by CR LF");
                    }
                    if (sink != null) {
                        emitBulk(b, headerEnd, (int) n, sink);
                    }
                    position = payloadEnd + 2;
                }
                case '*', '~', '>', '%', '|' -> {
                    position = headerEnd;
                    if (isNull) {
                        if (sink != null) {
                            sink.nullArray();
                        }
                        break;
                    }
                    long elements = type == '%' || type == '|' ? 2 * n : n;
                    if (elements > 0 && depth == left.length) {
                        return invalid("aggregates nested deeper than " + left.length);
                    }
                    if (sink != null) {
                        sink.arrayHeader((int) n);
                    }
                    if (elements > 0) {
                        left[depth] = elements;
                        if (type == '|') {
                            attributeLevels |= 1L << depth;
                        }
                        depth++;
                        continue;
                    }
                    if (type == '|') {
                        continue; // an empty attribute: the element it annotates follows
                    }
                }
                default -> {
                    if (sink != null) {
                        emitLine(b, type, sink);
                    }
                    position = headerEnd;
                }
            }
            if (elementDone()) {
                return REPLY;
            }
        }
    }

    /** One element has ended; closes the aggregates it completes. True when the whole reply has. */
    private boolean elementDone() {
        while (depth > 0) {
            int top = depth - 1;
            if (--left[top] > 0) {
                return false;
            }
            depth = top;
            long bit = 1L << top;
            if ((attributeLevels & bit) != 0) {
                attributeLevels &= ~bit;
                return false; // an attribute is not an element: the one it annotates comes next
            }
        }
        return true;
    }

    private static boolean isResp2(byte type) {
        return type == '+' || type == '-' || type == ':' || type == '$' || type == '*';
    }

    private static boolean crlfAt(DirectBuffer b, int at) {
        return b.getByte(at) == '\r' && b.getByte(at + 1) == '\n';
    }

    private void emitLine(DirectBuffer b, byte type, ReplySink sink) {
        switch (type) {
            case '+' -> sink.simple(b.getStringWithoutLengthAscii(textStart, textEnd - textStart));
            case '-' -> sink.error(b.getStringWithoutLengthAscii(textStart, textEnd - textStart));
            default -> sink.integer(headerNumber);
        }
    }

    private static void emitBulk(DirectBuffer b, int at, int length, ReplySink sink) {
        byte[] array = b.byteArray();
        if (array != null) {
            sink.bulk(array, (int) (b.wrapAdjustment() + at), length);
            return;
        }
        byte[] copy = new byte[length];
        b.getBytes(at, copy);
        sink.bulk(copy, 0, length);
    }

    private int invalid(String why) {
        error = why;
        return INVALID;
    }
}
