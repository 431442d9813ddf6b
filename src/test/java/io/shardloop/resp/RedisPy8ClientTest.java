package io.shardloop.resp;

import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ServerModel;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.testing.RawResp;
import io.shardloop.testing.RedisServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * redis-py 8, unchanged, against the server in each of its protocol settings: its defaults (HELLO 3
 * with RESP2-shaped replies), {@code protocol=3}, {@code protocol=3} with {@code legacy_responses=False}
 * (RESP3's maps, sets, doubles and pushes as they come) and {@code protocol=2}. The script
 * (src/test/resources/redis_py8_clients.py) covers the data types, blocking pops, pipelines,
 * transactions, pub/sub, CLIENT TRACKING, scripts, SCAN iterators and the introspection redis-py
 * parses; it runs first on redis-server 7.0, so a check that Redis itself fails is caught as the
 * script's fault, then on every state mode over one shard and four, and on the two thread-per-connection
 * models. A second script
 * (redis_py8_auth.py) connects to a server that requires a password, in each protocol setting.
 * <p>
 * redis-py 8 is found as a wheel, {@code /opt/pypi/files/redis-8*.whl} (the newest), put on the
 * PYTHONPATH, or else as an installed package of the system python3 at version 8 or later; the test
 * is skipped when neither is there.
 */
class RedisPy8ClientTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path WHEELS = Path.of("/opt/pypi/files");
    private static final Path SCRIPT = Path.of("src/test/resources/redis_py8_clients.py").toAbsolutePath();
    private static final Path AUTH_SCRIPT = Path.of("src/test/resources/redis_py8_auth.py").toAbsolutePath();
    private static final String PASSWORD = "py8-secret";

    /** The PYTHONPATH that makes redis-py 8 importable: a wheel, "" for the installed package, null for none. */
    private static String pythonPath;

    @BeforeAll
    static void findRedisPy8() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return;
        }
        for (Path wheel : wheels()) {
            if (importsRedis8(wheel.toString())) {
                pythonPath = wheel.toString();
                return;
            }
        }
        if (importsRedis8("")) {
            pythonPath = "";
        }
    }

    @ParameterizedTest(name = "redis-py 8, {0}")
    @ValueSource(strings = {"default", "resp3", "raw3", "resp2"})
    void redisPy8WorksInEachProtocolSettingOnEveryStateMode(String setting) throws Exception {
        assumeTrue(pythonPath != null, "redis-py 8 not found: neither " + WHEELS + "/redis-8*.whl nor an installed"
                + " redis>=8 for " + PYTHON);
        try (RedisServer reference = RedisServer.start()) {
            assertScriptPasses(SCRIPT, reference.port(), List.of(setting), "redis-server (the script's own check)");
        }
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 4}) {
                try (RespTestServer server = RespTestServer.start(mode, shards)) {
                    assertScriptPasses(SCRIPT, server.port(), List.of(setting), mode + " on " + shards + " shard(s)");
                }
            }
        }
        for (ServerModel model : new ServerModel[] {ServerModel.THREADS, ServerModel.VIRTUAL}) {
            ThreadedConfig config = ThreadedConfig.defaults(model, "127.0.0.1", 0);
            StateMode mode = model == ServerModel.THREADS ? StateMode.LOCKED : StateMode.CONCURRENT;
            try (BlockingRespProtocol protocol =
                         new BlockingRespProtocol(config, mode, RespLimits.REDIS_DEFAULTS, null);
                 ThreadedServer server = ThreadedServer.start(config, protocol)) {
                assertScriptPasses(SCRIPT, server.port(), List.of(setting), model.label() + " " + mode);
            }
        }
    }

    @Test
    void redisPy8AuthenticatesThroughHelloAndAuthAndRaisesRedisErrors() throws Exception {
        assumeTrue(pythonPath != null, "redis-py 8 not found: neither " + WHEELS + "/redis-8*.whl nor an installed"
                + " redis>=8 for " + PYTHON);
        try (RedisServer reference = RedisServer.start()) {
            try (RawResp admin = new RawResp(reference.port())) {
                assertEquals("+OK", admin.call("CONFIG", "SET", "requirepass", PASSWORD));
            }
            assertScriptPasses(AUTH_SCRIPT, reference.port(), List.of(PASSWORD), "redis-server with requirepass");
        }
        for (StateMode mode : StateMode.values()) {
            try (RespTestServer server = RespTestServer.start(mode, 2, PASSWORD)) {
                assertScriptPasses(AUTH_SCRIPT, server.port(), List.of(PASSWORD), mode + " on 2 shards");
            }
        }
    }

    private static void assertScriptPasses(Path script, int port, List<String> arguments, String where)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), Integer.toString(port)));
        command.addAll(arguments);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (!pythonPath.isEmpty()) {
            pb.environment().put("PYTHONPATH", pythonPath);
        }
        Process p = pb.start();
        boolean finished = p.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(finished, where + ": redis-py did not finish: " + out);
        assertEquals(0, p.exitValue(), where + ", " + arguments + ":\n" + out);
        assertEquals("ok", out.strip(), where + ", " + arguments);
    }

    /** The redis-8*.whl files, newest version first. */
    private static List<Path> wheels() throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(WHEELS)) {
            return found;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(WHEELS, "redis-8*.whl")) {
            dir.forEach(found::add);
        }
        found.sort(Comparator.comparing(RedisPy8ClientTest::version).reversed());
        return found;
    }

    /** A wheel's version as a sortable key: "redis-8.10.0-py3..." gives 8, 10, 0 zero-padded. */
    private static String version(Path wheel) {
        String[] parts = wheel.getFileName().toString().split("-")[1].split("\\.");
        StringBuilder key = new StringBuilder();
        for (String part : parts) {
            key.append(String.format("%6s", part.replaceAll("\\D", "")));
        }
        return key.toString();
    }

    private static boolean importsRedis8(String path) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(PYTHON, "-c",
                "import redis, sys; sys.exit(0 if int(redis.__version__.split('.')[0]) >= 8 else 1)")
                .redirectErrorStream(true);
        if (!path.isEmpty()) {
            pb.environment().put("PYTHONPATH", path);
        }
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
