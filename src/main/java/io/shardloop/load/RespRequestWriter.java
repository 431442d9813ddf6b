package io.shardloop.load;

import io.shardloop.runtime.net.OutboundBuffer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The RESP workloads ({@link LoadConfig.Workload}) as RESP arrays. Every key has the same length (a
 * four-byte prefix and ten digits), so each request is precomputed pieces and the keys' digits:
 * nothing is encoded or allocated per request. Keys that are SET (and MSET, GET, MGET) are
 * {@code key:...}, keys that are INCRed are {@code ctr:...}, so an INCR never meets a value it
 * cannot count up.
 * <ul>
 *   <li>getset: {@code SET key v} or {@code GET key}, in the SET:GET ratio;</li>
 *   <li>multi: {@code MULTI}, then {@code SET key:a v}, {@code INCR ctr:b}, ... over K keys, then
 *       {@code EXEC}: one request, pipelined whole;</li>
 *   <li>eval: {@code EVALSHA} of {@link #SCRIPT} over K keys (SCRIPT LOAD first, on each
 *       connection; EVAL of the script where the server refused that);</li>
 *   <li>mset: {@code MSET} of K keys or {@code MGET} of K keys, in the SET:GET ratio.</li>
 * </ul>
 * One instance per load loop, on its thread (the random source and the digit scratch are its own).
 */
