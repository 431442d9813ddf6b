package io.shardloop.kv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What Redis 7.0 says of each of its commands, for COMMAND DOCS, COMMAND INFO's ACL categories,
 * COMMAND LIST FILTERBY ACLCAT and COMMAND GETKEYSANDFLAGS: read from {@code redis-commands.tsv},
 * which tools/redis-command-docs.py writes from Redis's own src/commands/*.json.
 * <p>
 * Immutable after class initialisation: shared by all threads.
 */
final class CommandDocs {
    /**
     * One command's entry.
     *
     * @param group      Redis's group, as COMMAND DOCS names it ("sorted-set")
     * @param categories the ACL categories, the implied ones included, without '@'
     * @param keySpecs   each key spec's flags, upper case as Redis writes the access flags ("RW", "access")
     */
    record Doc(String group, String since, String summary, String complexity, String[] categories,
               String[][] keySpecs) {
    }

    private static final Map<String, Doc> DOCS = load();

    private CommandDocs() {
    }

    /** The subcommands' names of a container ("get", "set" for "config"), sorted; empty for another command. */
    static java.util.List<String> subcommands(String container) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String name : DOCS.keySet()) {
            if (name.startsWith(container + "|")) {
                names.add(name.substring(container.length() + 1));
            }
        }
        java.util.Collections.sort(names);
        return names;
    }

    /** The entry of a command or subcommand ("config|get"), or null for one Redis does not have. */
    static Doc of(String name) {
        return DOCS.get(name);
    }

    private static Map<String, Doc> load() {
        Map<String, Doc> docs = new HashMap<>();
        try (InputStream in = CommandDocs.class.getResourceAsStream("redis-commands.tsv")) {
            if (in == null) {
                throw new IllegalStateException("redis-commands.tsv is missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                String[] specs = f[6].isEmpty() ? new String[0] : f[6].split(";", -1);
                String[][] keySpecs = new String[specs.length][];
                for (int i = 0; i < specs.length; i++) {
                    keySpecs[i] = specs[i].isEmpty() ? new String[0] : specs[i].split(",");
                    for (int j = 0; j < keySpecs[i].length; j++) {
                        String flag = keySpecs[i][j];
                        // Redis writes the four access flags in capitals, the others in lower case.
                        keySpecs[i][j] = flag.length() == 2 ? flag.toUpperCase(java.util.Locale.ROOT) : flag;
                    }
                }
                docs.put(f[0], new Doc(f[1].replace('_', '-'), f[2], f[3], f[4],
                        f[5].isEmpty() ? new String[0] : f[5].split(","), keySpecs));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }
}
