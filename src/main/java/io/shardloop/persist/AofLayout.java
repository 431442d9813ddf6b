package io.shardloop.persist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The names of the shards' files in the append-only directory. Stateless. */
public final class AofLayout {
    private AofLayout() {
    }

    /** The appendfilename of shard {@code k} of {@code n}. */
    public static String appendFilename(int k, int n) {
        return "appendonly-s" + k + "of" + n + ".aof";
    }

    public static String manifestName(int k, int n) {
        return appendFilename(k, n) + ".manifest";
    }

    public static String baseName(int k, int n, int seq) {
        return appendFilename(k, n) + "." + seq + ".base.rdb";
    }

    public static String incrementalName(int k, int n, int seq) {
        return appendFilename(k, n) + "." + seq + ".incr.aof";
    }

    /** The file that says which set of shards' files is the one in use: {@code shards <n>}. */
    public static final String SHARDS_FILE = "appendonly.aof.shards";
    private static final Pattern MANIFEST = Pattern.compile("appendonly-s(\\d+)of(\\d+)\\.aof\\.manifest");

    /**
     * The shard count whose files are in use in {@code dir}: the one {@link #SHARDS_FILE} names, or,
     * without it, the one count whose manifests are there; 0 when there are none.
     */
    public static int shardsInUse(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Path pointer = dir.resolve(SHARDS_FILE);
        if (Files.exists(pointer)) {
            String text = Files.readString(pointer, StandardCharsets.US_ASCII).trim();
            if (!text.startsWith("shards ")) {
                throw new IOException("bad " + pointer + ": '" + text + "' (expected 'shards <n>')");
            }
            try {
                int n = Integer.parseInt(text.substring(7).trim());
                return hasManifest(dir, n) ? n : 0;
            } catch (NumberFormatException e) {
                throw new IOException("bad " + pointer + ": '" + text + "' (expected 'shards <n>')");
            }
        }
        Set<Integer> counts = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> {
                Matcher m = MANIFEST.matcher(p.getFileName().toString());
                if (m.matches()) {
                    counts.add(Integer.parseInt(m.group(2)));
                }
            });
        }
        if (counts.size() > 1) {
            throw new IOException("the append-only directory " + dir + " holds files of several shard counts "
                    + counts + " and no " + SHARDS_FILE + " saying which is in use");
        }
        return counts.isEmpty() ? 0 : counts.iterator().next();
    }

    private static boolean hasManifest(Path dir, int n) {
        for (int k = 0; k < n; k++) {
            if (Files.exists(dir.resolve(manifestName(k, n)))) {
                return true;
            }
        }
        return false;
    }

    /** Says that the set of {@code n} shards' files is the one in use. */
    public static void writeShardsInUse(LogFiles files, Path dir, int n) throws IOException {
        files.writeAtomically(dir.resolve(SHARDS_FILE), ("shards " + n + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Deletes the files of shard {@code k} of {@code n}: its manifest first, then what it named. */
    public static void deleteSet(LogFiles files, Path dir, int k, int n) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        files.delete(dir.resolve(manifestName(k, n)));
        String prefix = appendFilename(k, n) + ".";
        try (Stream<Path> all = Files.list(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.getFileName().toString().startsWith(prefix)) {
                    files.delete(p);
                }
            }
        }
    }
}
