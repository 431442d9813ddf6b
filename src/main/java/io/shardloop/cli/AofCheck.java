package io.shardloop.cli;

import io.shardloop.kv.RdbFileException;
import io.shardloop.kv.RdbFileReader;
import io.shardloop.kv.RdbVisitor;
import io.shardloop.persist.AofLayout;
import io.shardloop.persist.AofReader;
import io.shardloop.persist.DiskFiles;
import io.shardloop.persist.LogFile;
import io.shardloop.persist.Manifest;
import io.shardloop.persist.PersistenceConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code shardloop check-aof}'s work: checks append-only files as Redis 7's redis-check-aof checks
 * its multi-part AOF, with its messages, and with {@code --fix} cuts a torn or garbage tail off the
 * last incremental file of a shard, once the answer to {@code Continue? [y/N]:} starts with y.
 * <ul>
 *   <li>a directory: every shard's files of the set in use ({@link AofLayout#shardsInUse});</li>
 *   <li>a manifest: the base and the incremental files it names, in order;</li>
 *   <li>one file: RDB when it starts with {@code REDIS}, else RESP (a shard's file knows from its
 *       manifest whether it is the last).</li>
 * </ul>
 * Only what the loader would also cut is cut: the tail of the last incremental file, after its
 * last whole record, when no whole command follows the damage. Damage in a base, in a file that
 * others follow, or with whole commands after it is reported, with its offset, and left alone.
 * <p>
 * One use, on the thread that runs the command.
 */
final class AofCheck {
    /** A path that cannot be checked: one line, and exit status 1. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private static final Pattern SHARD_FILE = Pattern.compile("(appendonly-s\\d+of\\d+\\.aof)\\.\\d+\\.(?:incr\\.aof|base\\.rdb)");
    /** Bytes of a file looked at to tell a manifest (Redis reads lines of up to 1024). */
    private static final int MANIFEST_PEEK = 4096;
    private static final byte[] RDB_MAGIC = "REDIS".getBytes(StandardCharsets.US_ASCII);

    private final PrintWriter out;
    private final BufferedReader answers;
    private final boolean echoAnswers;
    private final boolean fix;
    /** Set when a question to cut was answered no: nothing more is checked. */
    private boolean aborted;

    /**
     * @param answers     where the answers to "Continue?" come from
     * @param echoAnswers whether to print each answer after its question (standard input is not a terminal)
     */
    AofCheck(PrintWriter out, BufferedReader answers, boolean echoAnswers, boolean fix) {
        this.out = out;
        this.answers = answers;
        this.echoAnswers = echoAnswers;
        this.fix = fix;
    }

    /** Checks {@code path}; true when everything in it is valid (or was repaired). */
    boolean check(Path path) throws IOException, Refused {
        if (!Files.exists(path)) {
            throw new Refused("no such file or directory: " + path);
        }
        if (Files.isDirectory(path)) {
            return checkDirectory(path);
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new Refused("not a readable file: " + path);
        }
        if (isManifest(path)) {
            return checkShard(path);
        }
        return checkLoneFile(path);
    }

    private boolean checkDirectory(Path dir) throws IOException, Refused {
        int n;
        try {
            n = AofLayout.shardsInUse(dir);
        } catch (IOException e) {
            throw new Refused(e.getMessage());
        }
        if (n == 0) {
            Path nested = dir.resolve(PersistenceConfig.DEFAULT_APPEND_DIR);
            String hint = Files.isDirectory(nested) ? " (the append-only directory is " + nested + ")" : "";
            throw new Refused(dir + " holds no shard's manifest (appendonly-s<k>of<n>.aof.manifest)" + hint);
        }
        out.println("Checking the AOF files of " + n + (n == 1 ? " shard" : " shards") + " in " + dir);
        int bad = 0;
        for (int k = 0; k < n && !aborted; k++) {
            Path manifest = dir.resolve(AofLayout.manifestName(k, n));
            if (!Files.exists(manifest)) {
                out.println("Shard " + k + " of " + n + " has no manifest " + manifest.getFileName()
                        + ": it has no files yet, and is read as empty");
                continue;
            }
            if (!checkShard(manifest)) {
                bad++;
            }
        }
        if (aborted) {
            return false;
        }
        out.println(bad == 0 ? "All the AOF files and manifests of the " + n + (n == 1 ? " shard" : " shards") + " are valid"
                : bad + " of the " + n + " shards' AOF files are not valid");
        return bad == 0;
    }

