package io.shardloop.resp.codec;

import java.nio.ByteBuffer;

/**
 * Incremental RESP2 request parser: multibulk arrays of bulk strings and inline commands, split
 * at any byte boundary, many per read. Sans-I/O: bytes in, {@link CommandArgs} out.
 * <p>
 * The caller's loop (a connection's {@code onRead}):
 * <pre>{@code
 * int r;
 * while ((r = parser.parse(in)) == RespParser.COMMAND) {
 *     execute(parser.args());               // valid until the next parse call
 * }
 * if (r == RespParser.PROTOCOL_ERROR) {
 *     out.error(parser.errorMessage());     // "ERR Protocol error: ..."
 *     connection.closeAfterFlush();
 * }
 * // NEED_MORE: bytes left in 'in' are a partial header or inline line (at most
 * // maxInlineLength); hand them back with the next read.
 * }</pre>
 * Bulk payloads are copied into the parser's own arena as they arrive, so the connection never
 * holds a large value; only short header and inline lines are ever left unconsumed. A declared
 * size is checked against {@link RespLimits} before any room is made, and room then grows with
 * the bytes actually received.
 * <p>
 * Owned by one connection, on its shard's loop thread.
 */
public final class RespParser {
    /** A whole command was parsed: read it from {@link #args()}. */
    public static final int COMMAND = 1;
    /** Everything usable was consumed; call again with more bytes. */
    public static final int NEED_MORE = 0;
    /** The input is not RESP: reply {@link #errorMessage()} and close the connection. */
    public static final int PROTOCOL_ERROR = -1;

    private static final int STATE_START = 0;
    private static final int STATE_BULK_HEADER = 1;
    private static final int STATE_BULK_DATA = 2;
    private static final int STATE_BULK_CRLF = 3;
    private static final int STATE_FAILED = 4;

    /** Redis's limits before a client has authenticated (networking.c): at most 10 arguments... */
    public static final int UNAUTHENTICATED_MAX_ARGUMENTS = 10;
    /** ...and bulk strings of at most 16 KiB, so a stranger cannot make the server buffer much. */
    public static final int UNAUTHENTICATED_MAX_BULK = 16 * 1024;

    private final RespLimits limits;
    private final CommandArgs args = new CommandArgs();
    private final InlineSplitter inline = new InlineSplitter();
    private int state = STATE_START;
    private int argsLeft;
    private int bulkLeft;
    private int crlfLeft;
    private boolean unauthenticated;
    private String error;

    public RespParser(RespLimits limits) {
        this.limits = limits;
    }

    public CommandArgs args() {
        return args;
    }

    /** Bytes this parser holds for the command it is reading or last read (its arena). */
    public long bytesHeld() {
        return args.bytesHeld();
    }

    /**
     * Applies (or lifts) the limits of a client that has not authenticated: a multibulk of more than
     * {@link #UNAUTHENTICATED_MAX_ARGUMENTS} arguments, or a bulk longer than
     * {@link #UNAUTHENTICATED_MAX_BULK}, is a protocol error. Takes effect from the next header parsed.
     */
    public void restrictUnauthenticated(boolean restrict) {
        unauthenticated = restrict;
    }

    /** The error to reply (without the leading '-'), after {@link #PROTOCOL_ERROR}. */
    public String errorMessage() {
        return error;
    }

    /**
     * Consumes bytes from {@code in} (from position to limit) until one command is complete, the
     * input runs out, or the input is found invalid.
     *
     * @return {@link #COMMAND}, {@link #NEED_MORE} or {@link #PROTOCOL_ERROR}.
     */
    public int parse(ByteBuffer in) {
        while (true) {
            switch (state) {
                case STATE_START -> {
                    if (!in.hasRemaining()) {
                        return NEED_MORE;
                    }
                    args.clear();
                    int r = in.get(in.position()) == '*' ? multibulkHeader(in) : inlineCommand(in);
                    if (r != COMMAND) {
                        return r;
                    }
                    if (state == STATE_START && args.count() > 0) {
                        return COMMAND;
                    }
                }
                case STATE_BULK_HEADER -> {
                    int r = bulkHeader(in);
                    if (r != COMMAND) {
                        return r;
                    }
                }
                case STATE_BULK_DATA -> {
                    int n = Math.min(bulkLeft, in.remaining());
                    if (n == 0) {
                        return NEED_MORE;
                    }
                    int at = args.reserve(n);
                    in.get(args.array(), at, n);
                    args.appendCommitted(n);
                    bulkLeft -= n;
                    if (bulkLeft == 0) {
                        state = STATE_BULK_CRLF;
                        crlfLeft = 2;
                    }
                }
                case STATE_BULK_CRLF -> {
                    // Like Redis, the two bytes after the payload are skipped, not checked.
                    int n = Math.min(crlfLeft, in.remaining());
                    if (n == 0) {
                        return NEED_MORE;
                    }
                    in.position(in.position() + n);
                    crlfLeft -= n;
                    if (crlfLeft == 0) {
                        if (--argsLeft == 0) {
                            state = STATE_START;
                            return COMMAND;
                        }
                        state = STATE_BULK_HEADER;
                    }
                }
                default -> {
                    return PROTOCOL_ERROR;
                }
            }
        }
    }

