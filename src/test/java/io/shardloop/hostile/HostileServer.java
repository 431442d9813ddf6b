package io.shardloop.hostile;

import io.shardloop.http.HttpConfig;
import io.shardloop.http.HttpProtocol;
import io.shardloop.kv.KvGroup;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.runtime.shard.ShardStats;
import io.shardloop.runtime.stall.StallConfig;
import io.shardloop.server.ServedProtocol;
import io.shardloop.server.Server;
import io.shardloop.server.ServerConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server under attack, in-process: RESP (endpoint 0) and HTTP (endpoint 1) over one sharded
 * {@link KvGroup} on the same shard group, both on loopback port 0, as {@code serve} runs them.
 */
final class HostileServer implements AutoCloseable {
    final Server server;
    final ShardGroup group;
    final HttpProtocol http;
    final KvGroup cluster;

    private HostileServer(Server server) {
        this.server = server;
        this.group = server.group();
        this.http = server.http();
        this.cluster = server.kv();
    }

    /** With {@code requirePass} (or null) asked by AUTH and by HTTP /kv. */
    static HostileServer start(RuntimeConfig config, HttpConfig httpConfig, String requirePass) throws IOException {
        return new HostileServer(Server.start(ServerConfig.builder().protocols(ServedProtocol.RESP, ServedProtocol.HTTP)
                .runtime(config).http(httpConfig).requirePass(requirePass).build()));
    }

    static HostileServer start(RuntimeConfig config) throws IOException {
        return start(config, HttpConfig.defaults(null), null);
    }

    /** Two unpinned shards with a stall threshold of 500 ms (a loaded test machine preempts threads). */
    static RuntimeConfig.Builder config() {
        return RuntimeConfig.builder(2).pin(false).stall(StallConfig.defaults().withThreshold(Duration.ofMillis(500)));
    }

    int respPort() {
        return server.port(ServedProtocol.RESP);
    }

    int httpPort() {
        return server.port(ServedProtocol.HTTP);
    }

    long net(int counter) {
        long sum = 0;
        for (ShardStats s : group.stats()) {
            sum += s.counter(counter);
        }
        return sum;
    }

    long turns(int shard) {
        return group.stats().get(shard).turns();
    }

    long stalls() {
        long sum = 0;
        for (int i = 0; i < group.shardCount(); i++) {
            sum += group.stallDetector().stalls(i);
        }
        return sum;
    }

    /** Every shard thread still turns: its turn count moves within a second. */
    void assertLoopsAlive() throws InterruptedException {
        for (int i = 0; i < group.shardCount(); i++) {
            long before = turns(i);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (turns(i) == before && System.nanoTime() < deadline) {
                group.shard(i).loop().execute(() -> { }); // wakes an idle loop for one turn
                Thread.sleep(10);
            }
            assertTrue(turns(i) > before, "shard " + i + " no longer turns");
        }
    }

    /** Waits until the open-connection count falls to {@code expected}; fails after the timeout. */
    void awaitOpenConnections(int expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (group.openConnections() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, group.openConnections(), "open connections");
        long open = 0;
        for (ShardStats s : group.stats()) {
            open += s.openConnections();
        }
        assertEquals(expected, open, "accepted minus closed over the shards");
    }

    static long openFileDescriptors() throws IOException {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    long refused() {
        return net(NetStats.REFUSED);
    }

    @Override
    public void close() {
        server.close();
    }
}
