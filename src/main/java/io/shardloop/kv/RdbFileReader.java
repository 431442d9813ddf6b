package io.shardloop.kv;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.shardloop.kv.RdbFormat.FIRST_CHECKSUMMED_VERSION;
import static io.shardloop.kv.RdbFormat.OPCODE_AUX;
import static io.shardloop.kv.RdbFormat.OPCODE_EOF;
import static io.shardloop.kv.RdbFormat.OPCODE_EXPIRETIME;
import static io.shardloop.kv.RdbFormat.OPCODE_EXPIRETIME_MS;
import static io.shardloop.kv.RdbFormat.OPCODE_FREQ;
import static io.shardloop.kv.RdbFormat.OPCODE_FUNCTION;
import static io.shardloop.kv.RdbFormat.OPCODE_FUNCTION2;
import static io.shardloop.kv.RdbFormat.OPCODE_IDLE;
import static io.shardloop.kv.RdbFormat.OPCODE_MODULE_AUX;
import static io.shardloop.kv.RdbFormat.OPCODE_RESIZEDB;
import static io.shardloop.kv.RdbFormat.OPCODE_SELECTDB;
import static io.shardloop.kv.RdbFormat.RDB_VERSION;

/**
 * Reads an RDB file into a {@link RdbVisitor}, as Redis 7.0's {@code rdbLoadRioWithLoadingCtx}
 * reads one: versions 1 to 10; aux fields, function libraries (FUNCTION2), SELECTDB, RESIZEDB,
 * expiries in milliseconds and in seconds; IDLE and FREQ read and dropped; every value type
 * {@link ValueCodec} reads. Module data, streams and the encodings of Redis before 7.0 (zipmap,
 * ziplist) are refused as {@link RdbFileException.Kind#UNSUPPORTED}.
 * <p>
 * The file is streamed through a window of {@link RdbStreamInput#WINDOW} bytes (more only while
 * one string needs more), never held whole, and its CRC-64 summed on the way and checked at the
 * EOF opcode; a stored CRC of 0 means the writer had checksums off and is not checked, as in
 * Redis. Bytes after the checksum are not looked at, as in Redis.
 * <p>
 * Every failure to read is a {@link RdbFileException} that names the file offset and what was
 * wrong; an I/O error of the stream is its own IOException. A single read is one thread's: the
 * one calling {@link #read}, which also makes the visitor's calls.
 */
public final class RdbFileReader {
    /** The {@code expireAtMs} of an entry that has no expiry. */
    public static final long NO_EXPIRY = -1;
    /** "REDIS" and four digits. */
    private static final int MAGIC_LENGTH = 9;

    private final RdbStreamInput in;
    private final String source;
    private final RdbVisitor visitor;
    private int version;
    private int db;
    private long expireAtMs = NO_EXPIRY;
    /** Where the item being read starts, for its errors. */
    private long itemStart;

    private RdbFileReader(InputStream stream, long size, String source, RdbVisitor visitor) {
        this.in = new RdbStreamInput(stream, size);
        this.source = source;
        this.visitor = visitor;
    }

    /** Reads a file. */
    public static void read(Path file, RdbVisitor visitor) throws IOException {
        try (InputStream stream = Files.newInputStream(file)) {
            read(stream, Files.size(file), file.toString(), visitor);
        }
    }

    /**
     * Reads a stream, which it leaves open.
     *
     * @param size   its length, when known (lengths in it are then checked against what is left),
     *               else -1
     * @param source the name errors give it
     */
    public static void read(InputStream stream, long size, String source, RdbVisitor visitor) throws IOException {
        new RdbFileReader(stream, size, source, visitor).readFile();
    }

