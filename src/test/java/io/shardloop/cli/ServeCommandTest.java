package io.shardloop.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServeCommandTest {
    @Test
    void shouldExitNonZeroWithOneClearLineWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute("serve", "--protocol", "echo", "--port", String.valueOf(taken.getLocalPort()), "--no-pin", "--shards", "1");
            assertEquals(2, code);
            assertEquals("shardloop: port " + taken.getLocalPort() + " on 127.0.0.1 is already in use",
                    err.toString().strip());
        }
    }

    @Test
    void shouldRejectInconsistentLimitsWithAClearLine() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("serve", "--protocol", "echo", "--port", "0", "--high-water", "1k", "--low-water", "2k");
        assertEquals(2, code);
        assertTrue(err.toString().startsWith("shardloop: inconsistent connection limits"), err.toString());
    }

    @Test
    void shouldRefuseTheShardedStateForAThreadPerConnectionModel() {
        for (String model : new String[] {"threads", "virtual"}) {
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute("serve", "--model", model, "--state", "sharded", "--resp-port", "0", "--http-port", "0");
            assertEquals(2, code);
            assertTrue(err.toString().startsWith("shardloop: --model " + model + " serves every connection on its own thread"),
                    err.toString());
        }
    }

    @Test
    void shouldExplainEveryOptionInHelp() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("serve", "--help"));
        for (String option : new String[] {"--shards", "--port", "--bind", "--no-pin", "--accept", "--high-water",
                "--hard-limit", "--write-stall-timeout", "--drain-timeout", "--stop-timeout", "--max-connections",
                "--protected-mode"}) {
            assertTrue(out.toString().contains(option), option + " missing from help");
        }
        assertTrue(out.toString().contains("127.0.0.1"), "help says the default is loopback");
        assertTrue(out.toString().contains("Exit status:") && out.toString().contains("  " + ServeCommand.EXIT_SHARD_ABANDONED
                + "  stopped, but a shard's loop did not stop"), "help explains the exit status of an abandoned shard");
    }

    @Test
    void shouldRefuseANegativeStopTimeoutWithAClearLine() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("serve", "--protocol", "echo", "--port", "0", "--stop-timeout=-1s"));
        assertTrue(err.toString().startsWith("shardloop: --stop-timeout must not be negative"), err.toString());
    }

    @Test
    void shouldRefuseAProtectedModeOtherThanYesOrNo() {
        for (String model : new String[] {"loops", "threads"}) {
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            assertEquals(2, cli.execute("serve", "--model", model, "--state", "locked", "--protected-mode", "maybe",
                    "--resp-port", "0", "--http-port", "0", "--no-pin", "--shards", "1"));
            assertTrue(err.toString().startsWith("shardloop: --protected-mode takes yes or no, not 'maybe'"), err.toString());
        }
    }

    @Test
    void shouldGiveThePasswordAndProtectedModeToBothProtocols() {
        CommandLine cli = Main.commandLine();
        cli.parseArgs("serve", "--requirepass", "s3cret", "--protected-mode", "no", "--no-pin", "--shards", "1");
        ServeCommand serve = cli.getSubcommands().get("serve").getCommand();
        java.util.List<io.shardloop.runtime.shard.Endpoint> endpoints = serve.endpoints(serve.config());
        io.shardloop.http.HttpConfig http = endpoints.stream().map(io.shardloop.runtime.shard.Endpoint::protocol)
                .filter(p -> p instanceof io.shardloop.http.HttpProtocol).map(p -> ((io.shardloop.http.HttpProtocol) p).config())
                .findFirst().orElseThrow();
        for (io.shardloop.runtime.shard.Endpoint e : endpoints) {
            if (e.protocol() instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ex) {
                    throw new AssertionError(ex);
                }
            }
        }
        assertEquals("s3cret", http.requirePass(), "/kv is behind the same password as the Redis protocol");
        assertEquals(false, http.protectedMode());
        assertEquals(new io.shardloop.resp.RespConfig(io.shardloop.resp.codec.RespLimits.REDIS_DEFAULTS, 1024, "s3cret", false),
                serve.respConfig(io.shardloop.resp.codec.RespLimits.REDIS_DEFAULTS));
    }

    @Test
    void shouldParseSizesAndDurationsAsUsersTypeThem() {
        assertEquals(512, Units.parseBytes("512"));
        assertEquals(64 * 1024, Units.parseBytes("64k"));
        assertEquals(1 << 20, Units.parseBytes("1m"));
        assertEquals(2L << 30, Units.parseBytes("2G"));
        assertEquals(Duration.ofMillis(250), Units.parseDuration("250ms"));
        assertEquals(Duration.ofMillis(1500), Units.parseDuration("1.5s"));
        assertEquals(Duration.ofMinutes(2), Units.parseDuration("2m"));
        assertEquals(Duration.ofSeconds(30), Units.parseDuration("30"));
    }
}
