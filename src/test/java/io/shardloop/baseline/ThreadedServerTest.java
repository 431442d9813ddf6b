package io.shardloop.baseline;

import io.shardloop.http.HttpConfig;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.codec.RespLimits;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadedServerTest {
    @Test
    void shouldRefuseTheShardedStateForAThreadPerConnection() {
        ThreadedConfig config = ThreadedConfig.defaults(ServerModel.THREADS, "127.0.0.1", 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BlockingRespProtocol(config, StateMode.SHARDED, RespLimits.REDIS_DEFAULTS, null));
        assertTrue(e.getMessage().contains("--state locked or --state concurrent"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ThreadedConfig.defaults(ServerModel.LOOPS, "127.0.0.1", 0));
    }

    @Test
    void shouldCloseConnectionsOverTheLimitAtOnce() throws Exception {
        ThreadedConfig config = ThreadedConfig.defaults(ServerModel.VIRTUAL, "127.0.0.1", 0)
                .withLimits(16, 1, Duration.ofSeconds(1), Duration.ofSeconds(2));
        try (ThreadedServer server = ThreadedServer.start(config,
                new BlockingHttpProtocol(config, HttpConfig.defaults(null).limits()));
             RespTestClient first = new RespTestClient(server.port())) {
            first.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n".getBytes());
            assertEquals(200, ServerModelContractTest.Response.read(new java.io.BufferedInputStream(
                    firstSocketStream(first))).status());
            try (Socket second = new Socket("127.0.0.1", server.port())) {
                second.setSoTimeout(5_000);
                assertEquals(-1, second.getInputStream().read(), "the second connection is closed at once");
            }
            assertEquals(1, server.refusedConnections());
        }
    }

    @Test
    void shouldLetAnOpenConnectionFinishWhenClosed() throws Exception {
        ThreadedConfig config = ThreadedConfig.defaults(ServerModel.THREADS, "127.0.0.1", 0);
        ThreadedServer server = ThreadedServer.start(config,
                new BlockingRespProtocol(config, StateMode.LOCKED, RespLimits.REDIS_DEFAULTS, null));
        try (RespTestClient c = new RespTestClient(server.port())) {
            assertEquals("+OK", c.call("SET", "k", "v"));
            long start = System.nanoTime();
            server.close();
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(4).toNanos(), "an idle connection ends at once");
            assertTrue(c.closedByServer(), "the connection is closed by the server on shutdown");
            assertEquals(0, server.openConnections());
        }
    }

    private static java.io.InputStream firstSocketStream(RespTestClient c) {
        return c.rawInput();
    }
}
