package io.shardloop.baseline;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
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
    private long unreportedCommands;
    private long unreportedInput;

    BlockingRespConnection(BlockingRespProtocol server, long id, int readBuffer) {
        this.server = server;
        this.commands = server.commands();
        this.parser = new RespParser(server.config().limits());
        this.session = commands.newSession(id);
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
        Command c = CommandTable.find(args);
        if (c == null || !c.arityAccepts(args.count())) {
            CommandTable.resolve(args, replies); // writes Redis's error text
            return;
        }
        if (!commands.admits(c, session)) {
            replies.raw(ConnectionCommands.NOAUTH);
            return;
        }
        if (c.route() == Command.Route.CONNECTION) {
            closing = commands.execute(c, args, session, replies) == ConnectionCommands.CLOSE;
            parser.restrictUnauthenticated(!session.authenticated());
        } else {
            server.store().execute(args, replies);
        }
    }
}