    private void readFile() throws IOException {
        try {
            readMagic();
            visitor.version(version);
            while (readItem()) {
                // each item is handed to the visitor as it is read
            }
            readChecksum();
            visitor.end();
        } catch (RdbStreamInput.Truncated e) {
            throw new RdbFileException(source, RdbFileException.Kind.TRUNCATED, in.endOffset(), e.getMessage());
        } catch (ValueCodec.MalformedValueException e) {
            throw error(RdbFileException.Kind.MALFORMED, e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void readMagic() throws RdbFileException {
        itemStart = 0;
        byte[] magic = new byte[MAGIC_LENGTH];
        for (int i = 0; i < MAGIC_LENGTH; i++) {
            magic[i] = (byte) in.readUnsignedByte();
        }
        String text = new String(magic, StandardCharsets.ISO_8859_1);
        if (!text.startsWith(RdbFormat.MAGIC) || !text.substring(RdbFormat.MAGIC.length()).chars().allMatch(Character::isDigit)) {
            throw error(RdbFileException.Kind.MALFORMED, "not an RDB file: it starts " + printable(magic));
        }
        version = Integer.parseInt(text.substring(RdbFormat.MAGIC.length()));
        if (version < 1 || version > RDB_VERSION) {
            throw error(RdbFileException.Kind.UNSUPPORTED, "RDB version " + version + ", this reads 1 to " + RDB_VERSION);
        }
    }

    /** Reads one opcode and what follows it, or one entry; false at the EOF opcode. */
    private boolean readItem() throws RdbFileException {
        itemStart = in.offset();
        int type = in.readUnsignedByte();
        switch (type) {
            case OPCODE_EOF -> {
                return false;
            }
            case OPCODE_EXPIRETIME -> expireAtMs = in.readLittleEndianInt() * 1000L;
            case OPCODE_EXPIRETIME_MS -> expireAtMs = in.readLittleEndianLong();
            case OPCODE_IDLE -> in.readLength();
            case OPCODE_FREQ -> in.readUnsignedByte();
            case OPCODE_SELECTDB -> {
                long selected = in.readLength();
                if (selected > Integer.MAX_VALUE) {
                    throw error(RdbFileException.Kind.MALFORMED, "database " + selected);
                }
                db = (int) selected;
                visitor.selectDb(db);
            }
            case OPCODE_RESIZEDB -> {
                long keys = in.readLength();
                visitor.resizeDb(db, keys, in.readLength());
            }
            case OPCODE_AUX -> {
                String name = latin1(in.readString());
                visitor.aux(name, latin1(in.readString()));
            }
            case OPCODE_FUNCTION2 -> visitor.function(latin1(in.readString()));
            case OPCODE_FUNCTION -> throw error(RdbFileException.Kind.UNSUPPORTED,
                    "a function library in the format of Redis 7.0's release candidates");
            case OPCODE_MODULE_AUX -> throw error(RdbFileException.Kind.UNSUPPORTED, "module aux data");
            default -> readEntry(type);
        }
        return true;
    }

    private void readEntry(int type) throws RdbFileException {
        if (!ValueCodec.reads(type)) {
            String unsupported = RdbFormat.unsupportedType(type);
            if (unsupported == null) {
                throw error(RdbFileException.Kind.BAD_OPCODE, "0x" + Integer.toHexString(type)
                        + " is neither an opcode nor a value type");
            }
            throw error(RdbFileException.Kind.UNSUPPORTED, unsupported + " (type " + type + ")");
        }
        byte[] key = in.readString();
        Object value;
        try {
            value = ValueCodec.read(in, type);
        } catch (ValueCodec.MalformedValueException e) {
            throw error(RdbFileException.Kind.MALFORMED, "the value of key " + printable(key) + ": " + e.getMessage());
        }
        long expiry = expireAtMs;
        expireAtMs = NO_EXPIRY;
        visitor.entry(db, key, value, expiry);
    }

    private void readChecksum() throws RdbFileException {
        if (version < FIRST_CHECKSUMMED_VERSION) {
            return;
        }
        long computed = in.checksum();
        itemStart = in.offset();
        long stored = in.readLittleEndianLong();
        if (stored != 0 && stored != computed) {
            throw error(RdbFileException.Kind.CHECKSUM_MISMATCH, "the file says " + Long.toHexString(stored)
                    + ", its bytes sum to " + Long.toHexString(computed));
        }
    }

    private RdbFileException error(RdbFileException.Kind kind, String detail) {
        return new RdbFileException(source, kind, itemStart, detail);
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Up to 64 bytes, quoted, with bytes outside printable ASCII as \xNN. */
    static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < Math.min(b.length, 64); i++) {
            int c = b[i] & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append(b.length > 64 ? "\"..." : "\"").toString();
    }
}
