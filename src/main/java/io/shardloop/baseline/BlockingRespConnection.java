package io.shardloop.baseline;

import io.shardloop.kv.BlockedKeys;
import io.shardloop.kv.BlockingCommands;
import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.Key;
import io.shardloop.kv.MonitorFeed;
import io.shardloop.kv.MonitorLine;
import io.shardloop.kv.MultiState;
import io.shardloop.kv.PubSubClient;
import io.shardloop.kv.PubSubRegistry;
import io.shardloop.kv.PubSubShard;
import io.shardloop.kv.ScriptPubSub;
import io.shardloop.kv.TrackingClient;
import io.shardloop.kv.Transaction;
import io.shardloop.kv.DbKeys;
import io.shardloop.resp.ClientHandle;
import io.shardloop.resp.ConnectionCommands;
import io.shardloop.resp.Session;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.RespParser;
import io.shardloop.script.ScriptEngine;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Redis-protocol client on its own thread: reads what the socket has, runs every complete
 * command on the shared store in order, and writes the gathered replies when the input runs dry
 * (or past {@code flushAt} bytes), so a pipeline of commands read at once is answered by one write.
 * Connection commands, and who may run what before AUTH, are the {@link ConnectionCommands} the
 * event-loop server uses too.
 * <p>
 * <b>Pub/sub.</b> Subscriptions are a {@link PubSubClient} over the server's one
 * {@link PubSubRegistry}, whose monitor every subscribe, unsubscribe and publish holds. From its
 * first subscription (or MONITOR) on, the client's replies and the messages other threads publish
 * to it go out through a {@link SubscriberOutbox} and its writer thread, each frame whole, so this
 * thread can block in read while messages arrive. A subscription's confirmation is queued while
 * the registry's monitor is held, so no message can overtake it.
 * <p>
 * <b>Client-side caching.</b> CLIENT TRACKING is a {@link TrackingClient} of the server's one
 * {@link io.shardloop.kv.LockedTracking}: reads are remembered before they run, writes invalidate
 * after. An invalidation another thread sends this client starts the outbox (at most once, from any
 * thread: the switch is made under {@link #outputSwitch}, and the outbox's writer waits for a write
 * this thread is making to the socket itself); one this thread sends itself (its own write, a key
 * its command found expired, its turn's BCAST keys) follows the command's reply, as in Redis.
 * <p>
 * Owned by its connection thread, but for the outbox, which another thread may start.
 */
final class BlockingRespConnection implements ClientHandle {
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
    private final SocketAddress peer;
    private final SocketAddress local;
    private PubSubClient subscriptions;
    /** Where the replies go once the client has subscribed or is sent invalidations by others; null before. */
    private volatile SubscriberOutbox outbox;
    /** Guards the start of {@link #outbox} and {@link #writingDirect}. */
    private final Object outputSwitch = new Object();
    /** This thread is writing replies to the socket itself (no outbox yet). */
    private boolean writingDirect;
    private OutputStream out;
    private Thread thread;
    /** CLIENT TRACKING's state; set as the connection starts serving. */
    private TrackingClient tracking;
    /** Invalidations this thread sent its own client, written after the command's reply. */
    private final List<byte[]> ownFrames = new ArrayList<>();
    /** An EXEC is running: its reply is being written, so no message may go out before it is whole. */
    private boolean inExec;
    private final BufferReplyWriter run = new BufferReplyWriter(256);
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
        this.multi = new MultiState(this::runQueuedConnectionCommand, server.store().databases());
        this.parser.restrictUnauthenticated(!session.authenticated());
        // Room for the longest inline line the parser may leave unconsumed, plus one read.
        this.window = new ReadWindow(readBuffer, server.config().limits().maxInlineLength() + readBuffer);
    }

    void serve(InputStream in, OutputStream out) throws IOException {
        this.out = out;
        this.thread = Thread.currentThread();
        socketIn = in;
        tracking = server.clientTracking().connect(session.id(), new TrackingOutput()); // after out: others may write
        session.tracking(tracking);
        MonitorFeed.bindThisThread(new MonitorFeed.Feed() { // the commands of this client's scripts
            @Override
            public boolean anyMonitor() {
                return server.pubsub().anyMonitor();
            }

            @Override
            public void feed(byte[] line, int offset, int length) {
                feedMonitors(line);
            }
        });
        ScriptPubSub.bindThisThread(this::pubsubCommand); // the PUBLISHes of this client's scripts
        ScriptEngine.bindThisThread(server.scripts()); // this server's scripts and libraries
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
                    appendOwnFrames(); // sent past CLIENT REPLY OFF, as Redis's pushes
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
            tracking.close(); // from here on nobody sends it an invalidation
            multi.reset();
            unwatch(multi.takeWatched());
            leaveSubscriptions();
            flush(out);
            SubscriberOutbox outbox = this.outbox;
            if (outbox != null) {
                outbox.close();
                try {
                    outbox.awaitWriter(java.time.Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void flush(OutputStream out) throws IOException {
        server.clientTracking().endOfTurn(); // the BCAST keys this turn wrote, after its replies
        appendOwnFrames();
        int length = replies.length();
        if (unreportedCommands > 0 || unreportedInput > 0 || length > 0) {
            server.onTraffic(unreportedCommands, unreportedInput, length);
            unreportedCommands = 0;
            unreportedInput = 0;
        }
        if (length > 0) {
            replies.reset();
            SubscriberOutbox o;
            synchronized (outputSwitch) {
                o = outbox;
                writingDirect = o == null;
            }
            if (o != null) {
                o.append(replies.array(), 0, length);
                return;
            }
            try {
                out.write(replies.array(), 0, length);
            } finally {
                synchronized (outputSwitch) {
                    writingDirect = false;
                    if (outbox != null) {
                        outbox.releaseWriter(); // started by another thread while this one wrote
                    }
                }
            }
        }
    }

    /**
     * The outbox, started now if there is none: on this thread (a first subscription), or on one
     * that sends this client an invalidation, whose writer then waits for the write this thread may
     * be making.
     */
    private SubscriberOutbox startOutbox() {
        synchronized (outputSwitch) {
            SubscriberOutbox o = outbox;
            if (o == null) {
                o = new SubscriberOutbox(out, commands.settings().outputLimits().watch(), "resp-subscriber-" + session.id());
                o.protocol(replies.protocol());
                if (writingDirect) {
                    o.holdWriter();
                }
                outbox = o;
            }
            return o;
        }
    }

    private void appendOwnFrames() {
        for (byte[] frame : ownFrames) {
            replies.raw(frame, 0, frame.length);
        }
        ownFrames.clear();
    }

    private void dispatch(CommandArgs args) throws IOException {
        args.db(session.db()); // the database its keys are in
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
    private int dispatch(Command c, boolean known, CommandArgs args) throws IOException {
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
        if (subscriptions != null) {
            String refused = subscriptions.refusal(c, args, replies.protocol());
            if (refused != null) {
                replies.error(refused);
                return REFUSED;
            }
        }
        if (server.pubsub().anyMonitor() && MonitorLine.startsScript(c)) {
            feedMonitors(MonitorLine.format(MonitorLine.nowMicros(), session.db(), peer, c, args)); // before, as Redis
        }
        int outcome = run(c, args);
        if (tracking.on()) {
            tracking.afterCommand(c, multi.active());
        }
        if (server.pubsub().anyMonitor() && MonitorLine.fed(c)) {
            flushReplies(); // a monitor's own command shows after its reply, as in Redis
            feedMonitors(MonitorLine.format(MonitorLine.nowMicros(), session.db(), peer, c, args));
        }
        return outcome;
    }

    private void feedMonitors(byte[] line) {
        synchronized (server.pubsub()) {
            server.pubsub().feedMonitors(line, 0, line.length);
        }
    }

    /** Runs a command that was found, admitted and allowed in the client's context; says how, for its statistics. */
    private int run(Command c, CommandArgs args) throws IOException {
        if (multi.controls(c)) {
            transactionCommand(c, args);
            return RAN;
        }
        if (multi.active() && !MultiState.runsAtOnce(c)) {
            return multi.queue(c, args, replies) ? QUEUED : REFUSED;
        }
        if (c.name().equals("reset")) {
            multi.reset();
            unwatch(multi.takeWatched());
            leaveSubscriptions();
        }
        if (subscriptions != null && subscriptions.subscribed() && replies.protocol() == 2 && c.name().equals("ping")) {
            PubSubClient.pingInContext(args, replies);
            return RAN;
        }
        if (c.route() == Command.Route.CONNECTION && (PubSubClient.handles(c) || PubSubShard.fansOut(c))) {
            pubsubCommand(c, args, replies);
            return RAN;
        }
        if (c.route() == Command.Route.CONNECTION) {
            closing = commands.execute(c, args, session, replies) == ConnectionCommands.CLOSE;
            parser.restrictUnauthenticated(!session.authenticated());
            if (outbox != null) {
                outbox.protocol(replies.protocol()); // HELLO and RESET change how messages are framed
            }
        } else if (BlockingCommands.blocks(c)) {
            block(c, args);
        } else {
            if (tracking.on()) {
                tracking.beforeRead(c, args); // before it runs: no write it could miss comes between
            }
            server.store().execute(args, replies);
            server.clientTracking().afterCommand(c, args, session.id());
        }
        return RAN;
    }

    /**
     * A blocking command outside a MULTI: run it; if it finds nothing, the replies before it go out
     * and this thread waits in the lines of its keys (on a condition) until the thread of a write
     * that makes a key ready serves it (runs its pop for it and hands it the answer), or its
     * timeout or CLIENT UNBLOCK ends the wait.
     */
    private void block(Command c, CommandArgs args) throws IOException {
        ThreadWait w = new ThreadWait(session.id(), c, args, replies.protocol());
        List<Key> keys = BlockingCommands.waitedKeys(c, args); // its lines are its database's
        run.reset();
        run.protocol(replies.protocol());
        if (server.store().executeOrBlock(c, args, run, w, keys)) { // otherwise it is in line already
            replies.raw(run.array(), 0, run.length());
            server.clientTracking().afterCommand(c, args, session.id());
            return;
        }
        BlockedKeys blocked = server.store().blocked();
        long ms = BlockingCommands.timeoutMillis(c, args);
        long deadline = ms == 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        try {
            flush(out);
            // Counted blocked (INFO, CLIENT UNBLOCK) once it has its place in every line: a client
            // seen blocked is served before any that blocks after.
            server.blockedClients().add(w.waitId(), w);
            Object end = w.next(deadline);
            if (end instanceof byte[] answer) {
                replies.raw(answer, 0, answer.length);
                // Its keys were written for it (the source, a move's destination): their trackers hear of it.
                server.clientTracking().afterCommand(c, args, session.id());
            } else {
                replies.raw(end == ThreadWait.UNBLOCKED ? UNBLOCKED : timedOut());
            }
        } finally {
            server.blockedClients().remove(w.waitId(), w);
            blocked.leave(w.waitId());
        }
    }

    private static final byte[] UNBLOCKED = "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private byte[] timedOut() {
        return replies.protocol() == 3 ? BlockingCommands.TIMED_OUT_RESP3 : BlockingCommands.TIMED_OUT_RESP2;
    }

    /**
     * This thread's wait, as the store's {@link BlockedKeys} and CLIENT UNBLOCK see it: a writer's
     * thread claims it and hands it its answer, a timeout or CLIENT UNBLOCK ends it, whichever
     * comes first; the connection thread waits for that in {@link #next}.
     */
    private static final class ThreadWait implements BlockedKeys.Waiter, io.shardloop.kv.BlockedClients.Blocked {
        static final Object TIMED_OUT = new Object();
        static final Object UNBLOCKED = new Object();
        private final long id;
        private final Command command;
        private final CommandArgs args = new CommandArgs();
        private final int protocol;
        /** Null while it waits; then a claim's answer (once in), TIMED_OUT or UNBLOCKED. */
        private Object end;
        private boolean claimed;

        ThreadWait(long id, Command command, CommandArgs args, int protocol) {
            this.id = id;
            this.command = command;
            for (int i = 0; i < args.count(); i++) {
                this.args.addFrom(args, i);
            }
            this.args.db(args.db());
            this.protocol = protocol;
        }

        @Override
        public long waitId() {
            return id; // the connection id: one wait at a time per connection
        }

        @Override
        public Command command() {
            return command;
        }

        @Override
        public CommandArgs args() {
            return args;
        }

        @Override
        public int protocol() {
            return protocol;
        }

        @Override
        public synchronized boolean claim() {
            if (claimed || end != null) {
                return false;
            }
            claimed = true;
            return true;
        }

        @Override
        public synchronized void served(Key key, DirectBuffer reply, int offset, int length) {
            byte[] answer = new byte[length];
            reply.getBytes(offset, answer);
            end = answer;
            notifyAll();
        }

        @Override
        public synchronized boolean unblockFromAnyThread(boolean error) {
            if (claimed || end != null) {
                return false;
            }
            end = error ? UNBLOCKED : TIMED_OUT;
            notifyAll();
            return true;
        }

        /**
         * How the wait ended: the answer (a byte array), TIMED_OUT or UNBLOCKED; deadline 0 for
         * none. A claimed wait waits for its answer even past the deadline: it is on its way.
         */
        synchronized Object next(long deadline) {
            while (end == null) {
                long left = deadline == 0 ? 0 : deadline - System.nanoTime();
                if (deadline != 0 && left <= 0 && !claimed) {
                    end = TIMED_OUT;
                    break;
                }
                try {
                    if (deadline == 0 || claimed) {
                        wait();
                    } else {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (!claimed) {
                        end = TIMED_OUT;
                    }
                }
            }
            return end;
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
                inExec = true;
                try {
                    if (tracking.on()) {
                        for (int i = 0; i < tx.size(); i++) {
                            tracking.beforeRead(tx.command(i), tx.args(i));
                        }
                    }
                    server.store().execute(tx, replies);
                    server.clientTracking().afterCommand(tx, session.id());
                } finally {
                    inExec = false;
                }
                if (outbox != null) {
                    flushReplies(); // the whole EXEC reply, then what was published to this client meanwhile
                    outbox.releaseDeliveries();
                }
            }
        }
    }

    private void unwatch(java.util.List<Key> keys) {
        for (Key k : keys) {
            server.store().unwatch(k);
        }
    }

    /**
     * A subscription command, PUBLISH, SPUBLISH or PUBSUB, holding the registry's monitor. A
     * subscription's first command starts the outbox; the replies gathered so far go into it before
     * the confirmation, and the confirmation before any message.
     */
    private void pubsubCommand(Command c, CommandArgs args, io.shardloop.resp.codec.ReplySink sink) {
        PubSubRegistry registry = server.pubsub();
        synchronized (registry) {
            if (PubSubShard.fansOut(c)) {
                if (c.name().equals("pubsub")) {
                    if (PubSubClient.checkPubsub(args, sink)) {
                        PubSubClient.pubsubHere(registry, args, sink);
                    }
                } else {
                    sink.integer(registry.publish(args.array(), args.offset(1), args.length(1), args.array(),
                            args.offset(2), args.length(2), c.name().equals("spublish")));
                }
                return;
            }
            if (subscriptions == null) {
                subscriptions = new PubSubClient(startOutbox(), registry);
                if (!inExec) {
                    try {
                        flush(out);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e); // flush into the outbox does not write
                    }
                }
            }
            if (inExec) {
                outbox.holdDeliveries(); // until the EXEC's reply, this confirmation in it, is queued
            }
            subscriptions.execute(c, args, sink);
            session.subscriptions(subscriptions.channelCount(), subscriptions.patternCount(),
                    subscriptions.shardChannelCount()); // CLIENT LIST's
            if (inExec) {
                return;
            }
            if (sink == replies) {
                flushReplies();
            }
        }
    }

    /** Moves the replies gathered so far into the outbox, once there is one. */
    private void flushReplies() {
        if (outbox != null && replies.length() > 0) {
            outbox.append(replies.array(), 0, replies.length());
            replies.reset();
        }
    }

    private void leaveSubscriptions() {
        session.subscriptions(0, 0, 0);
        if (subscriptions != null) {
            synchronized (server.pubsub()) {
                subscriptions.leaveAll();
            }
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

    /**
     * Where this client's invalidations go: from this thread, behind the reply of the command that
     * sent them; from another, into the outbox.
     */
    private final class TrackingOutput implements TrackingClient.Output {
        @Override
        public void write(byte[] frame) {
            if (Thread.currentThread() == thread) {
                ownFrames.add(frame);
            } else {
                startOutbox().deliver(frame, 0, frame.length, false);
            }
        }

        @Override
        public int protocol() {
            return session.protocol();
        }

        @Override
        public boolean subscribed() {
            return session.subscribed();
        }
    }

    /** A connection command queued in a MULTI, run in its place at EXEC. */
    private void runQueuedConnectionCommand(Command c, CommandArgs args, io.shardloop.resp.codec.ReplySink out) {
        if (c == CommandTable.UNWATCH) {
            out.simple("OK");
            return;
        }
        if (PubSubClient.handles(c) || PubSubShard.fansOut(c)) {
            pubsubCommand(c, args, out);
            return;
        }
        closing |= commands.execute(c, args, session, out) == ConnectionCommands.CLOSE;
        parser.restrictUnauthenticated(!session.authenticated());
    }
}
