package io.shardloop.runtime.shard;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.LoopIo;

import java.io.IOException;

/**
 * A listening socket registered with one shard's loop. With SO_REUSEPORT every shard has its own
 * for each endpoint; in handoff mode only shard 0 has one and passes connections on.
 * <pre>
 *   ACCEPTING ──accept fails: out of descriptors/buffers/memory──▶ BACKING OFF (watch off, a timer)
 *       ▲                                                               │
 *       └───────────────────────timer fires─────────────────────────────┘
 *   ACCEPTING / BACKING OFF ──pause()──▶ PAUSED (watch cancelled, timer cancelled) ──close()──▶ CLOSED
 * </pre>
 * Any other accept failure (the connection itself went wrong) is counted and accepting goes on.
 * <p>
 * Owned by one shard: its loop thread alone accepts, backs off, pauses and closes it.
 */
final class Listener implements EventLoop.TimerTask {
    private static final System.Logger LOG = System.getLogger(Listener.class.getName());
    /** Connections accepted per readiness event, so a connection storm cannot starve the loop. */
    private static final int ACCEPTS_PER_TURN = 64;
    private static final long NO_TIMER = -1;

    private final ListenSocket socket;
    private final int endpointIndex;
    private final int port;
    private final Shard shard;
    private final AcceptFailureLog failureLog;
    private final AcceptBackoff backoff = new AcceptBackoff();
    private LoopIo.Watch watch;
    private long resumeTimer = NO_TIMER;

    Listener(ListenSocket socket, int endpointIndex, Shard shard, AcceptFailureLog failureLog) {
        this.socket = socket;
        this.endpointIndex = endpointIndex;
        this.port = socket.localAddress().getPort();
        this.shard = shard;
        this.failureLog = failureLog;
    }

    void register() throws IOException {
        assert shard.loop().inLoop();
        watch = shard.io().watch(socket, this::onAcceptable);
    }

    private void onAcceptable() {
        assert shard.loop().inLoop();
        for (int i = 0; i < ACCEPTS_PER_TURN && resumeTimer == NO_TIMER; i++) {
            AcceptedSocket accepted;
            try {
                accepted = socket.accept();
            } catch (IOException e) {
                onAcceptFailed(e);
                continue;
            }
            if (accepted == null) {
                return;
            }
            backoff.onAccepted();
            shard.group().dispatchAccepted(shard, accepted, endpointIndex);
        }
    }

    private void onAcceptFailed(IOException failure) {
        long now = System.nanoTime();
        if (!AcceptBackoff.isResourceExhaustion(failure)) {
            // The connection was bad (reset before we took it, refused by a filter): the next may be fine.
            failureLog.onFailure(shard.name(), port, failure.getMessage(), 0, now);
            return;
        }
        // The connection is still queued, so the listener stays ready: stop asking until the timer.
        long pause = backoff.onExhausted();
        watch.enabled(false);
        resumeTimer = shard.loop().scheduleTimer(now + pause, this);
        failureLog.onFailure(shard.name(), port, failure.getMessage(), pause, now);
    }

    /** The back-off is over: accept again (unless the listener was paused meanwhile). */
    @Override
    public void onTimer(long nowNanos) {
        resumeTimer = NO_TIMER;
        if (watch != null) {
            watch.enabled(true);
        }
    }

    /** Stops accepting; the socket stays open (and its queue intact) until {@link #close()}. */
    void pause() {
        assert shard.loop().inLoopOrUnclaimed();
        if (resumeTimer != NO_TIMER) {
            shard.loop().cancelTimer(resumeTimer);
            resumeTimer = NO_TIMER;
        }
        if (watch != null) {
            watch.cancel();
            watch = null;
        }
    }

    void close() {
        pause();
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, shard.name() + ": closing a listener failed: " + e.getMessage());
        }
    }
}
