package io.shardloop.load;

import io.shardloop.testing.RawResp;
import io.shardloop.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The multi-key RESP workloads against a real redis-server: what is counted, and what the server was sent. */
class RespWorkloadsTest {
    /** Sum of every ctr: counter: one INCR per two keys of each multi or eval request. */
    private static final String SUM_COUNTERS = "local s=0 for _,k in ipairs(redis.call('KEYS','ctr:*')) do "
            + "s=s+tonumber(redis.call('GET',k)) end return s";

    private static LoadConfig.Builder closedLoop(RedisServer redis, LoadConfig.Workload workload, int keysPerTx) {
        return LoadConfig.builder(LoadConfig.Protocol.RESP, new InetSocketAddress("127.0.0.1", redis.port()))
                .duration(Duration.ofSeconds(10)).connections(3).pipeline(4).requests(600)
                .resp(LoadConfig.RespSettings.getSet(1, 1, 1000, 16, LoadConfig.Distribution.UNIFORM)
                        .with(workload, keysPerTx));
    }

    private static LoadReport run(LoadConfig config) throws Exception {
        long start = System.nanoTime();
        LoadReport report = LoadRun.run(config, System.out, null);
        System.out.print(report.table());
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "the request limit ends the run early");
        return report;
    }

    /** Requests the server ran: the measured ones and those of the run's first moment, before measuring starts. */
    private static long sentInAll(LoadReport report) {
        return report.responses() + report.count(LoadCounters.WARMUP_RESPONSES);
    }

    @Test
    void shouldCountEachTransactionAsOneRequestAndRunItsCommands() throws Exception {
        try (RedisServer redis = RedisServer.start(); RawResp client = new RawResp(redis.port())) {
            LoadReport report = run(closedLoop(redis, LoadConfig.Workload.MULTI, 4).build());
            assertEquals(0, report.errors(), report.table());
            assertEquals(600, report.responses());
            client.send("EVAL", SUM_COUNTERS, "0");
            assertEquals(Long.toString(2 * sentInAll(report)), client.value(), "two INCRs in each transaction");
            assertEquals(600, report.latency().getTotalCount());
        }
    }

    @Test
    void shouldRunTheScriptByItsDigestAndCountEachCallOnce() throws Exception {
        try (RedisServer redis = RedisServer.start(); RawResp client = new RawResp(redis.port())) {
            LoadReport report = run(closedLoop(redis, LoadConfig.Workload.EVAL, 2).build());
            assertEquals(0, report.errors(), report.table());
            assertEquals(600, report.responses());
            client.send("EVAL", SUM_COUNTERS, "0");
            assertEquals(Long.toString(sentInAll(report)), client.value(), "one INCR in each call");
            client.send("SCRIPT", "EXISTS", RespRequestWriter.sha1Hex(RespRequestWriter.SCRIPT));
            assertEquals("[1]", client.value(), "loaded once per connection, then called by digest");
        }
    }

    @Test
    void shouldSendTheScriptInFullOnAConnectionAfterTheServerForgetsIt() throws Exception {
        try (RedisServer redis = RedisServer.start(); RawResp client = new RawResp(redis.port())) {
            LoadConfig config = closedLoop(redis, LoadConfig.Workload.EVAL, 2).requests(0).pipeline(1).connections(2)
                    .rate(400).duration(Duration.ofMillis(1500)).build();
            Thread flusher = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(600);
                    client.call("SCRIPT", "FLUSH");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            LoadReport report = run(config);
            flusher.join();
            long noScript = report.count(LoadCounters.ERROR_REPLY);
            assertTrue(noScript >= 1 && noScript <= 2, "one NOSCRIPT at most on each connection: " + report.table());
            assertEquals(noScript, report.errors(), report.table());
            assertTrue(report.responses() > 500, report.table());
        }
    }

    @Test
    void shouldMixMsetsAndMgetsOfSeveralKeys() throws Exception {
        try (RedisServer redis = RedisServer.start(); RawResp client = new RawResp(redis.port())) {
            LoadReport report = run(closedLoop(redis, LoadConfig.Workload.MSET, 3).build());
            assertEquals(0, report.errors(), report.table());
            assertEquals(600, report.responses());
            client.send("DBSIZE");
            long keys = Long.parseLong(client.value());
            assertTrue(keys > 500, "three keys in each of about 300 MSETs over 1000: " + keys);
        }
    }

    @Test
    void shouldCountTransactionsAndScriptsTheServerRefusesAsErrors() throws Exception {
        try (RedisServer redis = RedisServer.start(); RawResp client = new RawResp(redis.port())) {
            assertEquals("+OK", client.call("CONFIG", "SET", "maxmemory", "1"));
            LoadReport multi = run(closedLoop(redis, LoadConfig.Workload.MULTI, 2).build());
            assertEquals(600, multi.responses());
            assertEquals(600, multi.count(LoadCounters.ABORTED), "SET is refused when queued, so EXEC aborts: " + multi.table());
            assertEquals(600, multi.errors());

            LoadReport eval = run(closedLoop(redis, LoadConfig.Workload.EVAL, 2).build());
            assertEquals(600, eval.count(LoadCounters.ERROR_REPLY), eval.table());
            assertEquals(600, eval.errors());
        }
    }
}
