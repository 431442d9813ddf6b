package io.shardloop.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class SlotsTest {
    private static int slot(String k) {
        return Slots.slot(k.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldComputeCrc16XmodemAsTheClusterSpec() {
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x31C3, Slots.crc16(b, 0, b.length));
    }

    @Test
    void shouldMapKeysToRedisClusterSlots() {
        assertEquals(12182, slot("foo"));
        assertEquals(5061, slot("bar"));
        assertEquals(slot("{user1000}.following"), slot("{user1000}.followers"));
        assertEquals(slot("user1000"), slot("{user1000}.following"));
    }

    @Test
    void shouldHashTheWholeKeyWhenTheTagIsEmptyOrOpen() {
        assertEquals(Slots.crc16("{}foo".getBytes(), 0, 5) & 16383, slot("{}foo"));
        assertEquals(Slots.crc16("foo{".getBytes(), 0, 4) & 16383, slot("foo{"));
        assertEquals(slot("a"), slot("{a}{b}"));
        assertNotEquals(slot("{}a"), slot("{}b"));
    }

    @Test
    void shouldSpreadSlotsOverShardsInContiguousRanges() {
        assertEquals(0, Slots.owner(0, 4));
        assertEquals(0, Slots.owner(4095, 4));
        assertEquals(1, Slots.owner(4096, 4));
        assertEquals(3, Slots.owner(16383, 4));
        assertEquals(0, Slots.owner(16383, 1));
        assertEquals(2, Slots.owner(16383, 3));
    }

    @Test
    void shouldMatchGlobsLikeRedis() {
        assertEquals(true, glob("*", "anything"));
        assertEquals(true, glob("h?llo", "hello"));
        assertEquals(true, glob("h*llo", "heeeello"));
        assertEquals(true, glob("h[ae]llo", "hallo"));
        assertEquals(false, glob("h[ae]llo", "hillo"));
        assertEquals(true, glob("h[^e]llo", "hallo"));
        assertEquals(false, glob("h[^e]llo", "hello"));
        assertEquals(true, glob("h[a-b]llo", "hbllo"));
        assertEquals(true, glob("h\\*llo", "h*llo"));
        assertEquals(false, glob("h\\*llo", "hello"));
        assertEquals(true, glob("user:*:name", "user:42:name"));
        assertEquals(false, glob("a*b", "acd"));
        assertEquals(true, glob("", ""));
    }

    private static boolean glob(String p, String s) {
        byte[] pb = p.getBytes();
        byte[] sb = s.getBytes();
        return Glob.matches(pb, 0, pb.length, sb, 0, sb.length);
    }
}
