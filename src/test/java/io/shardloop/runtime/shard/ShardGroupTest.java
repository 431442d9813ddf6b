package io.shardloop.runtime.shard;

import io.shardloop.echo.EchoProtocol;
import io.shardloop.runtime.net.ConnectionHandler;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.testing.Await;
import net.openhft.affinity.Affinity;
import net.openhft.affinity.LockCheck;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Starting, placing and stopping shards. */
class ShardGroupTest {
    private static List<Endpoint> echoOnAnyPort() {
        return List.of(Endpoint.of("127.0.0.1", 0, new EchoProtocol()));
    }

    @Test
    void shouldPinEachShardToItsOwnCpuIncludingCpuZero() throws Exception {
        List<Integer> cpus = Pinning.usableCpus();
        assumeTrue(cpus.size() >= 2 && Affinity.isJNAAvailable(), "needs 2 CPUs and native affinity");
        for (int cpu : cpus.subList(0, 2)) {
            // A CPU lock is machine-wide (a file in java.io.tmpdir): a server running here holds its CPUs.
            assumeTrue(LockCheck.isCpuFree(cpu), "CPU " + cpu + " is held by another process (a pinned server?)");
        }
        try (ShardGroup group = ShardGroup.start(RuntimeConfig.builder(2).pin(true).build(), echoOnAnyPort())) {
            assertEquals(cpus.get(0), group.shard(0).pinnedCpu());
            assertEquals(cpus.get(1), group.shard(1).pinnedCpu());
            assertEquals(cpus.get(0), group.stats().get(0).cpu());
        }
    }

    @Test
    void shouldRunUnpinnedAndStillServeWhenThereAreMoreShardsThanCpus() throws Exception {
        int shards = Pinning.usableCpus().size() + 2;
        try (ShardGroup group = ShardGroup.start(RuntimeConfig.builder(shards).pin(true).build(), echoOnAnyPort())) {
            for (int i = 0; i < shards; i++) {
                assertEquals(Pinning.UNPINNED, group.shard(i).pinnedCpu());
            }
            for (int i = 0; i < 20; i++) {
                assertEcho(group.port(0));
            }
        }
    }

