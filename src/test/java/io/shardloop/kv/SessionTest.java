package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTest {
    private final Session session = new Session(7);
    private int code;

    private String run(String... words) {
        CommandArgs a = CommandArgs.of(words);
        BufferReplyWriter out = new BufferReplyWriter();
        Command c = CommandTable.resolve(a, out);
        if (c != null) {
            code = session.execute(c, a, out);
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
        assertEquals("+OK|", run("CLIENT", "SETINFO", "LIB-NAME", "x"));
        assertEquals("-ERR wrong number of arguments for 'client' command|", run("CLIENT"));
    }

    @Test
    void shouldCloseOnQuitAndLeaveInfoToTheConnection() {
        assertEquals("+OK|", run("QUIT"));
        assertEquals(Session.CLOSE, code);
        assertEquals("", run("INFO"));
        assertEquals(Session.NOT_HANDLED, code);
    }

    @Test
    void shouldSpeakOnlyResp2() {
        assertTrue(run("HELLO").startsWith("*14|$6|server|"));
        assertTrue(run("HELLO", "2").contains("$5|proto|:2|"));
        assertEquals("-NOPROTO unsupported protocol version|", run("HELLO", "3"));
        assertTrue(run("AUTH", "pw").startsWith("-ERR AUTH <password> called without any password configured"));
    }
}
