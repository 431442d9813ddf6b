package io.shardloop.kv;

import io.shardloop.persist.Crc64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.shardloop.kv.RdbSamples.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RdbFileTest {
    private static final long EXPIRE_AT = 1_900_000_000_000L;
    private static final RdbHeader HEADER = new RdbHeader(1_700_000_000L, 123_456_789_012L, false);

    @TempDir
    Path dir;

    /** A whole file of the samples, written in one go. */
    private static byte[] file(List<RdbSamples.Sample> samples) {
        RdbFileWriter w = new RdbFileWriter();
        w.header(HEADER);
        w.function("#!lua name=lib\nredis.register_function('f', function() return 1 end)");
        RdbSamples.writeBody(w, samples);
        w.finish();
        return bytes(w.take());
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private RdbCollector read(byte[] file) throws IOException {
        Path p = dir.resolve("in.rdb");
        Files.write(p, file);
        RdbCollector c = new RdbCollector();
        RdbFileReader.read(p, c);
        return c;
    }

    private RdbFileException failure(byte[] file) throws IOException {
        Path p = dir.resolve("bad.rdb");
        Files.write(p, file);
        return assertThrows(RdbFileException.class, () -> RdbFileReader.read(p, new RdbCollector()));
    }

    /** A stream that hands out at most {@code step} bytes a read, as a pipe or socket may. */
    private static InputStream trickle(byte[] data, int step) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    @Test
    void shouldRoundTripEveryTypeWithAndWithoutExpiryAcrossDatabases() throws IOException {
        List<RdbSamples.Sample> samples = RdbSamples.everyType(EXPIRE_AT, true);
        RdbCollector c = read(file(samples));
        assertEquals(10, c.version);
        assertEquals(RdbSamples.expected(samples), c.entries);
        assertEquals(List.of(0, 1, 3, 15), c.selected);
        assertTrue(c.resizes.contains("0:19/6"), c.resizes.toString());
        assertEquals(List.of("#!lua name=lib\nredis.register_function('f', function() return 1 end)"), c.functions);
        assertTrue(c.ended);
        for (Map.Entry<String, Object> e : c.values.entrySet()) {
            Object original = samples.stream().filter(s -> e.getKey().equals(s.db() + ":" + s.keyText()))
                    .findFirst().orElseThrow().value();
            assertEquals(original.getClass(), e.getValue().getClass(), e.getKey());
        }
    }

    @Test
    void shouldReadTheSameFromAStreamOfUnknownSizeInSmallReads() throws IOException {
        List<RdbSamples.Sample> samples = RdbSamples.everyType(EXPIRE_AT, true);
        RdbCollector c = new RdbCollector();
        RdbFileReader.read(trickle(file(samples), 777), -1, "stream", c);
        assertEquals(RdbSamples.expected(samples), c.entries);
        assertTrue(c.ended);
    }

    @Test
    void shouldWriteTheHeaderRedisWritesAndAnEmptyFile() throws IOException {
        RdbFileWriter w = new RdbFileWriter();
        w.header(new RdbHeader(1_700_000_000L, 5_000_000_000L, true));
        w.finish();
        byte[] file = bytes(w.take());
        assertEquals("REDIS0010", new String(file, 0, 9, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(0xFF, file[file.length - 9] & 0xFF, "EOF opcode before the checksum");
        assertEquals(Crc64.update(0, file, 0, file.length - 8),
                ByteBuffer.wrap(file, file.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        RdbCollector c = read(file);
        assertEquals(Map.of("redis-ver", "7.0.15", "redis-bits", "64", "ctime", "1700000000",
                "used-mem", "5000000000", "aof-base", "1"), c.aux);
        assertEquals(List.of("redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"), List.copyOf(c.aux.keySet()));
        assertTrue(c.entries.isEmpty());
        assertTrue(c.ended);
    }

    @Test
    void shouldGiveTheSameBytesChunkedAsInOneGo() throws IOException {
        List<RdbSamples.Sample> samples = RdbSamples.everyType(EXPIRE_AT, true);
        RdbFileWriter w = new RdbFileWriter(128);
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        int takes = 0;
        w.header(HEADER);
        chunks.writeBytes(bytes(w.take()));
        w.function("#!lua name=lib\nredis.register_function('f', function() return 1 end)");
        for (RdbSamples.Sample s : samples) {
            // a body of one key at a time, taken out after each
            RdbSamples.writeBody(w, List.of(s));
            ByteBuffer chunk = w.take();
            takes++;
            chunks.writeBytes(bytes(chunk));
        }
        w.finish();
        chunks.writeBytes(bytes(w.take()));
        assertEquals(chunks.size(), w.written());

        RdbFileWriter one = new RdbFileWriter();
        one.header(HEADER);
        one.function("#!lua name=lib\nredis.register_function('f', function() return 1 end)");
        for (RdbSamples.Sample s : samples) {
            RdbSamples.writeBody(one, List.of(s));
        }
        one.finish();
        assertEquals(samples.size(), takes);
        assertArrayEquals(bytes(one.take()), chunks.toByteArray());

        ByteArrayOutputStream drained = new ByteArrayOutputStream();
        RdbFileWriter d = new RdbFileWriter(64);
        d.header(HEADER);
        d.function("#!lua name=lib\nredis.register_function('f', function() return 1 end)");
        for (RdbSamples.Sample s : samples) {
            RdbSamples.writeBody(d, List.of(s));
            d.drainTo(Channels.newChannel(drained));
        }
        d.finish();
        d.drainTo(Channels.newChannel(drained));
        assertArrayEquals(chunks.toByteArray(), drained.toByteArray());
        assertEquals(RdbSamples.expected(samples), read(drained.toByteArray()).entries);
    }

    @Test
    void shouldJoinBodiesIntoTheFileOneWriterWrites() throws IOException {
        List<RdbSamples.Sample> samples = RdbSamples.everyType(EXPIRE_AT, true);
        List<RdbSamples.Sample> shard0 = new ArrayList<>();
        List<RdbSamples.Sample> shard1 = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            (i % 2 == 0 ? shard0 : shard1).add(samples.get(i));
        }
        List<Path> bodies = new ArrayList<>();
        RdbFileWriter whole = new RdbFileWriter();
        whole.header(HEADER);
        for (List<RdbSamples.Sample> shard : List.of(shard0, shard1)) {
            RdbFileWriter body = new RdbFileWriter(256);
            Path p = dir.resolve("body-" + bodies.size());
            try (var out = Files.newByteChannel(p, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                RdbSamples.writeBody(body, shard);
                body.drainTo(out);
            }
            bodies.add(p);
            RdbSamples.writeBody(whole, shard);
        }
        whole.finish();
        Path joined = dir.resolve("dump.rdb");
        long length = RdbJoin.join(HEADER, bodies, joined);

        byte[] file = Files.readAllBytes(joined);
        assertEquals(file.length, length);
        assertArrayEquals(bytes(whole.take()), file);
        RdbCollector c = new RdbCollector();
        RdbFileReader.read(joined, c);
        assertEquals(RdbSamples.expected(samples).keySet().stream().sorted().toList(),
                c.entries.keySet().stream().sorted().toList());
        assertEquals(Map.copyOf(RdbSamples.expected(samples)), Map.copyOf(c.entries));
        assertTrue(c.ended);
    }

    @Test
    void shouldTellATruncatedFileWhereverItIsCut() throws IOException {
        List<RdbSamples.Sample> small = RdbSamples.everyType(EXPIRE_AT, false).stream()
                .filter(s -> ValueCodec.encodedLength(s.value()) < 200).toList();
        byte[] file = file(small);
        for (int cut = 0; cut < file.length; cut++) {
            assertTruncatedAt(Arrays.copyOf(file, cut), cut % 7 == 0);
        }
        byte[] whole = file(RdbSamples.everyType(EXPIRE_AT, true));
        for (int cut = 0; cut < whole.length; cut += 1009) {
            assertTruncatedAt(Arrays.copyOf(whole, cut), true);
        }
        assertTruncatedAt(Arrays.copyOf(whole, whole.length - 1), true);
    }

    /** Reading the part fails as truncated where it ends: as a file, and as a stream of unknown size. */
    private void assertTruncatedAt(byte[] part, boolean alsoFromDisk) throws IOException {
        RdbFileException s = assertThrows(RdbFileException.class,
                () -> RdbFileReader.read(trickle(part, 100), -1, "stream", new RdbCollector()));
        assertEquals(RdbFileException.Kind.TRUNCATED, s.kind(), s.getMessage());
        assertEquals(part.length, s.offset());
        RdbFileException sized = assertThrows(RdbFileException.class,
                () -> RdbFileReader.read(new ByteArrayInputStream(part), part.length, "sized", new RdbCollector()));
        assertEquals(RdbFileException.Kind.TRUNCATED, sized.kind(), sized.getMessage());
        assertEquals(part.length, sized.offset());
        if (alsoFromDisk) {
            RdbFileException e = failure(part);
            assertEquals(RdbFileException.Kind.TRUNCATED, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("truncated at offset " + part.length), e.getMessage());
        }
    }

    @Test
    void shouldTellACorruptedByteByTheChecksum() throws IOException {
        byte[] file = file(RdbSamples.everyType(EXPIRE_AT, false));
        int at = indexOf(file, b("hello world"));
        file[at] ^= 0x20;
        RdbFileException e = failure(file);
        assertEquals(RdbFileException.Kind.CHECKSUM_MISMATCH, e.kind(), e.getMessage());
        assertEquals(file.length - 8, e.offset());
        assertTrue(e.getMessage().contains("checksum mismatch at offset " + (file.length - 8)), e.getMessage());
    }

    @Test
    void shouldNotCheckAChecksumOfZero() throws IOException {
        byte[] file = file(RdbSamples.everyType(EXPIRE_AT, false));
        file[indexOf(file, b("hello world"))] = 'J';
        Arrays.fill(file, file.length - 8, file.length, (byte) 0);
        RdbCollector c = read(file);
        assertEquals("Jello world", c.entries.get("0:str:raw").contents());
        assertTrue(c.ended);
    }

    @Test
    void shouldNameTheOffsetOfABadOpcode() throws IOException {
        RdbFileWriter w = new RdbFileWriter();
        w.header(HEADER);
        w.selectDb(0, 2, 0);
        w.entry(b("a"), b("1"), RdbFileWriter.NO_EXPIRY);
        int at = w.pending();
        w.entry(b("b"), b("2"), RdbFileWriter.NO_EXPIRY);
        w.finish();
        byte[] file = bytes(w.take());
        for (int bad : new int[] {8, 20, 100, 244}) {
            file[at] = (byte) bad;
            RdbFileException e = failure(file);
            assertEquals(RdbFileException.Kind.BAD_OPCODE, e.kind(), e.getMessage());
            assertEquals(at, e.offset());
            assertTrue(e.getMessage().contains("bad opcode at offset " + at), e.getMessage());
        }
    }

    @Test
    void shouldRefuseModulesStreamsAndOldEncodingsAsUnsupported() throws IOException {
        for (int type : new int[] {RdbFormat.TYPE_MODULE_2, RdbFormat.TYPE_STREAM_LISTPACKS_2, RdbFormat.TYPE_HASH_ZIPLIST,
                RdbFormat.OPCODE_MODULE_AUX, RdbFormat.OPCODE_FUNCTION}) {
            Raw raw = Raw.version(10).bytes(RdbFormat.OPCODE_SELECTDB, 0);
            int at = raw.size();
            byte[] file = raw.bytes(type, 1, 'k', 0, 0, 0).eofAndChecksum();
            RdbFileException e = failure(file);
            assertEquals(RdbFileException.Kind.UNSUPPORTED, e.kind(), e.getMessage());
            assertEquals(at, e.offset());
        }
        RdbFileException e = failure(Raw.version(11).eofAndChecksum());
        assertEquals(RdbFileException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("RDB version 11"), e.getMessage());
    }

    @Test
    void shouldRefuseWhatIsNoRdbFile() throws IOException {
        RdbFileException e = failure(b("HELLO0010\u00ff\0\0\0\0\0\0\0\0"));
        assertEquals(RdbFileException.Kind.MALFORMED, e.kind());
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("not an RDB file"), e.getMessage());
    }

    @Test
    void shouldReadExpiriesInSecondsAndSkipIdleAndFreq() throws IOException {
        Raw raw = Raw.version(9).bytes(RdbFormat.OPCODE_SELECTDB, 2)
                .bytes(RdbFormat.OPCODE_EXPIRETIME).littleEndian(1_800_000_000L, 4)
                .bytes(RdbFormat.OPCODE_FREQ, 200, RdbFormat.OPCODE_IDLE, 0x40 | 1, 0x2C)
                .bytes(RdbFormat.TYPE_STRING, 1, 'k', 1, 'v')
                .bytes(RdbFormat.OPCODE_IDLE, 5)
                .bytes(RdbFormat.TYPE_STRING, 1, 'n', 1, 'w');
        RdbCollector c = read(raw.eofAndChecksum());
        assertEquals(9, c.version);
        assertEquals(Map.of("2:k", new RdbSamples.Found("v", 1_800_000_000_000L),
                "2:n", new RdbSamples.Found("w", RdbFileReader.NO_EXPIRY)), c.entries);
    }

    @Test
    void shouldReadAVersionWithoutChecksum() throws IOException {
        byte[] file = Raw.version(4).bytes(RdbFormat.TYPE_STRING, 1, 'k', 1, 'v', RdbFormat.OPCODE_EOF).done();
        RdbCollector c = read(file);
        assertEquals(Map.of("0:k", new RdbSamples.Found("v", RdbFileReader.NO_EXPIRY)), c.entries);
        assertTrue(c.ended);
    }

    @Test
    void shouldNameTheOffsetAndKeyOfAMalformedValue() throws IOException {
        Raw raw = Raw.version(10).bytes(RdbFormat.TYPE_STRING, 1, 'k', 1, 'v');
        int at = raw.size();
        byte[] file = raw.bytes(RdbFormat.TYPE_SET, 3, 's', 'e', 't', 2, 1, 'a', 1, 'a').eofAndChecksum();
        RdbFileException e = failure(file);
        assertEquals(RdbFileException.Kind.MALFORMED, e.kind());
        assertEquals(at, e.offset());
        assertTrue(e.getMessage().contains("\"set\"") && e.getMessage().contains("duplicate set member"), e.getMessage());
    }

    @Test
    void shouldRefuseToWriteAfterFinish() {
        RdbFileWriter w = new RdbFileWriter();
        w.header(HEADER);
        w.finish();
        assertThrows(IllegalStateException.class, () -> w.entry(b("k"), b("v"), RdbFileWriter.NO_EXPIRY));
        assertThrows(IllegalStateException.class, w::finish);
    }

    @Test
    void shouldStreamManyKeysAndLargeValuesThroughTheWindow() throws IOException {
        List<RdbSamples.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            samples.add(new RdbSamples.Sample(i % 3, b("key-" + i), b("value-" + i), i % 5 == 0 ? EXPIRE_AT + i : -1));
        }
        byte[] big = new byte[3 * RdbStreamInput.WINDOW + 17];
        Arrays.fill(big, (byte) 'x');
        samples.add(new RdbSamples.Sample(0, b("big"), big, RdbFileWriter.NO_EXPIRY));
        samples.add(new RdbSamples.Sample(0, b("big-list"), RdbSamples.list(RdbSamples.numbered("", 100_000)), -1));
        samples.add(new RdbSamples.Sample(0, b("after"), b("small again"), -1));
        byte[] file = file(samples);
        assertTrue(file.length > 10 * RdbStreamInput.WINDOW);
        assertEquals(RdbSamples.expected(samples), read(file).entries);
        RdbCollector c = new RdbCollector();
        RdbFileReader.read(trickle(file, 5000), -1, "stream", c);
        assertEquals(RdbSamples.expected(samples), c.entries);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    /** An RDB file written byte by byte, for what the writer does not write. */
    private static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        static Raw version(int version) {
            Raw r = new Raw();
            r.out.writeBytes(b(String.format("REDIS%04d", version)));
            return r;
        }

        Raw bytes(int... values) {
            for (int v : values) {
                out.write(v);
            }
            return this;
        }

        Raw littleEndian(long value, int width) {
            for (int i = 0; i < width; i++) {
                out.write((int) (value >>> (8 * i)));
            }
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] done() {
            return out.toByteArray();
        }

        byte[] eofAndChecksum() {
            out.write(RdbFormat.OPCODE_EOF);
            byte[] b = out.toByteArray();
            return littleEndian(Crc64.update(0, b, 0, b.length), 8).done();
        }
    }
}
