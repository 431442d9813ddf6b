package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.MultiKeySplit;
import io.shardloop.kv.ReplyMerger;
import io.shardloop.kv.ScanCursor;
import io.shardloop.kv.Session;
import io.shardloop.kv.Slots;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.RespParser;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.ReplyOrder;
import io.shardloop.kv.KvShard;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One Redis-protocol client on its shard: parses pipelined commands, runs each where its keys live
 * and sends the replies back in request order.
 * <p>
 * <b>Where a command runs.</b> Connection commands (AUTH, HELLO, CLIENT, QUIT, INFO, DEBUG) and
 * key-less ones (PING, ECHO, COMMAND, CONFIG) run here. In the shared-state modes every data command
 * runs here on the shared store. In sharded mode a single-key command runs here when this shard owns
 * the key's slot, and otherwise crosses to the owner as a message; a multi-key command is split by
 * owner, its parts run in parallel (here and on the owners), and the parts are merged; KEYS, DBSIZE
 * and FLUSHDB go to every shard; SCAN goes to the shard its cursor names.
 * <p>
 * <b>Order.</b> Every reply takes its place in a {@link ReplyOrder}: a reply answered here while an
 * earlier one is still away waits behind it. When the line is full, or unsent replies pass the
 * connection's high-water mark, parsing stops (the bytes stay unconsumed) and resumes when the line
 * moves or the socket drains.
 * <p>
 * Owned by its connection's shard: every method runs on that shard's loop thread.
 */
