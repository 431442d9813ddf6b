package io.shardloop.baseline;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.Session;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.RespParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One Redis-protocol client on its own thread: reads what the socket has, runs every complete
 * command on the shared store in order, and writes the gathered replies when the input runs dry
 * (or past {@code flushAt} bytes), so a pipeline of commands read at once is answered by one write.
 * Connection commands (AUTH, HELLO, CLIENT, QUIT, INFO, DEBUG) are answered here, as the event-loop
 * server's connection answers them.
 * <p>
 * Owned by its connection thread.
 */
final class BlockingRespConnection {
    private static final byte[] NOAUTH = "-NOAUTH Authentication required.\r\n".getBytes(StandardCharsets.US_ASCII);

    private final BlockingRespProtocol server;
    private final RespParser parser;
    private final Session session;
    private final ReadWindow window;
    private final BufferReplyWriter replies = new BufferReplyWriter(16 * 1024);
    private boolean authenticated;
    private boolean closing;
    private long unreportedCommands;

    BlockingRespConnection(BlockingRespProtocol server, long id, int readBuffer) {
        this.server = server;
        this.parser = new RespParser(server.limits());
        this.session = new Session(id);
        // Room for the longest inline line the parser may leave unconsumed, plus one read.
        this.window = new ReadWindow(readBuffer, server.limits().maxInlineLength() + readBuffer);
        this.authenticated = server.requirePass() == null;
    }

    void serve(InputStream in, OutputStream out) throws IOException {
        try {
            ByteBuffer bytes = window.bytes();
            while (!closing) {
                int r = parser.parse(bytes);
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
        if (unreportedCommands > 0) {
            server.onCommands(unreportedCommands);
            unreportedCommands = 0;
        }
        if (replies.length() > 0) {
            int length = replies.length();
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
        if (!authenticated && !c.name().equals("auth") && !c.name().equals("hello") && !c.name().equals("quit")) {
            replies.raw(NOAUTH, 0, NOAUTH.length);
            return;
        }
        if (c.route() == Command.Route.CONNECTION) {
            connectionCommand(c, args);
        } else {
            server.store().execute(args, replies);
        }
    }

    private void connectionCommand(Command c, CommandArgs args) {
        switch (c.name()) {
            case "auth" -> auth(args);
            case "info" -> replies.bulk(server.info(args.count() > 1 ? args.string(1) : "default")
                    .getBytes(StandardCharsets.UTF_8));
            case "debug" -> debug(args);
            default -> {
                if (session.execute(c, args, replies) == Session.CLOSE) {
                    closing = true;
                }
            }
        }
    }

    private void auth(CommandArgs args) {
        String password = server.requirePass();
        if (password == null) {
            session.execute(CommandTable.find(args), args, replies); // Redis's "no password configured" error
            return;
        }
        boolean userOk = args.count() == 2 || args.is(1, "default");
        if (args.count() > 3) {
            replies.error("ERR syntax error");
        } else if (userOk && args.string(args.count() - 1).equals(password)) {
            authenticated = true;
            replies.simple("OK");
        } else {
            replies.error("WRONGPASS invalid username-password pair or user is disabled.");
        }
    }

    /** DEBUG SLEEP blocks this connection's thread, as it blocks a shard's loop in the event-loop server. */
    private void debug(CommandArgs args) {
        if (args.is(1, "SLEEP") && args.count() == 3) {
            double seconds;
            try {
                seconds = Double.parseDouble(args.string(2));
            } catch (NumberFormatException e) {
                replies.error("ERR value is not a valid float");
                return;
            }
            try {
                Thread.sleep((long) (seconds * 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            replies.simple("OK");
        } else {
            replies.error("ERR DEBUG subcommand not supported here; only DEBUG SLEEP <seconds>");
        }
    }
}
