package io.shardloop.runtime.shard;

import io.shardloop.runtime.loop.Poller;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A listening socket registered with one shard's loop. With SO_REUSEPORT every shard has its own
 * for each endpoint; in handoff mode only shard 0 has one and passes connections on.
 * <p>
 * Owned by one shard: its loop thread alone accepts, pauses and closes it.
 */
final class Listener implements Poller.IoReady {
    private static final System.Logger LOG = System.getLogger(Listener.class.getName());
    /** Connections accepted per readiness event, so a connection storm cannot starve the loop. */
    private static final int ACCEPTS_PER_TURN = 64;

    private final ServerSocketChannel channel;
    private final int endpointIndex;
    private final Shard shard;
    private Poller.Registration registration;

    Listener(ServerSocketChannel channel, int endpointIndex, Shard shard) {
        this.channel = channel;
        this.endpointIndex = endpointIndex;
        this.shard = shard;
    }

    void register() throws IOException {
        assert shard.loop().inLoop();
        registration = shard.loop().poller().register(channel, Poller.ACCEPT, this);
    }

    @Override
    public void onReady(int readyOps) {
        assert shard.loop().inLoop();
        for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
            SocketChannel accepted;
            try {
                accepted = channel.accept();
            } catch (IOException e) {
                // Out of file descriptors, or the peer reset before we accepted: keep listening.
                LOG.log(System.Logger.Level.WARNING, shard.name() + ": accept failed: " + e.getMessage());
                return;
            }
            if (accepted == null) {
                return;
            }
            shard.group().dispatchAccepted(shard, accepted, endpointIndex);
        }
    }

    /** Stops accepting; the socket stays open (and its queue intact) until {@link #close()}. */
    void pause() {
        assert shard.loop().inLoopOrUnclaimed();
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
