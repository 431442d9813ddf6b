package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The set of key locks one command or transaction of the {@code concurrent} mode needs: keys are
 * hashed to {@link #COUNT} stripes, and the stripes are taken in ascending order, so two commands
 * never wait for each other in a cycle. Reused by its thread command after command.
 * <p>
 * Not thread-safe: one per thread.
 */
final class KeyStripes {
    static final int COUNT = 256;

    private final long[] bits = new long[COUNT / 64];
    private final Key probe = Key.probe();

    static int of(int keyHash) {
        return (keyHash ^ (keyHash >>> 16)) & (COUNT - 1);
    }

    void clear() {
        Arrays.fill(bits, 0);
    }

    void add(int keyHash) {
        int s = of(keyHash);
        bits[s >>> 6] |= 1L << s;
    }

    /** The stripes of the keys the command names; every stripe for a command over every key. */
    void addKeysOf(Command c, CommandArgs args) {
        if (c.route() == Command.Route.ALL_SHARDS) {
            Arrays.fill(bits, -1L);
            return;
        }
        int keys = c.keyCount(args);
        for (int n = 0; n < keys; n++) {
            int i = c.keyIndex(args, n);
            add(probe.view(args.array(), args.offset(i), args.length(i)).hashCode());
        }
    }

    void lock(ReentrantLock[] locks) {
        for (int w = 0; w < bits.length; w++) {
            for (long b = bits[w]; b != 0; b &= b - 1) {
                locks[w * 64 + Long.numberOfTrailingZeros(b)].lock();
            }
        }
    }

    void unlock(ReentrantLock[] locks) {
        for (int w = bits.length - 1; w >= 0; w--) {
            for (long b = bits[w]; b != 0; b &= b - 1) {
                locks[w * 64 + Long.numberOfTrailingZeros(b)].unlock();
            }
        }
    }
}
