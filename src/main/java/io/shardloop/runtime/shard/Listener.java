package io.shardloop.runtime.shard;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.loop.Poller;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A listening socket registered with one shard's loop. With SO_REUSEPORT every shard has its own
 * for each endpoint; in handoff mode only shard 0 has one and passes connections on.
 * <pre>
 *   ACCEPTING ──accept fails: out of descriptors/buffers/memory──▶ BACKING OFF (interest 0, a timer)
 *       ▲                                                               │
 *       └───────────────────────timer fires─────────────────────────────┘
 *   ACCEPTING / BACKING OFF ──pause()──▶ PAUSED (registration cancelled, timer cancelled) ──close()──▶ CLOSED
 * </pre>
 * Any other accept failure (the connection itself went wrong) is counted and accepting goes on.
 * <p>
 * Owned by one shard: its loop thread alone accepts, backs off, pauses and closes it.
 */
final class Listener implements Poller.IoReady, EventLoop.TimerTask {
    private static final System.Logger LOG = System.getLogger(Listener.class.getName());
    /** Connections accepted per readiness event, so a connection storm cannot starve the loop. */
    private static final int ACCEPTS_PER_TURN = 64;
    private static final long NO_TIMER = -1;

    private final ServerSocketChannel channel;
    private final int endpointIndex;
    private final int port;
    private final Shard shard;
    private final AcceptFailureLog failureLog;
    private final AcceptBackoff backoff = new AcceptBackoff();
    private Poller.Registration registration;
    private long resumeTimer = NO_TIMER;

    Listener(ServerSocketChannel channel, int endpointIndex, Shard shard, AcceptFailureLog failureLog) throws IOException {
        this.channel = channel;
        this.endpointIndex = endpointIndex;
        this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        this.shard = shard;
        this.failureLog = failureLog;
    }

    void register() throws IOException {
        assert shard.loop().inLoop();
        registration = shard.loop().poller().register(channel, Poller.ACCEPT, this);
    }

    @Override
    public void onReady(int readyOps) {
        assert shard.loop().inLoop();
        for (int i = 0; i < ACCEPTS_PER_TURN && resumeTimer == NO_TIMER; i++) {
            SocketChannel accepted;
            try {
                accepted = channel.accept();
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
        registration.interestOps(0);
        resumeTimer = shard.loop().scheduleTimer(now + pause, this);
        failureLog.onFailure(shard.name(), port, failure.getMessage(), pause, now);
    }

    /** The back-off is over: accept again (unless the listener was paused meanwhile). */
    @Override
    public void onTimer(long nowNanos) {
        resumeTimer = NO_TIMER;
        if (registration != null) {
            registration.interestOps(Poller.ACCEPT);
        }
    }

    /** Stops accepting; the socket stays open (and its queue intact) until {@link #close()}. */
    void pause() {
        assert shard.loop().inLoopOrUnclaimed();
        if (resumeTimer != NO_TIMER) {
            shard.loop().cancelTimer(resumeTimer);
            resumeTimer = NO_TIMER;
        }
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
    }

    void close() {
        pause();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, shard.name() + ": closing a listener failed: " + e.getMessage());
        }
    }
}
