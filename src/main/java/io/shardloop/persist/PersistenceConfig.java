package io.shardloop.persist;

import java.nio.file.Path;

/**
 * How the data is kept on disk, in Redis's names and with its defaults.
 *
 * @param appendOnly           Redis's appendonly: each shard logs its writes (no)
 * @param fsync                Redis's appendfsync (everysec)
 * @param dir                  Redis's dir: where the files are (the working directory)
 * @param appendDirName        Redis's appenddirname, under {@code dir} (appendonlydir)
 * @param dbFilename           Redis's dbfilename: SAVE's and BGSAVE's file, under {@code dir} (dump.rdb)
 * @param autoRewritePercentage Redis's auto-aof-rewrite-percentage: a shard's log is compacted once it
 *                             has grown this much past its size after the last compaction (100; 0: never)
 * @param autoRewriteMinSize   Redis's auto-aof-rewrite-min-size: but not below this many bytes (64 MiB)
 * @param loadTruncated        Redis's aof-load-truncated: a log cut short by a crash is loaded up to its
 *                             last whole record, with one line in the log (yes); no: start-up stops
 * @param savePoints           Redis's save: when a snapshot is taken by itself, and whether SHUTDOWN
 *                             saves one; {@code serve} starts with Redis's ({@link #REDIS_SAVE_POINTS}), a
 *                             server built in code ({@link #defaults()}) with none, so that tests and
 *                             experiments write no dump of their own; CONFIG SET save changes it at run time
 * @param files                the file layer (tests give one that fails on demand)
 */
public record PersistenceConfig(boolean appendOnly, AppendLog.Fsync fsync, Path dir, String appendDirName,
                                String dbFilename, int autoRewritePercentage, long autoRewriteMinSize,
                                boolean loadTruncated, SavePoints savePoints, LogFiles files) {
    public static final String DEFAULT_APPEND_DIR = "appendonlydir";
    /** Redis's save points when it starts without a configuration file: {@code serve}'s default. */
    public static final String REDIS_SAVE_POINTS = "3600 1 300 100 60 10000";
    public static final String DEFAULT_DB_FILENAME = "dump.rdb";
    public static final long DEFAULT_REWRITE_MIN_SIZE = 64L << 20;

    public PersistenceConfig {
        if (fsync == null || dir == null || files == null || savePoints == null) {
            throw new IllegalArgumentException("appendfsync, dir, the save points and the file layer are required");
        }
        if (!plainName(appendDirName)) {
            throw new IllegalArgumentException("appenddirname '" + appendDirName + "' must be a plain name, not a path");
        }
        if (!plainName(dbFilename)) {
            throw new IllegalArgumentException("dbfilename '" + dbFilename + "' must be a plain name, not a path");
        }
        if (autoRewritePercentage < 0) {
            throw new IllegalArgumentException("auto-aof-rewrite-percentage must not be negative, got " + autoRewritePercentage);
        }
        if (autoRewriteMinSize < 0) {
            throw new IllegalArgumentException("auto-aof-rewrite-min-size must not be negative, got " + autoRewriteMinSize);
        }
    }

    /**
     * Redis's defaults (nothing logged, everysec, the working directory) but for the save points:
     * none, where Redis has {@link #REDIS_SAVE_POINTS} ({@code serve}'s default).
     */
    public static PersistenceConfig defaults() {
        return new PersistenceConfig(false, AppendLog.Fsync.EVERYSEC, Path.of("").toAbsolutePath(), DEFAULT_APPEND_DIR,
                DEFAULT_DB_FILENAME, 100, DEFAULT_REWRITE_MIN_SIZE, true, SavePoints.NONE, DiskFiles.INSTANCE);
    }

    public PersistenceConfig withSavePoints(SavePoints points) {
        return new PersistenceConfig(appendOnly, fsync, dir, appendDirName, dbFilename, autoRewritePercentage,
                autoRewriteMinSize, loadTruncated, points, files);
    }

    public PersistenceConfig withAppendOnly(boolean on) {
        return new PersistenceConfig(on, fsync, dir, appendDirName, dbFilename, autoRewritePercentage,
                autoRewriteMinSize, loadTruncated, savePoints, files);
    }

    public PersistenceConfig withFsync(AppendLog.Fsync f) {
        return new PersistenceConfig(appendOnly, f, dir, appendDirName, dbFilename, autoRewritePercentage,
                autoRewriteMinSize, loadTruncated, savePoints, files);
    }

    public PersistenceConfig withDir(Path d) {
        return new PersistenceConfig(appendOnly, fsync, d.toAbsolutePath(), appendDirName, dbFilename,
                autoRewritePercentage, autoRewriteMinSize, loadTruncated, savePoints, files);
    }

    public PersistenceConfig withAutoRewrite(int percentage, long minSize) {
        return new PersistenceConfig(appendOnly, fsync, dir, appendDirName, dbFilename, percentage, minSize,
                loadTruncated, savePoints, files);
    }

    public PersistenceConfig withLoadTruncated(boolean yes) {
        return new PersistenceConfig(appendOnly, fsync, dir, appendDirName, dbFilename, autoRewritePercentage,
                autoRewriteMinSize, yes, savePoints, files);
    }

    public PersistenceConfig withFiles(LogFiles f) {
        return new PersistenceConfig(appendOnly, fsync, dir, appendDirName, dbFilename, autoRewritePercentage,
                autoRewriteMinSize, loadTruncated, savePoints, f);
    }

    /** The directory of the shards' logs. */
    public Path appendDir() {
        return dir.resolve(appendDirName);
    }

    /** One line for the start-up log. */
    public String describe() {
        return "appendonly=" + (appendOnly ? "yes" : "no") + " appendfsync=" + fsync.label() + " dir=" + dir
                + " appenddirname=" + appendDirName + " dbfilename=" + dbFilename
                + " auto-aof-rewrite-percentage=" + autoRewritePercentage
                + " auto-aof-rewrite-min-size=" + autoRewriteMinSize
                + " aof-load-truncated=" + (loadTruncated ? "yes" : "no") + " save=\"" + savePoints + "\"";
    }

    private static boolean plainName(String name) {
        return name != null && !name.isEmpty() && !name.contains("/") && !name.equals(".") && !name.equals("..");
    }
}
