package io.shardloop.resp.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The arguments of one command, as a reusable view over one byte array: argument {@code i} is
 * {@code length(i)} bytes at {@code offset(i)} of {@link #array()}. Filling it again reuses the
 * arrays, so a parsed command costs no allocation; only what a stored value needs is copied out
 * ({@link #copy(int)}).
 * <p>
 * Not thread-safe: owned by the parser (or decoder) that fills it, and valid until its next fill.
 */
public final class CommandArgs {
    private static final int SHRINK_ABOVE = 1024 * 1024;
    private static final int INITIAL = 256;

    private byte[] data = new byte[INITIAL];
    private int used;
    private int[] offsets = new int[8];
    private int[] lengths = new int[8];
    private int count;
    /** The numbered database the command addresses (SELECT): 0 until the connection sets it. */
    private int db;

    /** Forgets every argument (and the database, back to 0); a large arena left by a huge value is given back to the collector. */
    public void clear() {
        count = 0;
        db = 0;
        used = 0;
        if (data.length > SHRINK_ABOVE) {
            data = new byte[INITIAL];
        }
        if (offsets.length > 1024) {
            offsets = new int[8];
            lengths = new int[8];
        }
    }

    public int count() {
        return count;
    }

    /** The numbered database this command runs on (SELECT's index); a store picks its keyspace by it. */
    public int db() {
        return db;
    }

    public CommandArgs db(int index) {
        db = index;
        return this;
    }

    /** Bytes of memory this view holds for argument data (its arena's capacity). */
    public long bytesHeld() {
        return data.length;
    }

    public byte[] array() {
        return data;
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    /** A fresh copy of argument {@code i}: what a stored value or key keeps. */
    public byte[] copy(int i) {
        return Arrays.copyOfRange(data, offsets[i], offsets[i] + lengths[i]);
    }

    /** Argument {@code i} as text (ISO-8859-1, byte for byte): for error messages, not hot paths. */
    public String string(int i) {
        return new String(data, offsets[i], lengths[i], StandardCharsets.ISO_8859_1);
    }

    /** Whether argument {@code i} equals the ASCII word, ignoring case. */
    public boolean is(int i, String word) {
        int n = lengths[i];
        if (n != word.length()) {
            return false;
        }
        int at = offsets[i];
        for (int j = 0; j < n; j++) {
            if (toLower(data[at + j]) != toLower((byte) word.charAt(j))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses argument {@code i} as Redis's string2ll does (no sign but '-', no leading zeros,
     * no spaces, fits a long).
     *
     * @return the value, or {@code fallback} when the argument is not such an integer.
     */
    public long parseLong(int i, long fallback) {
        return Numbers.parseLong(data, offsets[i], lengths[i], fallback);
    }

    /** Whether {@link #parseLong(int, long)} would succeed. */
    public boolean isLong(int i) {
        return Numbers.isLong(data, offsets[i], lengths[i]);
    }

    // ---- filling ----

    /** Starts a new argument of {@code length} bytes and returns the offset to write it at. */
    public int beginArgument(int length) {
        ensureSlots(count + 1);
        ensureData(used + length);
        int at = used;
        offsets[count] = at;
        lengths[count] = length;
        count++;
        used += length;
        return at;
    }

    /**
     * Starts an argument whose bytes arrive over time: room grows as they come ({@link #reserve}),
     * so a declared-but-unsent size allocates nothing up front.
     */
    public void beginGrowingArgument() {
        ensureSlots(count + 1);
        offsets[count] = used;
        lengths[count] = 0;
        count++;
    }

    /** Makes room for {@code more} bytes at the end of the last argument; returns where they go. */
    public int reserve(int more) {
        ensureData(used + more);
        return used;
    }

    /** Records that {@code n} bytes were written at the end of the last argument. */
    public void appendCommitted(int n) {
        used += n;
        lengths[count - 1] += n;
    }

    /** Adds a whole argument. */
    public CommandArgs add(byte[] src, int off, int len) {
        int at = beginArgument(len);
        System.arraycopy(src, off, data, at, len);
        return this;
    }

    public CommandArgs add(byte[] src) {
        return add(src, 0, src.length);
    }

    public CommandArgs add(String ascii) {
        return add(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Fills this view with arguments from another (positions in order), for a sub-command. */
    public void addFrom(CommandArgs other, int i) {
        add(other.data, other.offsets[i], other.lengths[i]);
    }

    /** Builds arguments from strings: for tests and tools. */
    public static CommandArgs of(String... words) {
        CommandArgs a = new CommandArgs();
        for (String w : words) {
            a.add(w);
        }
        return a;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append(string(i));
        }
        return sb.append(']').toString();
    }

    static int toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    private void ensureSlots(int n) {
        if (n > offsets.length) {
            int cap = Math.max(n, offsets.length * 2);
            offsets = Arrays.copyOf(offsets, cap);
            lengths = Arrays.copyOf(lengths, cap);
        }
    }

    private void ensureData(int n) {
        if (n > data.length) {
            long cap = Math.max(n, (long) data.length * 2);
            data = Arrays.copyOf(data, (int) Math.min(cap, Integer.MAX_VALUE - 16));
        }
    }
}
