package io.shardloop.resp;

import io.shardloop.kv.BlockingCommands;
import io.shardloop.kv.BlockingWait;
import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.kv.Key;
import io.shardloop.kv.MonitorLine;
import io.shardloop.kv.KvShard;
import io.shardloop.kv.MultiState;
import io.shardloop.kv.PendingTransactions;
import io.shardloop.kv.Plan;
import io.shardloop.kv.PubSubClient;
import io.shardloop.kv.PubSubShard;
import io.shardloop.kv.Subscriber;
import io.shardloop.kv.TrackingClient;
import io.shardloop.kv.TrackingShard;
import io.shardloop.kv.Router;
import io.shardloop.kv.Transaction;
import io.shardloop.kv.DbKeys;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.resp.codec.RespParser;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.OutboundBuffer;
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
 * earlier one is still away waits behind it. A command over a key of this client's transaction over
 * several shards still away waits for it ({@link PendingTransactions}); a WATCH whose keys live
 * elsewhere is a fence: nothing after it is read until its codes are in.
 * <p>
 * <b>Transactions.</b> MULTI, EXEC, DISCARD, WATCH and UNWATCH follow {@link MultiState}; EXEC
 * plans and submits the queued commands as one {@link Transaction}; one with PUBLISH, SPUBLISH or
 * PUBSUB among them answers through an {@link ExecFanOut}, which counts every shard's subscribers.
 * <p>
 * <b>Pub/sub.</b> The client's subscriptions are a {@link PubSubClient} over this shard's
 * registry; PUBLISH, SPUBLISH and PUBSUB go through {@link KvShard#submit} to every shard with
 * subscribers ({@link PubSubShard}). Messages reach this client as a {@link Subscriber}, on this
 * loop, behind every reply already written ({@link ReplyOrder#unsolicited()}); a client that lets
 * them pile up past the {@link PubSubLimit} is closed. With a MONITOR anywhere, each command this
 * client runs is fed to the monitors once it has run ({@link MonitorLine}).
 * <p>
 * <b>Backpressure.</b> Parsing stops (the bytes stay unconsumed in the connection) while the line of
 * outstanding replies is full, while unsent replies are over the connection's high-water mark, and
 * while a command waits for credit towards another shard: that command is held as parsed and
 * submitted again when the shard says so. Reading resumes when the cause goes away.
 * <p>
 * Owned by its connection's shard: every method runs on that shard's loop thread.
 */
final class RespConnectionHandler implements ConnectionHandler, KvShard.Submitter, Subscriber, ClientHandle, LaterReply {
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
    /** The EXEC waiting for credit. */
    private Transaction heldTransaction;
    private final MultiState multi;
    /** The token of a reply that must be in before anything more is read ({@link #holdInputUntil}), or -1. */
    private long fence = -1;
    private final WatchSubmitter watcher = new WatchSubmitter();
    /** This client's transactions over several shards still away: later commands over their keys wait for them. */
    private final PendingTransactions pending = new PendingTransactions();
    /** Whether {@link #held} (or {@link #heldTransaction}) waits for a pending transaction rather than for credit. */
    private boolean heldForOrder;
    private final CommandArgs watchArgs = new CommandArgs();
    private boolean closing;
    /** The blocking command (BLPOP...) this client waits in, or null; its answer is the {@link #fence}. */
    private BlockingWait blocking;
    private final BlockedClient blockedClient = new BlockedClient();
    /** Refused by protected mode: counted as rejected, never as a client. */
    private final boolean denied;
    /** This client's subscriptions and MONITOR; null until its first such command. */
    private PubSubClient subscriptions;
    private final PubSubLimit.Watch outputLimit;
    /** The reply of the command being dispatched is dropped (CLIENT REPLY OFF or SKIP). */
    private boolean dropping;
    /** Whether the command held for credit had its reply dropped. */
    private boolean heldDropping;
    /** Where a dropped reply answered at once goes. */
    private final io.shardloop.resp.codec.BufferReplyWriter dropped = new io.shardloop.resp.codec.BufferReplyWriter(64);
    /** Outcomes of a command's dispatch, for its statistics. */
    private static final int RAN = 0;
    private static final int REFUSED = 1;
    private static final int QUEUED = 2;
    private final CommandStats stats;
    /** The command being dispatched, or submitted again once it may go: who a reply that comes later belongs to. */
    private Command current;
    /** The command of each place in line, by ticket: a reply from another shard counts for it (an error as a failure). */
    private final Command[] ticketCommands;
    private final int ticketMask;
    /** Places in line whose later reply is dropped. */
    private final org.agrona.collections.LongHashSet droppedTokens = new org.agrona.collections.LongHashSet();
    /** The PUBLISH, SPUBLISH and PUBSUB commands of EXECs in flight, by their arguments: the fan-out each answers through. */
    private final java.util.Map<CommandArgs, ExecFanOut> execFanOuts = new java.util.IdentityHashMap<>();
    /** This client's CLIENT TRACKING state; a redirect from any shard may name it. */
    private final TrackingClient tracking;
    private final TrackingOutput trackingOutput = new TrackingOutput();
    /** A command of this client runs now: what it sends the client itself (the invalidation of its own write) waits for its reply. */
    private boolean running;
    private final java.util.ArrayList<byte[]> heldFrames = new java.util.ArrayList<>();

    RespConnectionHandler(Connection connection, KvShard kv, RespConfig config, ConnectionCommands commands,
                          RespShardCounters counters, CommandStats stats, long highWater) {
        this.connection = connection;
        this.stats = stats;
        int line = Integer.highestOneBit(Math.max(2, config.maxOutstanding() - 1)) << 1; // as ReplyOrder's
        this.ticketCommands = new Command[line];
        this.ticketMask = line - 1;
        this.kv = kv;
        this.commands = commands;
        this.counters = counters;
        this.parser = new RespParser(config.limits());
        this.session = commands.newSession(connection.id());
        this.multi = new MultiState(this::runQueuedConnectionCommand, kv.group().databases());
        this.order = new ReplyOrder(connection, config.maxOutstanding());
        this.highWater = highWater;
        this.outputLimit = commands.settings().outputLimits().watch(); // CONFIG SET changes it for every client
        this.denied = commands.refuses(connection.remoteAddress());
        this.tracking = kv.tracking().connect(connection.id(), trackingOutput);
        session.tracking(tracking);
        if (denied) {
            closing = true;
            counters.onRejected();
            // The connection is not registered yet: answer on this turn's tasks, once it is.
            connection.loop().execute(this::deny);
        } else {
            parser.restrictUnauthenticated(!session.authenticated());
            counters.onConnect();
            commands.clients().add(this);
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
        while (!closing && held == null && heldTransaction == null && fence < 0) {
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
                stats.onError(writer.takeError());
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
        if (blocking != null) {
            // A blocked client that hung up is freed at once, as Redis frees it: it leaves its waits.
            connection.close("closed by the client while blocked");
            return;
        }
        connection.closeAfterFlush();
    }

    @Override
    public long bytesHeld() {
        return parser.bytesHeld();
    }

    @Override
    public boolean hasRepliesInFlight() {
        return !order.isEmpty() || held != null || heldTransaction != null;
    }

    @Override
    public void onClose() {
        if (blocking != null) {
            blocking.cancel();
            blocking = null;
        }
        if (held != null || heldTransaction != null) {
            kv.cancelWait(held == CommandTable.WATCH_CODES ? watcher : this);
            held = null;
            heldTransaction = null;
        }
        multi.reset();
        kv.unwatch(multi.takeWatched());
        order.discard();
        leaveSubscriptions();
        tracking.close();
        if (!denied) {
            counters.onDisconnect();
            commands.clients().remove(this);
        }
    }

    private ReplySink reply() {
        return dropping ? dropped.reset() : writer.target(order.immediate());
    }

    /** A place in line; its reply is dropped when the command's is. */
    private long deferReply() {
        long token = order.defer();
        ticketCommands[(int) (token & ticketMask)] = current;
        if (dropping) {
            droppedTokens.add(token);
        }
        return token;
    }

    private void dispatch(CommandArgs args) {
        args.db(session.db()); // the database its keys are in, carried to whichever shard runs it
        Command c = Router.find(args);
        dropping = ConnectionCommands.onCommand(c, args, session);
        current = c;
        writer.takeError(); // what was written before this command is not its
        long start = System.nanoTime();
        try {
            int outcome = dispatch(c, args);
            String error = (dropping ? dropped : writer).takeError();
            if (outcome == REFUSED) {
                stats.onRejected(c != null ? c : CommandTable.find(args), args, error == null ? "ERR" : error);
            } else if (outcome == RAN) {
                long nanos = System.nanoTime() - start;
                stats.onCall(c, args, nanos, error);
                commands.onCommandRan(c, args, nanos, session, this);
            }
        } finally {
            dropping = false;
        }
    }

    /** Runs (or queues, or refuses) one resolved command; says which, for its statistics. */
    private int dispatch(Command c, CommandArgs args) {
        if (c == null) {
            Router.resolve(args, reply()); // writes Redis's error text
            if (multi.refused(args)) {
                kv.unwatch(multi.takeWatched());
            }
            return REFUSED;
        }
        if (!commands.admits(c, session)) {
            reply().raw(ConnectionCommands.NOAUTH);
            multi.refused();
            return REFUSED;
        }
        if (subscriptions != null) {
            String refused = subscriptions.refusal(c, args, writer.protocol());
            if (refused != null) {
                reply().error(refused);
                return REFUSED;
            }
        }
        if (kv.pubsub().registry().anyMonitor() && MonitorLine.startsScript(c)) {
            // Before it runs, as Redis's evalCommand feeds it: the script's own commands follow.
            byte[] line = MonitorLine.format(MonitorLine.nowMicros(), session.db(), connection.remoteAddress(), c, args);
            kv.pubsub().feedMonitors(line, 0, line.length);
        }
        running = true;
        int outcome;
        try {
            outcome = run(c, args);
        } finally {
            running = false;
            writeHeldFrames();
        }
        if (tracking.on()) {
            tracking.afterCommand(c, multi.active());
        }
        if (kv.pubsub().registry().anyMonitor() && MonitorLine.fed(c)) {
            // After it ran, as Redis feeds them: a monitor's own command shows after its reply.
            byte[] line = MonitorLine.format(MonitorLine.nowMicros(), session.db(), connection.remoteAddress(), c, args);
            kv.pubsub().feedMonitors(line, 0, line.length);
        }
        return outcome;
    }

    /** Runs a command that was found, admitted and allowed in the client's context; says how, for its statistics. */
    private int run(Command c, CommandArgs args) {
        if (multi.controls(c)) {
            transactionCommand(c, args);
            return RAN;
        }
        if (multi.active() && !MultiState.runsAtOnce(c)) {
            if (c.denyOom() && kv.group().overMaxMemory()) {
                reply().raw(KvShard.oomReply());
                multi.refused();
                return REFUSED;
            }
            return multi.queue(c, args, reply()) ? QUEUED : REFUSED;
        }
        if (c.name().equals("reset")) {
            multi.reset();
            kv.unwatch(multi.takeWatched());
            leaveSubscriptions();
        }
        if (subscriptions != null && subscriptions.subscribed() && writer.protocol() == 2 && c.name().equals("ping")) {
            PubSubClient.pingInContext(args, reply());
            return RAN;
        }
        if (c.route() == Command.Route.CONNECTION && PubSubClient.handles(c)) {
            PubSubClient s = subscriptions();
            // Confirmations are sent as messages are, past CLIENT REPLY OFF and SKIP (Redis's CLIENT_PUSHING).
            s.execute(c, args, writer.target(order.immediate()));
            session.subscriptions(s.channelCount(), s.patternCount(), s.shardChannelCount()); // CLIENT LIST's
            return RAN;
        }
        if (c.route() == Command.Route.CONNECTION && !PubSubShard.fansOut(c)) {
            if (commands.execute(c, args, session, reply(), this) == ConnectionCommands.CLOSE) {
                closing = true;
                connection.closeAfterFlush();
            }
            parser.restrictUnauthenticated(!session.authenticated());
            return RAN;
        }
        if (pending.holdsBack(c, args)) {
            holdForOrder(c, null); // a transaction of this client over one of its keys is still away
            return RAN;
        }
        if (BlockingCommands.blocks(c)) {
            block(c, args);
            return RAN;
        }
        kv.plan(c, args, plan);
        boolean tracks = tracking.on();
        if (tracks) {
            tracking.beforeRead(c, args); // before it runs: its owner learns of the read first
            kv.tracking().writer(tracking.noloop() ? connection.id() : TrackingShard.NO_CLIENT);
        }
        boolean submitted = kv.submit(c, args, plan, this);
        if (tracks) {
            kv.tracking().writer(TrackingShard.NO_CLIENT);
        }
        if (!submitted) {
            held = c;
            heldDropping = dropping;
            connection.suspendInput();
        }
        return RAN;
    }

    /**
     * A blocking command outside a MULTI: its answer is a fence, so nothing after it is read until
     * it is served, times out or is unblocked (as Redis reads nothing more from a blocked client).
     */
    private void block(Command c, CommandArgs args) {
        long token = order.defer();
        blockedClient.token = token;
        fence = token; // input is still read (not parsed), so that a client hanging up is seen
        BlockingWait w = kv.block(c, args, connection.id(), blockedClient);
        if (blockedClient.token == token) {
            blocking = w; // still waiting
        }
    }

    /** Where a blocking command's one answer goes: its place in line. */
    private final class BlockedClient implements BlockingWait.Client {
        long token = -1;

        @Override
        public void onBlockedReply(DirectBuffer reply, int offset, int length) {
            long t = token;
            token = -1;
            blocking = null;
            if (connection.isClosed()) {
                return;
            }
            order.out(t).writeBytes(reply, offset, length);
            order.complete(t);
            counters.onBytes(0, length + writer.takeWrittenCount());
            if (t == fence) {
                fence = -1;
            }
            connection.suspendInput(); // and resumed: the bytes received while blocked are offered again
            resumeIfPossible();
        }

        @Override
        public int protocol() {
            return writer.protocol();
        }
    }

    /** Holds a command (or an EXEC) until the transactions of this client over its keys are answered. */
    private void holdForOrder(Command c, Transaction tx) {
        held = c;
        heldDropping = dropping;
        heldTransaction = tx;
        heldForOrder = true;
        connection.suspendInput();
    }

    /** A pending transaction was answered: the command held behind it goes if nothing else holds it back. */
    private void releaseHeldForOrder() {
        if (!heldForOrder) {
            return;
        }
        if (heldTransaction != null ? pending.holdsBack(heldTransaction)
                : pending.holdsBack(held, held == CommandTable.WATCH_CODES ? watchArgs : parser.args())) {
            return;
        }
        heldForOrder = false;
        if (heldTransaction != null) {
            kv.plan(heldTransaction, plan);
        } else {
            kv.plan(held, held == CommandTable.WATCH_CODES ? watchArgs : parser.args(), plan);
        }
        onCanSubmit();
    }

    /** MULTI, EXEC, DISCARD, WATCH, and UNWATCH outside a MULTI. */
    private void transactionCommand(Command c, CommandArgs args) {
        if (c == CommandTable.MULTI) {
            multi.multi(reply());
        } else if (c == CommandTable.DISCARD) {
            java.util.List<Key> keys = multi.discard(reply());
            if (keys != null) {
                kv.unwatch(keys);
            }
        } else if (c == CommandTable.UNWATCH) {
            kv.unwatch(multi.takeWatched());
            reply().simple("OK");
        } else if (c == CommandTable.WATCH) {
            if (multi.mayWatch(reply())) {
                watch(args);
            }
        } else {
            java.util.List<Key> unwatch = new java.util.ArrayList<>();
            Transaction tx = multi.exec(reply(), unwatch);
            kv.unwatch(unwatch);
            if (tx != null && pending.holdsBack(tx)) {
                holdForOrder(null, tx);
            } else if (tx != null) {
                kv.plan(tx, plan);
                boolean tracks = tracking.on();
                if (tracks) {
                    for (int i = 0; i < tx.size(); i++) {
                        tracking.beforeRead(tx.command(i), tx.args(i));
                    }
                    kv.tracking().writer(tracking.noloop() ? connection.id() : TrackingShard.NO_CLIENT);
                }
                boolean submitted = submitExec(tx);
                if (tracks) {
                    kv.tracking().writer(TrackingShard.NO_CLIENT);
                }
                if (!submitted) {
                    heldTransaction = tx;
                    heldDropping = dropping;
                    connection.suspendInput();
                }
            }
        }
    }

    /** WATCH: in the shared-state modes at once; in the sharded mode a command to the keys' owners. */
    private void watch(CommandArgs args) {
        if (!kv.sharded()) {
            for (int i = 1; i < args.count(); i++) {
                Key k = DbKeys.of(args, i);
                multi.watched(k, kv.watchShared(k));
            }
            reply().simple("OK");
            return;
        }
        watchArgs.clear();
        watchArgs.db(args.db());
        watchArgs.add(CommandTable.WATCH_CODES.name());
        for (int i = 1; i < args.count(); i++) {
            watchArgs.addFrom(args, i);
        }
        if (pending.holdsBack(CommandTable.WATCH_CODES, watchArgs)) {
            holdForOrder(CommandTable.WATCH_CODES, null);
            return;
        }
        kv.plan(CommandTable.WATCH_CODES, watchArgs, plan);
        if (!submitWatch()) {
            heldDropping = dropping;
            connection.suspendInput();
        }
    }

    /** Submits the WATCH's command; false when it waits for credit (then it is held). */
    private boolean submitWatch() {
        watcher.now.reset();
        if (!kv.submit(CommandTable.WATCH_CODES, watchArgs, plan, watcher)) {
            held = CommandTable.WATCH_CODES;
            return false;
        }
        if (watcher.now.length() > 0) { // answered here, at once
            watcher.view.wrap(watcher.now.buffer(), 0, watcher.now.length());
            if (multi.watchedFromReply(watchArgs, watcher.view, 0)) {
                reply().simple("OK");
            } else {
                reply().raw(watcher.now.array(), 0, watcher.now.length());
            }
        }
        return true;
    }

    /**
     * Submits an EXEC; one with PUBLISH, SPUBLISH or PUBSUB among its commands, over several shards,
     * answers through an {@link ExecFanOut}, which puts every shard's receivers in its reply.
     */
    private boolean submitExec(Transaction tx) {
        ExecFanOut fanOut = kv.shardCount() > 1 ? ExecFanOut.of(tx, this, execFanOuts) : null;
        if (fanOut == null) {
            return kv.submit(tx, plan, this);
        }
        if (!kv.submit(tx, plan, fanOut)) {
            return false;
        }
        fanOut.submitted();
        return true;
    }

    /** A connection command queued in a MULTI, run in its place at EXEC. */
    private void runQueuedConnectionCommand(Command c, CommandArgs args, ReplySink out) {
        if (c == CommandTable.UNWATCH) {
            out.simple("OK"); // EXEC lets go of the watched keys anyway
            return;
        }
        if (PubSubClient.handles(c)) {
            subscriptions().execute(c, args, out);
            return;
        }
        if (PubSubShard.fansOut(c)) {
            ExecFanOut exec = execFanOuts.get(args);
            if (exec != null) {
                exec.run(kv.pubsub(), c, args, out);
            } else {
                kv.pubsub().runWithin(c, args, out); // one shard: its count is every shard's
            }
            return;
        }
        if (commands.execute(c, args, session, out) == ConnectionCommands.CLOSE) {
            closing = true;
            connection.closeAfterFlush();
        }
        parser.restrictUnauthenticated(!session.authenticated());
    }

    /**
     * The submitter of a WATCH's command to the owners: the codes they answer are kept in the
     * {@link MultiState} and the client reads {@code +OK} in the WATCH's place.
     */
    private final class WatchSubmitter implements KvShard.Submitter {
        private final io.shardloop.resp.codec.BufferReplyWriter now = new io.shardloop.resp.codec.BufferReplyWriter(64);
        private final org.agrona.concurrent.UnsafeBuffer view = new org.agrona.concurrent.UnsafeBuffer(new byte[0]);

        @Override
        public ReplySink replyNow() {
            return now; // read back as soon as submit returns (submitWatch)
        }

        @Override
        public long defer() {
            return deferReply();
        }

        @Override
        public void onReply(long token, DirectBuffer bytes, int offset, int length) {
            if (connection.isClosed()) {
                // The client left while its WATCH was away: let go of what the owners registered.
                if (multi.watchedFromReply(watchArgs, bytes, offset)) {
                    kv.unwatch(multi.takeWatched());
                }
                return;
            }
            // A WATCH under CLIENT REPLY OFF still watches; its place in line is completed empty.
            boolean drop = !droppedTokens.isEmpty() && droppedTokens.remove(token);
            ReplySink out = drop ? dropped.reset() : writer.target(order.out(token));
            if (multi.watchedFromReply(watchArgs, bytes, offset)) {
                out.simple("OK");
            } else {
                out.raw(copy(bytes, offset, length), 0, length);
            }
            order.complete(token);
            if (token == fence) {
                fence = -1;
            }
            resumeIfPossible();
        }

        @Override
        public int protocol() {
            return 2;
        }

        @Override
        public PendingTransactions pendingTransactions() {
            return null; // EXEC needs the codes: nothing more is read until they are in
        }

        @Override
        public void holdInputUntil(long token) {
            fence = token;
            connection.suspendInput();
        }

        @Override
        public Plan heldPlan() {
            return plan;
        }

        @Override
        public void onCanSubmit() {
            RespConnectionHandler.this.onCanSubmit();
        }
    }

    // ---- pub/sub and MONITOR ---------------------------------------------------------------------

    private PubSubClient subscriptions() {
        if (subscriptions == null) {
            subscriptions = new PubSubClient(this, kv.pubsub().registry());
        }
        return subscriptions;
    }

    /** Leaves every subscription; from inside a delivery (this client was cut off) once it is over. */
    private void leaveSubscriptions() {
        PubSubClient s = subscriptions;
        if (s == null) {
            return;
        }
        session.subscriptions(0, 0, 0);
        if (kv.pubsub().registry().delivering()) {
            connection.loop().execute(s::leaveAll);
        } else {
            s.leaveAll();
        }
    }

    /** A message (or a MONITOR line) for this client: written behind every reply so far, then the limit is checked. */
    @Override
    public void deliver(byte[] frame, int offset, int length, boolean push) {
        if (closing || connection.isClosed()) {
            return;
        }
        OutboundBuffer out = order.unsolicited();
        if (push && writer.protocol() == 3) {
            out.writeByte('>');
            out.writeBytes(frame, offset + 1, length - 1);
        } else {
            out.writeBytes(frame, offset, length);
        }
        counters.onBytes(0, length);
        if (outputLimit.exceeded(connection.pendingOutboundBytes() + connection.heldReplyBytes())) {
            closing = true;
            // Not from inside the delivery: the registry is walking its subscribers.
            connection.loop().execute(() -> connection.close("over client-output-buffer-limit pubsub"));
            return;
        }
        if (out == connection.outbound()) {
            connection.flushSoon();
        } else {
            connection.onReplyHeld();
        }
    }

    /** The frames held while this client's own command ran, behind its reply, as Redis's tracking_pending_keys. */
    private void writeHeldFrames() {
        for (int i = 0; i < heldFrames.size(); i++) {
            trackingOutput.write(heldFrames.get(i));
        }
        heldFrames.clear();
    }

    /** Where this client's invalidations are written: behind its replies, as pub/sub messages. */
    private final class TrackingOutput implements TrackingClient.Output {
        /**
         * Behind every reply in line now, those still away included (an invalidation of this
         * client's own write follows that write's reply, as in Redis); it takes a place in line
         * while there is room, else it goes as a message does.
         */
        @Override
        public void write(byte[] frame) {
            if (closing || connection.isClosed()) {
                return;
            }
            if (running) {
                heldFrames.add(frame); // an EXEC run here writes its reply as it goes: not into it
                return;
            }
            OutboundBuffer out = order.isFull() ? order.unsolicited() : order.immediate();
            out.writeBytes(frame, 0, frame.length);
            counters.onBytes(0, frame.length);
            if (out == connection.outbound()) {
                connection.flushSoon();
            } else {
                connection.onReplyHeld();
            }
        }

        @Override
        public int protocol() {
            return writer.protocol();
        }

        @Override
        public boolean subscribed() {
            return subscriptions != null && subscriptions.subscribed();
        }
    }

    private static byte[] copy(DirectBuffer b, int offset, int length) {
        byte[] out = new byte[length];
        b.getBytes(offset, out);
        return out;
    }

    // ---- KvShard.Submitter ---------------------------------------------------------------------

    @Override
    public ReplySink replyNow() {
        return reply();
    }

    @Override
    public long defer() {
        return deferReply();
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
    public PendingTransactions pendingTransactions() {
        return pending;
    }

    @Override
    public void holdInputUntil(long token) {
        fence = token;
        connection.suspendInput();
    }

    @Override
    public void onCanSubmit() {
        if (connection.isClosed()) {
            return;
        }
        dropping = heldDropping; // the held command's reply is dropped if it was to be
        current = heldTransaction != null ? CommandTable.EXEC : held;
        try {
            submitHeld();
        } finally {
            dropping = false;
        }
    }

    private void submitHeld() {
        if (heldTransaction != null) {
            Transaction tx = heldTransaction;
            heldTransaction = null;
            if (!submitExec(tx)) {
                heldTransaction = tx;
                return;
            }
        } else if (held == CommandTable.WATCH_CODES) {
            held = null;
            if (!submitWatch()) {
                return;
            }
        } else {
            Command c = held;
            held = null;
            if (c == null) {
                return;
            }
            if (BlockingCommands.blocks(c)) { // it waited behind a transaction of this client
                block(c, parser.args());
                return;
            }
            if (!kv.submit(c, parser.args(), plan, this)) {
                held = c;
                return;
            }
        }
        resumeIfPossible();
    }

    /** An answer from another shard, whole (a split command's parts already merged). */
    @Override
    public void onReply(long ticket, DirectBuffer bytes, int offset, int length) {
        if (connection.isClosed()) {
            return; // the client left; its place in line went with it
        }
        if (length > 0 && bytes.getByte(offset) == '-') {
            stats.onFailed(ticketCommands[(int) (ticket & ticketMask)], CommandStats.code(bytes, offset, length));
        }
        if (droppedTokens.isEmpty() || !droppedTokens.remove(ticket)) {
            order.out(ticket).writeBytes(bytes, offset, length);
        }
        order.complete(ticket);
        counters.onBytes(0, length + writer.takeWrittenCount());
        if (ticket == fence) {
            fence = -1;
        }
        if (pending.complete(ticket)) {
            releaseHeldForOrder();
        }
        resumeIfPossible();
    }

    // ---- LaterReply: CLIENT LIST and KILL over other shards -----------------------------------------

    @Override
    public void complete(long token, byte[] reply) {
        onReply(token, new org.agrona.concurrent.UnsafeBuffer(reply), 0, reply.length);
    }

    // ---- ClientHandle: what CLIENT LIST shows of this client, on this shard's loop -----------------

    @Override
    public Session session() {
        return session;
    }

    @Override
    public java.net.SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public java.net.SocketAddress localAddress() {
        return connection.localAddress();
    }

    @Override
    public int queuedInMulti() {
        return multi.queuedCount();
    }

    @Override
    public long queryBufferBytes() {
        return connection.unreadInputBytes();
    }

    @Override
    public long outputBytes() {
        return connection.pendingOutboundBytes() + connection.heldReplyBytes();
    }

    @Override
    public int repliesInLine() {
        return order.outstanding();
    }

    @Override
    public long memory() {
        return connection.memory();
    }

    @Override
    public void kill() {
        closing = true;
        connection.close("CLIENT KILL");
    }

    @Override
    public void closeAfterReplies() {
        closing = true;
        connection.closeAfterFlush();
    }

    private void resumeIfPossible() {
        if (!closing && held == null && heldTransaction == null && fence < 0 && !order.isFull()) {
            connection.resumeInput();
        }
    }
}
