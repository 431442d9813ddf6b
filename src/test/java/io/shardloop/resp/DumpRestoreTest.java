package io.shardloop.resp;

import io.shardloop.kv.StateMode;
import io.shardloop.kv.Store;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values cross between redis-server 7.0 and this server through DUMP and RESTORE, both ways: what
 * Redis dumps in each of its encodings (integer and LZF strings, listpacks, quicklists, intsets,
 * hash tables, skip lists) restores here in every store, and what this server dumps restores into
 * Redis, with the same contents read back. Payloads are binary, so commands travel as bytes.
 */
class DumpRestoreTest {
    private static RedisServer redis;
    private static Binary reference;
    /** Each key built on Redis, with the command that reads it whole. */
    private static final Map<String, String[]> READS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        reference = new Binary(redis.port());
        build();
    }

    @AfterAll
    static void stop() throws Exception {
        reference.close();
        redis.close();
    }

    /** Keys in every encoding Redis 7.0 holds (and so dumps) the common types in. */
    private static void build() throws IOException {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        call(reference, "FLUSHALL");
        string("str:short", bytes("hello"));
        string("str:empty", new byte[0]);
        string("str:int8", bytes("-7"));
        string("str:int16", bytes("1000"));
        string("str:int32", bytes("-2000000000"));
        string("str:int64", bytes("12345678901234"));
        string("str:lzf", bytes("abcdefgh".repeat(50)));
        string("str:binary", binary);
        string("str:large", bytes("x".repeat(20_000) + "y"));

        List<byte[]> list = new ArrayList<>(List.of(bytes("a"), bytes(""), bytes("7"), bytes("-300"), bytes("100000"),
                bytes("9999999999"), bytes("-9000000000000000000"), binary, bytes("z".repeat(5000))));
        container("list:small", "RPUSH", list, "LRANGE", "0", "-1");
        List<byte[]> longList = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            longList.add(bytes("element-" + i + "-" + "p".repeat(i % 40)));
        }
        container("list:nodes", "RPUSH", longList, "LRANGE", "0", "-1");

        container("set:intset", "SADD", List.of(bytes("1"), bytes("-5"), bytes("70000"), bytes("5000000000")), "SMEMBERS");
        container("set:int16", "SADD", List.of(bytes("1"), bytes("2"), bytes("-3")), "SMEMBERS");
        container("set:strings", "SADD", List.of(bytes("a"), bytes(""), binary, bytes("12")), "SMEMBERS");
        List<byte[]> ints = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            ints.add(bytes(Integer.toString(i * 7 - 1000)));
        }
        container("set:hashtable", "SADD", ints, "SMEMBERS");

        container("hash:listpack", "HSET", List.of(bytes("f"), bytes("v"), bytes("n"), bytes("-12"), bytes("big"),
                bytes("123456789012"), bytes(""), bytes("")), "HGETALL");
        container("hash:longvalue", "HSET", List.of(bytes("f"), bytes("v".repeat(100)), bytes("bin"), binary), "HGETALL");
        List<byte[]> fields = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            fields.add(bytes("field" + i));
            fields.add(bytes(Integer.toString(i)));
        }
        container("hash:hashtable", "HSET", fields, "HGETALL");

        container("zset:listpack", "ZADD", List.of(bytes("1"), bytes("a"), bytes("2.5"), bytes("b"), bytes("-inf"),
                bytes("c"), bytes("+inf"), bytes("d"), bytes("-0"), bytes("e"), bytes("1e300"), bytes("f"),
                bytes("-3"), bytes("12")), "ZRANGE", "0", "-1", "WITHSCORES");
        List<byte[]> scored = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            scored.add(bytes(Double.toString(i / 7.0)));
            scored.add(bytes("member" + i));
        }
        scored.add(bytes("inf"));
        scored.add(binary);
        container("zset:skiplist", "ZADD", scored, "ZRANGE", "0", "-1", "WITHSCORES");
    }

    private static void string(String key, byte[] value) throws IOException {
        assertEquals("OK", call(reference, bytes("SET"), bytes(key), value));
        READS.put(key, new String[] {"GET"});
    }

    private static void container(String key, String write, List<byte[]> items, String... read) throws IOException {
        List<byte[]> command = new ArrayList<>(List.of(bytes(write), bytes(key)));
        command.addAll(items);
        call(reference, command.toArray(new byte[0][]));
        READS.put(key, read);
    }

    /** The RDB type (and for strings the encoding byte) Redis 7.0 dumps each key with: every one is covered. */
    @Test
    void redisDumpsTheKeysInEachOfItsEncodings() throws IOException {
        Map<String, Integer> types = Map.ofEntries(Map.entry("list:small", 18), Map.entry("list:nodes", 18),
                Map.entry("set:intset", 11), Map.entry("set:int16", 11), Map.entry("set:strings", 2),
                Map.entry("set:hashtable", 2), Map.entry("hash:listpack", 16), Map.entry("hash:longvalue", 4),
                Map.entry("hash:hashtable", 4), Map.entry("zset:listpack", 17), Map.entry("zset:skiplist", 5));
        types.forEach((key, type) -> assertEquals(type, dumped(key)[0] & 0xFF, key));
        assertEquals(0xC0, dumped("str:int8")[1] & 0xFF);
        assertEquals(0xC1, dumped("str:int16")[1] & 0xFF);
        assertEquals(0xC2, dumped("str:int32")[1] & 0xFF);
        assertEquals(0xC3, dumped("str:lzf")[1] & 0xFF);
        assertEquals(0xC3, dumped("str:large")[1] & 0xFF);
        assertEquals(14, dumped("str:int64")[1] & 0xFF);
        assertTrue(dumped("list:nodes")[1] > 1, "several quicklist nodes");
    }

    private static byte[] dumped(String key) {
        try {
            return (byte[]) call(reference, "DUMP", key);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void redisDumpsRestoreHereInEveryStore() throws IOException {
        for (StateMode mode : StateMode.values()) {
            for (int shards : new int[] {1, 2, 4}) {
                Store store = mode.create(shards, System::currentTimeMillis);
                for (String key : READS.keySet()) {
                    byte[] payload = (byte[]) call(reference, "DUMP", key);
                    String where = key + " in " + mode + " on " + shards;
                    assertEquals("OK", call(store, bytes("RESTORE"), bytes(key), bytes("0"), payload), where);
                    assertEquals(read(reference, key, key), read(store, key, key), where);
                    assertEquals(call(reference, "TYPE", key), call(store, bytes("TYPE"), bytes(key)), where);
                }
            }
        }
    }

    @Test
    void dumpsFromHereRestoreIntoRedis() throws IOException {
        for (StateMode mode : StateMode.values()) {
            Store store = mode.create(2, System::currentTimeMillis);
            for (String key : READS.keySet()) {
                call(store, bytes("RESTORE"), bytes(key), bytes("0"), (byte[]) call(reference, "DUMP", key));
                byte[] ours = (byte[]) call(store, bytes("DUMP"), bytes(key));
                String copy = "copy:" + key;
                assertEquals("OK", call(reference, bytes("RESTORE"), bytes(copy), bytes("0"), ours, bytes("REPLACE")),
                        key + " from " + mode);
                assertEquals(read(store, key, key), read(reference, key, copy), key + " from " + mode);
            }
        }
    }

    @Test
    void shortStringsDumpAsRedisDumpsThem() throws IOException {
        Store store = StateMode.values()[0].create(1, System::currentTimeMillis);
        for (String key : READS.keySet()) {
            if (key.startsWith("str:") && !key.equals("str:lzf") && !key.equals("str:large") && !key.equals("str:binary")) {
                byte[] value = (byte[]) call(reference, "GET", key);
                call(store, bytes("SET"), bytes(key), value);
                assertArrayEquals((byte[]) call(reference, "DUMP", key), (byte[]) call(store, bytes("DUMP"), bytes(key)), key);
            }
        }
    }

    @Test
    void restoreSetsTheTimeToLiveAndDropsAKeyAlreadyExpired() throws IOException {
        for (StateMode mode : StateMode.values()) {
            Store store = mode.create(2, System::currentTimeMillis);
            byte[] payload = (byte[]) call(reference, "DUMP", "hash:listpack");
            assertEquals("OK", call(store, bytes("RESTORE"), bytes("h"), bytes("100000"), payload));
            long pttl = Long.parseLong((String) call(store, bytes("PTTL"), bytes("h")));
            assertTrue(pttl > 90_000 && pttl <= 100_000, "pttl " + pttl);
            long at = System.currentTimeMillis() + 50_000;
            assertEquals("OK", call(store, bytes("RESTORE"), bytes("h"), bytes(Long.toString(at)), payload,
                    bytes("REPLACE"), bytes("ABSTTL"), bytes("IDLETIME"), bytes("10")));
            assertEquals(Long.toString(at), call(store, bytes("PEXPIRETIME"), bytes("h")));
            assertEquals("OK", call(store, bytes("RESTORE"), bytes("h"), bytes("1"), payload, bytes("REPLACE"), bytes("ABSTTL")));
            assertEquals("0", call(store, bytes("EXISTS"), bytes("h")), "a deadline past removes the key it replaced");
            assertEquals("OK", call(store, bytes("RESTORE"), bytes("h"), bytes("1"), payload, bytes("ABSTTL")));
            assertEquals("0", call(store, bytes("EXISTS"), bytes("h")));
            assertNull(call(store, bytes("DUMP"), bytes("h")));
        }
    }

    @Test
    void aPayloadWithARightChecksumButNoValueIsBadDataAsInRedis() throws IOException {
        byte[] good = (byte[]) call(reference, "DUMP", "list:small");
        List<byte[]> bad = List.of(
                withFooterOf(good, new byte[] {1, 0}),                  // an empty list
                withFooterOf(good, new byte[] {2, 2, 1, 'a', 1, 'a'}),  // a set with a member twice
                withFooterOf(good, new byte[] {42, 0}),                 // no such type
                withFooterOf(good, new byte[] {0, 20, 'a'}),            // a string past the payload's end
                withFooterOf(good, new byte[] {17, 3, 1, 2, 3}));       // a listpack that is not one
        Store store = StateMode.values()[0].create(1, System::currentTimeMillis);
        for (byte[] payload : bad) {
            Object expected = call(reference, bytes("RESTORE"), bytes("bad"), bytes("0"), payload);
            assertEquals("-ERR Bad data format", expected);
            assertEquals(expected, call(store, bytes("RESTORE"), bytes("bad"), bytes("0"), payload));
        }
    }

    @Test
    void aValueIsReadFromTheWholePayloadAsRedisReadsIt() throws IOException {
        byte[] good = (byte[]) call(reference, "DUMP", "list:small");
        // A string of 9 bytes runs on into the footer; bytes left after a value are not looked at.
        List<byte[]> odd = List.of(withFooterOf(good, new byte[] {0, 9, 'a'}), withFooterOf(good, new byte[] {0, 1, 'a', 'b'}));
        Store store = StateMode.values()[0].create(1, System::currentTimeMillis);
        for (byte[] payload : odd) {
            assertEquals("OK", call(reference, bytes("RESTORE"), bytes("odd"), bytes("0"), payload, bytes("REPLACE")));
            assertEquals("OK", call(store, bytes("RESTORE"), bytes("odd"), bytes("0"), payload, bytes("REPLACE")));
            assertArrayEquals((byte[]) call(reference, "GET", "odd"), (byte[]) call(store, bytes("GET"), bytes("odd")));
        }
    }

    /** A value framed with the version of another payload and its own valid CRC. */
    private static byte[] withFooterOf(byte[] payload, byte[] value) {
        byte[] b = Arrays.copyOf(value, value.length + 10);
        b[value.length] = payload[payload.length - 10];
        b[value.length + 1] = payload[payload.length - 9];
        long crc = crc64(b, value.length + 2);
        for (int i = 0; i < 8; i++) {
            b[value.length + 2 + i] = (byte) (crc >>> (8 * i));
        }
        return b;
    }

    /** Redis's CRC-64 bit by bit: reflected Jones polynomial, from 0, not inverted. */
    private static long crc64(byte[] b, int length) {
        long crc = 0;
        for (int i = 0; i < length; i++) {
            crc ^= b[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ Long.reverse(0xad93d23594c935a9L) : crc >>> 1;
            }
        }
        return crc;
    }

    /**
     * The contents of {@code key}, read with the command of the key built as {@code built}, as
     * Redis's read command gives them, hashes and sets in sorted order.
     */
    private static String read(Object target, String built, String key) throws IOException {
        String[] read = READS.get(built);
        byte[][] command = new byte[read.length + 1][];
        command[0] = bytes(read[0]);
        command[1] = bytes(key);
        for (int i = 1; i < read.length; i++) {
            command[i + 1] = bytes(read[i]);
        }
        Object reply = target instanceof Store s ? call(s, command) : call((Binary) target, command);
        String text = render(reply);
        if (reply instanceof List<?> items && (read[0].equals("SMEMBERS") || read[0].equals("HGETALL"))) {
            List<String> elements = new ArrayList<>();
            int step = read[0].equals("HGETALL") ? 2 : 1;
            for (int i = 0; i < items.size(); i += step) {
                elements.add(render(items.get(i)) + (step == 2 ? "=" + render(items.get(i + 1)) : ""));
            }
            elements.sort(null);
            text = elements.toString();
        }
        return text;
    }

    private static String render(Object reply) {
        return switch (reply) {
            case null -> "null";
            case byte[] b -> HexFormat.of().formatHex(b);
            case List<?> items -> {
                List<String> out = new ArrayList<>();
                for (Object o : items) {
                    out.add(render(o));
                }
                yield out.toString();
            }
            default -> reply.toString();
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Object call(Binary client, String... words) throws IOException {
        byte[][] args = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            args[i] = bytes(words[i]);
        }
        return client.call(args);
    }

    private static Object call(Binary client, byte[]... args) throws IOException {
        return client.call(args);
    }

    private static Object call(Store store, byte[]... args) throws IOException {
        CommandArgs a = new CommandArgs();
        for (byte[] arg : args) {
            a.add(arg);
        }
        BufferReplyWriter out = new BufferReplyWriter();
        store.execute(a, out);
        return Binary.reply(new ByteArrayInputStream(out.toByteArray()));
    }

    /**
     * A RESP2 client that keeps bytes as bytes: bulk replies as {@code byte[]}, simple strings and
     * integers as their text, errors as "-" and their text, arrays as lists.
     */
    static final class Binary implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Binary(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        Object call(byte[]... args) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] arg : args) {
                b.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                b.writeBytes(arg);
                b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write(b.toByteArray());
            out.flush();
            return reply(in);
        }

        static Object reply(InputStream in) throws IOException {
            String line = line(in);
            switch (line.charAt(0)) {
                case '+', ':' -> {
                    return line.substring(1);
                }
                case '$' -> {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        return null;
                    }
                    byte[] data = in.readNBytes(n + 2);
                    if (data.length < n + 2) {
                        throw new IOException("closed inside a bulk reply");
                    }
                    return Arrays.copyOf(data, n);
                }
                case '*' -> {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        items.add(reply(in));
                    }
                    return items;
                }
                default -> {
                    return line;
                }
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("closed after: " + sb);
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