public final class RespRequestWriter implements RequestWriter {
    /** Digits of every key after its prefix. */
    public static final int KEY_DIGITS = 10;
    /** The eval workload's script: SET and INCR its keys in turn, as the multi workload does; returns #KEYS. */
    public static final String SCRIPT = "for i=1,#KEYS do if i%2==1 then redis.call('SET',KEYS[i],ARGV[1]) "
            + "else redis.call('INCR',KEYS[i]) end end return #KEYS";
    private static final int MAX_LINE_BYTES = 64 * 1024;
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] MULTI = ascii("*1\r\n$5\r\nMULTI\r\n");
    private static final byte[] EXEC = ascii("*1\r\n$4\r\nEXEC\r\n");
    private static final byte[] SET = ascii("*3\r\n$3\r\nSET\r\n");
    private static final byte[] GET = ascii("*2\r\n$3\r\nGET\r\n");
    private static final byte[] INCR = ascii("*2\r\n$4\r\nINCR\r\n");

    /** {@code $14} and the prefix of a key that is SET or read. */
    private final byte[] stringKey = ascii("$" + (4 + KEY_DIGITS) + "\r\nkey:");
    /** {@code $14} and the prefix of a key that is INCRed. */
    private final byte[] counterKey = ascii("$" + (4 + KEY_DIGITS) + "\r\nctr:");
    /** The value as a bulk string, CR LF included. */
    private final byte[] value;
    private final byte[] scriptLoad;
    private final byte[] evalShaHead;
    private final byte[] evalHead;
    private final byte[] msetHead;
    private final byte[] mgetHead;
    private final byte[] digits = new byte[KEY_DIGITS];
    private final LoadConfig.Workload workload;
    private final int keysPerOperation;
    private final int setRatio;
    private final int cycle;
    private final KeyChooser keys;
    private final SplittableRandom random;
    private final int valueSize;

    public RespRequestWriter(LoadConfig.RespSettings settings, long seed) {
        byte[] head = ascii("$" + settings.valueSize() + "\r\n");
        this.value = Arrays.copyOf(head, head.length + settings.valueSize() + 2);
        Arrays.fill(value, head.length, head.length + settings.valueSize(), (byte) 'x');
        value[value.length - 2] = '\r';
        value[value.length - 1] = '\n';
        this.workload = settings.workload();
        this.keysPerOperation = settings.keysPerTransaction();
        int k = keysPerOperation;
        String numKeys = Integer.toString(k);
        String sha = sha1Hex(SCRIPT);
        this.scriptLoad = ascii("*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n" + bulk(SCRIPT));
        this.evalShaHead = ascii("*" + (4 + k) + "\r\n$7\r\nEVALSHA\r\n" + bulk(sha) + bulk(numKeys));
        this.evalHead = ascii("*" + (4 + k) + "\r\n$4\r\nEVAL\r\n" + bulk(SCRIPT) + bulk(numKeys));
        this.msetHead = ascii("*" + (1 + 2 * k) + "\r\n$4\r\nMSET\r\n");
        this.mgetHead = ascii("*" + (1 + k) + "\r\n$4\r\nMGET\r\n");
        this.setRatio = settings.setRatio();
        this.cycle = settings.setRatio() + settings.getRatio();
        this.random = new SplittableRandom(seed);
        this.keys = KeyChooser.of(settings.distribution(), settings.keys(), random);
        this.valueSize = settings.valueSize();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    static String sha1Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    @Override
    public int write(OutboundBuffer out) {
        return write(out, evalShaHead);
    }

    @Override
    public int writeFull(OutboundBuffer out) {
        return write(out, evalHead);
    }

    @Override
    public int writeSetup(OutboundBuffer out) {
        if (workload != LoadConfig.Workload.EVAL) {
            return NO_SETUP;
        }
        out.writeBytes(scriptLoad);
        return EXPECT_BULK_OR_NULL;
    }

    private int write(OutboundBuffer out, byte[] evalForm) {
        switch (workload) {
            case GETSET -> {
                boolean set = random.nextInt(cycle) < setRatio;
                out.writeBytes(set ? SET : GET);
                writeKey(out, stringKey);
                if (set) {
                    out.writeBytes(value);
                }
                return set ? EXPECT_SIMPLE : EXPECT_BULK_OR_NULL;
            }
            case MULTI -> {
                out.writeBytes(MULTI);
                for (int i = 0; i < keysPerOperation; i++) {
                    boolean set = i % 2 == 0;
                    out.writeBytes(set ? SET : INCR);
                    writeKey(out, set ? stringKey : counterKey);
                    if (set) {
                        out.writeBytes(value);
                    }
                }
                out.writeBytes(EXEC);
                return EXPECT_TRANSACTION;
            }
            case EVAL -> {
                out.writeBytes(evalForm);
                for (int i = 0; i < keysPerOperation; i++) {
                    writeKey(out, i % 2 == 0 ? stringKey : counterKey);
                }
                out.writeBytes(value);
                return EXPECT_INTEGER;
            }
            case MSET -> {
                boolean set = random.nextInt(cycle) < setRatio;
                out.writeBytes(set ? msetHead : mgetHead);
                for (int i = 0; i < keysPerOperation; i++) {
                    writeKey(out, stringKey);
                    if (set) {
                        out.writeBytes(value);
                    }
                }
                return set ? EXPECT_SIMPLE : EXPECT_ARRAY;
            }
            default -> throw new IllegalStateException("no writer for " + workload);
        }
    }

    /** A key as a bulk string: its length and prefix, the next key's digits, CR LF. */
    private void writeKey(OutboundBuffer out, byte[] lengthAndPrefix) {
        long key = keys.next();
        for (int i = KEY_DIGITS - 1; i >= 0; i--) {
            digits[i] = (byte) ('0' + key % 10);
            key /= 10;
        }
        out.writeBytes(lengthAndPrefix);
        out.writeBytes(digits);
        out.writeBytes(CRLF);
    }

    @Override
    public ResponseParser newParser() {
        return new RespReplyParser(MAX_LINE_BYTES, Math.max(512L << 20, valueSize), keysPerOperation);
    }

    @Override
    public int maxResponseBytes() {
        // Past RESUME_AFTER_BYTES the parser consumes a reply as it arrives: one value's worth is held at most.
        return Math.max(1 << 20, 2 * valueSize + 1024);
    }
}
