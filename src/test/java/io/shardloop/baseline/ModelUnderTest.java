package io.shardloop.baseline;

import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.server.ServedProtocol;
import io.shardloop.server.Server;
import io.shardloop.server.ServerConfig;

import java.io.IOException;

/** RESP and HTTP served in one model and state mode, on free ports, for the contract tests. */
final class ModelUnderTest implements AutoCloseable {
    private final Server server;
    final int respPort;
    final int httpPort;

    private ModelUnderTest(Server server) {
        this.server = server;
        this.respPort = server.port(ServedProtocol.RESP);
        this.httpPort = server.port(ServedProtocol.HTTP);
    }

    /** The loops on two unpinned shards; a thread-per-connection model with its defaults. */
    static ModelUnderTest start(ServerModel model, StateMode state) throws IOException {
        return new ModelUnderTest(Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP, ServedProtocol.HTTP)
                .model(model).state(state).runtime(RuntimeConfig.builder(2).pin(false).build()).build()));
    }

    @Override
    public void close() {
        server.close();
    }
}
