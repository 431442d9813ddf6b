package io.shardloop.cli;

import io.shardloop.runtime.shard.Pinning;
import io.shardloop.server.ServerConfig;
import io.shardloop.kv.KvGroup;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.resp.RespConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every test here either refuses its options or frees its port; the timeout ends one that serves by mistake. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeCommandTest {
    /** What one run of the command line printed, and its exit status. */
    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.strip().lines().toList();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The configuration {@code serve} would start with these options, without starting it. */
    static ServerConfig parse(String... serveArgs) {
        CommandLine cli = Main.commandLine();
        String[] args = Stream.concat(Stream.of("serve"), Stream.of(serveArgs)).toArray(String[]::new);
        cli.parseArgs(args);
        return ((ServeCommand) cli.getSubcommands().get("serve").getCommand()).config();
    }

    @Test
    void shouldExitNonZeroWithOneClearLineWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            Run r = run("serve", "--protocol", "echo", "--port", String.valueOf(taken.getLocalPort()), "--no-pin",
                    "--shards", "1");
            assertEquals(2, r.code());
            assertEquals("shardloop serve: port " + taken.getLocalPort() + " on 127.0.0.1 is already in use: choose "
                    + "another with --port, or stop what holds it", r.err().strip());
        }
    }

    static Stream<List<String>> badValues() {
        return Stream.of(
                List.of("--shards", "0"),
                List.of("--shards", "-1"),
                List.of("--shards", "two"),
                List.of("--bind", "not-a-host.invalid"),
                List.of("--high-water", "1k", "--low-water", "2k"),
                List.of("--high-water", "4m", "--hard-limit", "1m"),
                List.of("--max-bulk", "12q"),
                List.of("--read-budget", "0"),
                List.of("--drain-timeout", "5x"),
                List.of("--idle-timeout=-3s"),
                List.of("--stop-timeout=-1s"),
                List.of("--http-body-timeout", "soon"),
                List.of("--state", "bogus"),
                List.of("--model", "forks"),
                List.of("--mailbox", "ring"),
                List.of("--accept", "sometimes"),
                List.of("--protocol", "ftp"),
                List.of("--resp-port", "70000"),
                List.of("--http-port=-1"),
                List.of("--port", "65536"),
                List.of("--mailbox-credits", "0"),
                List.of("--mailbox-credit-bytes", "512"),
                List.of("--max-outstanding", "1"),
                List.of("--offload-threads", "0"),
                List.of("--max-connections", "0"),
                List.of("--cpus", "4096"),
                List.of("--root", "/no/such/directory"),
                List.of("--protected-mode", "maybe"),
                List.of("--maxmemory", "lots"),
                List.of("--databases", "0"),
                List.of("--databases", "many"),
                List.of("--notify-keyspace-events", "KEQ"),
                List.of("--save", "3600"),
                List.of("--save", "0 1"),
                List.of("--client-query-buffer-limit", "1k"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void shouldRefuseABadValueWithOneLineNamingTheOptionAndTheValue(List<String> bad) {
        String option = bad.get(bad.size() - (bad.getLast().startsWith("--") ? 1 : 2)).split("=")[0];
        String value = bad.getLast().contains("=") ? bad.getLast().split("=", 2)[1] : bad.getLast();
        // Only free ports, whatever is refused: a value accepted by mistake must not take 6379 or 8080.
        List<String> args = new java.util.ArrayList<>(List.of("serve", "--no-pin"));
        for (String[] safe : new String[][] {{"--shards", "1"}, {"--protocol", "echo"}, {"--port", "0"},
            {"--resp-port", "0"}, {"--http-port", "0"}}) {
            if (bad.stream().noneMatch(b -> b.split("=")[0].equals(safe[0]))) {
                args.addAll(List.of(safe));
            }
        }
        args.addAll(bad);
        Run r = run(args.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), "one line, no usage and no stack trace:\n" + r.err());
        String line = r.errLines().getFirst();
        assertTrue(line.startsWith("shardloop serve: "), line);
        assertTrue(line.contains(option), "names " + option + ": " + line);
        assertTrue(line.contains("'" + value + "'"), "quotes the value " + value + ": " + line);
        assertEquals("", r.out(), "nothing on standard output");
    }

    @Test
    void shouldSayWhyTheLowWaterMarkIsRefused() {
        Run r = run("serve", "--protocol", "echo", "--port", "0", "--high-water", "1k", "--low-water", "2k");
        assertEquals(List.of("shardloop serve: Invalid value for option '--low-water': '2k' is above --high-water '1k': "
                + "reading resumes at or below the low-water mark, so it cannot be the higher one"), r.errLines());
    }

    @Test
    void shouldRefuseABindAddressThatIsNotThisMachinesRatherThanCallItAPortInUse() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): documentation only, on no interface here.
        Run r = run("serve", "--no-pin", "--protocol", "echo", "--port", "0", "--bind", "192.0.2.1");
        assertEquals(2, r.code(), r.err());
        assertEquals(List.of("shardloop serve: Invalid value for option '--bind': '192.0.2.1' is not an address of this "
                + "machine (cannot assign requested address)"), r.errLines());
    }

    @Test
    void shouldRefuseTheShardedStateForAThreadPerConnectionModel() {
        for (String model : new String[] {"threads", "virtual"}) {
            Run r = run("serve", "--model", model, "--state", "sharded", "--resp-port", "0", "--http-port", "0");
            assertEquals(2, r.code());
            assertEquals(List.of("shardloop serve: Invalid value for option '--state': 'sharded' needs --model loops: "
                    + "with a thread per connection no shard owns a key (use --state locked or concurrent)"), r.errLines());
        }
    }

    @Test
    void shouldRunOneShardPerUsableCpuByDefaultAndSaySo() {
        assertEquals(Pinning.usableCpus().size(), parse().runtime().shards());
        assertEquals(1, parse("--cpus", String.valueOf(Pinning.usableCpus().getFirst())).runtime().shards(),
                "one per CPU of --cpus");
        assertEquals(3, parse("--shards", "3").runtime().shards());
        String help = run("serve", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("Default: one per CPU of --cpus when given, else one per CPU this process may use"),
                help);
    }

    @Test
    void shouldWireTheMailboxCreditsAndTheHttpBodyDeadlineAndPrintThem() {
        ServerConfig c = parse("--mailbox-credits", "7", "--mailbox-credit-bytes", "64k", "--mailbox-reply-backlog",
                "2m", "--http-body-timeout", "3s", "--http-body-min-rate", "2k");
        assertEquals(7, c.runtime().mailbox().credits());
        assertEquals(64 * 1024, c.runtime().mailbox().creditBytes());
        assertEquals(2 << 20, c.runtime().mailbox().replyBacklogBytes());
        assertEquals(Duration.ofSeconds(3), c.http().bodyTimeout());
        assertEquals(2048, c.http().bodyMinRate());
        String line = c.describe();
        for (String setting : new String[] {"mailbox-credits=7", "mailbox-credit-bytes=65536",
                "mailbox-reply-backlog=2097152", "body-timeout=3000ms+1s/2048B"}) {
            assertTrue(line.contains(setting), setting + " in the start-up line: " + line);
        }
    }

    @Test
    void shouldAskTheRequiredPasswordOnHttpKvToo() {
        ServerConfig c = parse("--requirepass", "s3cret");
        assertEquals("s3cret", c.requirePass());
        assertEquals("s3cret", c.http().requirePass(), "HTTP /kv asks the same password");
        assertTrue(c.describe().contains("kv-auth=required"), c.describe());
        assertEquals(null, parse().http().requirePass());
    }

    @Test
    void shouldExplainEveryOptionInHelp() {
        Run r = run("serve", "--help");
        assertEquals(0, r.code());
        for (String option : new String[] {"--shards", "--port", "--bind", "--no-pin", "--accept", "--high-water",
                "--hard-limit", "--write-stall-timeout", "--drain-timeout", "--stop-timeout", "--max-connections",
                "--mailbox-credits", "--mailbox-credit-bytes", "--mailbox-reply-backlog", "--http-body-timeout",
                "--http-body-min-rate", "--protected-mode", "--maxmemory", "--maxmemory-clients",
                "--client-query-buffer-limit", "--databases", "--notify-keyspace-events"}) {
            assertTrue(r.out().contains(option), option + " missing from help");
        }
        assertTrue(r.out().contains("127.0.0.1"), "help says the default is loopback");
        assertTrue(r.out().contains("Exit status:") && r.out().contains("  " + ServeCommand.EXIT_SHARD_ABANDONED
                + "  stopped, but a shard's loop did not stop"), "help explains the exit status of an abandoned shard");
    }

    @Test
    void shouldGiveThePasswordAndProtectedModeToBothProtocols() {
        ServerConfig c = parse("--requirepass", "s3cret", "--protected-mode", "no", "--no-pin", "--shards", "1");
        assertEquals("s3cret", c.http().requirePass(), "/kv is behind the same password as the Redis protocol");
        assertEquals(false, c.http().protectedMode());
        assertEquals(new RespConfig(RespLimits.REDIS_DEFAULTS, 1024, "s3cret", false), c.resp());
        assertEquals(true, parse("--no-pin", "--shards", "1").resp().protectedMode(), "protected mode is on by default");
    }

    @Test
    void shouldSetThePubSubOutputLimitAsRedisDoesByDefault() {
        assertEquals(io.shardloop.resp.PubSubLimit.REDIS_DEFAULT, parse("--no-pin", "--shards", "1").resp().pubsubLimit(),
                "client-output-buffer-limit pubsub 32mb 8mb 60");
        ServerConfig c = parse("--client-output-buffer-limit-pubsub-hard", "1m", "--client-output-buffer-limit-pubsub-soft",
                "0", "--client-output-buffer-limit-pubsub-soft-seconds", "5", "--no-pin", "--shards", "1");
        assertEquals(new io.shardloop.resp.PubSubLimit(1L << 20, 0, 5), c.resp().pubsubLimit());
    }

    @Test
    void shouldSetTheMemoryBoundsFromTheirOptions() {
        ServerConfig c = parse("--maxmemory", "100m", "--maxmemory-clients", "10m", "--client-query-buffer-limit", "2m",
                "--no-pin", "--shards", "1");
        assertEquals(100L << 20, c.maxMemory());
        assertEquals(10L << 20, c.runtime().maxClientMemory());
        assertEquals(2L << 20, c.runtime().limits().maxInputBytes());
        ServerConfig defaults = parse("--no-pin", "--shards", "1");
        assertEquals(KvGroup.defaultMaxMemory(), defaults.maxMemory(), "three quarters of the heap by default");
        assertEquals(Runtime.getRuntime().maxMemory() / 4, defaults.runtime().maxClientMemory());
        assertEquals(0, parse("--maxmemory", "0", "--no-pin", "--shards", "1").maxMemory(), "0: no limit");
        assertTrue(c.describe().contains("maxmemory=104857600") && c.describe().contains("maxmemory-clients=10485760"),
                c.describe());
    }

    @Test
    void shouldSetTheNumberOfDatabases() {
        assertEquals(16, parse("--no-pin", "--shards", "1").databases(), "Redis's 16 by default");
        ServerConfig c = parse("--databases", "4", "--no-pin", "--shards", "1");
        assertEquals(4, c.databases());
        assertTrue(c.describe().contains("databases=4"), c.describe());
    }

    @Test
    void shouldStartWithRedissSavePointsUnlessToldOtherwise() {
        assertEquals(io.shardloop.persist.SavePoints.parse("3600 1 300 100 60 10000"),
                parse("--no-pin", "--shards", "1").persistence().savePoints(), "Redis's without a configuration file");
        assertTrue(parse("--save", "", "--no-pin", "--shards", "1").persistence().savePoints().isEmpty());
        ServerConfig c = parse("--save", "60 5", "--no-pin", "--shards", "1");
        assertEquals("60 5", c.persistence().savePoints().toString());
        assertTrue(c.describe().contains("save=\"60 5\""), c.describe());
        assertTrue(io.shardloop.persist.PersistenceConfig.defaults().savePoints().isEmpty(),
                "a server built in code takes no snapshot by itself");
    }

    @Test
    void shouldSetTheKeyspaceEventsClasses() {
        assertEquals("", parse("--no-pin", "--shards", "1").notifyKeyspaceEvents(), "none by default, as Redis");
        ServerConfig c = parse("--notify-keyspace-events", "KEA", "--no-pin", "--shards", "1");
        assertEquals("KEA", c.notifyKeyspaceEvents());
        assertTrue(c.describe().contains("notify-keyspace-events=\"KEA\""), c.describe());
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
        assertFalse(List.of("NaNs", "1e400s", "99999999999999999h").stream().anyMatch(ServeCommandTest::parses));
    }

    private static boolean parses(String duration) {
        try {
            Units.parseDuration(duration);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
