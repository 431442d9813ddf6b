package io.shardloop.hostile;

import io.shardloop.cli.Main;
import io.shardloop.http.HttpConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

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
