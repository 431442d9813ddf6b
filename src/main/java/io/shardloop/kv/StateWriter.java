package io.shardloop.kv;

import io.shardloop.persist.LogFile;
import org.agrona.ExpandableDirectByteBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes keys as whole states to a log file, one {@code RESTORE key ms payload REPLACE ABSTTL} each
 * (with SELECT where the database changes), and function libraries, one {@code FUNCTION LOAD code}
 * each, through a buffer written out in chunks. What a shard's new log starts with when the shard
 * count changed. Single-threaded.
 */
final class StateWriter {
    private static final int CHUNK = 1 << 20;
    private final LogFile file;
    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(CHUNK + 4096);
    private int length;
    private int db = -1;

    StateWriter(LogFile file) {
        this.file = file;
    }

    void restore(int database, Key key, Object value, long expireAt) {
        if (database != db) {
            header(2);
            arg("SELECT".getBytes(StandardCharsets.US_ASCII), 0, 6);
            byte[] n = Integer.toString(database).getBytes(StandardCharsets.US_ASCII);
            arg(n, 0, n.length);
            db = database;
        }
        byte[] payload = DumpPayload.of(value);
        byte[] at = Long.toString(expireAt == Db.NO_EXPIRY ? 0 : expireAt).getBytes(StandardCharsets.US_ASCII);
        header(6);
        arg("RESTORE".getBytes(StandardCharsets.US_ASCII), 0, 7);
        arg(key.array(), key.offset(), key.length());
        arg(at, 0, at.length);
        arg(payload, 0, payload.length);
        arg("REPLACE".getBytes(StandardCharsets.US_ASCII), 0, 7);
        arg("ABSTTL".getBytes(StandardCharsets.US_ASCII), 0, 6);
        if (length >= CHUNK) {
            flush();
        }
    }

    /** A library, as Redis's AOF rewrite writes one; before the keys. */
    void functionLoad(String code) {
        byte[] b = code.getBytes(StandardCharsets.ISO_8859_1);
        header(3);
        arg("FUNCTION".getBytes(StandardCharsets.US_ASCII), 0, 8);
        arg("LOAD".getBytes(StandardCharsets.US_ASCII), 0, 4);
        arg(b, 0, b.length);
        if (length >= CHUNK) {
            flush();
        }
    }

    void finish() {
        flush();
    }

    private void header(int argc) {
        buffer.checkLimit(length + 24);
        buffer.putByte(length++, (byte) '*');
        length += buffer.putIntAscii(length, argc);
        buffer.putByte(length++, (byte) '\r');
        buffer.putByte(length++, (byte) '\n');
    }

    private void arg(byte[] b, int offset, int len) {
        buffer.checkLimit(length + len + 24);
        buffer.putByte(length++, (byte) '$');
        length += buffer.putIntAscii(length, len);
        buffer.putByte(length++, (byte) '\r');
        buffer.putByte(length++, (byte) '\n');
        buffer.putBytes(length, b, offset, len);
        length += len;
        buffer.putByte(length++, (byte) '\r');
        buffer.putByte(length++, (byte) '\n');
    }

    private void flush() {
        try {
            file.write(buffer.byteBuffer().duplicate().position(0).limit(length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        length = 0;
    }
}
