package io.shardloop.kv;

import io.shardloop.persist.Crc64;
import org.agrona.ExpandableArrayBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

import static io.shardloop.kv.RdbFormat.OPCODE_AUX;
import static io.shardloop.kv.RdbFormat.OPCODE_EOF;
import static io.shardloop.kv.RdbFormat.OPCODE_EXPIRETIME_MS;
import static io.shardloop.kv.RdbFormat.OPCODE_FUNCTION2;
import static io.shardloop.kv.RdbFormat.OPCODE_RESIZEDB;
import static io.shardloop.kv.RdbFormat.OPCODE_SELECTDB;

/**
 * Writes an RDB file of Redis 7.0 (version 10), as {@code rdbSaveRio} lays one out, a piece at a
 * time into a buffer that the caller empties as it goes:
 * <pre>
 *   header       "REDIS0010", aux fields               {@link #header}
 *   functions    FUNCTION2 code, per library            {@link #function}
 *   per database SELECTDB db, RESIZEDB keys expires     {@link #selectDb}
 *                [EXPIRETIME_MS t] type key value       {@link #entry}, per key
 *   footer       EOF, CRC-64 of all before (LE)         {@link #finish}
 * </pre>
 * A snapshot is written in slices: a few entries, then, once {@link #pending} is large enough,
 * {@link #take} hands the bytes to whoever writes them to disk (another thread may), or
 * {@link #drainTo} writes them itself. Each byte is encoded once into the buffer and not copied
 * again: {@code take} gives the buffer away and starts a new one. The CRC-64 is carried across.
 * <p>
 * A body (selectDb and entries, no header nor footer) is written by leaving out {@link #header}
 * and {@link #finish}: per-shard bodies written side by side become one file through
 * {@link RdbJoin}. Values are written in the plain encodings of {@link ValueCodec}, each of which
 * must encode to less than 2 GiB.
 * <p>
 * Not thread-safe: owned by the one thread writing the slices (a shard's event loop); a buffer
 * returned by {@code take} belongs to the caller.
 */
public final class RdbFileWriter {
    /** The {@code expireAtMs} of a key without an expiry. */
    public static final long NO_EXPIRY = -1;
    /** The buffer's first size, and what it is given back after a drain of a larger one. */
    public static final int DEFAULT_CAPACITY = 64 * 1024;

    private final int initialCapacity;
    private ExpandableArrayBuffer buffer;
    /** Bytes in the buffer. */
    private int size;
    /** Bytes at the front of the buffer already summed into {@link #crc}. */
    private int summed;
    private long crc;
    /** Bytes taken out or drained. */
    private long out;
    private boolean finished;

    public RdbFileWriter() {
        this(DEFAULT_CAPACITY);
    }

    public RdbFileWriter(int initialCapacity) {
        this.initialCapacity = Math.max(64, initialCapacity);
        this.buffer = new ExpandableArrayBuffer(this.initialCapacity);
    }

    /** The magic "REDIS0010" and Redis's aux fields; first in a file, not in a body. */
    public RdbFileWriter header(RdbHeader header) {
        checkOpen();
        byte[] magic = (RdbFormat.MAGIC + String.format("%04d", RdbFormat.RDB_VERSION)).getBytes(StandardCharsets.US_ASCII);
        buffer.putBytes(size, magic);
        size += magic.length;
        aux("redis-ver", RdbHeader.REDIS_VERSION);
        aux("redis-bits", Integer.toString(RdbHeader.REDIS_BITS));
        aux("ctime", Long.toString(header.ctimeSeconds()));
        aux("used-mem", Long.toString(header.usedMemory()));
        return aux("aof-base", header.aofBase() ? "1" : "0");
    }