final class RespConnectionHandler implements ConnectionHandler, KvShard.ReplyListener {
    private static final byte[] NOAUTH = "-NOAUTH Authentication required.\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Connection connection;
    private final KvShard kv;
    private final RespProtocol server;
    private final RespServerInfo info;
    private final RespParser parser;
    private final Session session;
    private final ReplyOrder order;
    private final OutboundReplyWriter writer = new OutboundReplyWriter();
    /** Scratch split; swapped into a {@link Gather} when the command really spans owners. */
    private MultiKeySplit split = new MultiKeySplit();
    private final CommandArgs subCommand = new CommandArgs();
    /** Merge state of outstanding split or fanned-out commands, by place in line. */
    /** Allocated on the first split or fan-out: most connections never make one. */
    private Gather[] gathers;
    private final int gatherMask;
    private final long highWater;
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
        int slots = Integer.highestOneBit(Math.max(2, server.maxOutstanding() - 1)) << 1;
        this.gatherMask = slots - 1;
        this.highWater = info.highWater();
        this.authenticated = server.requirePass() == null;
        info.onConnect();
    }

    @Override
    public void onRead(ByteBuffer in) {
        while (!closing) {
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
        if (!order.isFull()) {
            connection.resumeInput();
        }
    }

    @Override
    public void onInputClosed() {
        closing = true;
        connection.closeAfterFlush();
    }

    @Override
    public boolean hasRepliesInFlight() {
        return !order.isEmpty();
    }

    @Override
    public void onClose() {
        order.discard();
        info.onDisconnect();
    }

    private OutboundReplyWriter reply() {
        return writer.target(order.immediate());
    }

    private void dispatch(CommandArgs args) {
        Command c = CommandTable.find(args);
        if (c == null || !c.arityAccepts(args.count())) {
            CommandTable.resolve(args, reply()); // writes Redis's error text
            return;
        }
        if (!authenticated && !c.name().equals("auth") && !c.name().equals("hello") && !c.name().equals("quit")) {
            reply().raw(NOAUTH, 0, NOAUTH.length);
            return;
        }
        switch (c.route()) {
            case CONNECTION -> connectionCommand(c, args);
            case LOCAL -> kv.executeHere(args, reply());
            default -> {
                if (kv.sharded()) {
                    route(c, args);
                } else {
                    kv.executeHere(args, reply());
                }
            }
        }
    }

    // ---- sharded routing ---------------------------------------------------------------------------

    private void route(Command c, CommandArgs args) {
        int shards = kv.shardCount();
        int me = kv.shardIndex();
        switch (c.route()) {
            case SINGLE_KEY -> single(Slots.ownerOf(args.array(), args.offset(1), args.length(1), shards), args);
            case SCAN -> {
                int owner = args.isLong(1) ? ScanCursor.shard(args.parseLong(1, 0)) : me;
                single(owner >= 0 && owner < shards ? owner : 0, args);
            }
            case MULTI_KEY -> {
                split.split(args, c.step(), shards);
                if (split.groups() == 1) {
                    single(split.shard(0), args); // one owner: the whole command, atomic there
                } else {
                    splitAcrossOwners(c, args);
                }
            }
            case ALL_SHARDS -> fanOut(c, args);
            default -> kv.executeHere(args, reply());
        }
    }

    private void single(int owner, CommandArgs args) {
        if (owner == kv.shardIndex()) {
            kv.executeHere(args, reply());
        } else {
            kv.send(owner, args, this, order.defer(), -1);
        }
    }

    private void splitAcrossOwners(Command c, CommandArgs args) {
        long ticket = order.defer();
        Gather g = gather(ticket);
        MultiKeySplit done = split; // already split by owner: hand it over instead of splitting twice
        split = g.split;
        g.split = done;
        g.begin(c.merge(), g.split.groups(), g.split);
        for (int part = 0; part < g.split.groups(); part++) {
            if (g.split.shard(part) == kv.shardIndex()) {
                g.split.subCommand(part, args, subCommand);
                BufferReplyWriter local = kv.executeHereToBytes(subCommand);
                g.merger.accept(part, local.buffer(), 0, local.length());
            } else {
                kv.sendGroup(g.split, part, args, this, ticket, part);
            }
        }
        finishIfComplete(ticket, g);
    }

    private void fanOut(Command c, CommandArgs args) {
        long ticket = order.defer();
        Gather g = gather(ticket);
        g.begin(c.merge(), kv.shardCount(), null);
        for (int shard = 0; shard < kv.shardCount(); shard++) {
            if (shard == kv.shardIndex()) {
                BufferReplyWriter local = kv.executeHereToBytes(args);
                g.merger.accept(shard, local.buffer(), 0, local.length());
            } else {
                kv.send(shard, args, this, ticket, shard);
            }
        }
        finishIfComplete(ticket, g);
    }

    /** An answer from another shard: a whole reply (part -1) or one part of a split command. */
    @Override
    public void onReply(long ticket, int part, DirectBuffer bytes, int offset, int length) {
        if (connection.isClosed()) {
            return; // the client left; its place in line went with it
        }
        if (part < 0) {
            order.deferred(ticket).writeBytes(bytes, offset, length);
            order.complete(ticket);
        } else {
            Gather g = gathers[(int) (ticket & gatherMask)];
            g.merger.accept(part, bytes, offset, length);
            finishIfComplete(ticket, g);
        }
        if (!closing && !order.isFull()) {
            connection.resumeInput();
        }
    }

    private void finishIfComplete(long ticket, Gather g) {
        if (!g.finished && g.merger.complete()) {
            g.finished = true;
            g.merger.finish(writer.target(order.deferred(ticket)));
            order.complete(ticket);
        }
    }

    private Gather gather(long ticket) {
        if (gathers == null) {
            gathers = new Gather[gatherMask + 1];
        }
        int i = (int) (ticket & gatherMask);
        Gather g = gathers[i];
        if (g == null) {
            g = gathers[i] = new Gather();
        }
        return g;
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

    /** The parts of one split or fanned-out command on their way back. */
    private static final class Gather {
        MultiKeySplit split = new MultiKeySplit();
        final ReplyMerger merger = new ReplyMerger();
        /** Set once the merged reply is written (a part that fails at once may complete it early). */
        boolean finished;

        void begin(Command.Merge merge, int parts, MultiKeySplit keys) {
            finished = false;
            merger.begin(merge, parts, keys);
        }
    }
}
