package io.shardloop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardloop.runtime.shard.Pinning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shardloop scale --quick} end to end on a reduced matrix that still starts every model as
 * its own process (loops, threads, virtual), and reads back everything it writes. Speeds are not
 * checked: only that each server answered and the files are well formed.
 */
class ScaleCommandTest {
    @Test
    void shouldMeasureEveryModelAndWriteCsvJsonChartsAndReport(@TempDir Path out) throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("scale", "--quick", "--n", "1", "--protocols", "resp,http",
                "--resp-servers", "loops+sharded,threads+locked,virtual+concurrent", "--http-servers", "virtual",
                "--peers", "none", "--duration", "500ms", "--warmup", "200ms", "--connections", "4",
                "--no-pin", "--out", out.toString());
        assertEquals(0, code, "every point should succeed; stderr: " + err + "\nreport:\n"
                + (Files.exists(out.resolve("report.md")) ? Files.readString(out.resolve("report.md")) : "(none)"));

        List<String> peak = Files.readAllLines(out.resolve("peak.csv"));
        assertEquals("protocol,target,n,server_cpus,load_cpus,shared_cpus,peak_rps,peak_errors,cpu_us_per_request,"
                + "efficiency,failure", peak.getFirst());
        assertEquals(5, peak.size(), "a header and four points: " + peak);
        int columns = peak.getFirst().split(",", -1).length;
        for (String row : peak.subList(1, peak.size())) {
            String[] f = row.split(",", -1);
            assertEquals(columns, f.length, row);
            assertTrue(Double.parseDouble(f[6]) > 0, "each server answered: " + row);
            assertEquals("1", f[9], "efficiency at the base N is 1 by definition: " + row);
        }
        List<String> latency = Files.readAllLines(out.resolve("latency.csv"));
        assertEquals(5, latency.size(), "one open-loop rate per point: " + latency);

        JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertTrue(json.get("quick").asBoolean());
        assertTrue(json.get("environment").get("online_cpus").asInt() >= 1);
        Set<String> targets = new HashSet<>();
        for (JsonNode p : json.get("points")) {
            targets.add(p.get("protocol").asText() + " " + p.get("target").asText());
            assertTrue(p.get("failure").isNull());
            assertTrue(p.get("peak_rps").asDouble() > 0);
            assertEquals(1, p.get("rates").size());
            assertTrue(p.get("command").get(0).asText().length() > 0);
        }
        assertEquals(Set.of("resp loops+sharded", "resp threads+locked", "resp virtual+concurrent", "http virtual"), targets);

        for (String protocol : List.of("resp", "http")) {
            for (String chart : List.of("throughput", "efficiency", "cpu-per-request", "p99")) {
                Path png = out.resolve("charts").resolve(protocol + "-" + chart + ".png");
                BufferedImage image = ImageIO.read(png.toFile());
                assertNotNull(image, png + " decodes as an image");
                assertTrue(image.getWidth() > 100 && image.getHeight() > 100);
            }
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("- pinning: none (--no-pin"), "a test takes no CPU from anyone: " + report);
        assertTrue(report.contains("## Environment") && report.contains("- JDK: ") && report.contains("- CPU: "), report);
        assertTrue(report.contains("## resp") && report.contains("## http"), report);
        assertTrue(report.contains("| threads+locked |"), report);
        assertTrue(report.contains("--model virtual"), "the exact server commands are in the report");
        assertTrue(report.contains("](charts/resp-throughput.png)"), report);
    }

    @Test
    void shouldRefuseACoreCountThisMachineDoesNotHave() {
        ServeCommandTest.Run r = ServeCommandTest.run("scale", "--n", "100000", "--peers", "none");
        assertEquals(2, r.code());
        assertEquals(List.of("shardloop scale: Invalid value for option '--n': '100000' is outside 1.."
                + Pinning.usableCpus().size() + ", the CPUs usable here"), r.errLines());
        r = ServeCommandTest.run("scale", "--quick", "--resp-servers", "threads+sharded", "--peers", "none");
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("'--resp-servers': 'threads+sharded'") && r.err().contains("--state locked or "
                + "--state concurrent"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--peers=some", "--fractions=2", "--duration=10ms", "--duration=soon", "--warmup=-1s",
        "--resp-servers=bogus", "--http-servers=loops+shared", "--protocols=ftp", "--client-cpus=0", "--pipeline=0",
        "--connections=0", "--n=0"})
    void shouldRefuseABadValueWithOneLineNamingTheOptionAndTheValue(String bad) {
        String[] optionAndValue = bad.split("=", 2);
        // Unpinned and without peers, should a value be accepted by mistake and a run start.
        ServeCommandTest.Run r = bad.startsWith("--peers") ? ServeCommandTest.run("scale", "--quick", "--no-pin", bad)
                : ServeCommandTest.run("scale", "--quick", "--no-pin", "--peers", "none", bad);
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), "one line, no usage and no stack trace:\n" + r.err());
        assertTrue(r.err().startsWith("shardloop scale: ") && r.err().contains(optionAndValue[0])
                && r.err().contains("'" + optionAndValue[1] + "'"), r.err());
    }
}