    /** An aux field (one char per byte, ISO-8859-1); loaders skip names they do not know. */
    public RdbFileWriter aux(String name, String value) {
        checkOpen();
        buffer.putByte(size++, (byte) OPCODE_AUX);
        putString(name.getBytes(StandardCharsets.ISO_8859_1));
        putString(value.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    /**
     * A function library: its code as FUNCTION LOAD takes it, one char per byte (ISO-8859-1, as the
     * libraries hold it); after the header, before the databases.
     */
    public RdbFileWriter function(String code) {
        checkOpen();
        buffer.putByte(size++, (byte) OPCODE_FUNCTION2);
        putString(code.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    /** The database the next entries go to, with its key count and expiring-key count (a sizing hint). */
    public RdbFileWriter selectDb(int db, long keys, long expires) {
        checkOpen();
        if (db < 0 || keys < 0 || expires < 0) {
            throw new IllegalArgumentException("db " + db + " keys " + keys + " expires " + expires);
        }
        buffer.putByte(size++, (byte) OPCODE_SELECTDB);
        size += ValueCodec.putLength(buffer, size, db);
        buffer.putByte(size++, (byte) OPCODE_RESIZEDB);
        size += ValueCodec.putLength(buffer, size, keys);
        size += ValueCodec.putLength(buffer, size, expires);
        return this;
    }

    /** A key, its expiry (Unix ms, or {@link #NO_EXPIRY} or any negative for none) and its stored value. */
    public RdbFileWriter entry(Key key, Object value, long expireAtMs) {
        return entry(key.array(), key.offset(), key.length(), value, expireAtMs);
    }

    /** The same with the key as a whole array. */
    public RdbFileWriter entry(byte[] key, Object value, long expireAtMs) {
        return entry(key, 0, key.length, value, expireAtMs);
    }

    private RdbFileWriter entry(byte[] key, int offset, int length, Object value, long expireAtMs) {
        checkOpen();
        if (expireAtMs >= 0) {
            buffer.putByte(size++, (byte) OPCODE_EXPIRETIME_MS);
            buffer.putLong(size, expireAtMs, ByteOrder.LITTLE_ENDIAN);
            size += Long.BYTES;
        }
        size += ValueCodec.encodeEntry(key, offset, length, value, buffer, size);
        return this;
    }

    /** The EOF opcode and the CRC-64 of every byte written before the CRC; the last call before the final take. */
    public RdbFileWriter finish() {
        checkOpen();
        buffer.putByte(size++, (byte) OPCODE_EOF);
        sumPending();
        buffer.putLong(size, crc, ByteOrder.LITTLE_ENDIAN);
        size += Long.BYTES;
        summed = size;
        finished = true;
        return this;
    }

    /** Bytes written and not yet taken. */
    public int pending() {
        return size;
    }

    /** Bytes written in all, taken or not. */
    public long written() {
        return out + size;
    }

    /** Whether {@link #finish} was called. */
    public boolean finished() {
        return finished;
    }

    /**
     * The bytes written since the last take, from position 0 to the limit, in a buffer the caller
     * now owns; the writer goes on in a new one.
     */
    public ByteBuffer take() {
        sumPending();
        ByteBuffer chunk = ByteBuffer.wrap(buffer.byteArray(), 0, size);
        out += size;
        buffer = new ExpandableArrayBuffer(initialCapacity);
        size = 0;
        summed = 0;
        return chunk;
    }

    /** Writes the pending bytes to a channel (blocking until all are written) and keeps the buffer. */
    public void drainTo(WritableByteChannel channel) throws IOException {
        sumPending();
        ByteBuffer chunk = ByteBuffer.wrap(buffer.byteArray(), 0, size);
        while (chunk.hasRemaining()) {
            channel.write(chunk);
        }
        out += size;
        size = 0;
        summed = 0;
        if (buffer.capacity() > 4 * initialCapacity) {
            buffer = new ExpandableArrayBuffer(initialCapacity);
        }
    }

    /** For {@link RdbJoin}: bytes that went out by another way, counted in the CRC as if written here. */
    void absorb(byte[] bytes, int offset, int length) {
        checkOpen();
        if (size != 0) {
            throw new IllegalStateException(size + " bytes pending would go out after the absorbed ones");
        }
        crc = Crc64.update(crc, bytes, offset, length);
        out += length;
    }

    private void putString(byte[] s) {
        size = ValueCodec.putString(buffer, size, s, 0, s.length);
    }

    private void sumPending() {
        crc = Crc64.update(crc, buffer.byteArray(), summed, size - summed);
        summed = size;
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("the file is finished");
        }
    }
}
