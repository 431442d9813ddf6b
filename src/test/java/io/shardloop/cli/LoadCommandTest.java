package io.shardloop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardloop.load.LoadConfig;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class LoadCommandTest {
    /** A minimal HTTP server: a thread per connection, answers every request head with 200. */
    private static ServerSocket startServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    Thread t = new Thread(() -> answer(s));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    private static void answer(Socket s) {
        byte[] ok = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (s; InputStream in = new java.io.BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            int state = 0; // counts the bytes of \r\n\r\n seen in a row
            int b;
            while ((b = in.read()) >= 0) {
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
                if (state == 4) {
                    out.write(ok);
                    out.flush();
                    state = 0;
                }
            }
        } catch (IOException e) {
            // client gone
        }
    }

    @Test
    void shouldHoldTheTargetRateOnAnIdleServerAndWriteJsonLogAndPlotThatReadBack(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out.json");
        Path hlog = dir.resolve("out.hlog");
        Path png = dir.resolve("out.png");
        try (ServerSocket server = startServer()) {
            int code = Main.commandLine().execute("load", "--target", "127.0.0.1:" + server.getLocalPort(),
                    "--rate", "2000", "--duration", "3s", "--warmup", "500ms", "--connections", "8",
                    "--json", json.toString(), "--hlog", hlog.toString(), "--plot", png.toString());
            assertEquals(0, code);
        }

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        double achieved = root.get("achieved_rate").asDouble();
        assertEquals(2000, achieved, 2000 * 0.03, "achieved rate");
        long requests = root.get("requests").asLong();
        assertTrue(Math.abs(requests - 6000) <= 60, "requests " + requests);
        assertEquals(0, root.get("errors").asLong());
        assertEquals("open", root.get("settings").get("mode").asText());
        assertEquals(2000, root.get("settings").get("rate").asDouble());
        JsonNode latency = root.get("latency_us");
        for (String p : new String[] {"p50", "p90", "p99", "p999", "p9999", "max", "mean"}) {
            assertTrue(latency.get(p).isNumber(), p);
        }
        assertTrue(latency.get("p50").asLong() <= latency.get("p99").asLong());
        assertTrue(latency.get("p99").asLong() <= latency.get("max").asLong());
        int seconds = root.get("intervals").size();
        assertTrue(seconds == 3 || seconds == 4, "one summary per measured second, and one for the drain: " + seconds);

        HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        long logged = 0;
        int intervals = 0;
        Histogram interval;
        while ((interval = (Histogram) reader.nextIntervalHistogram()) != null) {
            logged += interval.getTotalCount();
            intervals++;
        }
        assertEquals(requests, logged, "the interval log holds every recorded latency");
        assertTrue(intervals >= 3, "intervals " + intervals);

        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "a PNG that decodes");
        assertEquals(1000, image.getWidth());
        assertEquals(600, image.getHeight());
    }

    private static LoadConfig parse(String... args) {
        CommandLine cl = Main.commandLine();
        cl.parseArgs(args);
        LoadCommand load = cl.getSubcommands().get("load").getCommand();
        return load.config();
    }

    @Test
    void shouldWarmUpForTwoSecondsByDefaultOrAFifthOfAShortRunAndNotAtAllWhenAskedSo() {
        // The README's command: 10 s measured after 2 s of warmup.
        LoadConfig readme = parse("load", "--target", "127.0.0.1:8080", "--path", "/plaintext", "--rate", "20000",
                "--duration", "10s");
        assertEquals(Duration.ofSeconds(2), readme.warmup());
        assertEquals(Duration.ofSeconds(2), parse("load", "--target", "127.0.0.1:1", "--duration", "1m").warmup());
        assertEquals(Duration.ofMillis(600), parse("load", "--target", "127.0.0.1:1", "--duration", "3s").warmup());
        assertEquals(Duration.ofSeconds(2), parse("load", "--target", "127.0.0.1:1").warmup(), "the default duration");
        assertEquals(Duration.ZERO, parse("load", "--target", "127.0.0.1:1", "--warmup", "0").warmup());
        assertEquals(Duration.ofMillis(300), parse("load", "--target", "127.0.0.1:1", "--warmup", "300ms").warmup());
        String help = Main.commandLine().getSubcommands().get("load").getUsageMessage();
        assertTrue(help.contains("Default: 2s, or a fifth of --duration"), help);
    }

    @Test
    void shouldReadTheTransactionWorkloadAndItsKeyCount() {
        LoadConfig.RespSettings byDefault = parse("load", "--protocol", "resp", "--target", "127.0.0.1:1").resp();
        assertEquals(LoadConfig.Workload.GETSET, byDefault.workload());
        LoadConfig multi = parse("load", "--protocol", "resp", "--target", "127.0.0.1:1", "--workload", "multi",
                "--keys-per-tx", "4");
        assertEquals(LoadConfig.Workload.MULTI, multi.resp().workload());
        assertEquals(4, multi.resp().keysPerTransaction());
        assertTrue(multi.describe().contains("multi of 4 keys") && !multi.describe().contains("SET:GET"), multi.describe());
        assertEquals(LoadConfig.Workload.MSET, parse("load", "--protocol", "resp", "--target", "127.0.0.1:1",
                "--workload", "MSET").resp().workload());
    }

    @Test
    void shouldRefuseBadOptionsWithAClearMessage() {
        assertEquals(2, Main.commandLine().execute("load", "--target", "127.0.0.1"));
        assertEquals(2, Main.commandLine().execute("load", "--target", "127.0.0.1:1", "--pipeline", "0"));
        assertEquals(2, Main.commandLine().execute("load", "--target", "127.0.0.1:1", "--protocol", "resp", "--ratio", "x"));
        assertEquals(2, Main.commandLine().execute("load", "--target", "127.0.0.1:1", "--threads", "4", "--connections", "2"));
        assertThrows(IllegalArgumentException.class, () -> LoadCommand.parseTarget("127.0.0.1:99999"));
        assertEquals(new InetSocketAddress("::1", 80), LoadCommand.parseTarget("[::1]:80"));
        assertTrue(Files.notExists(Path.of("out.json")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--target=127.0.0.1", "--target=127.0.0.1:99999", "--target=no-such-host.invalid:80",
        "--pipeline=0", "--pipeline=100000", "--connections=0", "--threads=0", "--threads=4", "--rate=-5",
        "--rate=fast", "--duration=0", "--duration=5x", "--warmup=-1s", "--timeout=0", "--requests=-1",
        "--method=get", "--path=nopath", "--expect-status=99", "--protocol=gopher", "--cpus=4096",
        "--reconnect-delay=-1ms", "--spin-window=later"})
    void shouldRefuseABadValueWithOneLineNamingTheOptionAndTheValue(String bad) {
        String[] optionAndValue = bad.split("=", 2);
        List<String> args = new ArrayList<>(List.of("load"));
        for (String[] fine : new String[][] {{"--target", "127.0.0.1:1"}, {"--connections", "2"}, {"--duration", "1s"}}) {
            if (!optionAndValue[0].equals(fine[0])) {
                args.addAll(List.of(fine));
            }
        }
        args.add(bad);
        ServeCommandTest.Run r = ServeCommandTest.run(args.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), "one line, no usage and no stack trace:\n" + r.err());
        assertTrue(r.err().startsWith("shardloop load: ") && r.err().contains(optionAndValue[0])
                && r.err().contains("'" + optionAndValue[1] + "'"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--ratio=x", "--ratio=0:0", "--ratio=-1:3", "--keys=0", "--value-size=65m", "--value-size=1z",
        "--distribution=pareto", "--workload=watch", "--keys-per-tx=0", "--keys-per-tx=1001"})
    void shouldRefuseABadRespValueWithOneLineNamingTheOptionAndTheValue(String bad) {
        String[] optionAndValue = bad.split("=", 2);
        ServeCommandTest.Run r = ServeCommandTest.run("load", "--protocol", "resp", "--target", "127.0.0.1:1", bad);
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), "one line, no usage and no stack trace:\n" + r.err());
        assertTrue(r.err().startsWith("shardloop load: ") && r.err().contains(optionAndValue[0])
                && r.err().contains("'" + optionAndValue[1] + "'"), r.err());
    }
}
