package io.shardloop.http;

import io.shardloop.http.codec.HttpParser;
import io.shardloop.http.codec.HttpRequest;
import io.shardloop.http.codec.HttpStatus;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.OutboundBuffer;
import io.shardloop.kv.KvShard;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP connection: parses requests as bytes arrive, hands each to the routes with a slot in
 * the {@link ResponseSequencer}, and closes the connection when a response says so, when the
 * parser refuses the input, or when a timer finds the client too slow.
 * <pre>
 *   read ─▶ parse ─▶ REQUEST ─▶ dispatch (slot seq) ─▶ ... more requests while slots are free
 *                └▶ ERROR ─▶ error response, stop parsing ─▶ close once every earlier response left
 *   no free slot ─▶ unparsed bytes wait in the stash (bounded) until a response leaves
 * </pre>
 * Timers (one at a time, re-armed lazily): a header block that started arriving must be whole
 * within the header timeout; a connection with nothing in flight is closed after the keep-alive
 * timeout since its last read. While responses are owed no timer of ours runs (the connection's
 * write-stall timer covers a peer that does not read them).
 * <p>
 * Owned by one connection, on its shard's loop thread.
 */
final class HttpConnectionHandler implements ConnectionHandler, EventLoop.TimerTask, KvShard.ReplyListener {
    private static final System.Logger LOG = System.getLogger(HttpConnectionHandler.class.getName());
    private static final long NO_TIMER = -1;

    private final HttpRoutes routes;
    private final Connection connection;
    private final EventLoop loop;
    private final HttpParser parser;
    private final ResponseSequencer sequencer;
    private final long keepAliveNanos;
    private final long headerNanos;
    private final int maxStash;

    private byte[] stash;
    private int stashLength;
    private ByteBuffer stashView;
    private boolean processing;
    private boolean closing;
    private boolean inputClosed;
    private long parsedCount;
    /** The file response now writing to the socket, told when the socket drains. */
    private FileExchange streaming;

    private long lastReadNanos;
    private long headStartNanos;
    private long timerId = NO_TIMER;
    private long timerDeadline;

    HttpConnectionHandler(HttpRoutes routes, Connection connection) {
        this.routes = routes;
        this.connection = connection;
        this.loop = connection.loop();
        HttpConfig config = routes.config();
        this.parser = new HttpParser(config.limits());
        this.sequencer = new ResponseSequencer(connection, routes.shard().bufferPool(), routes.shard().iov(),
                config.limits().maxPipelined(), this::onAdvance);
        this.keepAliveNanos = config.keepAliveTimeout().toNanos();
        this.headerNanos = config.headerTimeout().toNanos();
        this.maxStash = config.limits().maxPipelinedBytes();
        this.lastReadNanos = System.nanoTime();
        if (keepAliveNanos > 0) {
            armBy(lastReadNanos + keepAliveNanos);
        }
    }

    Connection connection() {
        return connection;
    }

    HttpRoutes routes() {
        return routes;
    }

    // ---- input ---------------------------------------------------------------------------------

    @Override
    public void onRead(ByteBuffer in) {
        assert loop.inLoop();
        lastReadNanos = System.nanoTime();
        if (closing) {
            in.position(in.limit()); // after a final response, further input is ignored
            return;
        }
        if (stashLength > 0) {
            stashAll(in);
            drainStash();
            return;
        }
        long before = parsedCount;
        process(in);
        if (in.hasRemaining() && !closing) {
            stashAll(in);
        }
        in.position(in.limit());
        watchHeader(before);
    }

    /** Parses and dispatches requests while slots are free. */
    private void process(ByteBuffer in) {
        processing = true;
        try {
            while (in.hasRemaining() && !closing && sequencer.hasRoom()) {
                int r = parser.parse(in);
                if (r == HttpParser.NEED_MORE) {
                    break;
                }
                long seq = sequencer.open();
                if (r == HttpParser.ERROR) {
                    closing = true;
                    routes.counters().increment(HttpStats.PARSE_ERRORS);
                    LOG.log(System.Logger.Level.DEBUG, "{0}: refused with {1}: {2}", connection,
                            parser.errorStatus(), parser.errorReason());
                    respondText(seq, parser.errorStatus(), HttpStatus.reason(parser.errorStatus()) + "\n", 1, false, false);
                    break;
                }
                parsedCount++;
                HttpRequest req = parser.request();
                boolean keepAlive = req.keepAlive();
                if (!keepAlive) {
                    closing = true;
                }
                routes.dispatch(this, req, seq, keepAlive);
            }
        } finally {
            processing = false;
        }
        if (closing) {
            discardStash();
        }
        maybeClose();
    }

    /** Closes once nothing is owed and nothing more will be parsed. */
    private void maybeClose() {
        if (!processing && sequencer.idle() && (closing || (inputClosed && stashLength == 0))
                && !connection.isClosed()) {
            connection.closeAfterFlush();
        }
    }

    private void stashAll(ByteBuffer in) {
        int n = in.remaining();
        if (stashLength + n > maxStash) {
            in.position(in.limit());
            LOG.log(System.Logger.Level.DEBUG, "{0}: over {1} bytes sent ahead of their answers", connection, maxStash);
            connection.close("pipelined input over " + maxStash + " bytes");
            return;
        }
        if (stash == null || stash.length < stashLength + n) {
            stash = java.util.Arrays.copyOf(stash == null ? new byte[0] : stash,
                    Math.min(maxStash, Math.max(4096, Integer.highestOneBit(stashLength + n) << 1)));
            stashView = null;
        }
        in.get(stash, stashLength, n);
        stashLength += n;
    }

