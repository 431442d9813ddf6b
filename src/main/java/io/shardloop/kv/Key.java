package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A byte-string key (or hash field, or set member) with content equality. Two forms:
 * <ul>
 *   <li>owned: its own copy of the bytes, safe to store in a map ({@link #copyOf});</li>
 *   <li>a probe: a reusable view over someone else's bytes ({@link #probe()} then
 *       {@link #view}), used to look up without allocating and never stored: a map that inserts
 *       a probe stores {@link #owned()} instead.</li>
 * </ul>
 * A probe is owned by one thread (its store's shard, or the command running in it).
 */
public final class Key implements Comparable<Key> {
    private byte[] bytes;
    private int offset;
    private int length;
    private int hash;
    private final boolean owned;

    private Key(byte[] bytes, int offset, int length, boolean owned) {
        this.owned = owned;
        view(bytes, offset, length);
    }

    public static Key copyOf(byte[] src, int offset, int length) {
        return new Key(Arrays.copyOfRange(src, offset, offset + length), 0, length, true);
    }

    /** An owned copy of argument {@code i}: how a command that holds several keys at once names them. */
    static Key copyOf(CommandArgs a, int i) {
        return copyOf(a.array(), a.offset(i), a.length(i));
    }

    public static Key of(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new Key(b, 0, b.length, true);
    }

    /** Wraps an array the caller gives up (no copy). */
    public static Key wrap(byte[] owned) {
        return new Key(owned, 0, owned.length, true);
    }

    public static Key probe() {
        return new Key(new byte[0], 0, 0, false);
    }

    /** Points this probe at other bytes. */
    public Key view(byte[] src, int off, int len) {
        if (owned && this.bytes != null) {
            throw new IllegalStateException("an owned key is immutable");
        }
        this.bytes = src;
        this.offset = off;
        this.length = len;
        int h = 1;
        for (int i = off, end = off + len; i < end; i++) {
            h = 31 * h + src[i];
        }
        this.hash = h;
        return this;
    }

    /** This key if owned, else an owned copy: what a map may keep. */
    public Key owned() {
        return owned ? this : copyOf(bytes, offset, length);
    }

    public byte[] array() {
        return bytes;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** The key's bytes as a new array. */
    public byte[] toBytes() {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Key k) || k.hash != hash || k.length != length) {
            return false;
        }
        return Arrays.equals(bytes, offset, offset + length, k.bytes, k.offset, k.offset + length);
    }

    @Override
    public int compareTo(Key o) {
        return Arrays.compareUnsigned(bytes, offset, offset + length, o.bytes, o.offset, o.offset + o.length);
    }

    @Override
    public String toString() {
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }
}
