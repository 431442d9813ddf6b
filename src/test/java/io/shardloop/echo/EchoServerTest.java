package io.shardloop.echo;

import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.net.ConnectionLimits;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.runtime.shard.AcceptMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.runtime.shard.ShardStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The echo protocol over real sockets: the runtime's contract, end to end. */
class EchoServerTest {
    private static final int MB = 1 << 20;

    static ShardGroup start(RuntimeConfig config) throws IOException {
        return ShardGroup.start(config, List.of(Endpoint.of("127.0.0.1", 0, new EchoProtocol())));
    }

    static RuntimeConfig.Builder config(int shards) {
        return RuntimeConfig.builder(shards).pin(false);
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {2, 3})
    void shouldEchoEveryByteInOrderToHundredsOfConcurrentClients(int shards) throws Exception {
        try (ShardGroup group = start(config(shards).build());
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            int port = group.port(0);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 200; c++) {
                long seed = c;
                done.add(clients.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    // Mostly small messages; every tenth client sends a few megabytes.
                    int size = seed % 10 == 0 ? MB + random.nextInt(3 * MB) : 1 + random.nextInt(20_000);
                    echoRoundTrip(port, randomBytes(random, size), clients);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            long accepted = group.stats().stream().mapToLong(ShardStats::accepted).sum();
            assertEquals(200, accepted);
        }
    }

    @Test
    void shouldEchoOneByteAndAlsoAManyMegabyteStreamWrittenInTinyPieces() throws Exception {
        try (ShardGroup group = start(config(2).build());
             ExecutorService io = Executors.newVirtualThreadPerTaskExecutor()) {
            echoRoundTrip(group.port(0), new byte[] {42}, io);
            byte[] big = randomBytes(new SplittableRandom(7), 8 * MB);
            try (Socket socket = new Socket("127.0.0.1", group.port(0))) {
                Future<byte[]> back = io.submit(() -> readFully(socket.getInputStream(), big.length));
                OutputStream out = socket.getOutputStream();
                SplittableRandom random = new SplittableRandom(9);
                for (int at = 0; at < big.length; ) {
                    int n = Math.min(big.length - at, 1 + random.nextInt(70_000));
                    out.write(big, at, n);
                    at += n;
                }
                assertArrayEquals(big, back.get(30, TimeUnit.SECONDS));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    void shouldSpreadConnectionsOverEveryShard(AcceptMode mode) throws Exception {
        int shards = 2;
        try (ShardGroup group = start(config(shards).acceptMode(mode).build())) {
            assertEquals(mode, group.acceptMode());
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    Socket s = new Socket("127.0.0.1", group.port(0));
                    sockets.add(s);
                    s.getOutputStream().write('x');
                    assertEquals('x', s.getInputStream().read());
                }
                List<ShardStats> stats = group.stats();
                long total = 0;
                for (ShardStats s : stats) {
                    assertTrue(s.accepted() > 0, mode + ": shard " + s.shard() + " got no connection: " + stats);
                    assertEquals(s.accepted(), s.openConnections());
                    total += s.accepted();
                }
                assertEquals(64, total);
                if (mode == AcceptMode.HANDOFF) {
                    assertEquals(32, stats.get(0).accepted(), "round-robin hands out evenly");
                }
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void shouldCloseAClientThatNeverReadsWithoutBufferingPastTheLimitsOrHurtingOthers() throws Exception {
        long highWater = 256 * 1024;
        long hardLimit = 2 * MB;
        ConnectionLimits limits = new ConnectionLimits(64 * 1024, highWater, 64 * 1024, hardLimit, MB,
                Duration.ofMillis(500).toNanos(), 0);
        try (ShardGroup group = start(config(1).limits(limits).build());
             ExecutorService io = Executors.newVirtualThreadPerTaskExecutor()) {
            int port = group.port(0);
            Socket hog = new Socket();
            hog.setReceiveBufferSize(64 * 1024);
            hog.connect(new InetSocketAddress("127.0.0.1", port));
            Future<Long> sent = io.submit(() -> {
                byte[] chunk = new byte[64 * 1024];
                long total = 0;
                try {
                    OutputStream out = hog.getOutputStream();
                    for (int i = 0; i < 4096; i++) { // at most 256 MB: far more than any buffer
                        out.write(chunk);
                        total += chunk.length;
                    }
                } catch (IOException expected) {
                    // The server closed the connection.
                }
                return total;
            });
            // A well-behaved client on the same shard keeps getting answers meanwhile.
            for (int i = 0; i < 20; i++) {
                echoRoundTrip(port, randomBytes(new SplittableRandom(i), 10_000), io);
            }
            long total = sent.get(30, TimeUnit.SECONDS);
            assertTrue(total < 256L * MB, "the hog should have been cut off, it sent " + total);
            ShardStats stats = group.stats().get(0);
            assertEquals(1, stats.counter(NetStats.WRITE_STALL_CLOSES), stats.describe());
            assertTrue(stats.counter(NetStats.READ_PAUSES) >= 1, stats.describe());
            assertTrue(stats.counter(NetStats.PEAK_OUTBOUND_BYTES) <= hardLimit, stats.describe());
            assertTrue(stats.counter(NetStats.PEAK_OUTBOUND_BYTES) <= highWater + limits.readBudget(),
                    "reading pauses at the high-water mark: " + stats.describe());
            hog.close();
        }
    }

    @Test
    void shouldCloseAConnectionWhoseUnsentBytesPassTheHardLimit() throws Exception {
        // A read budget larger than the hard limit lets one turn's echo overshoot it. The client
        // never reads and has a small receive buffer, and it writes more than the kernel's buffers
        // on both sides can hold (the server's send buffer grows to tcp_wmem's maximum, 4 MiB by
        // default), so the echo must back up in the server's outbound buffer whatever the kernel.
        ConnectionLimits limits = new ConnectionLimits(MB, 64 * 1024, 16 * 1024, 128 * 1024, MB, 0, 0);
        long toWrite = 32L * MB;
        // The socket closes first, so that a writer still blocked (a failure) ends before the executor waits for it.
        try (ShardGroup group = start(config(1).limits(limits).build());
             ExecutorService io = Executors.newVirtualThreadPerTaskExecutor();
             Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", group.port(0)));
            Future<Long> written = io.submit(() -> {
                OutputStream out = socket.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                long sent = 0;
                try {
                    while (sent < toWrite) {
                        out.write(chunk);
                        sent += chunk.length;
                    }
                } catch (IOException closedByTheServer) {
                    // The expected end: the server closed the connection while it was written.
                }
                return sent;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (group.stats().get(0).counter(NetStats.OUTPUT_LIMIT_CLOSES) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, group.stats().get(0).counter(NetStats.OUTPUT_LIMIT_CLOSES));
            socket.setSoTimeout(10_000);
            long read = 0;
            try {
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    read += n;
                }
            } catch (IOException reset) {
                // Closed with unsent data: a reset is as good as an end of stream.
            }
            long sent = written.get(30, TimeUnit.SECONDS);
            assertTrue(read < sent, "the connection should be closed before the whole echo: read " + read + " of " + sent);
        }
    }

    @Test
    void shouldCloseIdleConnectionsWhenAnIdleTimeoutIsSet() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(64 * 1024, MB, 256 * 1024, 64 * MB, MB, 0,
                Duration.ofMillis(200).toNanos());
        try (ShardGroup group = start(config(1).limits(limits).build());
             Socket socket = new Socket("127.0.0.1", group.port(0))) {
            socket.setSoTimeout(5_000);
            long start = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read(), "the server should close an idle connection");
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= 150 && waited < 3_000, "closed after " + waited + " ms");
            assertEquals(1, group.stats().get(0).counter(NetStats.IDLE_CLOSES));
        }
    }

    @Test
    void shouldRefuseConnectionsPastTheLimitAndServeTheRest() throws Exception {
        try (ShardGroup group = start(config(2).maxConnections(3).build())) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket("127.0.0.1", group.port(0));
                    sockets.add(s);
                    s.getOutputStream().write('a');
                    assertEquals('a', s.getInputStream().read());
                }
                try (Socket extra = new Socket("127.0.0.1", group.port(0))) {
                    extra.setSoTimeout(5_000);
                    int r;
                    try {
                        r = extra.getInputStream().read();
                    } catch (IOException reset) {
                        r = -1;
                    }
                    assertEquals(-1, r, "the connection past the limit is closed");
                }
                long refused = group.stats().stream().mapToLong(s -> s.counter(NetStats.REFUSED)).sum();
                assertEquals(1, refused);
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    static void echoRoundTrip(int port, byte[] data, ExecutorService io) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            Future<byte[]> back = io.submit(() -> readFully(socket.getInputStream(), data.length));
            socket.getOutputStream().write(data);
            assertArrayEquals(data, back.get(30, TimeUnit.SECONDS));
        }
    }

    static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] data = new byte[length];
        int at = 0;
        while (at < length) {
            int n = in.read(data, at, length - at);
            if (n < 0) {
                throw new IOException("end of stream after " + at + " of " + length + " bytes");
            }
            at += n;
        }
        return data;
    }

    static byte[] randomBytes(SplittableRandom random, int size) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) random.nextInt(256);
        }
        return data;
    }
}