    /** '*N\r\n'. COMMAND here means "go on"; an empty or null array is skipped, as Redis does. */
    private int multibulkHeader(ByteBuffer in) {
        int start = in.position();
        int lf = findLf(in, start);
        if (lf < 0) {
            return in.remaining() > limits.maxInlineLength() ? fail("too big mbulk count string") : NEED_MORE;
        }
        int end = lineEnd(in, lf);
        long n = parseDecimal(in, start + 1, end);
        if (n == Long.MIN_VALUE || n > limits.maxArguments()) {
            return fail("invalid multibulk length");
        }
        if (unauthenticated && n > UNAUTHENTICATED_MAX_ARGUMENTS) {
            return fail("unauthenticated multibulk length");
        }
        in.position(lf + 1);
        if (n <= 0) {
            return COMMAND; // state stays START with no arguments: nothing to run
        }
        argsLeft = (int) n;
        state = STATE_BULK_HEADER;
        return COMMAND;
    }

    /** '$N\r\n' of the next argument. */
    private int bulkHeader(ByteBuffer in) {
        int start = in.position();
        if (!in.hasRemaining()) {
            return NEED_MORE;
        }
        byte first = in.get(start);
        if (first != '$') {
            return fail("expected '$', got '" + (char) (first & 0xFF) + "'");
        }
        int lf = findLf(in, start);
        if (lf < 0) {
            return in.remaining() > limits.maxInlineLength() ? fail("too big bulk count string") : NEED_MORE;
        }
        int end = lineEnd(in, lf);
        long n = parseDecimal(in, start + 1, end);
        if (n == Long.MIN_VALUE || n < 0 || n > limits.maxBulkLength()) {
            return fail("invalid bulk length");
        }
        if (unauthenticated && n > UNAUTHENTICATED_MAX_BULK) {
            return fail("unauthenticated bulk length");
        }
        in.position(lf + 1);
        args.beginGrowingArgument();
        bulkLeft = (int) n;
        if (bulkLeft == 0) {
            state = STATE_BULK_CRLF;
            crlfLeft = 2;
        } else {
            state = STATE_BULK_DATA;
        }
        return COMMAND;
    }

    /** One line of space-separated words, as redis-cli and telnet send. */
    private int inlineCommand(ByteBuffer in) {
        int start = in.position();
        int lf = findLf(in, start);
        if (lf < 0) {
            return in.remaining() > limits.maxInlineLength() ? fail("too big inline request") : NEED_MORE;
        }
        if (lf - start > limits.maxInlineLength()) {
            return fail("too big inline request");
        }
        int end = lineEnd(in, lf);
        in.position(lf + 1);
        if (!inline.split(in, start, end, args)) {
            args.clear();
            return fail("unbalanced quotes in request");
        }
        if (args.count() > limits.maxArguments()) {
            args.clear();
            return fail("invalid multibulk length");
        }
        return COMMAND; // an empty line leaves no arguments and is skipped
    }

    private int fail(String what) {
        error = "ERR Protocol error: " + what;
        state = STATE_FAILED;
        return PROTOCOL_ERROR;
    }

    private static int findLf(ByteBuffer in, int from) {
        for (int i = from, limit = in.limit(); i < limit; i++) {
            if (in.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The end of the line's content: before "\r\n" or a bare "\n". */
    private static int lineEnd(ByteBuffer in, int lf) {
        return lf > in.position() && in.get(lf - 1) == '\r' ? lf - 1 : lf;
    }

    /** Strict decimal (string2ll rules) in [from, to), or Long.MIN_VALUE when invalid. */
    private static long parseDecimal(ByteBuffer in, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 19) {
            return Long.MIN_VALUE;
        }
        int i = from;
        boolean negative = in.get(i) == '-';
        if (negative) {
            i++;
            if (i == to) {
                return Long.MIN_VALUE;
            }
        }
        if (in.get(i) == '0') {
            return len == 1 ? 0 : Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = in.get(i) - '0';
            if (d < 0 || d > 9) {
                return Long.MIN_VALUE;
            }
            v = v * 10 + d; // at most 19 digits with the sign: checked against limits by the caller
            if (v < 0) {
                return Long.MIN_VALUE;
            }
        }
        return negative ? -v : v;
    }
}