    /** One shard: its manifest and the files it names, base first. */
    private boolean checkShard(Path manifestPath) throws IOException {
        String name = manifestPath.getFileName().toString();
        out.println("Start checking Multi Part AOF " + name);
        Manifest manifest;
        try {
            manifest = Manifest.parse(name, Files.readString(manifestPath, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            return false;
        }
        if (manifest.base() == null && manifest.incrementals().isEmpty()) {
            out.println("Found an empty AOF manifest " + name);
            return false;
        }
        Path dir = manifestPath.toAbsolutePath().getParent();
        boolean valid = true;
        if (manifest.base() != null) {
            Path base = dir.resolve(manifest.base().name());
            out.println("Start to check BASE AOF (" + (isRdb(base) ? "RDB" : "RESP") + " format).");
            valid = checkFile(base, "BASE AOF", "it is the base file");
        }
        if (!manifest.incrementals().isEmpty()) {
            out.println("Start to check INCR files.");
            int last = manifest.incrementals().size() - 1;
            for (int i = 0; i <= last && !aborted; i++) {
                Path incr = dir.resolve(manifest.incrementals().get(i).name());
                valid &= checkFile(incr, "INCR AOF", i == last ? null : "it is not the last file");
            }
        }
        if (valid) {
            out.println("All AOF files and manifest are valid");
        }
        return valid;
    }

    /** A file given alone: a shard's (its manifest says whether it is the last) or one of its own. */
    private boolean checkLoneFile(Path file) throws IOException {
        Matcher m = SHARD_FILE.matcher(file.getFileName().toString());
        Path manifestPath = m.matches() ? file.resolveSibling(m.group(1) + ".manifest") : null;
        if (manifestPath == null || !Files.exists(manifestPath)) {
            out.println("Start checking Old-Style AOF");
            return checkFile(file, "AOF", null);
        }
        String name = file.getFileName().toString();
        Manifest manifest;
        try {
            manifest = Manifest.parse(manifestPath.toString(), Files.readString(manifestPath, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            return false;
        }
        out.println("Start checking " + name + " of " + manifestPath.getFileName());
        if (manifest.base() != null && manifest.base().name().equals(name)) {
            return checkFile(file, "BASE AOF", "it is the base file");
        }
        boolean last = !manifest.incrementals().isEmpty() && manifest.incrementals().getLast().name().equals(name);
        boolean named = manifest.incrementals().stream().anyMatch(e -> e.name().equals(name));
        return checkFile(file, "INCR AOF", last ? null : named ? "it is not the last file" : "its manifest does not name it");
    }

    /**
     * One file.
     *
     * @param notRepairable why --fix may not cut it, or null when it may
     */
    private boolean checkFile(Path file, String kind, String notRepairable) throws IOException {
        String name = file.getFileName().toString();
        if (!Files.exists(file)) {
            out.println("Cannot open file " + file + ": No such file or directory");
            return false;
        }
        if (Files.size(file) == 0) {
            out.println(kind + " " + name + " is empty");
            return true;
        }
        if (isRdb(file)) {
            return checkRdb(file, kind);
        }
        AofReader.Analysis a = AofReader.analyze(file);
        if (!a.valid()) {
            out.println(String.format("0x%016x: %s", a.damageAt(), a.damage()));
        }
        long diff = a.size() - a.okUpTo();
        out.println("AOF analyzed: filename=" + name + ", size=" + a.size() + ", ok_up_to=" + a.okUpTo()
                + ", ok_up_to_line=" + a.okUpToLine() + ", diff=" + diff);
        if (a.valid()) {
            out.println(kind + " " + name + " is valid");
            return true;
        }
        String why = notRepairable;
        if (why == null && a.wholeCommandAfter() >= 0) {
            why = "the damage at offset " + a.damageAt() + " is not its tail (a whole command starts at offset "
                    + a.wholeCommandAfter() + "), and cutting it at " + a.okUpTo() + " would lose what follows";
        }
        if (why != null) {
            out.println("AOF " + name + " is not valid, and --fix cannot repair it: " + why);
            return false;
        }
        if (!fix) {
            out.println("AOF " + name + " is not valid. Use the --fix option to try fixing it.");
            return false;
        }
        return cut(file, a);
    }

    private boolean cut(Path file, AofReader.Analysis a) throws IOException {
        String name = file.getFileName().toString();
        out.println("This will shrink the AOF " + name + " from " + a.size() + " bytes, with " + (a.size() - a.okUpTo())
                + " bytes, to " + a.okUpTo() + " bytes");
        out.print("Continue? [y/N]: ");
        out.flush();
        String answer = answers.readLine();
        if (echoAnswers) {
            out.println(answer == null ? "" : answer);
        }
        if (answer == null || !(answer.startsWith("y") || answer.startsWith("Y"))) {
            out.println("Aborting...");
            aborted = true;
            return false;
        }
        if (Files.size(file) != a.size()) {
            out.println("AOF " + name + " changed while it was checked (is a server writing it?): left as it is");
            return false;
        }
        try (LogFile f = DiskFiles.INSTANCE.open(file)) {
            f.truncate(a.okUpTo());
            f.force();
        }
        out.println("Successfully truncated AOF " + name);
        return true;
    }

    /** An RDB file, in the essence of redis-check-rdb's report. */
    private boolean checkRdb(Path file, String kind) throws IOException {
        String name = file.getFileName().toString();
        out.println("[offset 0] Checking RDB file " + name);
        long[] keys = new long[2];
        try {
            RdbFileReader.read(file, (db, key, value, expireAtMs) -> {
                keys[0]++;
                if (expireAtMs != RdbFileReader.NO_EXPIRY) {
                    keys[1]++;
                }
            });
        } catch (RdbFileException e) {
            out.println("--- RDB ERROR DETECTED ---");
            out.println("[offset " + e.offset() + "] " + switch (e.kind()) {
                case TRUNCATED -> "Unexpected EOF reading RDB file";
                case CHECKSUM_MISMATCH -> "RDB CRC error";
                case BAD_OPCODE, MALFORMED -> "Bad RDB content";
                case UNSUPPORTED -> "Not supported by this reader";
            });
            out.println("[additional info] " + e.getMessage());
            out.println(kind + " " + name + " is not valid, and --fix cannot repair it: an RDB file is never cut");
            return false;
        }
        out.println("[offset " + Files.size(file) + "] \\o/ RDB looks OK! \\o/");
        out.println("[info] " + keys[0] + " keys read");
        out.println("[info] " + keys[1] + " expires");
        out.println(kind + " " + name + " is valid");
        return true;
    }

    /**
     * A file whose first lines, past comments, are a manifest's {@code file ...} lines, as
     * redis-check-aof tells one; only the file's first {@value #MANIFEST_PEEK} bytes are looked at.
     */
    private static boolean isManifest(Path file) throws IOException {
        byte[] start;
        try (InputStream in = Files.newInputStream(file)) {
            start = in.readNBytes(MANIFEST_PEEK);
        }
        for (String line : new String(start, StandardCharsets.ISO_8859_1).split("\n")) {
            if (!line.startsWith("#")) {
                return line.startsWith("file ");
            }
        }
        return false;
    }

    private static boolean isRdb(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(RDB_MAGIC.length), RDB_MAGIC);
        }
    }
}
