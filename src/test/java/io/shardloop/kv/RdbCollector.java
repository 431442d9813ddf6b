package io.shardloop.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNull;

/** A visitor that keeps what it is given, for tests to compare. */
final class RdbCollector implements RdbVisitor {
    int version;
    final Map<String, String> aux = new LinkedHashMap<>();
    final List<String> functions = new ArrayList<>();
    final List<Integer> selected = new ArrayList<>();
    final List<String> resizes = new ArrayList<>();
    /** "db:key" to the value's contents and expiry, in file order. */
    final Map<String, RdbSamples.Found> entries = new LinkedHashMap<>();
    /** The values as read, by "db:key". */
    final Map<String, Object> values = new LinkedHashMap<>();
    boolean ended;

    @Override
    public void version(int version) {
        this.version = version;
    }

    @Override
    public void aux(String name, String value) {
        aux.put(name, value);
    }

    @Override
    public void function(String code) {
        functions.add(code);
    }

    @Override
    public void selectDb(int db) {
        selected.add(db);
    }

    @Override
    public void resizeDb(int db, long keys, long expires) {
        resizes.add(db + ":" + keys + "/" + expires);
    }

    @Override
    public void entry(int db, byte[] key, Object value, long expireAtMs) {
        String name = db + ":" + new String(key, StandardCharsets.ISO_8859_1);
        assertNull(entries.put(name, new RdbSamples.Found(ValueCodecTest.contents(value), expireAtMs)), "once: " + name);
        values.put(name, value);
    }

    @Override
    public void end() {
        ended = true;
    }
}