    @Test
    void shouldReportAShardThatFailedToStartAndStartNoneOfThem() {
        IllegalStateException boom = new IllegalStateException("no state for this shard");
        Protocol broken = new Protocol() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public ConnectionHandler.Factory forShard(Shard shard) {
                if (shard.index() == 1) {
                    throw boom;
                }
                return new EchoProtocol().forShard(shard);
            }
        };
        IOException e = assertThrows(IOException.class, () -> ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, broken))));
        assertEquals("shard-1 failed to start", e.getMessage());
        assertEquals(boom, e.getCause());
    }

    @Test
    void shouldRefuseAPortAlreadyInUseWithAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            PortInUseException e = assertThrows(PortInUseException.class, () -> ShardGroup.start(
                    RuntimeConfig.builder(2).pin(false).build(), List.of(Endpoint.of("127.0.0.1", port, new EchoProtocol()))));
            assertEquals("port " + port + " on 127.0.0.1 is already in use", e.getMessage());
        }
    }

    @Test
    void shouldRefuseAPortHeldByAnotherReusePortServer() throws Exception {
        try (ShardGroup first = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(), echoOnAnyPort())) {
            int port = first.port(0);
            assertThrows(PortInUseException.class, () -> ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                    List.of(Endpoint.of("127.0.0.1", port, new EchoProtocol()))));
            assertEcho(port); // the first server is untouched
        }
    }

    @Test
    void shouldCloseConnectedClientsAndEndEveryShardThreadOnShutdown() throws Exception {
        ShardGroup group = ShardGroup.start(RuntimeConfig.builder(2).pin(false).drainTimeout(Duration.ofSeconds(2)).build(),
                echoOnAnyPort());
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket("127.0.0.1", group.port(0));
            s.setSoTimeout(5_000);
            s.getOutputStream().write('x');
            assertEquals('x', s.getInputStream().read());
            clients.add(s);
        }
        long start = System.nanoTime();
        group.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis < 4_000, "shutdown took " + tookMillis + " ms");
        assertTrue(group.awaitTermination(1, TimeUnit.SECONDS), "every shard thread ended");
        for (Socket s : clients) {
            InputStream in = s.getInputStream();
            int r;
            try {
                r = in.read();
            } catch (IOException reset) {
                r = -1;
            }
            assertEquals(-1, r, "a client sees its connection closed");
            s.close();
        }
        Exception refused = assertThrows(IOException.class, () -> new Socket("127.0.0.1", group.port(0)).close());
        assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
    }

    @Test
    void shouldSendBufferedRepliesBeforeClosingOnShutdown() throws Exception {
        try (ShardGroup group = ShardGroup.start(RuntimeConfig.builder(1).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new ReplyFlood())));
             Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024); // before connecting: a fixed, small window
            s.connect(new InetSocketAddress("127.0.0.1", group.port(0)));
            s.getOutputStream().write('x');
            // Past the high-water mark the shard holds replies the kernel had no room for.
            Await.until(() -> "the shard to hold more replies than the socket takes: " + group.stats().getFirst().describe(),
                    Duration.ofSeconds(10), () -> group.stats().getFirst().counter(NetStats.READ_PAUSES) > 0);
            // The drain step of close(), begun before the client reads a byte.
            Shard shard = group.shard(0);
            CountDownLatch draining = new CountDownLatch(1);
            CountDownLatch drained = new CountDownLatch(1);
            shard.loop().execute(() -> {
                shard.drain(drained);
                draining.countDown();
            });
            assertTrue(draining.await(5, TimeUnit.SECONDS));
            long total = 0;
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            s.setSoTimeout(10_000);
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
            assertEquals(ReplyFlood.REPLY_BYTES, total, "every reply written before shutdown is sent before the close");
            assertTrue(drained.await(5, TimeUnit.SECONDS), "the drain ends with the last connection closed");
        }
    }

    /** Answers each byte with {@link #REPLY_BYTES} bytes: more than the kernel's socket buffers hold. */
    private static final class ReplyFlood implements Protocol {
        static final int REPLY_BYTES = 8 << 20;

        @Override
        public String name() {
            return "reply-flood";
        }

        @Override
        public ConnectionHandler.Factory forShard(Shard shard) {
            byte[] chunk = new byte[64 * 1024];
            return connection -> new ConnectionHandler() {
                @Override
                public void onRead(ByteBuffer in) {
                    while (in.hasRemaining()) {
                        in.get();
                        for (int sent = 0; sent < REPLY_BYTES; sent += chunk.length) {
                            connection.outbound().writeBytes(chunk);
                        }
                    }
                }

                @Override
                public void onInputClosed() {
                    connection.closeAfterFlush();
                }
            };
        }
    }

    @Test
    void shouldReturnFromCloseByItsDeadlineAndNameAShardStuckInATurn() throws Exception {
        Duration drain = Duration.ofMillis(300);
        ShardGroup group = ShardGroup.start(RuntimeConfig.builder(2).pin(false).drainTimeout(drain).build(), echoOnAnyPort());
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        group.shard(1).loop().execute(() -> {
            stuck.countDown();
            awaitQuietly(release); // a turn that does not return, as a blocking call on the loop would
        });
        try {
            assertTrue(stuck.await(5, TimeUnit.SECONDS));
            long start = System.nanoTime();
            group.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long deadlineMillis = drain.plus(ShardGroup.DEFAULT_STOP_TIMEOUT).toMillis();
            assertTrue(tookMillis < deadlineMillis + 1_500, "close took " + tookMillis + " ms, deadline " + deadlineMillis);
            assertEquals(List.of("shard-1"), group.abandonedShards());
            assertEquals(List.of("shard-1"), group.stop(Duration.ZERO), "a second stop gives the first one's answer");
        } finally {
            release.countDown();
        }
        assertTrue(group.awaitTermination(5, TimeUnit.SECONDS), "the abandoned shard ends once its turn returns");
    }

    @Test
    void shouldAbandonNoShardWhenEveryLoopStops() throws Exception {
        ShardGroup group = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(), echoOnAnyPort());
        assertEquals(List.of(), group.stop(Duration.ofSeconds(2)));
        assertTrue(group.awaitTermination(0, TimeUnit.SECONDS));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void assertEcho(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("ping".getBytes());
            byte[] back = s.getInputStream().readNBytes(4);
            assertEquals("ping", new String(back));
        }
    }
}
