package io.shardloop.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys of every value type, in the sizes that give each of Redis's encodings (int and raw strings;
 * intset and hashtable sets; listpack and hashtable hashes; listpack and skiplist sorted sets;
 * lists of one and of many quicklist nodes), some with an expiry, spread over several databases:
 * what the RDB file tests write, read, and compare with redis-server.
 */
final class RdbSamples {
    /** One key: where it lives, its value, its expiry or {@link RdbFileWriter#NO_EXPIRY}. */
    record Sample(int db, byte[] key, Object value, long expireAtMs) {
        String keyText() {
            return new String(key, StandardCharsets.ISO_8859_1);
        }
    }

    /** What a test expects to find, and what it found: per "db:key", the value's contents and expiry. */
    record Found(Object contents, long expireAtMs) {
    }

    private RdbSamples() {
    }

    /**
     * Every type and encoding. Keys and values are text, so that a client can send and compare
     * them; {@code binary} adds keys and values with every byte.
     */
    static List<Sample> everyType(long expireAtMs, boolean binary) {
        List<Sample> s = new ArrayList<>();
        s.add(new Sample(0, b("str:raw"), b("hello world"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("str:int8"), b("-7"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("str:int16"), b("12345"), expireAtMs));
        s.add(new Sample(0, b("str:int32"), b("-2147483648"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("str:not-int"), b("12345678901"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("str:leading-zero"), b("007"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("str:empty"), b(""), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("str:long"), b("ab".repeat(5000)), expireAtMs + 1));
        s.add(new Sample(0, b("12"), b("a key that is an integer"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("list:small"), list("a", "b", "12", "", "c"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("list:big"), list(numbered("element-", 3000)), expireAtMs + 2));
        s.add(new Sample(0, b("set:intset"), set("1", "2", "300", "-5", "70000"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("set:hashtable"), set("x", "y", "z"), expireAtMs + 3));
        s.add(new Sample(0, b("set:big"), set(numbered("member-", 600)), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("hash:listpack"), hash("f1", "v1", "n", "10", "empty", ""), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("hash:hashtable"), hash(pairs("field-", 600)), expireAtMs + 4));
        s.add(new Sample(0, b("hash:long-value"), hash("f", "v".repeat(100)), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(0, b("zset:listpack"), zset("a", 1.5, "b", -2.0, "c", Double.POSITIVE_INFINITY,
                "d", Double.NEGATIVE_INFINITY, "e", 0.1, "f", 1e300), RdbFileWriter.NO_EXPIRY));
        Object[] many = new Object[2 * 300];
        for (int i = 0; i < 300; i++) {
            many[2 * i] = "m" + i;
            many[2 * i + 1] = i * 0.25 - 20;
        }
        s.add(new Sample(0, b("zset:skiplist"), zset(many), expireAtMs + 5));
        s.add(new Sample(3, b("str:raw"), b("in db 3"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(3, b("list:small"), list("x"), expireAtMs + 6));
        s.add(new Sample(15, b("last"), set("only"), RdbFileWriter.NO_EXPIRY));
        s.add(new Sample(15, b("expiring"), b("soon"), expireAtMs + 7));
        if (binary) {
            byte[] all = new byte[256];
            for (int i = 0; i < all.length; i++) {
                all[i] = (byte) i;
            }
            s.add(new Sample(1, all, all, expireAtMs + 8));
            s.add(new Sample(1, b("big-string"), new byte[200_000], RdbFileWriter.NO_EXPIRY));
        }
        return s;
    }

    /** The samples as a test finds them: "db:key" to contents and expiry. */
    static Map<String, Found> expected(List<Sample> samples) {
        Map<String, Found> out = new LinkedHashMap<>();
        for (Sample sample : samples) {
            out.put(sample.db() + ":" + sample.keyText(), new Found(ValueCodecTest.contents(sample.value()),
                    sample.expireAtMs()));
        }
        return out;
    }

    /** Writes the samples with their databases' selections: one writer's body, in database order. */
    static void writeBody(RdbFileWriter w, List<Sample> samples) {
        for (int db = 0; db < 16; db++) {
            int current = db;
            List<Sample> in = samples.stream().filter(x -> x.db() == current).toList();
            if (in.isEmpty()) {
                continue;
            }
            w.selectDb(db, in.size(), in.stream().filter(x -> x.expireAtMs() >= 0).count());
            for (Sample x : in) {
                w.entry(x.key(), x.value(), x.expireAtMs());
            }
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String[] numbered(String prefix, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = prefix + i;
        }
        return out;
    }

    static String[] pairs(String prefix, int n) {
        String[] out = new String[2 * n];
        for (int i = 0; i < n; i++) {
            out[2 * i] = prefix + i;
            out[2 * i + 1] = "value-" + i;
        }
        return out;
    }

    static ArrayDeque<byte[]> list(String... elements) {
        ArrayDeque<byte[]> list = new ArrayDeque<>();
        for (String e : elements) {
            list.addLast(b(e));
        }
        return list;
    }

    static MemberSet set(String... members) {
        MemberSet set = new MemberSet();
        for (String m : members) {
            set.add(Key.wrap(b(m)));
        }
        return set;
    }

    static HashMap<Key, byte[]> hash(String... fieldsAndValues) {
        HashMap<Key, byte[]> hash = HashCommands.newHash(fieldsAndValues.length / 2);
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            hash.put(Key.wrap(b(fieldsAndValues[i])), b(fieldsAndValues[i + 1]));
        }
        return hash;
    }

    static SortedSet zset(Object... membersAndScores) {
        SortedSet zset = new SortedSet();
        for (int i = 0; i < membersAndScores.length; i += 2) {
            zset.insert(Key.wrap(b((String) membersAndScores[i])), (Double) membersAndScores[i + 1]);
        }
        return zset;
    }
}
