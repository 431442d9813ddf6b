package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.KvShard;
import io.shardloop.kv.Plan;
import io.shardloop.kv.Router;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.resp.codec.RespParser;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.ReplyOrder;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;

/**
 * The Redis protocol on one connection: parses pipelined commands, has each resolved and planned
 * by the {@link Router}, submits it to this shard's {@link KvShard}, and sends the replies back in
 * request order.
 * <p>
 * <b>Where a command runs</b> is the router's decision; connection commands (AUTH, HELLO, CLIENT,
 * QUIT, RESET, INFO, CONFIG, DEBUG) run here, through the {@link ConnectionCommands} every server
 * model shares, which also decides what a client may run before it authenticates. A client that
 * protected mode refuses reads Redis's DENIED line and is closed before anything it sends is read.
 * <p>
 * <b>Order.</b> Every reply takes its place in a {@link ReplyOrder}: a reply answered here while an
 * earlier one is still away waits behind it.
 * <p>
 * <b>Backpressure.</b> Parsing stops (the bytes stay unconsumed in the connection) while the line of
 * outstanding replies is full, while unsent replies are over the connection's high-water mark, and
 * while a command waits for credit towards another shard: that command is held as parsed and
 * submitted again when the shard says so. Reading resumes when the cause goes away.
 * <p>
 * Owned by its connection's shard: every method runs on that shard's loop thread.
 */
final class RespConnectionHandler implements ConnectionHandler, KvShard.Submitter {
    private final Connection connection;
    private final KvShard kv;
    private final ConnectionCommands commands;
    private final RespShardCounters counters;
    private final RespParser parser;
    private final Session session;
    private final ReplyOrder order;
    private final OutboundReplyWriter writer = new OutboundReplyWriter();
    private final Plan plan = new Plan();
    private final long highWater;
    /** The parsed command waiting for credit (the parser's arguments stay valid: nothing is parsed meanwhile). */
    private Command held;
    private boolean closing;
    /** Refused by protected mode: counted as rejected, never as a client. */
    private final boolean denied;

    RespConnectionHandler(Connection connection, KvShard kv, RespConfig config, ConnectionCommands commands,
                          RespShardCounters counters, long highWater) {
        this.connection = connection;
        this.kv = kv;
        this.commands = commands;
        this.counters = counters;
        this.parser = new RespParser(config.limits());
        this.session = commands.newSession(connection.id());
        this.order = new ReplyOrder(connection, config.maxOutstanding());
        this.highWater = highWater;
        this.denied = commands.refuses(connection.remoteAddress());
        if (denied) {
            closing = true;
            counters.onRejected();
            // The connection is not registered yet: answer on this turn's tasks, once it is.
            connection.loop().execute(this::deny);
        } else {
            parser.restrictUnauthenticated(!session.authenticated());
            counters.onConnect();
        }
    }

    private void deny() {
        if (!connection.isClosed()) {
            connection.outbound().writeBytes(ConnectionCommands.DENIED);
            connection.closeAfterFlush();
        }
    }

    @Override
    public void onRead(ByteBuffer in) {
        int start = in.position();
        readCommands(in);
        counters.onBytes(in.position() - start, writer.takeWrittenCount());
    }

    private void readCommands(ByteBuffer in) {
        if (denied) {
            in.position(in.limit()); // nothing a refused client sends is read
            return;
        }
        while (!closing && held == null) {
            long unsent = connection.pendingOutboundBytes();
            if (order.isFull() || unsent + connection.heldReplyBytes() > highWater) {
                // Take no more requests until replies move: the unread bytes wait in the connection.
                // They move when the socket takes them (told below) or when the reply at the head of
                // the line arrives (onReply).
                connection.suspendInput();
                if (!order.isFull() && unsent > highWater) {
                    connection.notifyWhenWritable();
                }
                return;
            }
            int result = parser.parse(in);
            if (result == RespParser.NEED_MORE) {
                return;
            }
            if (result == RespParser.PROTOCOL_ERROR) {
                reply().error(parser.errorMessage());
                closing = true;
                connection.closeAfterFlush();
                return;
            }
            counters.onCommand();
            dispatch(parser.args());
        }
    }

    @Override
    public void onWritable() {
        resumeIfPossible();
    }

    @Override
    public void onInputClosed() {
        closing = true;
        connection.closeAfterFlush();
    }

    @Override
    public long bytesHeld() {
        return parser.bytesHeld();
    }

    @Override
    public boolean hasRepliesInFlight() {
        return !order.isEmpty() || held != null;
    }

    @Override
    public void onClose() {
        if (held != null) {
            kv.cancelWait(this);
            held = null;
        }
        order.discard();
        if (!denied) {
            counters.onDisconnect();
        }
    }

    private ReplySink reply() {
        return writer.target(order.immediate());
    }

    private void dispatch(CommandArgs args) {
        Command c = Router.find(args);
        if (c == null) {
            Router.resolve(args, reply()); // writes Redis's error text
            return;
        }
        if (!commands.admits(c, session)) {
            reply().raw(ConnectionCommands.NOAUTH);
            return;
        }
        if (c.route() == Command.Route.CONNECTION) {
            if (commands.execute(c, args, session, reply()) == ConnectionCommands.CLOSE) {
                closing = true;
                connection.closeAfterFlush();
            }
            parser.restrictUnauthenticated(!session.authenticated());
            return;
        }
        kv.plan(c, args, plan);
        if (!kv.submit(c, args, plan, this)) {
            held = c;
            connection.suspendInput();
        }
    }

    // ---- KvShard.Submitter ---------------------------------------------------------------------

    @Override
    public ReplySink replyNow() {
        return reply();
    }

    @Override
    public long defer() {
        return order.defer();
    }

    @Override
    public int protocol() {
        return writer.protocol(); // the connection's writer follows its client's HELLO
    }

    @Override
    public Plan heldPlan() {
        return plan;
    }

    @Override
    public void onCanSubmit() {
        Command c = held;
        held = null;
        if (c == null || connection.isClosed()) {
            return;
        }
        if (!kv.submit(c, parser.args(), plan, this)) {
            held = c;
            return;
        }
        resumeIfPossible();
    }

    /** An answer from another shard, whole (a split command's parts already merged). */
    @Override
    public void onReply(long ticket, DirectBuffer bytes, int offset, int length) {
        if (connection.isClosed()) {
            return; // the client left; its place in line went with it
        }
        order.out(ticket).writeBytes(bytes, offset, length);
        order.complete(ticket);
        counters.onBytes(0, length + writer.takeWrittenCount());
        resumeIfPossible();
    }

    private void resumeIfPossible() {
        if (!closing && held == null && !order.isFull()) {
            connection.resumeInput();
        }
    }
}
