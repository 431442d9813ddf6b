package io.shardloop.load;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.Connector;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * One load connection: its schedule, its outstanding requests and the socket it currently has
 * (replaced when it breaks). The same object lives for the whole run.
 * <p>
 * <b>Ownership.</b> Touched by its {@link LoadLoop}'s thread alone.
 * <p>
 * <b>Latency.</b> Each outstanding request keeps a start time in a ring preallocated to the
 * pipeline depth: in open loop the time the schedule says it should have been sent (so a request
 * held back by a slow server, a full pipeline or a broken connection is charged for the wait), in
 * closed loop the time it was actually sent. Latency is the completion time less that start.
 * Responses come back in order, so the oldest start matches the next response.
 * <p>
 * <b>Set-up.</b> A writer may send one request when a connection opens (SCRIPT LOAD), ahead of the
 * first in the ring; its reply is parsed before any response and neither timed nor counted. When it
 * is refused, or a reply says the server lacks what a short request relies on
 * ({@link ResponseParser#NO_SCRIPT}), the connection writes its requests in full from then on.
 * <pre>
 *   DOWN ──connect──▶ CONNECTING ──ok──▶ UP ──error, timeout, peer close──▶ DOWN (reconnect after a delay)
 *                          └──fail──▶ DOWN                 finish() from any state ──▶ FINISHED
 * </pre>
 */
final class LoadConnection implements ConnectionHandler, Connector.Listener, EventLoop.TimerTask {
    private static final int DOWN = 0;
    private static final int CONNECTING = 1;
    private static final int UP = 2;
    private static final int FINISHED = 3;
    private static final long NO_TIMER = -1;

    private final LoadLoop owner;
    private final EventLoop loop;
    /** Position of this connection among all of the run's, for its phase in the schedule. */
    private final int index;
    private final ResponseParser parser;
    private final int depth;
    private final long[] startTimes;
    private final long[] sentTimes;
    private final byte[] expects;
    /** Requests this connection may send in the measured part; Long.MAX_VALUE for no limit. */
    private final long quota;

    private int head;
    private int outstanding;
    private Connection connection;
    private Connector connector;
    private int state = DOWN;
    private boolean closingByUs;
    private boolean peerClosed;
    private boolean done;
    private long reconnectTimer = NO_TIMER;
    /** What the set-up request's reply should be, {@link RequestWriter#NO_SETUP} when none is awaited. */
    private int setupExpected = RequestWriter.NO_SETUP;
    /** The server refused a short form: requests are written with {@link RequestWriter#writeFull}. */
    private boolean writeInFull;
    /** Open loop: the schedule index of the next request to send. */
    private long seq;
    private long measuredSent;

    LoadConnection(LoadLoop owner, int index, ResponseParser parser, int depth, long quota) {
        this.owner = owner;
        this.loop = owner.loop();
        this.index = index;
        this.parser = parser;
        this.depth = depth;
        this.startTimes = new long[depth];
        this.sentTimes = new long[depth];
        this.expects = new byte[depth];
        this.quota = quota;
        if (quota == 0) {
            markDone();
        }
    }

    // ---- connecting ----------------------------------------------------------------------------

    void connect() {
        assert loop.inLoop();
        if (state == FINISHED) {
            return;
        }
        state = CONNECTING;
        connector = owner.connect(this);
    }

    @Override
    public void onConnected(Connection c) {
        connector = null;
        if (state == FINISHED) {
            closeQuietly(c);
            return;
        }
        connection = c;
        state = UP;
        peerClosed = false;
        parser.reset();
        writeInFull = false;
        setupExpected = owner.writer().writeSetup(c.outbound());
        if (setupExpected != RequestWriter.NO_SETUP) {
            c.flushSoon();
        }
        owner.counters().increment(LoadCounters.CONNECTS);
        long now = System.nanoTime();
        if (owner.openLoop()) {
            sendDue(now);
        } else {
            sendClosedLoop(now);
        }
    }

    @Override
    public void onConnectFailed(IOException cause) {
        connector = null;
        if (state == FINISHED) {
            return;
        }
        state = DOWN;
        int kind = cause instanceof ConnectException ? LoadCounters.CONNECT_REFUSED
                : cause instanceof SocketTimeoutException ? LoadCounters.CONNECT_TIMEOUT : LoadCounters.CONNECT_ERROR;
        owner.countError(kind, System.nanoTime());
        owner.noteError(cause.toString());
        scheduleReconnect(owner.reconnectDelayNanos());
    }

    private void scheduleReconnect(long delayNanos) {
        long at = System.nanoTime() + delayNanos;
        if (at >= owner.endNanos() || done) {
            state = DOWN;
            return;
        }
        reconnectTimer = loop.scheduleTimer(at, this);
    }

    @Override
    public void onTimer(long nowNanos) {
        reconnectTimer = NO_TIMER;
        if (state == DOWN) {
            connect();
        }
    }

    // ---- sending -------------------------------------------------------------------------------

    /** Open loop: sends every request whose scheduled time has come, as far as the pipeline allows. */
    int sendDue(long now) {
        if (state != UP || !owner.scheduleStarted()) {
            return 0;
        }
        int sent = 0;
        while (outstanding < depth && measuredSent < quota) {
            long intended = owner.intendedTime(seq, index);
            if (intended > now || intended >= owner.endNanos()) {
                break;
            }
            send(intended, now);
            seq++;
            sent++;
        }
        return sent;
    }

    /** Open loop: when this connection next wants to send, Long.MAX_VALUE when it cannot or need not. */
    long nextDue() {
        if (state != UP || outstanding >= depth || measuredSent >= quota || !owner.scheduleStarted() || !owner.openLoop()) {
            return Long.MAX_VALUE;
        }
        long intended = owner.intendedTime(seq, index);
        return intended >= owner.endNanos() ? Long.MAX_VALUE : intended;
    }

    /** Closed loop: keeps the pipeline full until the end. */
    private void sendClosedLoop(long now) {
        if (!owner.scheduleStarted() || now < owner.scheduleStartNanos()) {
            return; // before t0: the loop starts every connection at t0
        }
        while (state == UP && outstanding < depth && measuredSent < quota && now < owner.endNanos()) {
            send(now, now);
        }
    }

    void startClosedLoop(long now) {
        sendClosedLoop(now);
    }

    private void send(long start, long now) {
        int slot = (head + outstanding) % depth;
        RequestWriter writer = owner.writer();
        expects[slot] = (byte) (writeInFull ? writer.writeFull(connection.outbound()) : writer.write(connection.outbound()));
        startTimes[slot] = start;
        sentTimes[slot] = now;
        outstanding++;
        if (start >= owner.measureStartNanos()) {
            measuredSent++;
            owner.counters().increment(LoadCounters.SENT);
            owner.counters().max(LoadCounters.MAX_SEND_LAG_US, (now - start) / 1000);
        }
        connection.flushSoon();
    }

    /** Past the end or its request limit, with nothing outstanding, nothing more to send and no connect under way. */
    boolean idle(long now) {
        return (done || now >= owner.endNanos()) && state != CONNECTING && outstanding == 0 && nextDue() == Long.MAX_VALUE;
    }

    // ---- receiving -----------------------------------------------------------------------------

    @Override
    public void onRead(ByteBuffer in) {
        long now = System.nanoTime();
        while (in.hasRemaining() && state == UP) {
            if (setupExpected != RequestWriter.NO_SETUP) {
                int outcome = parser.parse(in, setupExpected);
                if (outcome == ResponseParser.NEED_MORE) {
                    break;
                }
                if (outcome == ResponseParser.PROTOCOL_ERROR) {
                    in.position(in.limit());
                    owner.noteError("protocol error: " + parser.lastError());
                    breakConnection(LoadCounters.PROTOCOL);
                    return;
                }
                if (outcome != ResponseParser.OK) {
                    owner.noteError("the connection's set-up request was refused: requests are sent in full");
                    writeInFull = true;
                }
                setupExpected = RequestWriter.NO_SETUP;
                continue;
            }
            if (outstanding == 0) {
                in.position(in.limit());
                owner.noteError("a response arrived with no request outstanding");
                breakConnection(LoadCounters.PROTOCOL);
                owner.countError(LoadCounters.PROTOCOL, now);
                return;
            }
            int outcome = parser.parse(in, expects[head]);
            if (outcome == ResponseParser.NEED_MORE) {
                break;
            }
            if (outcome == ResponseParser.PROTOCOL_ERROR) {
                in.position(in.limit());
                owner.noteError("protocol error: " + parser.lastError());
                breakConnection(LoadCounters.PROTOCOL);
                return;
            }
            if (outcome == ResponseParser.NO_SCRIPT && !writeInFull) {
                owner.noteError("the server does not hold the script (NOSCRIPT): it is sent in full from now on");
                writeInFull = true;
            }
            complete(outcome, now);
        }
        if (state == UP) {
            if (owner.openLoop()) {
                sendDue(now);
            } else {
                sendClosedLoop(now);
            }
        }
        checkDone();
    }

    private void complete(int outcome, long now) {
        long start = startTimes[head];
        head = (head + 1) % depth;
        outstanding--;
        owner.onResponse(start, now, outcome);
    }

    // ---- failures ------------------------------------------------------------------------------

    /** Fails the oldest request as a timeout when it has waited longer than the timeout. */
    void checkTimeout(long now) {
        if (state == UP && outstanding > 0 && now - sentTimes[head] > owner.timeoutNanos()) {
            owner.noteError("no response within " + owner.timeoutNanos() / 1_000_000 + " ms");
            breakConnection(LoadCounters.TIMEOUT);
        }
    }

    /** Counts the outstanding requests as lost for this reason, closes the socket and reconnects. */
    private void breakConnection(int kind) {
        failOutstanding(kind);
        closingByUs = true;
        try {
            connection.close(LoadCounters.name(kind));
        } finally {
            closingByUs = false;
        }
        connection = null;
        state = DOWN;
        scheduleReconnect(owner.reconnectDelayNanos());
    }

    private void failOutstanding(int kind) {
        long now = System.nanoTime();
        setupExpected = RequestWriter.NO_SETUP;
        for (; outstanding > 0; outstanding--) {
            long start = startTimes[head];
            head = (head + 1) % depth;
            if (start >= owner.measureStartNanos()) {
                owner.countError(kind, now);
            }
        }
        parser.reset();
    }

    @Override
    public void onInputClosed() {
        peerClosed = true;
        connection.close("closed by the server");
    }

    @Override
    public void onClose() {
        if (closingByUs || state != UP) {
            return;
        }
        int lost = outstanding;
        failOutstanding(peerClosed ? LoadCounters.CLOSED : LoadCounters.RESET);
        if (lost > 0) {
            owner.noteError(peerClosed ? "the server closed a connection with requests outstanding"
                    : "a connection was reset or failed");
        }
        connection = null;
        state = DOWN;
        // A clean close with nothing lost (a server's idle or request limit) is followed at once.
        scheduleReconnect(peerClosed && lost == 0 ? 0 : owner.reconnectDelayNanos());
        checkDone();
    }

    // ---- the end -------------------------------------------------------------------------------

    private void checkDone() {
        if (!done && measuredSent >= quota && outstanding == 0) {
            markDone();
        }
    }

    private void markDone() {
        done = true;
        owner.connectionDone();
    }

    /**
     * Ends the run for this connection: what is still outstanding fails as a timeout, what the
     * schedule held for the measured part and was never sent is counted as unsent.
     */
    void finish() {
        if (state == FINISHED) {
            return;
        }
        if (connector != null) {
            connector.cancel();
            connector = null;
        }
        if (reconnectTimer != NO_TIMER) {
            loop.cancelTimer(reconnectTimer);
            reconnectTimer = NO_TIMER;
        }
        failOutstanding(LoadCounters.TIMEOUT);
        if (owner.openLoop() && owner.scheduleStarted()) {
            long measuredFrom = Math.max(seq, owner.scheduledBefore(owner.measureStartNanos(), index));
            long unsent = Math.max(0, owner.scheduledBefore(owner.endNanos(), index) - measuredFrom);
            unsent = Math.min(unsent, Math.max(0, quota - measuredSent));
            if (unsent > 0) {
                owner.counters().add(LoadCounters.UNSENT, unsent);
            }
        }
        state = FINISHED;
        if (connection != null) {
            closingByUs = true;
            connection.close("end of the run");
            connection = null;
        }
    }

    private static void closeQuietly(Connection c) {
        c.close("end of the run");
    }
}
