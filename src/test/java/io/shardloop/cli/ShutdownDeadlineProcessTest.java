package io.shardloop.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** SIGTERM ends {@code serve} by its deadline even when a shard's loop is stuck, and names the shard. */
class ShutdownDeadlineProcessTest {
    private static final Duration DRAIN = Duration.ofSeconds(1);
    private static final Duration STOP = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void shouldExitByTheDeadlineWithItsOwnStatusAndNameTheShardStuckInDebugSleep() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "signals through kill(1)");
        int port = ServeProcess.freePort();
        try (ServeProcess server = ServeProcess.start(dir.resolve("serve.log"), 0, "--protocol", "resp",
                "--resp-port", String.valueOf(port), "--shards", "2", "--no-pin", "--save", "",
                "--drain-timeout", DRAIN.toSeconds() + "s", "--stop-timeout", STOP.toSeconds() + "s");
             Socket client = new Socket()) {
            server.awaitLine(Pattern.compile("serving resp on 127\\.0\\.0\\.1:" + port), Duration.ofSeconds(30));
            client.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            client.getOutputStream().write("DEBUG SLEEP 60\r\n".getBytes(StandardCharsets.US_ASCII));
            // The stall detector names the shard whose loop the command holds.
            Matcher stalled = server.awaitLine(Pattern.compile("(shard-\\d) \\(shard \\d\\) turn stalled"), Duration.ofSeconds(10));
            String stuck = stalled.group(1);

            long signalled = System.nanoTime();
            server.signal("TERM");
            int status = server.awaitExit(DRAIN.plus(STOP).plusSeconds(8));
            long tookMillis = (System.nanoTime() - signalled) / 1_000_000;

            assertEquals(ServeCommand.EXIT_SHARD_ABANDONED, status, server.log());
            // The deadline is drain + stop; the rest is slack for a busy machine, far under the 60 s sleep.
            assertTrue(tookMillis < DRAIN.plus(STOP).toMillis() + 4_000, "exited " + tookMillis + " ms after SIGTERM");
            String log = server.log();
            Matcher named = Pattern.compile(stuck + " did not stop within 1000 ms after the drain timeout and is abandoned; "
                    + "it is at .*ConnectionCommands\\.debug").matcher(log);
            assertTrue(named.find(), "one line names the stuck shard and where it is:\n" + log);
            assertEquals(1, server.linesContaining("did not stop within"), log);
        }
    }
}
