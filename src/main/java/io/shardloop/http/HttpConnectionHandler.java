package io.shardloop.http;

import io.shardloop.http.codec.HttpParser;
import io.shardloop.http.codec.HttpRequest;
import io.shardloop.http.codec.HttpStatus;
import io.shardloop.kv.KvShard;
import io.shardloop.kv.Plan;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.OutboundBuffer;
import io.shardloop.runtime.net.ReplyOrder;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP connection: parses requests as bytes arrive, hands each to the routes with a place in
 * the connection's {@link ReplyOrder}, and closes the connection when a response says so or when
 * the parser refuses the input.
 * <pre>
 *   read ─▶ parse ─▶ REQUEST ─▶ dispatch (ticket) ─▶ ... more requests while the line has room
 *                └▶ ERROR ─▶ error response, stop parsing ─▶ close once every earlier response left
 *   line full, or a /kv command waiting for credit ─▶ stop reading: the bytes wait in the connection
 * </pre>
 * The input policy and the deadlines are the connection's, as for every protocol: unparsed bytes stay
 * in the connection (bounded by its pending-input limit) while reading is suspended; a header block
 * must arrive whole within the header timeout, a body within the body timeout plus a second per
 * {@link HttpConfig#bodyMinRate()} bytes ({@link Connection#expectFrame}); the keep-alive timeout is
 * the connection's idle timeout (nothing received, sent or owed).
 * <p>
 * Owned by one connection, on its shard's loop thread.
 */
final class HttpConnectionHandler implements ConnectionHandler, KvShard.Submitter {
    private static final System.Logger LOG = System.getLogger(HttpConnectionHandler.class.getName());
    private static final int NO_FRAME = 0;
    private static final int HEAD_FRAME = 1;
    private static final int BODY_FRAME = 2;

    private final HttpRoutes routes;
    private final Connection connection;
    private final EventLoop loop;
    private final HttpParser parser;
    private final ReplyOrder order;
    private final HttpConfig config;

    private boolean processing;
    private boolean closing;
    /** The token of a reply that must be in before more requests are read (a transaction over several shards), or -1. */
    private long fence = -1;
    private boolean inputClosed;
    private int frame = NO_FRAME;
    /** The file response now writing to the socket, told when the socket drains. */
    private FileExchange streaming;
    /** A /kv request of this connection: its command and plan (made on first use), and whether it waits for credit. */
    private KvRoute.Exchange kv;

    HttpConnectionHandler(HttpRoutes routes, Connection connection) {
        this.routes = routes;
        this.connection = connection;
        this.loop = connection.loop();
        this.config = routes.config();
        this.parser = new HttpParser(config.limits());
        this.order = new ReplyOrder(connection, config.limits().maxPipelined(), this::onAdvance);
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
        if (closing) {
            in.position(in.limit()); // after a final response, further input is ignored
            return;
        }
        processing = true;
        try {
            while (in.hasRemaining() && !closing && !waitingForCredit() && fence < 0) {
                if (order.isFull()) {
                    connection.suspendInput(); // resumed when the head of the line moves
                    break;
                }
                int r = parser.parse(in);
                if (r == HttpParser.NEED_MORE) {
                    break;
                }
                long ticket = order.defer();
                if (r == HttpParser.ERROR) {
                    closing = true;
                    routes.counters().increment(HttpStats.PARSE_ERRORS);
                    LOG.log(System.Logger.Level.DEBUG, "{0}: refused with {1}: {2}", connection,
                            parser.errorStatus(), parser.errorReason());
                    respondText(ticket, parser.errorStatus(), HttpStatus.reason(parser.errorStatus()) + "\n", 1, false, false);
                    break;
                }
                HttpRequest req = parser.request();
                boolean keepAlive = req.keepAlive();
                if (!keepAlive) {
                    closing = true;
                }
                routes.dispatch(this, req, ticket, keepAlive);
            }
        } finally {
            processing = false;
        }
        if (closing) {
            in.position(in.limit());
        }
        watchFrame();
        maybeClose();
    }

    /** Times the request now arriving: its header block, then its body. */
    private void watchFrame() {
        int now = closing ? NO_FRAME : parser.readingHead() ? HEAD_FRAME : parser.readingBody() ? BODY_FRAME : NO_FRAME;
        if (now == frame) {
            return;
        }
        connection.frameComplete();
        frame = now;
        if (now == HEAD_FRAME) {
            connection.expectFrame(config.headerTimeout().toNanos(), 0);
        } else if (now == BODY_FRAME) {
            connection.expectFrame(config.bodyTimeout().toNanos(), config.bodyMinRate());
        }
    }

    /** Closes once nothing is owed and nothing more will be parsed. */
    private void maybeClose() {
        if (!processing && order.isEmpty() && !waitingForCredit() && fence < 0 && (closing || inputClosed) && !connection.isClosed()) {
            connection.closeAfterFlush();
        }
    }

    /** The head of the line moved: maybe room to read again, maybe time to close. */
    private void onAdvance() {
        if (processing || connection.isClosed()) {
            return;
        }
        maybeClose();
        resumeIfPossible();
    }

    private void resumeIfPossible() {
        if (!closing && !order.isFull() && !waitingForCredit() && fence < 0 && !connection.isClosed()) {
            connection.resumeInput();
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
        return !order.isEmpty() || waitingForCredit();
    }

    @Override
    public long bytesHeld() {
        return parser.bytesHeld();
    }

    @Override
    public void onTimeout(Timeout which) {
        routes.counters().increment(which == Timeout.IDLE ? HttpStats.KEEP_ALIVE_CLOSES
                : frame == BODY_FRAME ? HttpStats.BODY_TIMEOUT_CLOSES : HttpStats.HEADER_TIMEOUT_CLOSES);
    }

    @Override
    public void onClose() {
        if (waitingForCredit()) {
            routes.kv().cancel(this);
        }
        order.discard();
        if (streaming != null) {
            streaming.onConnectionClosed();
            streaming = null;
        }
    }

    // ---- responses (called by the routes and file exchanges) ----------------------------------

    OutboundBuffer out(long ticket) {
        return order.out(ticket);
    }

    void whenHead(long ticket, ReplyOrder.HeadListener listener) {
        order.whenHead(ticket, listener);
    }

    void completed(long ticket) {
        order.complete(ticket);
    }

    void streaming(FileExchange exchange) {
        streaming = exchange;
    }

    /** A whole response with a fixed body, through place {@code ticket}. */
    void respond(long ticket, int status, byte[] contentType, byte[] body, int minorVersion, boolean keepAlive, boolean head) {
        ResponseWriter.full(order.out(ticket), status, routes.date(), contentType, body, minorVersion, keepAlive, head);
        order.complete(ticket);
    }

    void respondText(long ticket, int status, String text, int minorVersion, boolean keepAlive, boolean head) {
        respond(ticket, status, ResponseWriter.TEXT_PLAIN_UTF8, text.getBytes(StandardCharsets.UTF_8), minorVersion,
                keepAlive, head);
    }

    // ---- /kv: this connection's side of the key-value data --------------------------------------

    /** The /kv exchange of this connection, made on its first /kv request. */
    KvRoute.Exchange kvExchange() {
        if (kv == null) {
            kv = new KvRoute.Exchange();
        }
        return kv;
    }

    private boolean waitingForCredit() {
        return kv != null && kv.waiting;
    }

    /** Stops reading while the /kv command waits for credit towards its owner. */
    void holdForCredit() {
        kv.waiting = true;
        connection.suspendInput();
    }

    @Override
    public ReplySink replyNow() {
        return routes.kv().sinkFor(this, kv);
    }

    @Override
    public long defer() {
        return kv.token;
    }

    @Override
    public int protocol() {
        return 2; // /kv translates RESP2 replies
    }

    @Override
    public io.shardloop.kv.PendingTransactions pendingTransactions() {
        return null; // /kv keeps it simple: a transaction over several shards is a fence
    }

    @Override
    public void holdInputUntil(long token) {
        fence = token;
        connection.suspendInput();
    }

    @Override
    public Plan heldPlan() {
        return kv.plan;
    }

    @Override
    public void onCanSubmit() {
        kv.waiting = false;
        if (connection.isClosed()) {
            return;
        }
        routes.kv().submit(this, kv);
        if (!kv.waiting) {
            resumeIfPossible();
        }
    }

    /** The reply of a /kv command another shard ran, back on this shard: replayed into its place. */
    @Override
    public void onReply(long token, DirectBuffer reply, int offset, int length) {
        if (connection.isClosed()) {
            return; // the client left; its places went with it
        }
        routes.kv().answer(this, token, reply, offset);
        if (token == fence) {
            fence = -1;
            resumeIfPossible();
        }
    }

    /** The arguments of this connection's /kv command (valid while it waits). */
    CommandArgs kvArgs() {
        return kv.args;
    }
}
