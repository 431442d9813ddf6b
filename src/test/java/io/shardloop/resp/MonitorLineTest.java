package io.shardloop.resp;

import io.shardloop.kv.MonitorLine;

import io.shardloop.kv.CommandTable;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MONITOR's line as Redis 7.0 writes it, and the soft and hard parts of the pub/sub output limit. */
class MonitorLineTest {
    private static String line(String... words) {
        CommandArgs a = CommandArgs.of(words);
        return new String(MonitorLine.format(1_339_518_083_107_412L, 0, new InetSocketAddress("127.0.0.1", 60866),
                CommandTable.find(a), a), StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldQuoteArgumentsAsSdscatreprAndRedactCredentials() {
        assertEquals("+1339518083.107412 [0 127.0.0.1:60866] \"keys\" \"*\"\r\n", line("keys", "*"));
        assertEquals("+1339518083.107412 [0 127.0.0.1:60866] \"SET\" \"a\\\"b\\\\\" \"x\\n\\r\\t\\x01\\xff\"\r\n",
                line("SET", "a\"b\\", "x\n\r\t\u0001\u00ff"));
        assertEquals("+1339518083.107412 [0 127.0.0.1:60866] \"AUTH\" \"(redacted)\" \"(redacted)\"\r\n",
                line("AUTH", "default", "secret"));
        assertEquals("+1339518083.107412 [0 127.0.0.1:60866] \"HELLO\" \"3\" \"AUTH\" \"(redacted)\" \"(redacted)\" "
                + "\"SETNAME\" \"n\"\r\n", line("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "n"));
    }

    @Test
    void shouldKeepAdminAndScriptCommandsFromMonitors() {
        assertFalse(MonitorLine.fed(CommandTable.find(CommandArgs.of("CONFIG", "GET", "x"))));
        assertFalse(MonitorLine.fed(CommandTable.find(CommandArgs.of("MONITOR"))));
        assertFalse(MonitorLine.fed(CommandTable.find(CommandArgs.of("EVAL", "return 1", "0"))));
        assertTrue(MonitorLine.fed(CommandTable.find(CommandArgs.of("GET", "k"))));
    }

    @Test
    void shouldCloseAtTheHardLimitAtOnceAndOverTheSoftOnlyOnceItsTimeHasPassed() {
        PubSubLimit.Watch hard = new PubSubLimit(100, 0, 0).watch();
        assertFalse(hard.exceeded(99));
        assertTrue(hard.exceeded(100));
        PubSubLimit.Watch soft = new PubSubLimit(0, 10, 3600).watch();
        assertFalse(soft.exceeded(1_000_000), "over the soft limit: its clock starts");
        assertFalse(soft.exceeded(1_000_000), "not for an hour");
        assertFalse(soft.exceeded(5), "back under it: the clock stops");
        PubSubLimit.Watch none = new PubSubLimit(0, 10, 0).watch();
        none.exceeded(11);
        assertTrue(none.exceeded(11), "a soft limit of no seconds closes on the next message over it");
    }
}
