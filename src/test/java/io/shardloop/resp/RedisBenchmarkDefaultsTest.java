package io.shardloop.resp;

import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.RuntimeConfig;
import io.shardloop.runtime.shard.ShardGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * redis-benchmark's default run, its whole list of tests, goes through against the loops over two
 * shards in each state mode: every test reports its rate and none meets an error. (Its figures are
 * not looked at: speed is measured by the benchmarks, never asserted.)
 */
class RedisBenchmarkDefaultsTest {
    /** The tests redis-benchmark 7.0 runs when none is named, as its -q lines name them. */
    private static final List<String> DEFAULT_TESTS = List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR",
            "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
            "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)",
            "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)", "MSET (10 keys)");

    @ParameterizedTest
    @EnumSource(StateMode.class)
    void everyDefaultTestRunsWithoutAnError(StateMode mode) throws Exception {
        Path binary = Path.of("/usr/bin/redis-benchmark");
        assertTrue(Files.isExecutable(binary), "redis-benchmark is needed: apt-get install redis-tools");
        try (ShardGroup g = ShardGroup.start(RuntimeConfig.builder(2).pin(false).build(),
                List.of(Endpoint.of("127.0.0.1", 0, new RespProtocol(new KvGroup(mode, 2)))))) {
            Path output = Files.createTempFile("redis-benchmark", ".out");
            Process p = new ProcessBuilder(binary.toString(), "-h", "127.0.0.1", "-p", Integer.toString(g.port(0)),
                    "-n", "500", "-c", "4", "-q").redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean ended = p.waitFor(120, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            String text = Files.readString(output, StandardCharsets.ISO_8859_1);
            Files.delete(output);
            assertTrue(ended, mode + ": redis-benchmark still running after 120 s:\n" + text);
            assertEquals(0, p.exitValue(), text);
            List<String> reported = new ArrayList<>();
            for (String line : text.split("[\r\n]+")) {
                int colon = line.indexOf(": ");
                if (line.contains("requests per second") && colon > 0) {
                    reported.add(line.substring(0, colon).trim());
                }
                assertTrue(!line.toLowerCase().contains("error"), mode + ": " + line);
            }
            assertEquals(DEFAULT_TESTS, reported.stream().distinct().toList(), mode + ":\n" + text);
        }
    }
}
