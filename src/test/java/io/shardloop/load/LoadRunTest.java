package io.shardloop.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole runs against loopback test servers whose faults are known, checking that the numbers show them. */
@Timeout(60)
class LoadRunTest {
    private static long slowerThan(Histogram h, long us) {
        return h.getCountBetweenValues(us, Math.max(us, h.getMaxValue()));
    }

    @Test
    void shouldShowOneDelayedRequestInAHundredInTheTailAndNowhereElse() throws Exception {
        try (BlockingTestServer server = new BlockingTestServer(BlockingTestServer.Kind.HTTP).delayEvery(100, 80)) {
            // 100 connections at 500/s: each connection sends every 200 ms, so an 80 ms delay holds up nothing
            // behind it. The warmup keeps the server's cold start (a thread per connection) out of the numbers.
            LoadConfig config = LoadConfig.builder(LoadConfig.Protocol.HTTP, server.address())
                    .rate(500).warmup(Duration.ofSeconds(1)).duration(Duration.ofSeconds(3)).connections(100).build();
            LoadReport report = LoadRun.run(config, System.out, null);
            System.out.print(report.table());

            Histogram h = report.latency();
            assertEquals(0, report.errors());
            assertTrue(report.responses() >= 1450, "responses " + report.responses());
            double slowShare = slowerThan(h, 80_000) / (double) h.getTotalCount();
            assertTrue(slowShare >= 0.005 && slowShare <= 0.025, "share of requests at or above 80 ms: " + slowShare);
            assertTrue(h.getValueAtPercentile(90) < 40_000, "p90 " + h.getValueAtPercentile(90));
            assertTrue(h.getValueAtPercentile(99.9) >= 80_000, "p99.9 " + h.getValueAtPercentile(99.9));
            assertTrue(h.getMaxValue() >= 80_000 && h.getMaxValue() < 500_000, "max " + h.getMaxValue());
        }
    }

    @Test
    void shouldChargeAPauseToEveryRequestScheduledDuringItInOpenLoopButNotInClosedLoop() throws Exception {
        LoadReport open;
        try (BlockingTestServer server = new BlockingTestServer(BlockingTestServer.Kind.HTTP).pauseOnce(1000, 500)) {
            LoadConfig config = LoadConfig.builder(LoadConfig.Protocol.HTTP, server.address())
                    .rate(1000).duration(Duration.ofSeconds(3)).connections(10).build();
            open = LoadRun.run(config, System.out, null);
            System.out.print(open.table());
        }
        LoadReport closed;
        try (BlockingTestServer server = new BlockingTestServer(BlockingTestServer.Kind.HTTP).pauseOnce(1000, 500)) {
            LoadConfig config = LoadConfig.builder(LoadConfig.Protocol.HTTP, server.address())
                    .duration(Duration.ofSeconds(3)).connections(10).build();
            closed = LoadRun.run(config, System.out, null);
            System.out.print(closed.table());
        }
        assertEquals(0, open.errors());
        assertEquals(0, closed.errors());

        // Open loop: ~500 requests were due during the pause; each waits until it ends, so ~400 of them
        // are 100 ms late or more, and the worst about the whole pause.
        Histogram o = open.latency();
        assertTrue(slowerThan(o, 100_000) >= 250, "open loop, requests >= 100 ms: " + slowerThan(o, 100_000));
        assertTrue(o.getMaxValue() >= 450_000, "open loop max " + o.getMaxValue());
        assertTrue(o.getValueAtPercentile(99.9) >= 400_000, "open loop p99.9 " + o.getValueAtPercentile(99.9));
        assertTrue(o.getValueAtPercentile(99) >= 300_000, "open loop p99 " + o.getValueAtPercentile(99));

        // Closed loop: each connection has one request in flight, so the pause costs one slow request per connection.
        Histogram c = closed.latency();
        assertTrue(c.getMaxValue() >= 400_000, "closed loop max " + c.getMaxValue());
        assertTrue(slowerThan(c, 100_000) <= 10, "closed loop, requests >= 100 ms: " + slowerThan(c, 100_000));
        assertTrue(c.getValueAtPercentile(99) < 100_000, "closed loop p99 " + c.getValueAtPercentile(99));
    }

    @Test
    void shouldReportRefusedConnectionsAndEndWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        LoadConfig config = LoadConfig.builder(LoadConfig.Protocol.HTTP, new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .rate(1000).duration(Duration.ofSeconds(1)).connections(4).timeout(Duration.ofMillis(500)).build();
        long start = System.nanoTime();
        LoadReport report = LoadRun.run(config, System.out, null);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.print(report.table());

        assertTrue(tookMillis < 5_000, "took " + tookMillis + " ms");
        assertEquals(0, report.responses());
        assertTrue(report.count(LoadCounters.CONNECT_REFUSED) >= 4, "refused " + report.count(LoadCounters.CONNECT_REFUSED));
        assertTrue(report.count(LoadCounters.UNSENT) >= 900, "unsent " + report.count(LoadCounters.UNSENT));
        assertTrue(!report.targetReached());
        assertTrue(report.table().contains("TARGET RATE NOT REACHED"));
    }

    @Test
    void shouldMixGetsAndSetsOverRespAndCheckEveryReply() throws Exception {
        try (BlockingTestServer server = new BlockingTestServer(BlockingTestServer.Kind.RESP)) {
            LoadConfig config = LoadConfig.builder(LoadConfig.Protocol.RESP, server.address())
                    .rate(2000).duration(Duration.ofSeconds(1)).connections(4).threads(2).pipeline(4)
                    .resp(LoadConfig.RespSettings.getSet(1, 1, 1000, 37, LoadConfig.Distribution.ZIPFIAN)).build();
            LoadReport report = LoadRun.run(config, System.out, null);
            System.out.print(report.table());

            assertEquals(0, report.errors(), report.table());
            assertTrue(report.responses() >= 1900, "responses " + report.responses());
            assertTrue(server.sets.get() > 700 && server.gets.get() > 700, "sets " + server.sets + " gets " + server.gets);
            assertTrue(server.data.values().stream().allMatch(v -> v.length == 37));
            assertTrue(server.data.containsKey("key:0000000000"), "the hottest zipfian key was written");
        }
    }

    @Test
    void shouldCountErrorRepliesAndStopAtTheRequestLimit() throws Exception {
        try (BlockingTestServer server = new BlockingTestServer(BlockingTestServer.Kind.HTTP)) {
            LoadConfig config = LoadConfig.builder(LoadConfig.Protocol.HTTP, server.address())
                    .duration(Duration.ofSeconds(20)).connections(3).requests(500)
                    .http(new LoadConfig.HttpSettings("POST", "/x", "{}", 201)).build();
            long start = System.nanoTime();
            LoadReport report = LoadRun.run(config, System.out, null);
            System.out.print(report.table());
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "a request limit ends the run early");
            assertEquals(500, report.responses());
            assertEquals(500, report.count(LoadCounters.WRONG_STATUS));
            assertEquals(500, server.requests.get());
        }
    }
}
