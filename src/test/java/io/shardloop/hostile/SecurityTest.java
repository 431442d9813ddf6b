package io.shardloop.hostile;

import io.shardloop.baseline.BlockingRespProtocol;
import io.shardloop.baseline.ServerModel;
import io.shardloop.baseline.ThreadedConfig;
import io.shardloop.baseline.ThreadedServer;
import io.shardloop.cli.Main;
import io.shardloop.http.HttpConfig;
import io.shardloop.http.HttpProtocol;
import io.shardloop.kv.KvGroup;
import io.shardloop.kv.StateMode;
import io.shardloop.resp.ConnectionCommands;
import io.shardloop.resp.RespConfig;
import io.shardloop.resp.RespProtocol;
import io.shardloop.resp.codec.RespLimits;
import io.shardloop.runtime.net.ProtectedMode;
import io.shardloop.runtime.shard.Endpoint;
import io.shardloop.runtime.shard.ShardGroup;
import io.shardloop.testing.OutsideAddress;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a stranger on the network can reach: loopback by default, nothing before AUTH when a password
 * is set, and in protected mode (the default) nothing at all from another host without a password.
 */
class SecurityTest {
    private static final String NOAUTH = "-NOAUTH Authentication required.";

    @Test
    void shouldListenOnLoopbackUnlessToldOtherwise() {
        CommandLine.Model.CommandSpec spec = Main.commandLine().getSubcommands().get("serve").getCommandSpec();
        assertEquals("127.0.0.1", spec.findOption("--bind").defaultValue());
    }

    @Test
    void shouldRefuseEveryCommandBeforeAuth() throws Exception {
        try (HostileServer server = HostileServer.start(HostileServer.config().build(), HttpConfig.defaults(null), "s3cret");
             RespClient c = new RespClient(server.respPort())) {
            for (String[] command : new String[][] {{"GET", "k"}, {"SET", "k", "v"}, {"KEYS", "*"}, {"FLUSHDB"},
                {"CONFIG", "GET", "*"}, {"INFO"}, {"DEBUG", "SLEEP", "5"}, {"MSET", "a", "1", "b", "2"}, {"PING"}}) {
                assertEquals(NOAUTH, c.call(command), String.join(" ", command));
            }
            assertTrue(c.call("AUTH", "wrong").startsWith("-WRONGPASS"));
            assertEquals(NOAUTH, c.call("GET", "k"), "a wrong password opens nothing");
            assertEquals("+OK", c.call("AUTH", "s3cret"));
            assertEquals(null, c.call("GET", "k"), "nothing was written before AUTH");
            assertEquals("+OK", c.call("SET", "k", "v"));
        }
    }

