package io.shardloop.cli;

import io.shardloop.testing.RawResp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shardloop serve} with Redis's default save points, as its own process: SHUTDOWN, and
 * SIGTERM as SHUTDOWN without arguments, save the dump and exit with status 0; the dump is read
 * back by the next start.
 */
class ServeShutdownProcessTest {
    @TempDir
    Path dir;

    private ServeProcess serve(int port) throws Exception {
        ServeProcess server = ServeProcess.start(dir.resolve("serve.log"), 0, "--protocol", "resp",
                "--resp-port", String.valueOf(port), "--shards", "2", "--no-pin", "--dir", dir.toString());
        server.awaitLine(Pattern.compile("serving resp on 127\\.0\\.0\\.1:" + port), Duration.ofSeconds(30));
        return server;
    }

    @Test
    void shouldSaveOnShutdownAndOnSigtermAndExitWithZero() throws Exception {
        int port = ServeProcess.freePort();
        try (ServeProcess server = serve(port); RawResp c = new RawResp(port)) {
            assertEquals("*2 [$4 save, $23 3600 1 300 100 60 10000]", c.call("CONFIG", "GET", "save"));
            assertEquals("+OK", c.call("SET", "a", "1"));
            String answered = null;
            try {
                answered = c.call("SHUTDOWN");
            } catch (IOException closed) {
                assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            }
            assertNull(answered, "SHUTDOWN answered rather than closing the connection; the server's log:\n" + server.log());
            assertEquals(0, server.awaitExit(Duration.ofSeconds(30)), server.log());
            assertTrue(server.log().contains("Saving the final RDB snapshot before exiting."), server.log());
        }
        assertTrue(Files.exists(dir.resolve("dump.rdb")));
        try (ServeProcess server = serve(port); RawResp c = new RawResp(port)) {
            assertEquals("$1 1", c.call("GET", "a"), "read back from the dump");
            assertEquals("+OK", c.call("SET", "b", "2"));
            server.signal("TERM");
            assertEquals(0, server.awaitExit(Duration.ofSeconds(30)), server.log());
            assertTrue(server.log().contains("Received SIGTERM scheduling shutdown..."), server.log());
        }
        try (ServeProcess server = serve(port); RawResp c = new RawResp(port)) {
            assertEquals("*2 [$1 1, $1 2]", c.call("MGET", "a", "b"), "SIGTERM saved too");
            server.signal("TERM");
            assertEquals(0, server.awaitExit(Duration.ofSeconds(30)), server.log());
        }
    }
}
