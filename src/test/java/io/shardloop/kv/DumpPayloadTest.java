package io.shardloop.kv;

import io.shardloop.persist.Crc64;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DumpPayloadTest {

    private static long crc(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return Crc64.of(new UnsafeBuffer(b), 0, b.length);
    }

    @Test
    void shouldSumAsRedisCrc64Does() {
        assertEquals(0xe9c6d914c4b8d9caL, crc("123456789"));
        assertEquals(0, crc(""));
    }

    @Test
    void shouldFramePayloadsAsRedis70Does() {
        // redis-server 7.0: SET k hello, DUMP k.
        byte[] redis = {0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0x0a, 0x00,
                0x63, 0x72, (byte) 0xdf, 0x76, 0x65, 0x34, 0x20, 0x0a};
        byte[] ours = DumpPayload.of("hello".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(redis, ours);
        assertTrue(DumpPayload.verify(new UnsafeBuffer(ours), 0, ours.length));
    }

    @Test
    void shouldRefuseANewerVersionOrAWrongChecksum() {
        byte[] payload = DumpPayload.of(new byte[] {1, 2, 3});
        byte[] corrupt = payload.clone();
        corrupt[2] ^= 1;
        assertFalse(DumpPayload.verify(new UnsafeBuffer(corrupt), 0, corrupt.length));
        assertFalse(DumpPayload.verify(new UnsafeBuffer(new byte[9]), 0, 9));
        byte[] newer = payload.clone();
        newer[payload.length - 10] = 11;
        assertFalse(DumpPayload.verify(new UnsafeBuffer(newer), 0, newer.length));
    }
}
