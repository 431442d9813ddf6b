package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.KvShard;
import io.shardloop.kv.Plan;
import io.shardloop.kv.Router;
import io.shardloop.kv.Session;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.resp.codec.RespParser;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.ReplyOrder;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The Redis protocol on one connection: parses pipelined commands, has each resolved and planned
 * by the {@link Router}, submits it to this shard's {@link KvShard}, and sends the replies back in
 * request order.
 * <p>
 * <b>Where a command runs</b> is the router's decision; connection commands (AUTH, HELLO, CLIENT,
 * QUIT, INFO, DEBUG) run here.
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
    private static final byte[] NOAUTH = "-NOAUTH Authentication required.\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Connection connection;
    private final KvShard kv;
    private final RespProtocol server;
    private final RespServerInfo info;
    private final RespParser parser;
    private final Session session;
    private final ReplyOrder order;
    private final OutboundReplyWriter writer = new OutboundReplyWriter();
    private final Plan plan = new Plan();
    private final long highWater;
    /** The parsed command waiting for credit (the parser's arguments stay valid: nothing is parsed meanwhile). */
    private Command held;
    private boolean authenticated;
    private boolean closing;

    RespConnectionHandler(Connection connection, KvShard kv, RespProtocol server, RespServerInfo info) {
        this.connection = connection;
        this.kv = kv;
        this.server = server;
        this.info = info;
        this.parser = new RespParser(server.limits());
        this.session = new Session(connection.id());
        this.order = new ReplyOrder(connection, server.maxOutstanding());
        this.highWater = info.highWater();
        this.authenticated = server.requirePass() == null;
        info.onConnect();
    }

    @Override
    public void onRead(ByteBuffer in) {
        while (!closing && held == null) {
            if (order.isFull() || connection.pendingOutboundBytes() > highWater) {
                // Take no more requests until replies move: the unread bytes wait in the connection.
                connection.suspendInput();
                if (!order.isFull()) {
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
            info.onCommand();
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
        info.onDisconnect();
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
        if (!authenticated && !c.name().equals("auth") && !c.name().equals("hello") && !c.name().equals("quit")) {
            reply().raw(NOAUTH, 0, NOAUTH.length);
            return;
        }
        if (c.route() == Command.Route.CONNECTION) {
            connectionCommand(c, args);
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
        resumeIfPossible();
    }

    private void resumeIfPossible() {
        if (!closing && held == null && !order.isFull()) {
            connection.resumeInput();
        }
    }

    // ---- connection commands -----------------------------------------------------------------------

    private void connectionCommand(Command c, CommandArgs args) {
        switch (c.name()) {
            case "auth" -> auth(args);
            case "info" -> reply().bulk(info.render(args.count() > 1 ? args.string(1) : "default", kv.shardIndex())
                    .getBytes(StandardCharsets.UTF_8));
            case "debug" -> debug(args);
            default -> {
                int result = session.execute(c, args, reply());
                if (result == Session.CLOSE) {
                    closing = true;
                    connection.closeAfterFlush();
                }
            }
        }
    }

    private void auth(CommandArgs args) {
        String password = server.requirePass();
        if (password == null) {
            session.execute(CommandTable.find(args), args, reply()); // Redis's "no password configured" error
            return;
        }
        boolean userOk = args.count() == 2 || args.is(1, "default");
        if (args.count() > 3) {
            reply().error("ERR syntax error");
        } else if (userOk && args.string(args.count() - 1).equals(password)) {
            authenticated = true;
            reply().simple("OK");
        } else {
            reply().error("WRONGPASS invalid username-password pair or user is disabled.");
        }
    }

    /** DEBUG SLEEP blocks this shard's loop on purpose, as in Redis: the stall detector must see it. */
    private void debug(CommandArgs args) {
        if (args.is(1, "SLEEP") && args.count() == 3) {
            double seconds;
            try {
                seconds = Double.parseDouble(args.string(2));
            } catch (NumberFormatException e) {
                reply().error("ERR value is not a valid float");
                return;
            }
            try {
                Thread.sleep((long) (seconds * 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply().simple("OK");
        } else {
            reply().error("ERR DEBUG subcommand not supported here; only DEBUG SLEEP <seconds>");
        }
    }
}
