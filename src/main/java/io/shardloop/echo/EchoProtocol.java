package io.shardloop.echo;

import io.shardloop.runtime.net.Connection;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.shard.Protocol;
import io.shardloop.runtime.shard.Shard;

import java.nio.ByteBuffer;

/**
 * Sends every byte back as it came: the runtime's first protocol and its smallest test. Backpressure
 * comes from the connection: once the peer stops reading, unsent bytes pass the high-water mark and
 * the connection stops being read.
 */
public final class EchoProtocol implements Protocol {
    @Override
    public String name() {
        return "echo";
    }

    @Override
    public ConnectionHandler.Factory forShard(Shard shard) {
        return Handler::new;
    }

    private static final class Handler implements ConnectionHandler {
        private final Connection connection;

        Handler(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void onRead(ByteBuffer in) {
            connection.outbound().writeBytes(in);
        }

        @Override
        public void onInputClosed() {
            connection.closeAfterFlush();
        }
    }
}
