package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** BITOP over binary strings of different lengths, byte for byte. */
class BitopTest {
    private final Keyspace db = new Keyspace(System::currentTimeMillis);

    private String bitop(String... words) {
        BufferReplyWriter out = new BufferReplyWriter();
        BitCommands.bitop(db, CommandArgs.of(words), out);
        return out.toString().replace("\r\n", "|");
    }

    private void set(String key, int... bytes) {
        byte[] v = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            v[i] = (byte) bytes[i];
        }
        db.put(Key.of(key), v, Db.NO_EXPIRY);
    }

    private byte[] get(String key) {
        return (byte[]) db.get(Key.of(key));
    }

    @Test
    void shouldPadShorterSourcesWithZeros() {
        set("a", 0xff, 0xf0, 0x0f);
        set("b", 0x0f);
        assertEquals(":3|", bitop("BITOP", "AND", "d", "a", "b"));
        assertArrayEquals(new byte[] {0x0f, 0, 0}, get("d"));
        assertEquals(":3|", bitop("BITOP", "OR", "d", "a", "b"));
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xf0, 0x0f}, get("d"));
        assertEquals(":3|", bitop("BITOP", "XOR", "d", "a", "b", "missing"));
        assertArrayEquals(new byte[] {(byte) 0xf0, (byte) 0xf0, 0x0f}, get("d"));
        assertEquals(":3|", bitop("BITOP", "NOT", "d", "a"));
        assertArrayEquals(new byte[] {0, 0x0f, (byte) 0xf0}, get("d"));
    }

    @Test
    void shouldDeleteTheDestinationWhenEverySourceIsEmpty() {
        set("d", 1);
        assertEquals(":0|", bitop("BITOP", "OR", "d", "missing", "other"));
        assertNull(db.get(Key.of("d")));
        assertEquals("-ERR BITOP NOT must be called with a single source key.|",
                bitop("BITOP", "NOT", "d", "a", "b"));
        assertEquals("-ERR syntax error|", bitop("BITOP", "NOR", "d", "a"));
    }
}