    private void drainStash() {
        if (stashView == null) {
            stashView = ByteBuffer.wrap(stash);
        }
        ByteBuffer view = stashView.limit(stashLength).position(0);
        long before = parsedCount;
        process(view);
        if (stashLength == 0) {
            return; // discarded while processing
        }
        int left = view.remaining();
        System.arraycopy(stash, view.position(), stash, 0, left);
        stashLength = left;
        watchHeader(before);
    }

    private void discardStash() {
        stashLength = 0;
    }

    /** Called when the head of the response order moved: maybe room to parse again, maybe time to close. */
    private void onAdvance() {
        if (processing || connection.isClosed()) {
            return;
        }
        if (!closing && stashLength > 0 && sequencer.hasRoom()) {
            drainStash();
        }
        maybeClose();
        if (!connection.isClosed() && sequencer.idle() && keepAliveNanos > 0) {
            lastReadNanos = System.nanoTime(); // an asynchronous answer just left: idle counts from now
            armBy(lastReadNanos + keepAliveNanos);
        }
    }

    @Override
    public void onInputClosed() {
        inputClosed = true;
        maybeClose();
    }

    @Override
    public void onWritable() {
        if (streaming != null) {
            streaming.onWritable();
        }
    }

    @Override
    public boolean hasRepliesInFlight() {
        return !sequencer.idle();
    }

    @Override
    public void onClose() {
        if (timerId != NO_TIMER) {
            loop.cancelTimer(timerId);
            timerId = NO_TIMER;
        }
        sequencer.discard();
        if (streaming != null) {
            streaming.onConnectionClosed();
            streaming = null;
        }
    }

    // ---- responses (called by the routes and file exchanges) ----------------------------------

    OutboundBuffer out(long seq) {
        return sequencer.out(seq);
    }

    boolean isHead(long seq) {
        return sequencer.isHead(seq);
    }

    void whenHead(long seq, ResponseSequencer.HeadListener listener) {
        sequencer.whenHead(seq, listener);
    }

    void completed(long seq) {
        sequencer.complete(seq);
    }

    /** The reply of a /kv command another shard ran, back on this shard: into its slot. */
    @Override
    public void onReply(long token, int part, DirectBuffer reply, int offset, int length) {
        assert loop.inLoop();
        if (connection.isClosed()) {
            return; // the client left; its slots went with it
        }
        routes.kv().answer(this, token, reply, offset, length);
    }

    void streaming(FileExchange exchange) {
        streaming = exchange;
    }

    /** A whole response with a fixed body, through slot {@code seq}. */
    void respond(long seq, int status, byte[] contentType, byte[] body, int minorVersion, boolean keepAlive, boolean head) {
        ResponseWriter.full(sequencer.out(seq), status, routes.date(), contentType, body, minorVersion, keepAlive, head);
        sequencer.complete(seq);
    }

    void respondText(long seq, int status, String text, int minorVersion, boolean keepAlive, boolean head) {
        respond(seq, status, ResponseWriter.TEXT_PLAIN_UTF8, text.getBytes(StandardCharsets.UTF_8), minorVersion,
                keepAlive, head);
    }

    // ---- timers --------------------------------------------------------------------------------

    /** After a read: a header block that is still arriving gets its deadline. */
    private void watchHeader(long parsedBefore) {
        if (headerNanos <= 0 || connection.isClosed()) {
            return;
        }
        if (parser.readingHead()) {
            if (headStartNanos == 0 || parsedCount != parsedBefore) {
                headStartNanos = lastReadNanos;
                armBy(headStartNanos + headerNanos);
            }
        } else {
            headStartNanos = 0;
        }
    }

    private void armBy(long deadline) {
        if (timerId != NO_TIMER) {
            if (timerDeadline <= deadline) {
                return; // fires first and re-arms as needed
            }
            loop.cancelTimer(timerId);
        }
        timerDeadline = deadline;
        timerId = loop.scheduleTimer(deadline, this);
    }

    @Override
    public void onTimer(long now) {
        timerId = NO_TIMER;
        if (connection.isClosed()) {
            return;
        }
        long next = Long.MAX_VALUE;
        if (headerNanos > 0 && parser.readingHead() && headStartNanos != 0) {
            long due = headStartNanos + headerNanos;
            if (now >= due) {
                routes.counters().increment(HttpStats.HEADER_TIMEOUT_CLOSES);
                connection.close("header block not complete within " + headerNanos / 1_000_000 + " ms");
                return;
            }
            next = due;
        }
        if (keepAliveNanos > 0 && sequencer.idle()) {
            long due = lastReadNanos + keepAliveNanos;
            if (now >= due) {
                routes.counters().increment(HttpStats.KEEP_ALIVE_CLOSES);
                connection.close("idle for " + keepAliveNanos / 1_000_000 + " ms");
                return;
            }
            next = Math.min(next, due);
        }
        if (next != Long.MAX_VALUE) {
            armBy(next);
        }
    }
}
