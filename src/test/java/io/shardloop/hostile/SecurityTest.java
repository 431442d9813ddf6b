package io.shardloop.hostile;

import io.shardloop.cli.Main;
import io.shardloop.http.HttpConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a stranger on the network can reach: loopback by default, nothing before AUTH when a password is set. */
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
