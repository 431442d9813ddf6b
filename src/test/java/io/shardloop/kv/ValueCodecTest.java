package io.shardloop.kv;

import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ValueCodecTest {

    /** A value in a comparable form: strings as ISO-8859-1 text, containers as collections. */
    static Object contents(Object value) {
        return switch (value) {
            case byte[] s -> text(s);
            case ArrayDeque<?> list -> {
                List<String> out = new ArrayList<>();
                for (Object e : list) {
                    out.add(text((byte[]) e));
                }
                yield out;
            }
            case MemberSet set -> {
                Set<String> out = new TreeSet<>();
                for (int i = 0; i < set.size(); i++) {
                    out.add(set.member(i).toString());
                }
                yield out;
            }
            case HashMap<?, ?> hash -> {
                Map<String, String> out = new TreeMap<>();
                hash.forEach((k, v) -> out.put(k.toString(), text((byte[]) v)));
                yield out;
            }
            case SortedSet zset -> {
                List<String> out = new ArrayList<>();
                for (SortedSet.Node n = zset.first(); n != null; n = n.next()) {
                    out.add(n.member + "=" + Long.toHexString(Double.doubleToRawLongBits(n.score)));
                }
                yield out;
            }
            default -> throw new IllegalArgumentException(String.valueOf(value));
        };
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Encodes at an offset into an expandable buffer, checks the length, decodes. */
    private static Object roundTrip(Object value) {
        int offset = 7;
        ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(16);
        int written = ValueCodec.encode(value, buffer, offset);
        assertEquals(ValueCodec.encodedLength(value), written, "encodedLength matches what encode writes");
        Object decoded = ValueCodec.decode(buffer, offset, written);
        assertEquals(value.getClass(), decoded.getClass());
        assertEquals(contents(value), contents(decoded));
        return decoded;
    }

    private static byte[] encoded(Object value) {
        byte[] out = new byte[ValueCodec.encodedLength(value)];
        ValueCodec.encode(value, new UnsafeBuffer(out), 0);
        return out;
    }

    private static Object decode(byte[] b) {
        return ValueCodec.decode(new UnsafeBuffer(b), 0, b.length);
    }

    private static byte[] allBytes() {
        byte[] b = new byte[256];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void shouldRoundTripStringsEmptyBinaryAndLong() {
        roundTrip(new byte[0]);
        roundTrip(bytes("hello"));
        roundTrip(allBytes());
        roundTrip(new byte[63]);
        roundTrip(new byte[64]);
        roundTrip(new byte[16383]);
        roundTrip(new byte[16384]);
        roundTrip(new byte[1 << 20]);
    }

    @Test
    void shouldWriteAStringAsTypeZeroLengthAndRawBytes() {
        assertArrayEquals(new byte[] {0, 3, 'a', 'b', 'c'}, encoded(bytes("abc")));
        assertArrayEquals(new byte[] {0, 0}, encoded(new byte[0]));
        byte[] long14 = encoded(new byte[300]);
        assertEquals(0x40 | 1, long14[1] & 0xFF);
        assertEquals(300 & 0xFF, long14[2] & 0xFF);
    }

    @Test
    void shouldWriteCanonical32BitIntegersAsRedisDoes() {
        assertArrayEquals(new byte[] {0, (byte) 0xC0, -5}, encoded(bytes("-5")));
        assertArrayEquals(new byte[] {0, (byte) 0xC0, 0}, encoded(bytes("0")));
        assertArrayEquals(new byte[] {0, (byte) 0xC1, (byte) 0xE8, 3}, encoded(bytes("1000")));
        assertArrayEquals(new byte[] {0, (byte) 0xC2, 0, 0, 0, (byte) 0x80}, encoded(bytes("-2147483648")));
        for (String raw : new String[] {"-0", "007", "+1", "2147483648", "1.5", "-", " 1", "12345678901"}) {
            assertArrayEquals(encodedRaw(raw), encoded(bytes(raw)), raw);
        }
        for (String s : new String[] {"-5", "0", "127", "128", "-129", "32767", "32768", "-2147483648", "2147483647",
                "-0", "007", "2147483648"}) {
            roundTrip(bytes(s));
        }
    }

    private static byte[] encodedRaw(String s) {
        byte[] b = bytes(s);
        byte[] out = new byte[2 + b.length];
        out[1] = (byte) b.length;
        System.arraycopy(b, 0, out, 2, b.length);
        return out;
    }

    @Test
    void shouldRoundTripLists() {
        ArrayDeque<byte[]> list = new ArrayDeque<>();
        list.add(new byte[0]);
        list.add(allBytes());
        list.add(bytes("x"));
        list.add(bytes("x"));
        assertEquals(List.of("", text(allBytes()), "x", "x"), contents(roundTrip(list)));
        ArrayDeque<byte[]> many = new ArrayDeque<>();
        for (int i = 0; i < 100_000; i++) {
            many.add(bytes("e" + i));
        }
        roundTrip(many);
    }

    @Test
    void shouldRoundTripSets() {
        MemberSet set = new MemberSet();
        set.add(Key.wrap(new byte[0]));
        set.add(Key.wrap(allBytes()));
        set.add(Key.of("12"));
        roundTrip(set);
        MemberSet many = new MemberSet();
        for (int i = 0; i < 100_000; i++) {
            many.add(Key.of("m" + i));
        }
        roundTrip(many);
    }

    @Test
    void shouldRoundTripHashes() {
        HashMap<Key, byte[]> hash = HashCommands.newHash(0);
        hash.put(Key.wrap(new byte[0]), new byte[0]);
        hash.put(Key.of("f"), allBytes());
        hash.put(Key.wrap(allBytes()), bytes("v"));
        roundTrip(hash);
        HashMap<Key, byte[]> many = HashCommands.newHash(0);
        for (int i = 0; i < 50_000; i++) {
            many.put(Key.of("f" + i), bytes("v" + i));
        }
        // The fields come back in the order they were added, as a hash keeps them.
        assertEquals(List.copyOf(many.keySet()), List.copyOf(((HashMap<?, ?>) roundTrip(many)).keySet()));
    }

    @Test
    void shouldRoundTripSortedSetsWithInfinitiesAndNegativeZero() {
        SortedSet zset = new SortedSet();
        zset.insert(Key.of("neg-inf"), Double.NEGATIVE_INFINITY);
        zset.insert(Key.of("inf"), Double.POSITIVE_INFINITY);
        zset.insert(Key.of("neg-zero"), -0.0);
        zset.insert(Key.of("tiny"), Double.MIN_VALUE);
        zset.insert(Key.of("pi"), Math.PI);
        zset.insert(Key.wrap(new byte[0]), 1);
        zset.insert(Key.wrap(allBytes()), 1);
        SortedSet decoded = (SortedSet) roundTrip(zset);
        assertEquals(Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits(decoded.node(Key.of("neg-zero")).score));
        SortedSet many = new SortedSet();
        for (int i = 0; i < 100_000; i++) {
            many.insert(Key.of("m" + i), i % 1000 * 0.5);
        }
        roundTrip(many);
    }

    @Test
    void shouldWriteSortedSetMembersFromTheHighestScoreWithLittleEndianScores() {
        SortedSet zset = new SortedSet();
        zset.insert(Key.of("a"), 1.5);
        zset.insert(Key.of("b"), 2);
        byte[] b = encoded(zset);
        assertEquals(RdbFormat.TYPE_ZSET_2, b[0]);
        assertEquals(2, b[1]);
        assertEquals('b', b[3]);
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = bits << 8 | (b[4 + i] & 0xFF);
        }
        assertEquals(2.0, Double.longBitsToDouble(bits));
    }

    @Test
    void shouldEncodeEveryLengthFormAndReadItBack() {
        long[] lengths = {0, 63, 64, 16383, 16384, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE};
        int[] sizes = {1, 1, 2, 2, 5, 5, 9, 9};
        for (int i = 0; i < lengths.length; i++) {
            UnsafeBuffer buffer = new UnsafeBuffer(new byte[12]);
            int n = ValueCodec.putLength(buffer, 2, lengths[i]);
            assertEquals(sizes[i], n);
            assertEquals(sizes[i], ValueCodec.lengthSize(lengths[i]));
            RdbInput in = new RdbInput(buffer, 2, n);
            assertEquals(lengths[i], in.readLength());
            assertEquals(0, in.remaining());
        }
    }

    @Test
    void shouldReadIntegerEncodedStrings() {
        assertEquals("-5", contents(decode(new byte[] {0, (byte) 0xC0, -5})));
        assertEquals("-2", contents(decode(new byte[] {0, (byte) 0xC1, (byte) 0xFE, (byte) 0xFF})));
        assertEquals("65536", contents(decode(new byte[] {0, (byte) 0xC2, 0, 0, 1, 0})));
    }

    @Test
    void shouldReadLzfStrings() {
        // "aaaaaaaaaaaaaaaaaaaa": a literal 'a', then a back reference of 19 bytes at distance 1.
        byte[] lzf = {0, (byte) 0xC3, 5, 20, 0, 'a', (byte) 0xE0, 10, 0};
        assertEquals("a".repeat(20), contents(decode(lzf)));
        byte[] wrongLength = {0, (byte) 0xC3, 5, 21, 0, 'a', (byte) 0xE0, 10, 0};
        assertThrows(ValueCodec.MalformedValueException.class, () -> decode(wrongLength));
        byte[] referenceBeforeStart = {0, (byte) 0xC3, 5, 20, 0, 'a', (byte) 0xE0, 10, 5};
        assertThrows(ValueCodec.MalformedValueException.class, () -> decode(referenceBeforeStart));
    }

    @Test
    void shouldReadTextScoreSortedSets() {
        byte[] b = {RdbFormat.TYPE_ZSET, 3, 1, 'a', 3, '1', '.', '5', 1, 'b', (byte) 254, 1, 'c', (byte) 255};
        assertEquals(List.of("c=" + Long.toHexString(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY)),
                "a=" + Long.toHexString(Double.doubleToRawLongBits(1.5)),
                "b=" + Long.toHexString(Double.doubleToRawLongBits(Double.POSITIVE_INFINITY))), contents(decode(b)));
    }

    /** A value of one string holding {@code blob}: the compact forms' framing. */
    private static byte[] compact(int type, int... blob) {
        byte[] b = new byte[2 + blob.length];
        b[0] = (byte) type;
        b[1] = (byte) blob.length;
        for (int i = 0; i < blob.length; i++) {
            b[2 + i] = (byte) blob[i];
        }
        return b;
    }

    /** A hash listpack of "a" -> 5: a 6-bit string and a 7-bit integer, each with its back length. */
    private static final int[] LISTPACK = {12, 0, 0, 0, 2, 0, 0x81, 'a', 2, 0x05, 1, 0xFF};

    @Test
    void shouldReadListpacksAndIntsets() {
        assertEquals(Map.of("a", "5"), contents(decode(compact(RdbFormat.TYPE_HASH_LISTPACK, LISTPACK))));
        // A 13-bit integer (-1), a 12-bit string length: "b" as 0xE0 0x01.
        int[] zset = {14, 0, 0, 0, 2, 0, 0xE0, 1, 'b', 3, 0xDF, 0xFF, 2, 0xFF};
        assertEquals(List.of("b=" + Long.toHexString(Double.doubleToRawLongBits(-1.0))),
                contents(decode(compact(RdbFormat.TYPE_ZSET_LISTPACK, zset))));
        assertEquals(Set.of("1", "-1"), contents(decode(compact(RdbFormat.TYPE_SET_INTSET, 2, 0, 0, 0, 2, 0, 0, 0,
                1, 0, 0xFF, 0xFF))));
    }

    @Test
    void shouldRefuseCorruptListpacksAndIntsets() {
        List<int[]> listpacks = new ArrayList<>();
        for (int[] change : new int[][] {{0, 13}, {4, 3}, {8, 3}, {11, 0}, {6, 0xF5}, {10, 2}}) {
            int[] lp = LISTPACK.clone();
            lp[change[0]] = change[1];
            listpacks.add(lp);
        }
        listpacks.add(new int[] {7, 0, 0, 0, 0, 0, 0xFF});
        for (int[] lp : listpacks) {
            assertThrows(ValueCodec.MalformedValueException.class,
                    () -> decode(compact(RdbFormat.TYPE_HASH_LISTPACK, lp)), () -> java.util.Arrays.toString(lp));
        }
        int[][] intsets = {{3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0}, {2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0},
                {2, 0, 0, 0, 0, 0, 0, 0}, {2, 0, 0, 0, 2, 0, 0, 0, 1, 0}};
        for (int[] is : intsets) {
            assertThrows(ValueCodec.MalformedValueException.class,
                    () -> decode(compact(RdbFormat.TYPE_SET_INTSET, is)), () -> java.util.Arrays.toString(is));
        }
    }

    @Test
    void shouldRefuseWhatRedisRefuses() {
        byte[][] bad = {
                {},
                {0},
                {0, 5, 'a'},
                {0, 1, 'a', 'b'},
                {RdbFormat.TYPE_LIST, 0},
                {RdbFormat.TYPE_SET, 2, 1, 'a', 1, 'a'},
                {RdbFormat.TYPE_HASH, 2, 1, 'a', 0, 1, 'a', 0},
                {RdbFormat.TYPE_ZSET, 1, 1, 'a', (byte) 253},
                {RdbFormat.TYPE_LIST, (byte) 0x80, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
                {6, 0},
                {0, (byte) 0xC4},
                {0, (byte) 0x82},
        };
        for (byte[] b : bad) {
            assertThrows(ValueCodec.MalformedValueException.class, () -> decode(b), () -> java.util.Arrays.toString(b));
        }
    }

    @Test
    void shouldRefuseAValueThatIsNotStored() {
        assertThrows(IllegalArgumentException.class, () -> ValueCodec.encodedLength("text"));
        assertInstanceOf(byte[].class, decode(encoded(new byte[0])));
    }
}
