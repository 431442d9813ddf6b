package io.shardloop.baseline;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.Key;
import io.shardloop.kv.MultiState;
import io.shardloop.kv.Transaction;
import io.shardloop.resp.ClientHandle;
import io.shardloop.resp.ConnectionCommands;
import io.shardloop.resp.Session;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.RespParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
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
final class BlockingRespConnection implements ClientHandle {
    private final BlockingRespProtocol server;
    private final ConnectionCommands commands;
    private final RespParser parser;
    private final Session session;
    private final ReadWindow window;
    private final BufferReplyWriter replies = new BufferReplyWriter(16 * 1024);
    private boolean closing;
    private final MultiState multi = new MultiState(this::runQueuedConnectionCommand);
    private long unreportedCommands;
    private long unreportedInput;
    private final SocketAddress peer;
    private final SocketAddress local;
    /** The socket's input: closing it (CLIENT KILL, from any thread) closes the socket and ends the read. */
    private volatile InputStream socketIn;
    /** Commands queued since MULTI, or -1: read by other connections' CLIENT LIST. */
    private volatile int queuedInMulti = -1;
    /** Outcomes of a command's dispatch, for its statistics. */
    private static final int RAN = 0;
    private static final int REFUSED = 1;
    private static final int QUEUED = 2;
    /** The reply of the command being run is dropped (CLIENT REPLY OFF or SKIP). */
    private boolean dropping;

    BlockingRespConnection(BlockingRespProtocol server, long id, int readBuffer, SocketAddress peer, SocketAddress local) {
        this.peer = peer;
        this.local = local;
        this.server = server;
        this.commands = server.commands();
        this.parser = new RespParser(server.config().limits());
        this.session = commands.newSession(id);
        this.parser.restrictUnauthenticated(!session.authenticated());
        // Room for the longest inline line the parser may leave unconsumed, plus one read.
        this.window = new ReadWindow(readBuffer, server.config().limits().maxInlineLength() + readBuffer);
    }

    void serve(InputStream in, OutputStream out) throws IOException {
        socketIn = in;
        commands.clients().add(this);
        try {
            ByteBuffer bytes = window.bytes();
            while (!closing) {
                int before = bytes.position();
                int r = parser.parse(bytes);
                unreportedInput += bytes.position() - before;
                if (r == RespParser.COMMAND) {
                    unreportedCommands++;
                    int replyStart = replies.length();
                    dispatch(parser.args());
                    if (dropping) {
                        replies.truncate(replyStart); // CLIENT REPLY OFF or SKIP
                    }
                    queuedInMulti = multi.queuedCount();
                    if (replies.length() >= server.flushAt()) {
                        flush(out);
                    }
                } else if (r == RespParser.PROTOCOL_ERROR) {
                    replies.error(parser.errorMessage());
                    server.stats().onError(replies.takeError());
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
            commands.clients().remove(this);
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
        Command c = CommandTable.find(args);
        boolean known = c != null && c.arityAccepts(args.count());
        dropping = ConnectionCommands.onCommand(known ? c : null, args, session);
        replies.takeError(); // what was written before this command is not its
        long start = System.nanoTime();
        int outcome = dispatch(c, known, args);
        String error = replies.takeError();
        if (outcome == REFUSED) {
            server.stats().onRejected(c, args, error == null ? "ERR" : error);
        } else if (outcome == RAN) {
            long nanos = System.nanoTime() - start;
            server.stats().onCall(c, args, nanos, error);
            commands.onCommandRan(c, args, nanos, session, this);
        }
    }

    /** Runs (or queues, or refuses) one command; says which, for its statistics. */
    private int dispatch(Command c, boolean known, CommandArgs args) {
        if (!known) {
            CommandTable.resolve(args, replies); // writes Redis's error text
            if (multi.refused(args)) {
                unwatch(multi.takeWatched());
            }
            return REFUSED;
        }
        if (!commands.admits(c, session)) {
            replies.raw(ConnectionCommands.NOAUTH);
            multi.refused();
            return REFUSED;
        }
        if (multi.controls(c)) {
            transactionCommand(c, args);
            return RAN;
        }
        if (multi.active() && !MultiState.runsAtOnce(c)) {
            multi.queue(c, args, replies);
            return QUEUED;
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
        return RAN;
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
                    Key k = Key.copyOf(args.array(), args.offset(i), args.length(i));
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

    // ---- ClientHandle: read by other connections' threads (CLIENT LIST, KILL) -------------------------

    @Override
    public Session session() {
        return session;
    }

    @Override
    public SocketAddress remoteAddress() {
        return peer;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public int queuedInMulti() {
        return queuedInMulti;
    }

    /** Parsed in place from the read window: what is left of it between commands is not measured. */
    @Override
    public long queryBufferBytes() {
        return 0;
    }

    /** The read window and the reply buffer are this thread's alone: their sizes are not published. */
    @Override
    public long memory() {
        return 0;
    }

    /** Replies are written by this thread as they are made: none wait in a buffer another thread sees. */
    @Override
    public long outputBytes() {
        return 0;
    }

    @Override
    public int repliesInLine() {
        return 0;
    }

    /** Closes the socket from the killer's thread: this connection's blocked read ends, and its thread with it. */
    @Override
    public void kill() {
        try {
            socketIn.close();
        } catch (IOException ignored) {
            // Closed already.
        }
    }

    @Override
    public void closeAfterReplies() {
        closing = true; // this connection's own thread: it flushes and returns
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
