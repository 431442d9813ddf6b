package io.shardloop.baseline;

import io.shardloop.http.HttpConfig;
import io.shardloop.http.HttpProtocol;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.kv.KvGroup;
import io.shardloop.resp.RespProtocol;

import java.io.IOException;
import java.util.List;

/** RESP and HTTP served in one model and state mode, on free ports, for the contract tests. */
final class ModelUnderTest implements AutoCloseable {
    private final ShardGroup group;
    private final HttpProtocol loopsHttp;
    private final ThreadedServer resp;
    private final ThreadedServer http;
    final int respPort;
    final int httpPort;

    private ModelUnderTest(ShardGroup group, HttpProtocol loopsHttp, ThreadedServer resp, ThreadedServer http) {
        this.group = group;
        this.loopsHttp = loopsHttp;
        this.resp = resp;
        this.http = http;
        this.respPort = group != null ? group.port(0) : resp.port();
        this.httpPort = group != null ? group.port(1) : http.port();
    }

    static ModelUnderTest start(ServerModel model, StateMode state) throws IOException {
        if (model == ServerModel.LOOPS) {
            HttpProtocol h = new HttpProtocol(HttpConfig.defaults(null));
            ShardGroup g = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(), List.of(
                    Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(state, 2))),
                    Endpoint.of("127.0.0.1", 0, h)));
            return new ModelUnderTest(g, h, null, null);
        }
        ThreadedConfig config = ThreadedConfig.defaults(model, "127.0.0.1", 0);
        ThreadedServer r = ThreadedServer.start(config,
                new BlockingRespProtocol(config, state, RespLimits.REDIS_DEFAULTS, null));
        ThreadedServer h = ThreadedServer.start(config,
                new BlockingHttpProtocol(config, HttpConfig.defaults(null).limits()));
        return new ModelUnderTest(null, null, r, h);
    }

    @Override
    public void close() {
        if (group != null) {
            group.close();
        } else {
            resp.close();
            http.close();
        }
    }
}
