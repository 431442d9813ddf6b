package io.shardloop.kv;

/**
 * Key to hash slot exactly as Redis Cluster does, and slot to owner shard.
 * <ul>
 *   <li>slot = CRC16/XMODEM(key) mod 16384; when the key holds a hash tag (the first '{', then
 *       the first '}' after it, with at least one byte between), only the tag is hashed, so
 *       "{user1000}.following" and "{user1000}.followers" share a slot.</li>
 *   <li>owner = slot * shards / 16384: contiguous, equal ranges of slots per shard, the same split
 *       Redis Cluster's tools make across nodes, so a later scale-out maps shard ranges to nodes.</li>
 * </ul>
 * Stateless; callable from any thread.
 */
public final class Slots {
    public static final int SLOT_COUNT = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int b = 0; b < 8; b++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private Slots() {
    }

    /** CRC16/XMODEM (polynomial 0x1021, initial 0): the checksum Redis Cluster uses. */
    public static int crc16(byte[] b, int off, int len) {
        int crc = 0;
        for (int i = off, end = off + len; i < end; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ b[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    public static int slot(byte[] key, int off, int len) {
        int end = off + len;
        int open = -1;
        for (int i = off; i < end; i++) {
            if (key[i] == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int i = open + 1; i < end; i++) {
                if (key[i] == '}') {
                    if (i > open + 1) {
                        return crc16(key, open + 1, i - open - 1) & (SLOT_COUNT - 1);
                    }
                    break;
                }
            }
        }
        return crc16(key, off, len) & (SLOT_COUNT - 1);
    }

    public static int slot(byte[] key) {
        return slot(key, 0, key.length);
    }

    /** The shard owning a slot when there are {@code shards} shards. */
    public static int owner(int slot, int shards) {
        return (int) ((long) slot * shards / SLOT_COUNT);
    }

    /** The shard owning a key. */
    public static int ownerOf(byte[] key, int off, int len, int shards) {
        return shards == 1 ? 0 : owner(slot(key, off, len), shards);
    }
}
