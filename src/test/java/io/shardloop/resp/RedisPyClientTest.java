package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * redis-py, unchanged (the Debian package python3-redis, which CI installs), against the server:
 * transaction pipelines, WATCH, its Lock (whose release is a script) and registered scripts over
 * keys of several shards (src/test/resources/redis_py_clients.py). Skipped where the system
 * Python has no redis package.
 */
class RedisPyClientTest {
    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void redisPyTransactionsLocksAndScriptsWork() throws Exception {
        assumeTrue(hasRedisPy(), "the system python3 has no redis package (Debian: python3-redis)");
        Path script = Path.of("src/test/resources/redis_py_clients.py").toAbsolutePath();
        for (StateMode mode : new StateMode[] {StateMode.SHARDED, StateMode.LOCKED, StateMode.CONCURRENT}) {
            try (RespTestServer server = RespTestServer.start(mode, 4)) {
                Process p = new ProcessBuilder(PYTHON, script.toString(), Integer.toString(server.port()))
                        .redirectErrorStream(true).start();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), mode + ": redis-py did not finish");
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.exitValue(), mode + ": " + out);
                assertEquals("ok", out.strip(), mode.toString());
            }
        }
    }

    private static boolean hasRedisPy() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON, "-c", "import redis").redirectErrorStream(true).start();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
