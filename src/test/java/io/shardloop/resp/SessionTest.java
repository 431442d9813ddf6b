package io.shardloop.resp;

import io.shardloop.kv.Command;
import io.shardloop.kv.CommandTable;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What one client's session sees of the connection commands every server model shares. */
class SessionTest {
    private static final String NOAUTH = "-NOAUTH Authentication required.|";
    private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.|";
    private static final String HELLO_NOAUTH = "-NOAUTH HELLO must be called with the client already authenticated, "
            + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and "
            + "select the RESP protocol version at the same time|";

    private final FakeServerView view = new FakeServerView();
    private ConnectionCommands commands = new ConnectionCommands(RespConfig.defaults(), view);
    private Session session = commands.newSession(7);
    /** One writer for the session, as a connection has: HELLO's protocol stays with it. */
    private final BufferReplyWriter writer = new BufferReplyWriter();
    private int code;

    private void withPassword(String password) {
        commands = new ConnectionCommands(RespConfig.defaults().withRequirePass(password), view);
        session = commands.newSession(7);
    }

    /** Runs one command as a connection does: resolve, admit, then the connection commands or "(data)". */
    private String run(String... words) {
        CommandArgs a = CommandArgs.of(words);
        BufferReplyWriter out = writer.reset();
        Command c = CommandTable.resolve(a, out);
        code = ConnectionCommands.CONTINUE;
        if (c != null && !commands.admits(c, session)) {
            out.raw(ConnectionCommands.NOAUTH);
        } else if (c != null) {
            if (c.route() == Command.Route.CONNECTION) {
                code = commands.execute(c, a, session, out);
            } else {
                out.simple("(data)");
            }
        }
        return out.toString().replace("\r\n", "|");
    }

