package io.shardloop.baseline;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.Key;
import io.shardloop.kv.MultiState;
import io.shardloop.kv.Transaction;
import io.shardloop.kv.DbKeys;
import io.shardloop.resp.ConnectionCommands;
import io.shardloop.resp.Session;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.RespParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * One Redis-protocol client on its own thread: reads what the socket has, runs every complete
 * command on the shared store in order, and writes the gathered replies when the input runs dry
 * (or past {@code flushAt} bytes), so a pipeline of commands read at once is answered by one write.
 * Connection commands, and who may run what before AUTH, are the {@link ConnectionCommands} the
 * event-loop server uses too.
 * <p>
 * Owned by its connection thread.
 */
final class BlockingRespConnection {
    private final BlockingRespProtocol server;
    private final ConnectionCommands commands;
    private final RespParser parser;
    private final Session session;
    private final ReadWindow window;
    private final BufferReplyWriter replies = new BufferReplyWriter(16 * 1024);
    private boolean closing;
    private final MultiState multi;
    private long unreportedCommands;
    private long unreportedInput;

    BlockingRespConnection(BlockingRespProtocol server, long id, int readBuffer) {
        this.server = server;
        this.commands = server.commands();
        this.parser = new RespParser(server.config().limits());
        this.session = commands.newSession(id);
        this.multi = new MultiState(this::runQueuedConnectionCommand, server.store().databases());
        this.parser.restrictUnauthenticated(!session.authenticated());
        // Room for the longest inline line the parser may leave unconsumed, plus one read.
        this.window = new ReadWindow(readBuffer, server.config().limits().maxInlineLength() + readBuffer);
    }

    void serve(InputStream in, OutputStream out) throws IOException {
        try {
            ByteBuffer bytes = window.bytes();
            while (!closing) {
                int before = bytes.position();
                int r = parser.parse(bytes);
                unreportedInput += bytes.position() - before;
                if (r == RespParser.COMMAND) {
                    unreportedCommands++;
                    dispatch(parser.args());
                    if (replies.length() >= server.flushAt()) {
                        flush(out);
                    }
                } else if (r == RespParser.PROTOCOL_ERROR) {
                    replies.error(parser.errorMessage());
                    closing = true;
                } else {
                    flush(out); // nothing more to parse: answer before blocking on the next read
                    if (!window.fill(in)) {
                        return;
                    }
                    bytes = window.bytes();
                }
            }
        } finally {
            multi.reset();
            unwatch(multi.takeWatched());
            flush(out);
        }
    }

    private void flush(OutputStream out) throws IOException {
        int length = replies.length();
        if (unreportedCommands > 0 || unreportedInput > 0 || length > 0) {
            server.onTraffic(unreportedCommands, unreportedInput, length);
            unreportedCommands = 0;
            unreportedInput = 0;
        }
        if (length > 0) {
            replies.reset();
            out.write(replies.array(), 0, length);
        }
    }

    private void dispatch(CommandArgs args) {
        args.db(session.db()); // the database its keys are in
        Command c = CommandTable.find(args);
        if (c == null || !c.arityAccepts(args.count())) {
            CommandTable.resolve(args, replies); // writes Redis's error text
            if (multi.refused(args)) {
                unwatch(multi.takeWatched());
            }
            return;
        }
        if (!commands.admits(c, session)) {
            replies.raw(ConnectionCommands.NOAUTH);
            multi.refused();
            return;
        }
        if (multi.controls(c)) {
            transactionCommand(c, args);
            return;
        }
        if (multi.active() && !MultiState.runsAtOnce(c)) {
            multi.queue(c, args, replies);
            return;
        }
        if (c.name().equals("reset")) {
            multi.reset();
            unwatch(multi.takeWatched());
        }
        if (c.route() == Command.Route.CONNECTION) {
            closing = commands.execute(c, args, session, replies) == ConnectionCommands.CLOSE;
            parser.restrictUnauthenticated(!session.authenticated());
        } else {
            server.store().execute(args, replies);
        }
    }

    /** MULTI, EXEC, DISCARD, WATCH, and UNWATCH outside a MULTI, on the shared store at once. */
    private void transactionCommand(Command c, CommandArgs args) {
        if (c == CommandTable.MULTI) {
            multi.multi(replies);
        } else if (c == CommandTable.DISCARD) {
            java.util.List<Key> keys = multi.discard(replies);
            if (keys != null) {
                unwatch(keys);
            }
        } else if (c == CommandTable.UNWATCH) {
            unwatch(multi.takeWatched());
            replies.simple("OK");
        } else if (c == CommandTable.WATCH) {
            if (multi.mayWatch(replies)) {
                for (int i = 1; i < args.count(); i++) {
                    Key k = DbKeys.of(args, i);
                    multi.watched(k, server.store().watch(k));
                }
                replies.simple("OK");
            }
        } else {
            java.util.List<Key> keys = new java.util.ArrayList<>();
            Transaction tx = multi.exec(replies, keys);
            unwatch(keys);
            if (tx != null) {
                server.store().execute(tx, replies);
            }
        }
    }

    private void unwatch(java.util.List<Key> keys) {
        for (Key k : keys) {
            server.store().unwatch(k);
        }
    }

    /** A connection command queued in a MULTI, run in its place at EXEC. */
    private void runQueuedConnectionCommand(Command c, CommandArgs args, io.shardloop.resp.codec.ReplySink out) {
        if (c == CommandTable.UNWATCH) {
            out.simple("OK");
            return;
        }
        closing |= commands.execute(c, args, session, out) == ConnectionCommands.CLOSE;
        parser.restrictUnauthenticated(!session.authenticated());
    }
}
