package io.shardloop.runtime.net;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.transport.SocketEvents;
import io.shardloop.runtime.transport.StreamSocket;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * One accepted TCP connection on its shard.
 * <p>
 * <b>Ownership.</b> A connection, its buffers and its handler are touched by its shard's loop
 * thread alone; nothing here is thread-safe, by design.
 * <p>
 * <b>Reading.</b> The transport reads into the shard's shared read buffer, at most
 * {@link ConnectionLimits#readBudget()} per turn, and the bytes go to the handler in place. Only bytes the
 * handler leaves unconsumed (a partial frame) are copied into a buffer of the connection's own,
 * which is dropped again once empty: an idle connection holds no buffer.
 * <p>
 * <b>Writing.</b> Replies gather in the {@link OutboundBuffer}; the connection flushes once at the end
 * of the turn, and waits for room only while the socket is full. Above the high-water mark the
 * connection is no longer read (so a client that never reads cannot make the server buffer without
 * end); at or below the low-water mark reading resumes; above the hard limit, or when the peer takes
 * nothing for the write-stall timeout, the connection is closed.
 * <p>
 * <b>Closing.</b> Closing a socket with unread input makes the kernel send a reset, and a reset can
 * destroy the last reply in the peer's receive queue before the peer reads it. So a connection that
 * drains while its peer may still be sending lingers (RFC 9112, section 9.6): a FIN goes out after
 * the reply, and what still arrives is read and dropped until the peer's own FIN, or for at most
 * {@link ConnectionLimits#lingerNanos()}. The handler's part is over when lingering starts.
 * <pre>
 *   OPEN ──peer EOF / closeAfterFlush()──▶ DRAINING ──outbound empty──▶ LINGERING ──peer EOF / linger time──▶ CLOSED
 *     │                                        └──outbound empty, peer EOF seen, or drainForShutdown()──────▶ CLOSED
 *     └──────────error, limit, timeout, close()────────────────────────────────────────────────────────────▶ CLOSED
 * </pre>
 */
public final class Connection implements SocketEvents, EventLoop.TurnEnd, EventLoop.TimerTask {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final long NO_TIMER = -1;

    private final long id;
    private final StreamSocket socket;
    /** {@code socket::write}, kept so a flush allocates nothing. */
    private final OutboundBuffer.Sink sink;
    private final ConnectionOwner owner;
    private final EventLoop loop;
    private final ConnectionLimits limits;
    private final OutboundBuffer out;
    /** Bytes of the replies held in line behind an earlier one ({@link #newOutboundBuffer()}). */
    private final OutboundBuffer.Tally heldReplies = new OutboundBuffer.Tally();
    private final SingleWriterCounters stats;
    private ConnectionHandler handler;
    private boolean started;

    /** Bytes the handler left unconsumed, in read mode; null when there are none. */
    private ByteBuffer pendingIn;
    private boolean flushQueued;
    /** Not read because unsent bytes passed the high-water mark. */
    private boolean outputPaused;
    /** Not read because the handler asked ({@link #suspendInput()}): it cannot take more yet. */
    private boolean inputSuspended;
    /** Not read: set while reading is off for any reason (output, handler, draining, peer EOF). */
    private boolean readPaused;
    private boolean inputEnded;
    private boolean draining;
    /** Draining waits for no reply the handler owes ({@link #drainForShutdown(boolean)}). */
    private boolean abandonReplies;
    /** Draining ends in a linger unless the server is shutting down. */
    private boolean lingerAfterDrain = true;
    /** The handler's part is over: it hears nothing more, and nothing more is sent. */
    private boolean closed;
    /** Closed for the handler, with the socket still open to drop its peer's last bytes: until then. */
    private long lingerDeadline;
    private boolean notifyWritable;
    private long lastReadNanos;
    private long lastWriteProgressNanos;
    private long timerId = NO_TIMER;
    private long timerDeadline;
    /** When the request being received began (see {@link #expectFrame}), 0 when none is timed. */
    private long frameStartNanos;
    private long frameTimeoutNanos;
    private long frameMinRate;
    private long frameBytes;
    /** What this connection last told its owner it holds ({@link #memory()}). */
    private long reportedMemory;

    public Connection(long id, StreamSocket socket, ConnectionOwner owner, ConnectionLimits limits) {
        this.id = id;
        this.socket = socket;
        this.sink = socket::write;
        this.owner = owner;
        this.loop = owner.loop();
        this.limits = limits;
        this.stats = owner.netStats();
        this.out = new OutboundBuffer(owner.bufferPool(), owner.iov());
    }

    /** Registers with the loop and starts reading. Loop thread only. */
    public void start(ConnectionHandler.Factory handlers) throws IOException {
        assert loop.inLoop();
        this.handler = handlers.newHandler(this);
        socket.start(this, limits.readBudget());
        started = true;
        if (readPaused) {
            socket.reading(false); // the handler paused its input while it was made
        }
        lastReadNanos = System.nanoTime();
        lastWriteProgressNanos = lastReadNanos;
        if (limits.idleNanos() > 0) {
            armTimer(lastReadNanos + limits.idleNanos());
        }
    }

    public long id() {
        return id;
    }

    public EventLoop loop() {
        return loop;
    }

    /** Whether the handler's part is over (the socket may still be lingering: see the class comment). */
    public boolean isClosed() {
        return closed;
    }

    public SocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    /** Bytes read from the socket and not yet taken by the handler (they wait while input is suspended). */
    public long unreadInputBytes() {
        ByteBuffer in = pendingIn;
        return in == null ? 0 : in.remaining();
    }

    /** The address the client connected to (CLIENT LIST's laddr), or null once closed. */
    public SocketAddress localAddress() {
        return closed ? null : socket.localAddress();
    }

    /** Where replies go. Loop thread only; call {@link #flushSoon()} when writing outside a callback. */
    public OutboundBuffer outbound() {
        return out;
    }

    /**
     * A buffer drawing on the same pool as {@link #outbound()}, for a reply held back (see
     * {@link ReplyOrder}); what it holds counts in {@link #memory()} and against the hard limit.
     */
    public OutboundBuffer newOutboundBuffer() {
        return new OutboundBuffer(owner.bufferPool(), owner.iov(), heldReplies);
    }

    /** Bytes of the replies held in line behind an earlier one, not yet in the outbound buffer. */
    public long heldReplyBytes() {
        return heldReplies.bytes();
    }

    /**
     * A reply was written into its place behind an earlier one: it is held to the hard limit now,
     * and counted in the client-memory budget at the end of the turn. Loop thread only.
     */
    public void onReplyHeld() {
        assert loop.inLoop();
        if (closed || overHardLimit()) {
            return;
        }
        if (!flushQueued) {
            flushQueued = true;
            loop.atTurnEnd(this);
        }
    }

    /** Unsent bytes. */
    public long pendingOutboundBytes() {
        return out.size();
    }

    /** Flushes at the end of this turn. Loop thread only. */
    public void flushSoon() {
        assert loop.inLoop();
        if (closed) {
            return;
        }
        long pending = out.size();
        stats.max(NetStats.PEAK_OUTBOUND_BYTES, pending);
        if (overHardLimit()) {
            return;
        }
        if (!flushQueued && pending > 0) {
            flushQueued = true;
            loop.atTurnEnd(this);
        }
    }

    /** Closes the connection when its replies, sent or held, are over the hard limit. */
    private boolean overHardLimit() {
        if (out.size() + heldReplies.bytes() <= limits.hardLimit()) {
            return false;
        }
        stats.increment(NetStats.OUTPUT_LIMIT_CLOSES);
        close("replies over the hard limit of " + limits.hardLimit() + " bytes");
        return true;
    }

    /** Calls the handler's {@link ConnectionHandler#onWritable()} once unsent bytes reach the low-water mark. */
    public void notifyWhenWritable() {
        assert loop.inLoop();
        notifyWritable = true;
        if (out.size() <= limits.lowWater() && !flushQueued) {
            flushQueued = true; // the end-of-turn pass notifies
            loop.atTurnEnd(this);
        }
    }

    /**
     * Stops reading, sends what is buffered and what the handler still owes (replies on their way
     * from another shard or an offloaded task: {@link ConnectionHandler#hasRepliesInFlight()}), then
     * closes. Loop thread only.
     */
    public void closeAfterFlush() {
        assert loop.inLoop();
        if (closed) {
            return;
        }
        startDraining();
    }

    /**
     * As {@link #closeAfterFlush()}, for a server going away: no linger (the drain timeout bounds the
     * shutdown, and an idle peer would hold it), and, without {@code waitForReplies}, no wait for the
     * replies the handler still owes (a server that serves nothing more: they may never come). A
     * connection already lingering closes now.
     */
    public void drainForShutdown(boolean waitForReplies) {
        assert loop.inLoop();
        lingerAfterDrain = false;
        if (!waitForReplies) {
            abandonReplies = true;
        }
        if (lingerDeadline != 0) {
            close(null);
        } else if (!closed) {
            startDraining();
        }
    }

    private void startDraining() {
        if (draining) { // already draining (the peer shut its side): it may stop waiting now
            closeIfDrained();
            return;
        }
        draining = true;
        updateReading();
        if (out.isEmpty()) {
            closeIfDrained();
        } else {
            flushSoon();
        }
    }

    private void closeIfDrained() {
        if (draining && out.isEmpty() && (abandonReplies || !handler.hasRepliesInFlight())) {
            if (lingerAfterDrain && !inputEnded && started && limits.lingerNanos() > 0) {
                linger();
            } else {
                close(null);
            }
        }
    }

    /** Sends the FIN, ends the handler's part, and reads on, dropping the bytes, until the peer's FIN or the deadline. */
    private void linger() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            close(e.getMessage()); // not connected any more: nothing to protect
            return;
        }
        endConversation(null);
        lingerDeadline = System.nanoTime() + limits.lingerNanos();
        socket.reading(true);
        armTimer(lingerDeadline);
    }

    /** Closes now, dropping unsent bytes; the reason is logged at debug level when not null. */
    public void close(String reason) {
        assert loop.inLoop();
        if (lingerDeadline != 0) {
            lingerDeadline = 0;
            release();
        } else if (!closed) {
            endConversation(reason);
            release();
        }
    }

    /** The handler's part ends: nothing more is read for it or sent; it hears {@link ConnectionHandler#onClose}. */
    private void endConversation(String reason) {
        closed = true;
        if (reason != null) {
            LOG.log(System.Logger.Level.DEBUG, "connection {0} closed: {1}", id, reason);
        }
        if (timerId != NO_TIMER) {
            loop.cancelTimer(timerId);
            timerId = NO_TIMER;
        }
        out.discard();
        pendingIn = null;
        if (reportedMemory != 0) {
            owner.onMemoryChange(this, -reportedMemory);
            reportedMemory = 0;
        }
        if (handler != null) {
            try {
                handler.onClose();
            } catch (RuntimeException e) {
                loop.reportFailure("the close handler of connection " + id, e);
            }
        }
    }

    /** The socket closes; the owner forgets the connection. */
    private void release() {
        if (timerId != NO_TIMER) {
            loop.cancelTimer(timerId);
            timerId = NO_TIMER;
        }
        socket.close();
        stats.increment(NetStats.CLOSED);
        owner.onClosed(this);
    }

    /**
     * The handler is receiving a request that must arrive whole in time: within {@code timeoutNanos}
     * from now, plus one second for every {@code minBytesPerSecond} bytes received meanwhile (0: no
     * extension), so a slow but steady sender passes and a trickle does not. A frame already timed
     * keeps its start; {@link #frameComplete()} ends it. Past the deadline the handler hears
     * {@link ConnectionHandler#onTimeout} and the connection closes. Loop thread only.
     */
    public void expectFrame(long timeoutNanos, long minBytesPerSecond) {
        assert loop.inLoop();
        if (frameStartNanos != 0 || timeoutNanos <= 0 || closed) {
            return;
        }
        frameStartNanos = System.nanoTime();
        frameTimeoutNanos = timeoutNanos;
        frameMinRate = minBytesPerSecond;
        frameBytes = 0;
        armTimer(frameStartNanos + timeoutNanos);
    }

    /** The request being timed has arrived whole (or was refused). Loop thread only. */
    public void frameComplete() {
        assert loop.inLoop();
        frameStartNanos = 0;
    }

    private long frameDeadline() {
        long extension = frameMinRate > 0 ? frameBytes * 1_000_000_000L / frameMinRate : 0;
        return frameStartNanos + frameTimeoutNanos + extension;
    }

    // ---- socket events --------------------------------------------------------------------------

    @Override
    public void onInput(ByteBuffer bytes) {
        assert loop.inLoop();
        int n = bytes.remaining();
        stats.add(NetStats.BYTES_READ, n);
        if (closed) {
            bytes.position(bytes.limit()); // lingering: what the peer still sends is dropped
            return;
        }
        try {
            lastReadNanos = System.nanoTime();
            frameBytes += n;
            deliver(bytes);
            checkInput();
            accountMemory();
        } catch (RuntimeException e) {
            handlerFailed(e);
        }
    }

    @Override
    public void onInputEnd() {
        assert loop.inLoop();
        if (closed) {
            close(null); // lingering: the peer has read everything and shut its side
            return;
        }
        try {
            onInputClosed();
            accountMemory();
        } catch (RuntimeException e) {
            handlerFailed(e);
        }
    }

    @Override
    public void onWritable() {
        assert loop.inLoop();
        if (closed) {
            return;
        }
        try {
            flushNow();
            accountMemory();
        } catch (IOException e) {
            close(e.getMessage());
        } catch (RuntimeException e) {
            handlerFailed(e);
        }
    }

    @Override
    public void onIoFailure(IOException failure) {
        close(failure.getMessage());
    }

    private void handlerFailed(RuntimeException e) {
        stats.increment(NetStats.ERROR_CLOSES);
        loop.reportFailure("the handler of connection " + id + " (closed)", e);
        close(e.toString());
    }

    private void deliver(ByteBuffer fresh) {
        if (pendingIn == null) {
            handler.onRead(fresh);
            if (fresh.hasRemaining() && !closed) {
                keep(fresh);
            }
        } else {
            keep(fresh);
            if (closed) {
                return;
            }
            ByteBuffer in = pendingIn;
            handler.onRead(in);
            if (!in.hasRemaining() || closed) {
                pendingIn = null;
            }
        }
        afterCallback();
    }

    /** Appends bytes to the unconsumed remainder, growing it up to the configured limit. */
    private void keep(ByteBuffer src) {
        ByteBuffer in = pendingIn;
        int have = in == null ? 0 : in.remaining();
        int need = have + src.remaining();
        if (need > limits.maxPendingInbound()) {
            stats.increment(NetStats.ERROR_CLOSES);
            close("unconsumed input over " + limits.maxPendingInbound() + " bytes");
            return;
        }
        if (in == null || in.capacity() < need) {
            int capacity = Math.min(limits.maxPendingInbound(), Math.max(1024, Integer.highestOneBit(need - 1) << 1));
            ByteBuffer grown = ByteBuffer.allocate(capacity);
            if (in != null) {
                grown.put(in);
            }
            in = grown;
        } else {
            in.compact();
        }
        in.put(src);
        in.flip();
        pendingIn = in;
    }

    private void onInputClosed() {
        inputEnded = true;
        updateReading();
        handler.onInputClosed();
        afterCallback();
    }

    private void afterCallback() {
        if (!closed && !out.isEmpty()) {
            flushSoon();
        }
    }

    // ---- writing -------------------------------------------------------------------------------

    @Override
    public void onTurnEnd() {
        assert loop.inLoop();
        flushQueued = false;
        if (closed) {
            return;
        }
        try {
            flushNow();
            accountMemory();
        } catch (IOException e) {
            close(e.getMessage());
        } catch (RuntimeException e) {
            handlerFailed(e);
        }
    }

    /** Input held: unconsumed bytes and what the handler keeps of a request still arriving. */
    public long inputBytesHeld() {
        return (pendingIn == null ? 0 : pendingIn.capacity()) + (handler == null ? 0 : handler.bytesHeld());
    }

    /** What this connection holds: its input and its replies, unsent or held in line. */
    public long memory() {
        return inputBytesHeld() + out.size() + heldReplies.bytes();
    }

    private void checkInput() {
        if (!closed && inputBytesHeld() > limits.maxInputBytes()) {
            stats.increment(NetStats.INPUT_LIMIT_CLOSES);
            close("input held over " + limits.maxInputBytes() + " bytes (the query-buffer limit)");
        }
    }

    /** Tells the owner what changed since the last report; the owner keeps the server's budget. */
    private void accountMemory() {
        long now = closed ? 0 : memory();
        long delta = now - reportedMemory;
        if (delta != 0) {
            reportedMemory = now;
            owner.onMemoryChange(this, delta);
        }
    }

    private void flushNow() throws IOException {
        if (!out.isEmpty()) {
            long written = out.flushTo(sink);
            if (written > 0) {
                stats.add(NetStats.BYTES_WRITTEN, written);
                lastWriteProgressNanos = System.nanoTime();
            }
        }
        if (out.isEmpty()) {
            socket.awaitWritable(false);
            closeIfDrained();
            if (closed) {
                return;
            }
        } else {
            socket.awaitWritable(true);
            if (out.size() > limits.highWater() && !outputPaused) {
                stats.increment(NetStats.READ_PAUSES);
                outputPaused = true;
                updateReading();
            }
            if (limits.writeStallNanos() > 0) {
                armTimer(lastWriteProgressNanos + limits.writeStallNanos());
            }
        }
        if (out.size() <= limits.lowWater()) {
            if (outputPaused) {
                outputPaused = false;
                updateReading();
            }
            if (notifyWritable) {
                notifyWritable = false;
                handler.onWritable();
                afterCallback();
            }
        }
    }

    /**
     * Stops reading until {@link #resumeInput()}: for a handler that cannot take more requests yet
     * (its line of outstanding replies is full). Unconsumed bytes stay, and are offered again on resume.
     */
    public void suspendInput() {
        assert loop.inLoop();
        if (!inputSuspended) {
            inputSuspended = true;
            updateReading();
        }
    }

    /** Reads again after {@link #suspendInput()}, first offering the bytes already received. */
    public void resumeInput() {
        assert loop.inLoop();
        if (inputSuspended) {
            inputSuspended = false;
            updateReading();
        }
    }

    private void updateReading() {
        boolean paused = outputPaused || inputSuspended || draining || inputEnded || closed;
        if (paused == readPaused) {
            return;
        }
        readPaused = paused;
        if (started) {
            socket.reading(!paused);
        }
        if (!paused && pendingIn != null) {
            // Bytes already received may hold whole requests: offer them again now.
            ByteBuffer in = pendingIn;
            handler.onRead(in);
            if (!in.hasRemaining() || closed) {
                pendingIn = null;
            }
            afterCallback();
        }
    }

    // ---- timeouts ------------------------------------------------------------------------------

    private void armTimer(long deadline) {
        if (timerId != NO_TIMER) {
            if (timerDeadline <= deadline) {
                return; // the timer already set fires first and re-arms as needed
            }
            loop.cancelTimer(timerId);
        }
        timerDeadline = deadline;
        timerId = loop.scheduleTimer(deadline, this);
    }

    @Override
    public void onTimer(long now) {
        assert loop.inLoop();
        timerId = NO_TIMER;
        if (lingerDeadline != 0) {
            if (now >= lingerDeadline) {
                close("lingered " + limits.lingerNanos() / 1_000_000 + " ms for the peer's end of input");
            } else {
                armTimer(lingerDeadline);
            }
            return;
        }
        if (closed) {
            return;
        }
        long next = Long.MAX_VALUE;
        if (!out.isEmpty() && limits.writeStallNanos() > 0) {
            long due = lastWriteProgressNanos + limits.writeStallNanos();
            if (now >= due) {
                stats.increment(NetStats.WRITE_STALL_CLOSES);
                close("peer took no bytes for " + limits.writeStallNanos() / 1_000_000 + " ms");
                return;
            }
            next = due;
        }
        if (frameStartNanos != 0) {
            long due = frameDeadline();
            if (now >= due) {
                stats.increment(NetStats.FRAME_TIMEOUT_CLOSES);
                handler.onTimeout(ConnectionHandler.Timeout.FRAME);
                close("request not whole within " + (due - frameStartNanos) / 1_000_000 + " ms ("
                        + frameBytes + " bytes arrived)");
                return;
            }
            next = Math.min(next, due);
        }
        if (limits.idleNanos() > 0) {
            // Idle means nothing received, nothing sent and nothing owed: a slow answer is not idleness.
            long due = Math.max(lastReadNanos, lastWriteProgressNanos) + limits.idleNanos();
            boolean owing = !out.isEmpty() || handler.hasRepliesInFlight();
            if (owing) {
                due = Math.max(due, now + limits.idleNanos());
            } else if (now >= due) {
                stats.increment(NetStats.IDLE_CLOSES);
                handler.onTimeout(ConnectionHandler.Timeout.IDLE);
                close("idle for " + limits.idleNanos() / 1_000_000 + " ms");
                return;
            }
            next = Math.min(next, due);
        }
        if (next != Long.MAX_VALUE) {
            armTimer(next);
        }
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", " + remoteAddress() + "]";
    }
}
