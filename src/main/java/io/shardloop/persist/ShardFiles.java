package io.shardloop.persist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One shard's files in the append-only directory: a Redis 7 multi-part AOF whose appendfilename
 * is {@code appendonly-s<k>of<n>.aof}: a manifest naming a base file (a snapshot, RDB) and the
 * incremental files (RESP) written after it, in order. The manifest changes only by being written
 * whole ({@link LogFiles#writeAtomically}), so at any moment it names a set of files that replays
 * to the data.
 * <p>
 * Threading: its methods do file I/O and run off the loop, one at a time (the shard's log jobs,
 * start-up, the end of a compaction).
 */
public final class ShardFiles {
    private final LogFiles files;
    private final Path dir;
    private final int shard;
    private final int shards;
    private Manifest manifest;
    /** The temporary incremental file the log writes while it waits for a base ({@link #openTemporaryIncremental}), or null. */
    private String temporaryIncremental;
    private int temporaries;

    private ShardFiles(LogFiles files, Path dir, int shard, int shards, Manifest manifest) {
        this.files = files;
        this.dir = dir;
        this.shard = shard;
        this.shards = shards;
        this.manifest = manifest;
    }

    /** The files of shard {@code shard} of {@code shards} in {@code dir}, as its manifest names them (none yet: empty). */
    public static ShardFiles read(LogFiles files, Path dir, int shard, int shards) throws IOException {
        Path m = dir.resolve(AofLayout.manifestName(shard, shards));
        Manifest manifest = Files.exists(m)
                ? Manifest.parse(m.toString(), Files.readString(m, StandardCharsets.UTF_8))
                : new Manifest();
        return new ShardFiles(files, dir, shard, shards, manifest);
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The base file, or null when there is none. */
    public Path base() {
        Manifest.Entry b = manifest.base();
        return b == null ? null : dir.resolve(b.name());
    }

    /** The incremental files, oldest first. */
    public List<Path> incrementals() {
        List<Path> out = new ArrayList<>();
        for (Manifest.Entry e : manifest.incrementals()) {
            out.add(dir.resolve(e.name()));
        }
        return out;
    }

    /**
     * Opens the last incremental file for appending; when there is none yet, makes one and writes
     * the manifest that names it first (the directory is created when missing).
     */
    public LogFile openLast() throws IOException {
        if (manifest.incrementals().isEmpty()) {
            return addIncremental();
        }
        return files.open(dir.resolve(manifest.incrementals().getLast().name()));
    }

    /**
     * Starts a new incremental file and writes the manifest naming it after the others: what is
     * appended to it from now on replays after them (the start of a compaction).
     */
    public LogFile addIncremental() throws IOException {
        Files.createDirectories(dir);
        int seq = manifest.nextIncrementalSeq();
        String name = AofLayout.incrementalName(shard, shards, seq);
        LogFile f = files.open(dir.resolve(name));
        manifest = manifest.withIncremental(name, seq);
        writeManifest();
        return f;
    }

    /** The name the next base file is written under (RDB), and its sequence number. */
    public String nextBaseName() {
        return AofLayout.baseName(shard, shards, manifest.nextBaseSeq());
    }

    /**
     * A compaction is complete: {@code baseName} (written and synced) is the new base and only the
     * incremental files from {@code firstKept} on follow it; the manifest is switched to say so, then
     * the files it no longer names are deleted.
     */
    public void replaceBase(String baseName, String firstKept) throws IOException {
        switchTo(manifest.withBase(baseName, manifest.nextBaseSeq(), firstKept));
    }

    /** Writes {@code next} as the manifest, then deletes the files the one before named and it does not. */
    private void switchTo(Manifest next) throws IOException {
        Manifest before = manifest;
        manifest = next;
        writeManifest();
        for (String gone : before.namesNotIn(manifest)) {
            files.delete(dir.resolve(gone));
        }
    }

    private void writeManifest() throws IOException {
        files.writeAtomically(dir.resolve(AofLayout.manifestName(shard, shards)), manifest.format().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Turning the log on at run time: a new temporary incremental file, empty, that no manifest
     * names yet (the directory is created when missing; the temporary file before it, which the log
     * left for this one, is deleted). {@link #adopt} names it once a base it follows is written; a
     * crash before leaves the manifest as it was.
     */
    public LogFile openTemporaryIncremental() throws IOException {
        Files.createDirectories(dir);
        String before = temporaryIncremental;
        temporaryIncremental = "temp-" + AofLayout.appendFilename(shard, shards) + "." + (++temporaries) + ".incr";
        LogFile f = files.open(dir.resolve(temporaryIncremental));
        f.truncate(0);
        if (before != null) {
            files.delete(dir.resolve(before));
        }
        return f;
    }

    /**
     * The log turned on at run time is whole: {@code baseName} (written and synced) is the base and
     * the temporary incremental file, renamed into its place, the only file after it; the manifest
     * switches to name just those two, then the files it named before are deleted.
     */
    public void adopt(String baseName) throws IOException {
        int seq = manifest.nextIncrementalSeq();
        String incremental = AofLayout.incrementalName(shard, shards, seq);
        files.rename(dir.resolve(temporaryIncremental), dir.resolve(incremental));
        temporaryIncremental = null;
        switchTo(manifest.withIncremental(incremental, seq).withBase(baseName, manifest.nextBaseSeq(), incremental));
    }

    /** The name of the last incremental file, or null. */
    public String lastIncrementalName() {
        return manifest.incrementals().isEmpty() ? null : manifest.incrementals().getLast().name();
    }

    /** Bytes of the base and incremental files (INFO's aof_current_size, aof_base_size). */
    public long[] sizes() throws IOException {
        long base = 0;
        long all = 0;
        Path b = base();
        if (b != null && Files.exists(b)) {
            base = Files.size(b);
            all += base;
        }
        for (Path p : incrementals()) {
            if (Files.exists(p)) {
                all += Files.size(p);
            }
        }
        return new long[] {all, base};
    }
}