    @Test
    void shouldKeepTheClientName() {
        assertEquals(":7|", run("CLIENT", "ID"));
        assertEquals("$-1|", run("CLIENT", "GETNAME"));
        assertEquals("+OK|", run("CLIENT", "SETNAME", "worker"));
        assertEquals("$6|worker|", run("client", "getname"));
        assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.|",
                run("CLIENT", "SETNAME", "a b"));
        assertEquals("$6|worker|", run("CLIENT", "GETNAME"), "a refused name leaves the old one");
        assertEquals("+OK|", run("CLIENT", "SETNAME", ""));
        assertEquals("$-1|", run("CLIENT", "GETNAME"), "an empty name clears it");
        assertEquals("+OK|", run("CLIENT", "SETINFO", "LIB-NAME", "x"));
        assertEquals("-ERR wrong number of arguments for 'client' command|", run("CLIENT"));
        assertEquals("-ERR wrong number of arguments for 'client|setname' command|", run("CLIENT", "SETNAME"));
        assertEquals("-ERR unknown subcommand 'PAUSE'. Try CLIENT HELP.|", run("CLIENT", "PAUSE", "x"));
        assertEquals("-ERR No such client|", run("CLIENT", "KILL", "x"));
        String help = run("CLIENT", "HELP");
        assertTrue(help.startsWith("*50|+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:|+CACHING (YES|NO)|"), help);
        assertTrue(help.endsWith("|+HELP|+    Prints this help.|"), help);
    }

    @Test
    void shouldCloseOnQuitAndStartOverOnReset() {
        withPassword("pw");
        assertEquals("+OK|", run("AUTH", "pw"));
        run("CLIENT", "SETNAME", "worker");
        assertEquals("+RESET|", run("RESET"));
        assertFalse(session.authenticated(), "RESET returns to the default user, which needs the password");
        assertEquals("", session.name());
        assertEquals(NOAUTH, run("GET", "k"));
        assertEquals("+OK|", run("QUIT"));
        assertEquals(ConnectionCommands.CLOSE, code);
    }

    @Test
    void shouldAdmitOnlyAuthHelloQuitAndResetBeforeAuthentication() {
        withPassword("s3cret");
        for (String[] c : new String[][] {{"GET", "k"}, {"PING"}, {"INFO"}, {"CONFIG", "GET", "*"}, {"CLIENT", "ID"},
            {"DEBUG", "SLEEP", "0"}, {"MEMORY", "USAGE", "k"}, {"COMMAND"}, {"SELECT", "0"}}) {
            assertEquals(NOAUTH, run(c), String.join(" ", c));
        }
        assertTrue(run("NOSUCH").startsWith("-ERR unknown command"), "existence is checked before authentication");
        assertEquals("-ERR wrong number of arguments for 'get' command|", run("GET"), "and arity too");
        assertEquals(WRONGPASS, run("AUTH", "wrong"));
        assertEquals(WRONGPASS, run("AUTH", "someone", "s3cret"), "one user, default");
        assertEquals(WRONGPASS, run("AUTH", "DEFAULT", "s3cret"), "user names are case-sensitive");
        assertEquals("-ERR syntax error|", run("AUTH", "a", "b", "c"));
        assertEquals(NOAUTH, run("GET", "k"));
        assertEquals("+OK|", run("AUTH", "s3cret"));
        assertEquals("+(data)|", run("GET", "k"));
        assertEquals(WRONGPASS, run("AUTH", "wrong"));
        assertEquals("+(data)|", run("GET", "k"), "a failed AUTH leaves an authenticated client authenticated");
        assertEquals("+OK|", run("AUTH", "default", "s3cret"));
    }

    @Test
    void shouldCompareBinaryPasswordsWhole() {
        withPassword("abc\u0000def");
        assertEquals(WRONGPASS, run("AUTH", "abc"));
        assertEquals(WRONGPASS, run("AUTH", "abc\u0000de"));
        assertEquals("+OK|", run("AUTH", "abc\u0000def"));
    }

    @Test
    void shouldAnswerAuthWithoutAPasswordAsRedisDefaultNopassUser() {
        assertTrue(session.authenticated());
        assertEquals("-ERR AUTH <password> called without any password configured for the default user. "
                + "Are you sure your configuration is correct?|", run("AUTH", "pw"));
        assertEquals("+OK|", run("AUTH", "default", "anything"), "the nopass default user takes any password");
        assertEquals(WRONGPASS, run("AUTH", "someone", "x"));
        assertEquals("-ERR syntax error|", run("AUTH", "a", "b", "c"));
    }

    @Test
    void shouldRequireAuthenticationBeforeHelloUnlessItCarriesAuth() {
        withPassword("pw");
        assertEquals(HELLO_NOAUTH, run("HELLO"));
        assertEquals(HELLO_NOAUTH, run("HELLO", "2"));
        assertEquals(HELLO_NOAUTH, run("HELLO", "2", "SETNAME", "early"));
        assertEquals("", session.name(), "no name before authentication");
        assertEquals(WRONGPASS, run("HELLO", "2", "AUTH", "default", "wrong", "SETNAME", "n"));
        assertEquals("", session.name(), "a failed HELLO AUTH applies no SETNAME");
        assertEquals("-NOPROTO unsupported protocol version|", run("HELLO", "4", "AUTH", "default", "pw"),
                "the version is checked first");
        assertFalse(session.authenticated());
        assertEquals(WRONGPASS, run("HELLO", "3", "AUTH", "default", "wrong"));
        assertEquals(2, writer.protocol(), "a refused HELLO 3 switches nothing");
        String hello = run("HELLO", "2", "AUTH", "default", "wrong", "AUTH", "default", "pw", "SETNAME", "w1");
        assertTrue(hello.startsWith("*14|$6|server|$5|redis|$7|version|$5|7.2.0|$5|proto|:2|$2|id|:7|"), hello);
        assertTrue(session.authenticated(), "the last AUTH of a chain counts");
        assertEquals("w1", session.name());
        assertEquals("+(data)|", run("GET", "k"));
        assertTrue(run("HELLO").startsWith("*14|"), "once authenticated HELLO needs nothing");
    }

    @Test
    void shouldSpeakResp3FromHello3sOwnReplyUntilReset() {
        assertEquals(2, writer.protocol());
        String hello = run("HELLO", "3", "SETNAME", "r3");
        assertTrue(hello.startsWith("%7|$6|server|$5|redis|$7|version|$5|7.2.0|$5|proto|:3|$2|id|:7|"), hello);
        assertEquals(3, writer.protocol());
        assertEquals("r3", session.name());
        assertTrue(run("HELLO").startsWith("%7|"), "HELLO without a version keeps RESP3");
        assertTrue(run("HELLO").contains("|proto|:3|"));
        assertEquals("%1|$10|appendonly|$2|no|", run("CONFIG", "GET", "appendonly"));
        assertTrue(run("INFO", "server").startsWith("="), "INFO is a verbatim string in RESP3");
        assertEquals("+RESET|", run("RESET"));
        assertEquals(2, writer.protocol(), "RESET goes back to RESP2");
        assertTrue(run("INFO", "server").startsWith("$"));
        assertTrue(run("HELLO", "2").startsWith("*14|"));
    }

    @Test
    void shouldRejectBadHelloArgumentsWithRedisTexts() {
        assertEquals("-ERR Protocol version is not an integer or out of range|", run("HELLO", "two"));
        assertEquals("-NOPROTO unsupported protocol version|", run("HELLO", "1"));
        assertEquals("-NOPROTO unsupported protocol version|", run("HELLO", "4"));
        assertEquals("-ERR Syntax error in HELLO option 'FOO'|", run("HELLO", "2", "FOO"));
        assertEquals("-ERR Syntax error in HELLO option 'AUTH'|", run("HELLO", "2", "AUTH", "default"));
        assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.|",
                run("HELLO", "2", "SETNAME", "a b"));
        assertTrue(run("HELLO", "2", "SETNAME", "one", "SETNAME", "two").startsWith("*14|"));
        assertEquals("two", session.name(), "the last SETNAME counts");
        assertTrue(run("HELLO", "2", "AUTH", "default", "whatever").startsWith("*14|"), "nopass takes any password");
    }

    @Test
    void shouldAnswerConfigGetWithTheServersRealValues() {
        view.maxClients = 321;
        view.idleSeconds = 30;
        assertEquals("*6|$10|maxclients|$3|321|$9|maxmemory|$1|0|$16|maxmemory-policy|$10|noeviction|",
                run("CONFIG", "GET", "maxclients", "max*"), "a name as given, then the pattern's matches");
        assertEquals("*2|$7|timeout|$2|30|", run("CONFIG", "GET", "timeout"));
        assertEquals("*2|$14|PROTECTED-MODE|$3|yes|", run("CONFIG", "GET", "PROTECTED-MODE"),
                "names match ignoring case, and come back as given, as in Redis");
        assertEquals("*2|$14|protected-mode|$3|yes|", run("CONFIG", "GET", "PROTECTED-*"));
        assertEquals("*6|$9|databases|$1|1|$4|save|$0||$10|appendonly|$2|no|",
                run("CONFIG", "GET", "databases", "save", "appendonly"));
        assertEquals("*62|", run("CONFIG", "GET", "*").substring(0, 4), "every parameter and alias: 31 names");
        assertEquals("*0|", run("CONFIG", "GET", "nothing"));
        commands = new ConnectionCommands(RespConfig.defaults().withProtectedMode(false), view);
        assertEquals("*2|$14|protected-mode|$2|no|", run("CONFIG", "GET", "protected-mode"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - can't set immutable config|",
                run("CONFIG", "SET", "maxmemory", "1"), "a server without a maxmemory to change");
        assertEquals("-ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.|", run("CONFIG", "NOSUCH"));
        assertEquals("-ERR wrong number of arguments for 'config|get' command|", run("CONFIG", "GET"));
        assertTrue(run("CONFIG", "HELP").startsWith("*11|+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:|"
                + "+GET <pattern>|"));
    }

    @Test
    void shouldAnswerInfoFromTheView() {
        String info = run("INFO", "clients");
        assertTrue(info.contains("connected_clients:3|maxclients:500|blocked_clients:0|"), info);
        assertFalse(info.contains("# Server"), info);
    }

    @Test
    void shouldRefuseOnlyClientsFromOtherHostsInProtectedModeWithoutAPassword() {
        InetSocketAddress outside = new InetSocketAddress("192.0.2.10", 4000);
        assertTrue(commands.refuses(outside));
        assertFalse(commands.refuses(new InetSocketAddress("127.0.0.1", 4000)));
        assertFalse(commands.refuses(new InetSocketAddress("127.10.0.1", 4000)), "all of 127.0.0.0/8 is loopback");
        assertFalse(commands.refuses(new InetSocketAddress("::1", 4000)));
        assertTrue(commands.refuses(null), "an unknown peer is not trusted");
        withPassword("pw");
        assertFalse(commands.refuses(outside), "a password protects instead");
        commands = new ConnectionCommands(RespConfig.defaults().withProtectedMode(false), view);
        assertFalse(commands.refuses(outside), "--protected-mode no");
        assertTrue(new String(ConnectionCommands.DENIED, java.nio.charset.StandardCharsets.US_ASCII).startsWith(
                "-DENIED shardloop is running in protected mode because protected mode is enabled and no password is set "
                        + "for the default user. In this mode connections are only accepted from the loopback interface."));
    }
}