    @Test
    void shouldRefuseAPipelineThatGuessesBeforeItsAuthIsAnswered() throws Exception {
        try (HostileServer server = HostileServer.start(HostileServer.config().build(), HttpConfig.defaults(null), "s3cret");
             Socket s = new Socket("127.0.0.1", server.respPort());
             RespClient check = new RespClient(server.respPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(concat(RespClient.encode("AUTH", "guess"), RespClient.encode("SET", "owned", "1"),
                    RespClient.encode("INLINE-NOISE"), "SET owned 2\r\n".getBytes(StandardCharsets.US_ASCII)));
            String replies = readSome(s.getInputStream(), 4);
            assertTrue(replies.startsWith("-WRONGPASS"), replies);
            assertEquals(3, replies.split("\r\n").length - 1, replies);
            assertTrue(replies.contains(NOAUTH), replies);
            assertEquals("+OK", check.call("AUTH", "s3cret"));
            assertEquals(null, check.call("GET", "owned"));
        }
    }

    @Test
    void shouldKeepKvBehindThePasswordAndLeaveMetricsOpen() throws Exception {
        try (HostileServer server = HostileServer.start(HostileServer.config().build(), HttpConfig.defaults(null), "s3cret");
             HttpClient client = new HttpClient(server.httpPort());
             RespClient redis = new RespClient(server.respPort())) {
            HttpClient.Response refused = client.request("PUT /kv/secret HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\npwned");
            assertEquals(401, refused.status());
            assertTrue(refused.head().toLowerCase().contains("www-authenticate: basic realm="), refused.head());
            assertEquals(401, client.request(put("secret", "Basic " + base64("default:wrong"))).status());
            assertEquals(401, client.request(put("secret", "Basic " + base64("admin:s3cret"))).status(),
                    "only the default user exists");
            assertEquals(401, client.request(put("secret", "Bearer wrong")).status());
            assertEquals("+OK", redis.call("AUTH", "s3cret"));
            assertEquals(null, redis.call("GET", "secret"), "nothing was written without the password");
            assertEquals(204, client.request(put("secret", "Basic " + base64("default:s3cret"))).status());
            assertEquals("hello", redis.call("GET", "secret"));
            HttpClient.Response read = client.request("GET /kv/secret HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer s3cret\r\n\r\n");
            assertEquals(200, read.status());
            assertEquals("hello", read.body());
            assertEquals(200, client.request("GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n").status(),
                    "metrics stay open");
        }
    }

    @Test
    void shouldDenyClientsFromOtherHostsInProtectedModeWithoutAPassword() throws Exception {
        KvGroup kv = new KvGroup(StateMode.SHARDED, 2);
        try (ShardGroup group = ShardGroup.start(HostileServer.config().build(), List.of(
                Endpoint.of("127.0.0.1", 0, new RespProtocol(kv)), Endpoint.of("127.0.0.1", 0, new HttpProtocol(HttpConfig.defaults(null), kv))));
             RespClient local = new RespClient(group.port(0))) {
            try (RespClient outside = new RespClient(OutsideAddress.connect(group.port(0)))) {
                outside.send(RespClient.encode("SET", "owned", "1"));
                assertEquals(new String(ConnectionCommands.DENIED, StandardCharsets.US_ASCII), outside.readToEnd(),
                        "Redis's DENIED line, then the connection closes");
            }
            assertEquals("+PONG", local.call("PING"), "loopback clients are served");
            assertEquals(null, local.call("GET", "owned"), "nothing the refused client sent ran");
            String info = local.call("INFO");
            assertTrue(info.contains("rejected_connections:1\r\n"), info);
            assertTrue(info.contains("connected_clients:1\r\n"), "the refused client was never a client: " + info);
            try (HttpClient outside = new HttpClient(OutsideAddress.connect(group.port(1)))) {
                HttpClient.Response refused = outside.request("PUT /kv/owned HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx");
                assertEquals(403, refused.status());
                assertEquals(ProtectedMode.EXPLANATION + "\n", refused.body());
                assertEquals(200, outside.get("/plaintext").status(), "protected mode guards /kv only");
            }
            assertEquals(null, local.call("GET", "owned"));
        }
    }

    @Test
    void shouldLetClientsFromOtherHostsInWithAPasswordOrWithProtectedModeOff() throws Exception {
        try (HostileServer server = HostileServer.start(HostileServer.config().build(), HttpConfig.defaults(null), "s3cret");
             RespClient outside = new RespClient(OutsideAddress.connect(server.respPort()))) {
            assertEquals(NOAUTH, outside.call("PING"), "a password guards instead: the client is let in, to AUTH");
            assertEquals("+OK", outside.call("AUTH", "s3cret"));
            assertEquals("+PONG", outside.call("PING"));
        }
        KvGroup kv = new KvGroup(StateMode.SHARDED, 2);
        RespProtocol resp = new RespProtocol(kv, RespConfig.defaults().withProtectedMode(false));
        HttpProtocol http = new HttpProtocol(HttpConfig.defaults(null).withProtectedMode(false), kv);
        try (ShardGroup group = ShardGroup.start(HostileServer.config().build(),
                List.of(Endpoint.of("127.0.0.1", 0, resp), Endpoint.of("127.0.0.1", 0, http)));
             RespClient outside = new RespClient(OutsideAddress.connect(group.port(0)));
             HttpClient outsideHttp = new HttpClient(OutsideAddress.connect(group.port(1)))) {
            assertEquals("+PONG", outside.call("PING"), "--protected-mode no");
            assertEquals(204, outsideHttp.request("PUT /kv/k HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx").status());
            assertEquals("x", outside.call("GET", "k"));
        }
    }

    @Test
    void shouldDenyClientsFromOtherHostsOnAThreadPerConnectionServerToo() throws Exception {
        ThreadedConfig config = ThreadedConfig.defaults(ServerModel.VIRTUAL, "127.0.0.1", 0);
        try (ThreadedServer server = ThreadedServer.start(config,
                new BlockingRespProtocol(config, StateMode.CONCURRENT, RespConfig.defaults()))) {
            try (RespClient outside = new RespClient(OutsideAddress.connect(server.port()))) {
                assertEquals(new String(ConnectionCommands.DENIED, StandardCharsets.US_ASCII), outside.readToEnd());
            }
            try (RespClient local = new RespClient(server.port())) {
                assertTrue(local.call("INFO", "stats").contains("rejected_connections:1\r\n"));
            }
        }
        try (ThreadedServer server = ThreadedServer.start(config,
                new BlockingRespProtocol(config, StateMode.CONCURRENT, RespConfig.defaults().withProtectedMode(false)));
             RespClient outside = new RespClient(OutsideAddress.connect(server.port()))) {
            assertEquals("+PONG", outside.call("PING"));
        }
    }

    private static String put(String key, String authorization) {
        return "PUT /kv/" + key + " HTTP/1.1\r\nHost: h\r\nAuthorization: " + authorization
                + "\r\nContent-Length: 5\r\n\r\nhello";
    }

    private static String base64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String readSome(InputStream in, int lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        int seen = 0;
        int c;
        while (seen < lines && (c = in.read()) >= 0) {
            sb.append((char) c);
            if (c == '\n') {
                seen++;
            }
        }
        return sb.toString();
    }
}
