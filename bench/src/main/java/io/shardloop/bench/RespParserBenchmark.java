package io.shardloop.bench;

import io.shardloop.resp.codec.RespLimits;
import io.shardloop.resp.codec.RespParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The RESP parser alone: one pipelined read of {@value #COMMANDS} SET/GET frames (as redis-benchmark
 * sends them: 16-byte keys, 64-byte values, half SET, half GET) parsed to the end. Scores are
 * commands per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RespParserBenchmark {
    static final int COMMANDS = 1000;

    private final RespParser parser = new RespParser(RespLimits.REDIS_DEFAULTS);
    private ByteBuffer frames;

    @Setup
    public void build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String value = "v".repeat(64);
        for (int i = 0; i < COMMANDS; i++) {
            String key = String.format("key:%012d", i * 7919 % 100_000);
            String frame = i % 2 == 0
                    ? "*3\r\n$3\r\nSET\r\n$16\r\n" + key + "\r\n$64\r\n" + value + "\r\n"
                    : "*2\r\n$3\r\nGET\r\n$16\r\n" + key + "\r\n";
            out.writeBytes(frame.getBytes(StandardCharsets.US_ASCII));
        }
        frames = ByteBuffer.allocateDirect(out.size());
        frames.put(out.toByteArray()).flip();
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public void parsePipelinedSetGet(Blackhole bh) {
        ByteBuffer in = frames;
        in.clear();
        int parsed = 0;
        while (parser.parse(in) == RespParser.COMMAND) {
            bh.consume(parser.args().length(1));
            parsed++;
        }
        if (parsed != COMMANDS) {
            throw new IllegalStateException("parsed " + parsed + " of " + COMMANDS);
        }
    }
}
