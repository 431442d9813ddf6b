package io.shardloop.load;

import io.shardloop.runtime.net.OutboundBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * GET and SET commands in a fixed ratio over a key space, as RESP arrays. Every key has the same
 * length ({@code key:} and ten digits), so each command is a precomputed prefix, the key's digits
 * and a precomputed suffix: nothing is encoded or allocated per command.
 * <p>
 * One instance per load loop, on its thread (the random source and the digit scratch are its own).
 */
public final class RespRequestWriter implements RequestWriter {
    /** Digits of every key after {@code key:}. */
    public static final int KEY_DIGITS = 10;
    private static final int MAX_LINE_BYTES = 64 * 1024;

    private final byte[] getPrefix;
    private final byte[] getSuffix;
    private final byte[] setPrefix;
    private final byte[] setSuffix;
    private final byte[] digits = new byte[KEY_DIGITS];
    private final int setRatio;
    private final int cycle;
    private final KeyChooser keys;
    private final SplittableRandom random;
    private final int valueSize;

    public RespRequestWriter(LoadConfig.RespSettings settings, long seed) {
        int keyLength = 4 + KEY_DIGITS;
        this.getPrefix = ascii("*2\r\n$3\r\nGET\r\n$" + keyLength + "\r\nkey:");
        this.getSuffix = ascii("\r\n");
        this.setPrefix = ascii("*3\r\n$3\r\nSET\r\n$" + keyLength + "\r\nkey:");
        byte[] head = ascii("\r\n$" + settings.valueSize() + "\r\n");
        this.setSuffix = Arrays.copyOf(head, head.length + settings.valueSize() + 2);
        Arrays.fill(setSuffix, head.length, head.length + settings.valueSize(), (byte) 'x');
        setSuffix[setSuffix.length - 2] = '\r';
        setSuffix[setSuffix.length - 1] = '\n';
        this.setRatio = settings.setRatio();
        this.cycle = settings.setRatio() + settings.getRatio();
        this.random = new SplittableRandom(seed);
        this.keys = KeyChooser.of(settings.distribution(), settings.keys(), random);
        this.valueSize = settings.valueSize();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int write(OutboundBuffer out) {
        boolean set = random.nextInt(cycle) < setRatio;
        long key = keys.next();
        for (int i = KEY_DIGITS - 1; i >= 0; i--) {
            digits[i] = (byte) ('0' + key % 10);
            key /= 10;
        }
        out.writeBytes(set ? setPrefix : getPrefix);
        out.writeBytes(digits);
        out.writeBytes(set ? setSuffix : getSuffix);
        return set ? EXPECT_SIMPLE : EXPECT_BULK_OR_NULL;
    }

    @Override
    public ResponseParser newParser() {
        return new RespReplyParser(MAX_LINE_BYTES, Math.max(512L << 20, valueSize));
    }

    @Override
    public int maxResponseBytes() {
        return Math.max(1 << 20, 2 * valueSize + 1024);
    }
}
